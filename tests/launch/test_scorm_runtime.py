"""The SCORM run time over HTTP, as the player page's script drives it: the CMI values loaded before content starts,
Initialize, JSON commits and the last one by beacon, resume, attempts, the statements of the xAPI SCORM Profile,
the State documents, progress, and the sequencing basics the player applies."""

from __future__ import annotations

import base64
import json

import pytest

from tests.launch.test_scorm_support import (
    GOLF_12,
    GOLF_12_MULTI,
    GOLF_SEQUENTIAL,
    PROFILE,
    Player,
    enroll,
    import_package,
    learner,
    progress,
    real_package,
    sco_package,
    scorm_items,
    statements,
    verbs,
    version_outline,
    write_package,
)

__all__ = ["learner"]  # a fixture, imported for pytest to find


@pytest.fixture
def course(app, runner, tmp_path):
    """course(data=None, version="1.2", **sco_package options) -> (slug, [items]) of an imported package."""
    def make(data: bytes | None = None, **options):
        path = write_package(tmp_path, data if data is not None else sco_package(**options), f"p{id(options)}.zip")
        slug = import_package(runner, path)
        return slug, scorm_items(app, slug)
    return make


@pytest.fixture
def playing(client, learner, course):
    """playing(**course options) -> (slug, items, Player of the first item) for an enrolled learner."""
    def make(**options):
        slug, items = course(**options)
        enroll(client, slug)
        return slug, items, Player(client, slug, items[0])
    return make


MASTERY_80 = ('<item identifier="item1" identifierref="res1"><title>Test</title>'
              '<adlcp:masteryscore>80</adlcp:masteryscore></item>')


# --- launching ------------------------------------------------------------------------------------------------

def test_the_player_loads_the_learner_and_a_new_attempt_before_content_starts(playing, learner):
    _, _, player = playing(items=MASTERY_80)
    cmi = player.cmi
    assert cmi["cmi.core.student_id"] == learner.public_id
    assert cmi["cmi.core.entry"] == "ab-initio"
    assert cmi["cmi.core.credit"] == "credit" and cmi["cmi.core.lesson_mode"] == "normal"
    assert cmi["cmi.student_data.mastery_score"] == "80"
    assert player.config["version"] == "1.2"
    assert player.response.headers["Cache-Control"] == "no-store"


def test_the_player_page_carries_scorm_again_and_the_glue(playing):
    _, _, player = playing()
    assert '/scorm/runtime/scorm12.min.js' in player.html
    assert '/lms-static/scorm/player.js' in player.html


def test_launch_data_and_time_limit_reach_the_sco(playing):
    items = ('<item identifier="i1" identifierref="res1"><title>Timed</title>'
             '<adlcp:datafromlms>level=2</adlcp:datafromlms><adlcp:maxtimeallowed>00:10:00</adlcp:maxtimeallowed>'
             '<adlcp:timelimitaction>exit,message</adlcp:timelimitaction></item>')
    _, _, player = playing(items=items)
    assert player.cmi["cmi.launch_data"] == "level=2"
    assert player.config["timeLimit"] == {"seconds": 600.0, "action": "exit,message"}


def test_the_player_needs_an_enrolment(client, learner, course):
    slug, items = course()
    response = client.get(f"/scorm/courses/{slug}/sco/{items[0].slug}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/courses/{slug}")


def test_the_learning_address_of_a_sco_leads_to_the_player(client, learner, course):
    slug, items = course()
    enroll(client, slug)
    response = client.get(f"/courses/{slug}/sco/{items[0].slug}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/scorm/courses/{slug}/sco/{items[0].slug}")


# --- statements ----------------------------------------------------------------------------------------------

