"""Issuing: by itself, exactly once, the moment the last requirement is met, from any path that moves progress."""

from __future__ import annotations

from sqlalchemy import select

from tests.certificates.conftest import ELECTIVE_COURSE, TRACK, right_for_percent
from tests.conftest import BASE_URL, DEMO_COURSE

TRACK_IRI = f"{BASE_URL}/xapi/activities/track/{TRACK}"


def _earned_statements(app) -> list[dict]:
    from lms.db import session
    from lms.tracking.models import Statement
    from lms.tracking.vocabulary import Verb

    with app.app_context():
        return [row.full for row in session.execute(select(Statement).filter_by(verb_id=Verb.EARNED)).scalars()]


def test_completing_the_last_course_issues_the_certificate(app, client, make_user, login_as, tracks_synced,
                                                           complete_course, certificates_of):
    learner = make_user(display_name="Wang Fang")
    login_as(learner)
    complete_course()
    issued = certificates_of(learner.id)
    assert [(track, state, name) for _serial, track, state, name in issued] == [(TRACK, "valid", "Wang Fang")]


def test_issuing_records_an_earned_statement_about_the_track(app, client, make_user, login_as, tracks_synced,
                                                            complete_course, certificates_of):
    learner = make_user()
    login_as(learner)
    complete_course()
    earned = [statement for statement in _earned_statements(app) if statement["object"]["id"] == TRACK_IRI]
    assert len(earned) == 1
    assert earned[0]["actor"]["account"]["name"] == learner.public_id
    assert certificates_of(learner.id)[0][0] in str(earned[0]["context"]["extensions"])


def test_a_quiz_passed_below_the_tracks_pass_mark_issues_nothing(app, client, make_user, login_as,
                                                                  tracks_synced, complete_course, certificates_of):
    learner = make_user()
    login_as(learner)
    complete_course(right=right_for_percent(app, 80))  # passes the quiz's own mark (70), not the track's (80)
    assert [track for _s, track, _st, _n in certificates_of(learner.id)] == []


def test_a_better_retake_then_issues_the_certificate(app, client, make_user, login_as, tracks_synced,
                                                     complete_course, certificates_of):
    learner = make_user()
    login_as(learner)
    complete_course(right=right_for_percent(app, 80))
    complete_course(enroll=False)
    assert [track for _s, track, _st, _n in certificates_of(learner.id)] == [TRACK]


def test_more_progress_after_issuing_never_issues_twice(app, client, make_user, login_as, tracks_synced,
                                                        complete_course, certificates_of, runner):
    learner = make_user()
    login_as(learner)
    complete_course()
    complete_course(enroll=False)  # another perfect attempt moves progress again
    result = runner.invoke(args=["lms", "certificates", "reconcile"])
    assert result.exit_code == 0 and "Nothing owed" in result.output
    assert len(certificates_of(learner.id)) == 1
    assert len([s for s in _earned_statements(app) if s["object"]["id"] == TRACK_IRI]) == 1


def test_the_database_refuses_a_second_certificate_for_the_same_cycle(app, make_user, tracks_synced):
    import pytest
    from sqlalchemy.exc import IntegrityError

    from lms.catalog.models import Track
    from lms.certificates.models import Certificate
    from lms.db import session, utcnow

    learner = make_user()
    with app.app_context():
        track = session.execute(select(Track).filter_by(slug=TRACK)).scalar_one()
        for serial in ("AAAA-AAAA-AAAA-AAAA", "BBBB-BBBB-BBBB-BBBB"):
            session.add(Certificate(serial=serial, user_id=learner.id, track_id=track.id, learner_name="x",
                                    track_slug=TRACK, track_title={"en": "x"}, issuer_name="x", issued_at=utcnow()))
        with pytest.raises(IntegrityError):
            session.flush()
        session.rollback()


def test_statements_from_outside_the_lesson_pages_issue_too(app, client, make_user, login_as, tracks_synced,
                                                            certificates_of):
    """An import (or an external LRS client, or SCORM) records statements through tracking.record(): same path."""
    from lms.accounts.models import User
    from lms.catalog.models import CourseItem
    from lms.db import session
    from lms.learning import services as learning
    from lms.learning.models import Enrollment
    from lms.tracking import statements as build
    from lms.tracking.services import record

    learner = make_user()
    login_as(learner)
    client.post(f"/courses/{DEMO_COURSE}/enroll")
    with app.app_context():
        user = session.get(User, learner.id)
        enrollment = session.execute(select(Enrollment).filter_by(user_id=user.id)).scalar_one()
        quiz = session.execute(select(CourseItem).filter_by(version_id=enrollment.version_id, kind="quiz")
                               ).scalar_one()
        context = learning._context(enrollment)
        base = app.config["LMS_BASE_URL"]
        quiz_activity = build.Activity(f"{base}/xapi/activities/course/{DEMO_COURSE}/quiz/{quiz.slug}",
                                       build.ActivityType.ASSESSMENT, quiz.title)
        record([build.quiz_graded(learning.actor(user), quiz_activity, 9, 10, 80, context),
                build.course_completed(learning.actor(user), context)])
        session.commit()
    assert [track for _s, track, _st, _n in certificates_of(learner.id)] == [TRACK]


def test_an_elective_track_needs_its_elective(app, client, make_user, login_as, tracks_synced, complete_course,
                                              certificates_of):
    learner = make_user()
    login_as(learner)
    complete_course()
    assert "with-elective" not in [track for _s, track, _st, _n in certificates_of(learner.id)]
    complete_course(ELECTIVE_COURSE)
    assert "with-elective" in [track for _s, track, _st, _n in certificates_of(learner.id)]


def test_reconcile_issues_what_is_owed_and_says_so(app, client, runner, make_user, login_as, cert_curriculum,
                                                   complete_course, certificates_of):
    tracks = (cert_curriculum / "tracks.yaml").read_text(encoding="utf-8")
    (cert_curriculum / "tracks.yaml").write_text("tracks: []\n", encoding="utf-8")
    assert runner.invoke(args=["lms", "courses", "sync", str(cert_curriculum)]).exit_code == 0
    learner = make_user(email="owed@example.org")
    login_as(learner)
    complete_course()  # no track yet: nothing to issue
    assert certificates_of(learner.id) == []
    (cert_curriculum / "tracks.yaml").write_text(tracks, encoding="utf-8")
    assert runner.invoke(args=["lms", "courses", "sync", str(cert_curriculum)]).exit_code == 0

    result = runner.invoke(args=["lms", "certificates", "reconcile"])
    assert result.exit_code == 0, result.output
    serial = certificates_of(learner.id)[0][0]
    assert f"issued  {serial}" in result.output and "owed@example.org" in result.output
    assert "1 certificate(s) issued." in result.output
