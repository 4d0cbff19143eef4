"""tracking.record(): the one way in. Validation, idempotent ids, voiding, and the projection it keeps."""

import uuid

import pytest
from sqlalchemy import func, select

from lms.tracking.models import ActivityProgress, Statement
from lms.tracking.services import StatementConflict, StatementInvalid, record
from lms.tracking.vocabulary import Verb
from tests.conftest import BASE_URL

ACTOR = {"objectType": "Agent", "account": {"homePage": BASE_URL, "name": "learner-1"}}
ACTIVITY = f"{BASE_URL}/xapi/activities/course/demo/quiz/q"
REGISTRATION = "6f1c8a2e-3a0b-4c55-9d2e-0d1f2c3b4a59"


def _passed(score: float = 0.9, **extra) -> dict:
    return {
        "actor": ACTOR,
        "verb": {"id": Verb.PASSED, "display": {"en-US": "passed"}},
        "object": {"objectType": "Activity", "id": ACTIVITY},
        "result": {"score": {"scaled": score}, "success": True, "completion": True},
        "context": {"registration": REGISTRATION},
        **extra,
    }


def _count(model) -> int:
    from lms.db import session

    return session.execute(select(func.count()).select_from(model)).scalar_one()


def _progress() -> ActivityProgress:
    from lms.db import session

    return session.execute(select(ActivityProgress).filter_by(activity_id=ACTIVITY)).scalar_one()


def test_record_stores_the_statement_and_updates_progress_in_one_step(db):
    [statement_id] = record([_passed()])
    db.session.commit()
    stored = db.session.execute(select(Statement)).scalar_one()
    assert stored.statement_id == statement_id and stored.full["stored"] and stored.full["authority"]
    progress = _progress()
    assert progress.is_completed and progress.success is True and progress.best_score == 0.9


def test_a_batch_with_one_invalid_statement_stores_nothing(db):
    bad = _passed()
    bad["result"]["score"]["scaled"] = 1.5
    with pytest.raises(StatementInvalid) as error:
        record([_passed(), bad])
    assert "statements[1].result.score.scaled" in str(error.value)
    db.session.rollback()
    assert _count(Statement) == 0 and _count(ActivityProgress) == 0


def test_the_same_id_with_the_same_content_is_stored_once(db):
    statement = _passed(id=str(uuid.uuid4()))
    record([statement])
    record([statement])
    db.session.commit()
    assert _count(Statement) == 1


def test_the_same_id_with_other_content_is_a_conflict(db):
    statement_id = str(uuid.uuid4())
    record([_passed(id=statement_id)])
    with pytest.raises(StatementConflict):
        record([_passed(score=0.5, id=statement_id)])


def test_voiding_a_statement_takes_it_out_of_progress(db):
    [first] = record([_passed(score=0.9)])
    record([_passed(score=0.6)])
    assert _progress().best_score == 0.9
    record([{"actor": ACTOR, "verb": {"id": Verb.VOIDED, "display": {"en-US": "voided"}},
             "object": {"objectType": "StatementRef", "id": first}}])
    db.session.commit()
    assert _progress().best_score == 0.6
    assert db.session.execute(select(Statement.is_voided).filter_by(statement_id=first)).scalar_one()


def _voiding(target_id: str) -> dict:
    return {"actor": ACTOR, "verb": {"id": Verb.VOIDED, "display": {"en-US": "voided"}},
            "object": {"objectType": "StatementRef", "id": target_id}}


def test_a_batch_that_voids_an_earlier_statement_counts_its_new_statements_once(db):
    attempted = {"actor": ACTOR, "verb": {"id": Verb.ATTEMPTED}, "object": {"id": ACTIVITY},
                 "context": {"registration": REGISTRATION}, "result": {"duration": "PT1M"}}
    [first] = record([dict(attempted)])
    record([dict(attempted), _voiding(first)])
    db.session.commit()
    progress = _progress()
    assert progress.attempts == 1 and progress.time_spent_seconds == 60


def test_a_statement_voided_in_its_own_batch_adds_nothing_to_progress(db):
    record([_passed(score=0.6)])
    target = _passed(score=0.9, id=str(uuid.uuid4()))
    record([target, _voiding(target["id"])])
    db.session.commit()
    assert _progress().best_score == 0.6


def test_a_statement_arriving_after_its_voiding_is_stored_voided_and_adds_nothing(db):
    record([_passed(score=0.6)])
    late_id = str(uuid.uuid4())
    record([_voiding(late_id)])
    record([_passed(score=0.9, id=late_id)])
    db.session.commit()
    assert _progress().best_score == 0.6
    assert db.session.execute(select(Statement.is_voided).filter_by(statement_id=late_id)).scalar_one()


def test_attempts_and_time_add_up_from_statements(db):
    attempted = {"actor": ACTOR, "verb": {"id": Verb.ATTEMPTED}, "object": {"id": ACTIVITY},
                 "context": {"registration": REGISTRATION}, "result": {"duration": "PT1M30S"}}
    record([attempted, dict(attempted), _passed()])
    progress = _progress()
    assert progress.attempts == 2 and progress.time_spent_seconds == 180


def test_progress_rebuild_from_the_store_gives_identical_results(app, client, runner, make_user, login_as, synced):
    from tests.learning.test_flow import COURSE, _right_answers, _wrong_answers

    for _ in range(2):
        login_as(make_user())
        client.post(f"/courses/{COURSE}/enroll")
        client.get(f"/courses/{COURSE}/lesson/why-in-writing")
        client.get(f"/courses/{COURSE}/lesson/probation")
        client.post(f"/courses/{COURSE}/quiz/contract-check", data=_wrong_answers(_right_answers(app)))
        client.post(f"/courses/{COURSE}/quiz/contract-check", data=_right_answers(app))

    def snapshot():
        with app.app_context():
            from lms.db import session

            rows = session.execute(select(ActivityProgress)).scalars()
            return sorted(
                (r.actor_key, r.registration, r.activity_id, r.is_completed, r.success, r.best_score, r.attempts,
                 r.time_spent_seconds, r.completed_at, r.first_activity_at, r.last_activity_at) for r in rows)

    before = snapshot()
    assert len(before) > 10
    result = runner.invoke(args=["lms", "progress", "rebuild"])
    assert result.exit_code == 0 and "Rebuilt" in result.output
    assert snapshot() == before


def test_stored_statements_can_be_listed_from_the_command_line_and_by_an_admin(
        app, client, runner, make_user, login_as, synced):
    import json

    learner = make_user()
    login_as(learner)
    client.post("/courses/labor-contract-basics/enroll")
    printed = runner.invoke(args=["lms", "statements", "list", "--email", learner.email])
    lines = [json.loads(line) for line in printed.output.splitlines()]
    assert [line["verb"]["id"] for line in lines] == [Verb.REGISTERED]
    assert lines[0]["actor"]["account"]["name"] == learner.public_id and "mbox" not in lines[0]["actor"]
    client.post("/account/logout")
    login_as(make_user(roles=("admin",)))
    page = client.get(f"/admin/statements?learner={learner.email}").get_data(as_text=True)
    assert "registered" in page and "1 statement" in page