def test_initialize_records_initialized_in_the_scorm_profile(app, playing):
    slug, items, player = playing()
    player.initialize()
    [statement] = statements(app, "initialized")
    assert statement["object"]["id"] == f"http://lms.test/xapi/activities/course/{slug}/sco/{items[0].slug}"
    assert statement["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/lesson"
    context = statement["context"]
    assert context["contextActivities"]["category"] == [{"objectType": "Activity", "id": PROFILE}]
    grouping = {activity["definition"]["type"].rsplit("/", 1)[-1]: activity["id"]
                for activity in context["contextActivities"]["grouping"]}
    assert grouping["course"] == f"http://lms.test/xapi/activities/course/{slug}"
    assert grouping["attempt"].startswith(statement["object"]["id"] + "?attemptId=")
    assert context["contextActivities"]["parent"][0]["definition"]["type"].endswith("/module")
    [registered] = statements(app, "registered")
    assert context["registration"] == registered["context"]["registration"]


def test_interactions_become_responded_statements_with_their_definition(app, playing):
    _, items, player = playing()
    player.initialize()
    player.commit({"cmi.interactions.0.id": "q1", "cmi.interactions.0.type": "choice",
                   "cmi.interactions.0.correct_responses.0.pattern": "a,c",
                   "cmi.interactions.0.student_response": "a", "cmi.interactions.0.result": "wrong"})
    [responded] = statements(app, "responded")
    assert responded["object"]["id"].endswith(f"/sco/{items[0].slug}/interactions/q1")
    definition = responded["object"]["definition"]
    assert definition["interactionType"] == "choice"
    assert definition["correctResponsesPattern"] == ["a[,]c"]
    assert [choice["id"] for choice in definition["choices"]] == ["a", "c"]
    assert responded["result"] == {"response": "a", "success": False}
    assert responded["context"]["contextActivities"]["parent"][0]["id"].endswith(f"/sco/{items[0].slug}")


def test_a_score_is_recorded_as_scored(app, playing):
    _, _, player = playing()
    player.initialize()
    player.commit({"cmi.core.score.raw": "65", "cmi.core.score.min": "0", "cmi.core.score.max": "100"})
    [scored] = statements(app, "scored")
    assert scored["result"]["score"] == {"scaled": 0.65, "raw": 65.0, "min": 0.0, "max": 100.0}


def test_default_score_bounds_alone_are_no_score(app, playing):
    _, _, player = playing()
    player.initialize()
    player.commit({"cmi.core.score.max": "100", "cmi.core.lesson_status": "incomplete"})
    assert statements(app, "scored") == []


# --- saving and resuming ---------------------------------------------------------------------------------------

def test_a_suspended_attempt_resumes_where_the_learner_left(app, client, playing):
    slug, items, player = playing()
    player.initialize()
    player.commit({"cmi.core.lesson_location": "page-7", "cmi.suspend_data": "viewed=1,2,3",
                   "cmi.core.lesson_status": "incomplete", "cmi.core.exit": "suspend",
                   "cmi.core.session_time": "00:05:00"}, terminate=True)
    again = Player(client, slug, items[0])
    assert again.cmi["cmi.core.entry"] == "resume"
    assert again.cmi["cmi.core.lesson_location"] == "page-7"
    assert again.cmi["cmi.suspend_data"] == "viewed=1,2,3"
    assert again.cmi["cmi.core.total_time"] == "0000:05:00.00"
    again.initialize()
    assert verbs(app)[-2:] == ["suspended", "resumed"]


def test_the_last_commit_sent_by_beacon_as_text_plain_is_read(client, playing):
    slug, items, player = playing()
    player.initialize()
    player.commit({"cmi.core.lesson_location": "end", "cmi.core.exit": "suspend"}, terminate=True, beacon=True)
    assert Player(client, slug, items[0]).cmi["cmi.core.lesson_location"] == "end"


def test_suspend_data_is_a_state_document_of_the_attempt(app, playing):
    from lms.db import session
    from lms.launch.scorm_models import ScormAttempt
    from lms.launch.scorm_runtime import attempt_state_document

    _, _, player = playing()
    player.initialize()
    player.commit({"cmi.core.lesson_location": "3", "cmi.suspend_data": "bookmark=3"})
    with app.app_context():
        attempt = session.query(ScormAttempt).one()
        document = attempt_state_document(attempt)
    assert document["suspend_data"] == "bookmark=3" and document["location"] == "3"


def test_the_attempt_state_is_readable_through_the_lrs_state_resource(app, client, playing, learner):
    from sqlalchemy import select

    from lms.db import session
    from lms.tracking.models import Statement
    from lms.xapi.credentials import create_client

    _, _, player = playing()
    player.initialize()
    player.commit({"cmi.suspend_data": "kept"})
    with app.app_context():
        statement = session.execute(select(Statement).filter_by(
            verb_id="http://adlnet.gov/expapi/verbs/initialized")).scalar_one().full
        credential, secret = create_client("reader", ["all"])
        key = credential.key
        session.commit()
    attempt_iri = next(activity["id"] for activity in statement["context"]["contextActivities"]["grouping"]
                       if activity["definition"]["type"].endswith("/attempt"))
    response = client.get("/xapi/activities/state", query_string={
        "activityId": attempt_iri, "agent": json.dumps(statement["actor"]),
        "registration": statement["context"]["registration"], "stateId": "https://w3id.org/xapi/scorm/attempt-state"},
        headers={"X-Experience-API-Version": "1.0.3",
                 "Authorization": "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["suspend_data"] == "kept"


def test_a_normal_exit_ends_the_attempt_and_the_next_starts_afresh(app, client, playing):
    slug, items, player = playing()
    player.initialize()
    answer = player.commit({"cmi.core.lesson_location": "9", "cmi.core.lesson_status": "completed",
                            "cmi.core.exit": ""}, terminate=True)
    assert answer["ended"] is True
    again = Player(client, slug, items[0])
    assert again.cmi["cmi.core.entry"] == "ab-initio"
    assert "cmi.core.lesson_location" not in again.cmi
    assert again.config["commitUrl"] != player.config["commitUrl"]
    assert verbs(app, f"/sco/{items[0].slug}")[-1] == "terminated"


def test_the_activity_state_lists_every_attempt(app, client, playing):
    from lms.db import session
    from lms.launch.scorm_models import ScormAttempt
    from lms.launch.scorm_runtime import ACTIVITY_STATE, _address, _where
    from lms.xapi import documents

    slug, items, player = playing()
    player.initialize()
    player.commit({"cmi.core.exit": ""}, terminate=True)
    second = Player(client, slug, items[0])
    second.initialize()
    with app.app_context():
        attempts = session.query(ScormAttempt).order_by(ScormAttempt.number).all()
        where = _where(attempts[1])
        found = documents.find_document(_address(where, where.sco.iri, ACTIVITY_STATE))
        listed = json.loads(found.content)["attempts"]
        expected = [f"{where.sco.iri}?attemptId={attempt.attempt_id}" for attempt in attempts]
    assert listed == expected


def test_a_late_last_commit_of_a_replaced_page_does_not_end_the_new_session(app, client, playing):
    slug, items, player = playing()
    player.initialize()
    newer = Player(client, slug, items[0])  # a reload: the old page's beacon arrives after the new launch
    player.commit({"cmi.core.lesson_location": "5", "cmi.core.exit": ""}, terminate=True, beacon=True)
    newer.initialize()
    answer = newer.commit({"cmi.core.lesson_status": "incomplete"})
    assert answer["ignored"] is False
    assert Player(client, slug, items[0]).cmi["cmi.core.lesson_location"] == "5"


# --- what is refused ---------------------------------------------------------------------------------------

def test_values_content_may_not_set_are_refused_and_the_rest_stored(client, playing):
    slug, items, player = playing()
    player.initialize()
    answer = player.commit({"cmi.core.lesson_status": "finished", "cmi.core.student_id": "someone-else",
                            "cmi.core.lesson_location": "4"})
    assert answer["refused"]["cmi.core.lesson_status"]["code"] == 405
    assert answer["refused"]["cmi.core.student_id"]["code"] == 403
    cmi = Player(client, slug, items[0]).cmi
    assert cmi["cmi.core.lesson_location"] == "4"
    assert "cmi.core.lesson_status" not in cmi  # still "not attempted", which the API supplies itself
    assert cmi["cmi.core.student_id"] != "someone-else"


def test_a_commit_that_is_not_json_changes_nothing(client, playing):
    slug, items, player = playing()
    response = client.post(player.config["commitUrl"], data="cmi.core.lesson_location=4", content_type="text/plain")
    assert response.status_code == 400
    assert response.get_json()["result"] == "false"
    assert "cmi.core.lesson_location" not in Player(client, slug, items[0]).cmi


def test_a_commit_with_a_wrong_token_is_refused(client, playing):
    _, _, player = playing()
    url = player.config["commitUrl"].replace("/commit", "").rsplit("/", 1)[0] + "/0000/commit"
    response = client.post(url, data="{}", content_type="application/json")
    assert response.status_code == 403


def test_another_learner_cannot_commit_to_an_attempt(client, playing, make_user, login_as):
    _, _, player = playing()
    login_as(make_user())
    response = client.post(player.config["commitUrl"], data="{}", content_type="application/json")
    assert response.status_code == 403


def test_a_commit_without_a_session_gets_401_json(client, playing):
    _, _, player = playing()
    client.post("/account/logout")
    response = client.post(player.config["commitUrl"], data="{}", content_type="application/json")
    assert response.status_code == 401
    assert response.get_json()["result"] == "false"


# --- progress -------------------------------------------------------------------------------------------------

def test_a_passed_sco_is_done_and_moves_course_progress(app, playing, learner):
    slug, items, player = playing()
    player.initialize()
    player.commit({"cmi.core.lesson_status": "passed", "cmi.core.score.raw": "90"}, terminate=True)
    found = progress(app, learner, slug)
    assert items[0].id in found.done_ids
    assert found.fraction == 1.0
    assert verbs(app, f"/course/{slug}")[-1] == "completed"  # the course itself


def test_completed_under_the_mastery_score_is_failed_and_never_done(app, playing, learner):
    slug, items, player = playing(items=MASTERY_80)
    player.initialize()
    player.commit({"cmi.core.lesson_status": "completed", "cmi.core.score.raw": "60"}, terminate=True)
    assert "failed" in verbs(app) and "passed" not in verbs(app)
    assert items[0].id not in progress(app, learner, slug).done_ids


def test_completed_at_the_mastery_score_is_passed(app, playing, learner):
    slug, items, player = playing(items=MASTERY_80)
    player.initialize()
    player.commit({"cmi.core.lesson_status": "completed", "cmi.core.score.raw": "80"}, terminate=True)
    assert "passed" in verbs(app)
    assert items[0].id in progress(app, learner, slug).done_ids


def test_a_failed_scorm_12_test_is_not_done(app, playing, learner):
    slug, items, player = playing()
    player.initialize()
    player.commit({"cmi.core.lesson_status": "failed", "cmi.core.score.raw": "20"}, terminate=True)
    assert items[0].id not in progress(app, learner, slug).done_ids


def test_a_scorm_12_sco_that_reports_no_status_is_completed_when_it_finishes(app, playing, learner):
    slug, items, player = playing()
    player.initialize()
    player.commit({"cmi.core.session_time": "00:00:10"}, terminate=True)
    assert items[0].id in progress(app, learner, slug).done_ids


def test_scorm_2004_completed_and_failed_is_not_done(app, playing, learner):
    slug, items, player = playing(version="2004")
    player.initialize()
    player.commit({"cmi.completion_status": "completed", "cmi.success_status": "failed", "cmi.exit": "normal"},
                  terminate=True)
    assert items[0].id not in progress(app, learner, slug).done_ids


def test_scorm_2004_scaled_passing_score_decides_success(app, playing, learner):
    sequencing = ('<imsss:sequencing><imsss:objectives><imsss:primaryObjective objectiveID="p" '
                  'satisfiedByMeasure="true"><imsss:minNormalizedMeasure>0.7</imsss:minNormalizedMeasure>'
                  '</imsss:primaryObjective></imsss:objectives></imsss:sequencing>')
    items = f'<item identifier="item1" identifierref="res1"><title>Quiz</title>{sequencing}</item>'
    slug, found, player = playing(version="2004", items=items)
    assert player.cmi["cmi.scaled_passing_score"] == "0.7"
    player.initialize()
    player.commit({"cmi.completion_status": "completed", "cmi.score.scaled": "0.75", "cmi.exit": "normal"},
                  terminate=True)
    assert "passed" in verbs(app)
    assert found[0].id in progress(app, learner, slug).done_ids


def test_scorm_2004_sco_is_completed_at_terminate_unless_completion_is_set_by_content(app, playing, learner):
    slug, items, player = playing(version="2004")
    player.initialize()
    player.commit({"cmi.exit": "normal"}, terminate=True)
    assert items[0].id in progress(app, learner, slug).done_ids


# --- attempts -----------------------------------------------------------------------------------------------

def test_past_the_attempt_limit_the_last_attempt_opens_for_review_and_records_nothing(app, client, playing):
    sequencing = '<imsss:sequencing><imsss:limitConditions attemptLimit="1"/></imsss:sequencing>'
    items = f'<item identifier="item1" identifierref="res1"><title>Once</title>{sequencing}</item>'
    slug, found, player = playing(version="2004", items=items)
    player.initialize()
    player.commit({"cmi.location": "2", "cmi.exit": "normal"}, terminate=True)
    review = Player(client, slug, found[0])
    assert review.config["isReview"] is True
    assert review.cmi["cmi.mode"] == "review" and review.cmi["cmi.location"] == "2"
    before = len(statements(app))
    assert review.commit({"cmi.location": "5"})["ignored"] is True
    assert len(statements(app)) == before


# --- navigation and sequencing ---------------------------------------------------------------------------------

def test_a_locked_sco_says_what_to_finish_first_and_shows_no_content(app, client, learner, runner):
    slug = import_package(runner, real_package(GOLF_SEQUENTIAL))
    enroll(client, slug)
    items = scorm_items(app, slug)
    locked = Player(client, slug, items[1])
    assert locked.config is None
    assert "This part is locked." in locked.html and "Playing the Game" in locked.html
    assert "scorm-frame" not in locked.html


def test_satisfying_a_sco_unlocks_the_next_one(app, client, learner, runner):
    slug = import_package(runner, real_package(GOLF_SEQUENTIAL))
    enroll(client, slug)
    items = scorm_items(app, slug)
    first = Player(client, slug, items[0])
    assert first.config["nav"]["next"] is None and first.config["nav"]["nextLocked"] == "Etiquette"
    first.initialize()
    answer = first.commit({"cmi.completion_status": "completed", "cmi.success_status": "passed"})
    assert answer["nav"]["statuses"][items[1].slug] == "todo"
    assert answer["nav"]["next"] == f"/scorm/courses/{slug}/sco/{items[1].slug}"
    assert Player(client, slug, items[1]).config is not None


def test_scorm_12_packages_flow_between_scos(app, client, learner, runner):
    slug = import_package(runner, real_package(GOLF_12_MULTI))
    enroll(client, slug)
    items = scorm_items(app, slug)
    nav = Player(client, slug, items[1]).config["nav"]
    assert nav["previous"] == f"/scorm/courses/{slug}/sco/{items[0].slug}"
    assert nav["next"] == f"/scorm/courses/{slug}/sco/{items[2].slug}"


def test_a_2004_package_without_flow_has_no_next_button(app, client, learner, course, tmp_path):
    items = ('<item identifier="i1" identifierref="res1"><title>One</title></item>'
             '<item identifier="i2" identifierref="res1"><title>Two</title></item>')
    slug, found = course(version="2004", items=items)
    enroll(client, slug)
    player = Player(client, slug, found[0])
    assert player.config["nav"]["next"] is None
    assert 'id="scorm-next" rel="next" href="#" hidden' in player.html
    assert f'href="/scorm/courses/{slug}/sco/{found[1].slug}"' in player.html  # choice: the tree links it


def test_the_player_shows_the_package_tree_with_each_items_status(app, client, learner, runner):
    slug = import_package(runner, real_package(GOLF_12_MULTI))
    enroll(client, slug)
    html = Player(client, slug, scorm_items(app, slug)[0]).html
    assert 'class="scorm-tree"' in html
    for title in ("Playing the Game", "Etiquette", "Handicapping", "Having Fun", "How to Play"):
        assert title in html
    assert 'aria-current="page"' in html


def test_course_next_item_is_offered_after_the_package(app, client, learner, synced, runner):
    from tests.conftest import DEMO_COURSE

    first_module = version_outline(app, DEMO_COURSE).modules[0].slug
    import_package(runner, real_package(GOLF_12), "--course", DEMO_COURSE, "--module", first_module)
    enroll(client, DEMO_COURSE)
    version = version_outline(app, DEMO_COURSE)
    sco = next(item for item in version.items if item.kind == "sco")
    following = version.items[version.items.index(sco) + 1]
    nav = Player(client, DEMO_COURSE, sco).config["nav"]
    assert nav["courseNext"] == f"/courses/{DEMO_COURSE}/{following.kind}/{following.slug}"


# --- assets and files --------------------------------------------------------------------------------------

def test_opening_an_asset_makes_it_done(app, client, learner, course):
    items = ('<item identifier="i1" identifierref="r1"><title>Handout</title></item>')
    resources = ('<resource identifier="r1" type="webcontent" adlcp:scormtype="asset" href="handout.html">'
                 '<file href="handout.html"/></resource>')
    slug, found = course(data=sco_package(items=items, resources=resources, files={"handout.html": "<p>Hi</p>"}))
    enroll(client, slug)
    page = Player(client, slug, found[0])
    assert page.config is None and "/scorm/content/" in page.html
    assert "experienced" in verbs(app)
    assert found[0].id in progress(app, learner, slug).done_ids


def test_package_files_are_served_same_origin_without_a_sandbox(client, learner, course):
    slug, found = course()
    enroll(client, slug)
    response = client.get(f"/scorm/content/{found[0].launch['package']}/index.html")
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" not in response.headers  # the content must reach the API in the page


def test_package_files_need_a_signed_in_user(client, course):
    _, found = course()
    response = client.get(f"/scorm/content/{found[0].launch['package']}/index.html")
    assert response.status_code == 302


@pytest.mark.parametrize("name", ["../imsmanifest.xml", "nothing.html", "."])
def test_package_route_never_leaves_the_package(client, learner, course, name):
    _, found = course()
    assert client.get(f"/scorm/content/{found[0].launch['package']}/{name}").status_code == 404


def test_packages_that_are_not_scorm_are_not_served_here(app, client, learner):
    from lms.db import session
    from lms.launch.models import ContentPackage

    with app.app_context():
        session.add(ContentPackage(sha256="a" * 64, kind="cmi5", has_files=True))
        session.commit()
    assert client.get(f"/scorm/content/{'a' * 64}/index.html").status_code == 404


def test_scorm_again_is_served_for_the_player(app, client):
    from lms.launch.scorm_views import scorm_again_dir

    with app.app_context():
        if not (scorm_again_dir() / "scorm12.min.js").is_file():
            pytest.skip("node_modules/scorm-again is not installed (make install runs npm ci)")
    response = client.get("/scorm/runtime/scorm2004.min.js")
    assert response.status_code == 200
    assert b"Scorm2004API" in response.get_data()


def test_without_scorm_again_the_runtime_script_says_how_to_install_it(app, client, tmp_path):
    app.config["LMS_SCORM_AGAIN_DIR"] = str(tmp_path)
    response = client.get("/scorm/runtime/scorm12.min.js")
    assert response.status_code == 503
    assert b"make install" in response.get_data()


def test_a_hosts_csrf_protection_leaves_the_commit_endpoints_to_their_tokens(tmp_path):
    from flask import Flask
    from flask_sqlalchemy import SQLAlchemy
    from flask_wtf import CSRFProtect

    from lms import LMS

    host = Flask("host_app", instance_path=str(tmp_path / "instance"))
    host.config.update(SECRET_KEY="host-secret", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'host.sqlite3'}")
    SQLAlchemy().init_app(host)
    csrf = CSRFProtect(host)
    LMS().init_app(host)
    assert {"lms.launch.scorm_views.commit", "lms.launch.scorm_views.initialize"} <= csrf._exempt_views
    assert "lms.launch.scorm_views.import_package" not in csrf._exempt_views
