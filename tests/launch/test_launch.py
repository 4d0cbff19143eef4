"""Launching cmi5 AUs (cmi5 8, 10, 11) and the LMS's own statements (satisfied, abandoned, waived), driven over HTTP
as the real AUs do it: fetch, LMS.LaunchData, statements to /xapi."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.launch.conftest import (
    AU,
    SESSION_ID,
    basic_credentials,
    items,
    launch_url_from,
    local,
    slug_from,
    start_page,
    stored,
    verbs_of,
)

CMI5_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/cmi5"


def _course_progress(app, user, slug):
    from lms.accounts.models import User
    from lms.catalog.services import course_by_slug
    from lms.db import session
    from lms.learning.services import course_progress, enrollment_for

    with app.app_context():
        found = session.get(User, user.id)
        progress = course_progress(found, enrollment_for(found, course_by_slug(slug)))
        return progress.is_completed, progress.fraction


def _satisfied_types(app) -> list[str]:
    return [statement["object"]["definition"].get("type", "au").rsplit("/", 1)[-1]
            for statement in stored(app, "satisfied")]


# --- the launch ---------------------------------------------------------------------------------------------

def test_launch_url_carries_the_five_launch_parameters(app, client, real_package, enrolled):
    slug = enrolled(real_package("single_au_basic_responsive"))
    url = launch_url_from(start_page(client, slug, items(app, slug)[0]))
    assert set(parse_qs(urlsplit(url).query)) == {"endpoint", "fetch", "actor", "registration", "activityId"}


def test_launch_url_actor_is_the_learners_account_agent(app, client, real_package, enrolled, learner):
    slug = enrolled(real_package("single_au_basic_responsive"))
    au = AU(client, launch_url_from(start_page(client, slug, items(app, slug)[0])))
    assert au.actor == {"objectType": "Agent", "account": {"homePage": "http://lms.test", "name": learner.public_id}}


def test_launch_registration_is_the_enrolments(app, client, real_package, enrolled, learner):
    from lms.catalog.services import course_by_slug
    from lms.learning.models import Enrollment

    slug = enrolled(real_package("single_au_basic_responsive"))
    au = AU(client, launch_url_from(start_page(client, slug, items(app, slug)[0])))
    with app.app_context():
        from lms.db import session

        registration = session.query(Enrollment.registration).filter_by(
            user_id=learner.id, course_id=course_by_slug(slug).id).scalar()
    assert au.registration == registration


def test_launch_url_keeps_the_aus_own_query_string(app, client, real_package, enrolled):
    slug = enrolled(real_package("multi_au_framed"))
    url = launch_url_from(start_page(client, slug, items(app, slug)[2]))
    assert parse_qs(urlsplit(url).query)["pages"] == ["3"]


def test_launch_data_has_the_session_id_and_publisher_id_in_its_context_template(launch, real_package, enrolled):
    au = launch(enrolled(real_package("single_au_basic_responsive")))
    template = au.launch_data["contextTemplate"]
    assert template["extensions"][SESSION_ID] and template["contextActivities"]["grouping"] == [
        {"objectType": "Activity",
         "id": "https://w3id.org/xapi/cmi5/catapult/lts/course/geology-intro-single-au-basic-responsive/1"}]


def test_launch_data_has_launch_mode_move_on_and_return_url(launch, real_package, enrolled):
    au = launch(enrolled(real_package("single_au_basic_responsive")))
    data = au.launch_data
    assert (data["launchMode"], data["moveOn"]) == ("Normal", "CompletedOrPassed")
    assert data["returnURL"].endswith(f"/launch/sessions/{au.session_id}/return")


def test_launch_data_has_the_mastery_score(launch, real_package, enrolled):
    au = launch(enrolled(real_package("masteryscore_responsive")))
    assert au.launch_data["masteryScore"] == 0.3


def test_launch_data_has_launch_parameters_and_entitlement_key(app, client, runner, write_file, enrolled, launch):
    from tests.launch.conftest import au_xml, course_xml, slug_from

    au_element = au_xml("https://example.org/au/1", url="https://content.example.org/a.html").replace(
        "</url>", "</url><launchParameters>Start=1</launchParameters><entitlementKey>key-1</entitlementKey>")
    result = runner.invoke(args=["lms", "cmi5", "import", str(write_file("cmi5.xml", course_xml(au_element)))])
    au = launch(enrolled(slug_from(result.output)))
    assert (au.launch_data["launchParameters"], au.launch_data["entitlementKey"]) == (
        "Start=1", {"courseStructure": "key-1"})


def test_launch_writes_the_learner_preferences_agent_profile(launch, real_package, enrolled, client):
    au = launch(enrolled(real_package("single_au_basic_responsive")))
    response = client.get("/xapi/agents/profile", headers=au.headers(), query_string={
        "agent": json.dumps(au.actor), "profileId": "cmi5LearnerPreferences"})
    assert response.get_json() == {"languagePreference": "en,en-US", "audioPreference": "on"}


def test_launch_records_launched_with_the_cmi5_context(app, launch, real_package, enrolled):
    au = launch(enrolled(real_package("masteryscore_responsive")))
    launched = stored(app, "launched")[-1]
    context = launched["context"]
    assert launched["object"]["id"] == au.activity_id
    assert {"id": CMI5_CATEGORY, "objectType": "Activity"} in context["contextActivities"]["category"]
    assert context["extensions"][SESSION_ID] == au.session_id
    assert context["extensions"]["https://w3id.org/xapi/cmi5/context/extensions/launchmode"] == "Normal"
    assert context["extensions"]["https://w3id.org/xapi/cmi5/context/extensions/masteryscore"] == 0.3
    assert context["extensions"]["https://w3id.org/xapi/cmi5/context/extensions/launchurl"].endswith("/index.html")


def test_own_window_au_gets_the_whole_browser_window(app, client, real_package, enrolled):
    slug = enrolled(real_package("masteryscore_responsive"))
    response = start_page(client, slug, items(app, slug)[0])
    assert response.status_code == 303 and "fetch=" in response.headers["Location"]


def test_any_window_au_opens_in_the_player_frame(app, client, real_package, enrolled):
    slug = enrolled(real_package("single_au_basic_responsive"))
    response = start_page(client, slug, items(app, slug)[0])
    assert response.status_code == 200 and '<iframe src="' in response.get_data(as_text=True)


def test_launch_page_is_not_cached(app, client, real_package, enrolled):
    slug = enrolled(real_package("single_au_basic_responsive"))
    assert start_page(client, slug, items(app, slug)[0]).headers["Cache-Control"] == "no-store"


def test_au_page_requires_enrolment(app, client, real_package, learner):
    slug = real_package("single_au_basic_responsive")
    item = items(app, slug)[0]
    assert client.get(f"/launch/courses/{slug}/au/{item.slug}").status_code == 302
    assert start_page(client, slug, item).status_code == 403


def test_course_outline_links_an_au_to_its_launch_page(app, client, real_package, enrolled):
    slug = enrolled(real_package("single_au_basic_responsive"))
    item = items(app, slug)[0]
    response = client.get(f"/courses/{slug}/au/{item.slug}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/launch/courses/{slug}/au/"
                                                                                  f"{item.slug}")


# --- the fetch URL --------------------------------------------------------------------------------------------

def test_fetch_returns_an_auth_token_once(launch, real_package, enrolled):
    au = launch(enrolled(real_package("single_au_basic_responsive")), start=False)
    assert "auth-token" in au.fetch()


def test_second_fetch_gets_error_code_1(launch, real_package, enrolled):
    au = launch(enrolled(real_package("single_au_basic_responsive")), start=False)
    au.fetch()
    answer = au.fetch()
    assert answer["error-code"] == "1" and answer["error-text"]


def test_unknown_fetch_token_gets_error_code_2_with_status_200(client):
    response = client.post("/launch/fetch/not-a-token")
    assert response.status_code == 200 and response.get_json()["error-code"] == "2"


def test_fetch_by_get_is_not_allowed(launch, real_package, enrolled, client):
    au = launch(enrolled(real_package("single_au_basic_responsive")), start=False)
    assert client.get(local(au.params["fetch"])).status_code == 405


def test_auth_token_is_a_credential_limited_to_the_learner_and_registration(app, launch, real_package, enrolled):
    from lms.db import session
    from lms.xapi.models import LRSClient

    au = launch(enrolled(real_package("single_au_basic_responsive")), start=False)
    key, _ = basic_credentials(au.fetch()["auth-token"])
    with app.app_context():
        client = session.query(LRSClient).filter_by(key=key).one()
        assert (client.registration, client.user_id is not None) == (au.registration, True)


def test_auth_token_cannot_record_for_another_learner(launch, real_package, enrolled):
    au = launch(enrolled(real_package("single_au_basic_responsive")))
    au.initialized()
    statement = au.statement("experienced", defined=False)
    statement["actor"] = {"objectType": "Agent", "account": {"homePage": "http://lms.test", "name": "someone"}}
    assert au.post(statement).status_code == 403


# --- full cycles with the real packages -----------------------------------------------------------------------

def test_single_au_cycle_records_the_spec_sequence(app, launch, real_package, enrolled):
    au = launch(enrolled(real_package("single_au_basic_responsive")))
    au.initialized()
    au.completed()
    au.passed()
    au.terminated()
    own = [s for s in stored(app, registration=au.registration) if s["object"]["id"] == au.activity_id]
    assert verbs_of(own) == ["launched", "initialized", "completed", "satisfied", "passed", "terminated"]


def test_single_au_completion_satisfies_the_au_and_the_course(app, launch, real_package, enrolled):
    au = launch(enrolled(real_package("single_au_basic_responsive")))
    au.initialized()
    au.completed()
    assert _satisfied_types(app) == ["au", "course"]


def test_satisfied_statements_carry_the_launch_session_id(app, launch, real_package, enrolled):
    au = launch(enrolled(real_package("single_au_basic_responsive")))
    au.initialized()
    au.completed()
    assert {s["context"]["extensions"][SESSION_ID] for s in stored(app, "satisfied")} == {au.session_id}


def test_course_satisfied_object_is_an_lms_id_not_the_publishers(app, launch, real_package, enrolled):
    au = launch(enrolled(real_package("single_au_basic_responsive")))
    au.initialized()
    au.completed()
    course = stored(app, "satisfied")[-1]
    assert course["object"]["definition"]["type"] == "https://w3id.org/xapi/cmi5/activitytype/course"
    assert not course["object"]["id"].startswith("https://w3id.org/xapi/cmi5/catapult")


def test_satisfied_au_makes_the_course_completed_in_the_lms(app, launch, real_package, enrolled, learner):
    slug = enrolled(real_package("single_au_basic_responsive"))
    au = launch(slug)
    au.initialized()
    au.passed()
    assert _course_progress(app, learner, slug) == (True, 1.0)


def test_mastery_score_package_passes_at_its_mastery_score(app, client, real_package, enrolled):
    slug = enrolled(real_package("masteryscore_responsive"))
    au = AU(client, launch_url_from(start_page(client, slug, items(app, slug)[0]))).start()
    au.initialized()
    au.passed(scaled=0.3)
    au.terminated()
    assert _satisfied_types(app) == ["au", "course"]


def test_multi_au_course_is_satisfied_only_when_every_au_is(app, launch, real_package, enrolled, learner):
    slug = enrolled(real_package("multi_au_framed"))
    for index in range(7):
        au = launch(slug, index)
        au.initialized()
        au.completed()
        au.terminated()
    assert "course" not in _satisfied_types(app)
    assert _course_progress(app, learner, slug) == (False, 7 / 8)
    quiz = launch(slug, 7)
    quiz.initialized()
    quiz.completed()
    assert "course" not in _satisfied_types(app)  # CompletedAndPassed: completing is not enough
    quiz.passed()
    quiz.terminated()
    assert _satisfied_types(app).count("course") == 1
    assert _course_progress(app, learner, slug) == (True, 1.0)


def test_pre_post_test_blocks_are_satisfied_block_by_block(app, launch, real_package, enrolled):
    slug = enrolled(real_package("pre_post_test_framed"))
    for index, action in enumerate(["passed", "completed", "passed"]):
        au = launch(slug, index)
        au.initialized()
        getattr(au, action)()
        au.terminated()
    assert _satisfied_types(app) == ["au", "au", "au", "block"]
    for index, action in enumerate(["passed", "completed", "passed"], start=3):
        au = launch(slug, index)
        au.initialized()
        getattr(au, action)()
        au.terminated()
    assert _satisfied_types(app)[-2:] == ["block", "course"]


def test_passed_only_does_not_satisfy_a_completed_move_on(app, launch, runner, write_file, enrolled):
    from tests.launch.conftest import au_xml, course_xml

    xml = course_xml(au_xml("https://example.org/au/1", url="https://content.example.org/a",
                            attributes=' moveOn="Completed"'))
    result = runner.invoke(args=["lms", "cmi5", "import", str(write_file("cmi5.xml", xml))])
    au = launch(enrolled(slug_from(result.output)))
    au.initialized()
    au.passed()
    assert stored(app, "satisfied") == []


def test_not_applicable_aus_are_satisfied_at_registration(app, runner, write_file, enrolled):
    from tests.launch.conftest import au_xml, course_xml

    xml = course_xml(au_xml("https://example.org/au/1", url="https://content.example.org/a"))
    result = runner.invoke(args=["lms", "cmi5", "import", str(write_file("cmi5.xml", xml))])
    enrolled(slug_from(result.output))
    assert _satisfied_types(app) == ["au", "course"]


def test_satisfied_is_not_recorded_twice(app, launch, real_package, enrolled):
    slug = enrolled(real_package("single_au_basic_responsive"))
    first = launch(slug)
    first.initialized()
    first.completed()
    first.terminated()
    again = launch(slug, mode="Review")
    again.initialized()
    again.terminated()
    assert _satisfied_types(app) == ["au", "course"]


# --- abandoned ------------------------------------------------------------------------------------------------

def test_next_launch_abandons_a_session_that_did_not_terminate(app, launch, real_package, enrolled):
    slug = enrolled(real_package("multi_au_framed"))
    first = launch(slug, 0)
    first.initialized()
    launch(slug, 1)
    abandoned = stored(app, "abandoned")
    assert [s["context"]["extensions"][SESSION_ID] for s in abandoned] == [first.session_id]


def test_abandoned_statement_has_a_duration(app, launch, real_package, enrolled):
    slug = enrolled(real_package("multi_au_framed"))
    launch(slug, 0).initialized()
    launch(slug, 1)
    assert stored(app, "abandoned")[0]["result"]["duration"].startswith("PT")


def test_terminated_session_is_not_abandoned_by_the_next_launch(app, launch, real_package, enrolled):
    slug = enrolled(real_package("multi_au_framed"))
    first = launch(slug, 0)
    first.initialized()
    first.terminated()
    launch(slug, 1)
    assert stored(app, "abandoned") == []


def test_abandon_stale_abandons_idle_sessions(app, runner, launch, real_package, enrolled):
    from datetime import timedelta

    from lms.db import session, utcnow
    from lms.launch.models import LaunchSession

    au = launch(enrolled(real_package("single_au_basic_responsive")))
    au.initialized()
    with app.app_context():
        row = session.query(LaunchSession).filter_by(session_id=au.session_id).one()
        row.last_statement_at = utcnow() - timedelta(hours=9)
        session.commit()
    result = runner.invoke(args=["lms", "cmi5", "abandon-stale", "--minutes", "60"])
    assert result.exit_code == 0 and "Abandoned 1 session" in result.output
    assert len(stored(app, "abandoned")) == 1


def test_abandon_stale_keeps_active_sessions(app, runner, launch, real_package, enrolled):
    launch(enrolled(real_package("single_au_basic_responsive"))).initialized()
    result = runner.invoke(args=["lms", "cmi5", "abandon-stale", "--minutes", "60"])
    assert "Abandoned 0 session" in result.output


def test_abandoned_session_fetch_gets_error_code_1(app, launch, real_package, enrolled):
    slug = enrolled(real_package("multi_au_framed"))
    first = launch(slug, 0, start=False)
    launch(slug, 1)
    assert first.fetch()["error-code"] == "1"


# --- waived ---------------------------------------------------------------------------------------------------

@pytest.fixture
def author(make_user):
    return make_user(roles=("author", "learner"))


def _waive(client, slug, email, au_slug, reason="Administrative"):
    return client.post(f"/launch/courses/{slug}/waive", data={"email": email, "au": au_slug, "reason": reason})


def test_author_waives_an_au_and_it_counts_as_satisfied(app, client, real_package, enrolled, learner, author,
                                                        login_as):
    slug = enrolled(real_package("single_au_basic_responsive"))
    login_as(author)
    response = _waive(client, slug, learner.email, items(app, slug)[0].slug, "Tested Out")
    assert response.status_code == 302
    waived = stored(app, "waived")[0]
    assert waived["result"]["extensions"]["https://w3id.org/xapi/cmi5/result/extensions/reason"] == "Tested Out"
    assert _satisfied_types(app) == ["au", "course"]
    assert _course_progress(app, learner, slug) == (True, 1.0)


def test_waived_satisfaction_uses_the_waive_session_not_a_launch(app, client, real_package, enrolled, learner,
                                                                 author, login_as, launch):
    slug = enrolled(real_package("single_au_basic_responsive"))
    launch(slug).initialized()
    login_as(author)
    _waive(client, slug, learner.email, items(app, slug)[0].slug)
    waived_session = stored(app, "waived")[0]["context"]["extensions"][SESSION_ID]
    assert {s["context"]["extensions"][SESSION_ID] for s in stored(app, "satisfied")} == {waived_session}


def test_an_au_is_waived_once_per_registration(app, client, real_package, enrolled, learner, author, login_as):
    slug = enrolled(real_package("single_au_basic_responsive"))
    login_as(author)
    _waive(client, slug, learner.email, items(app, slug)[0].slug)
    response = _waive(client, slug, learner.email, items(app, slug)[0].slug)
    assert response.status_code == 400 and len(stored(app, "waived")) == 1


def test_waiving_for_a_learner_who_is_not_enrolled_is_refused(app, client, real_package, author, login_as):
    slug = real_package("single_au_basic_responsive")
    login_as(author)
    response = _waive(client, slug, "nobody@example.org", items(app, slug)[0].slug)
    assert response.status_code == 400 and stored(app, "waived") == []


def test_learners_cannot_waive(app, client, real_package, enrolled, learner):
    slug = enrolled(real_package("single_au_basic_responsive"))
    assert _waive(client, slug, learner.email, items(app, slug)[0].slug).status_code == 403


# --- the return URL -------------------------------------------------------------------------------------------

def test_return_url_leads_back_to_the_au_page_out_of_the_frame(app, client, launch, real_package, enrolled):
    au = launch(enrolled(real_package("single_au_basic_responsive")))
    page = client.get(local(au.launch_data["returnURL"])).get_data(as_text=True)
    assert 'target="_top"' in page and "window.top.location.replace" in page



def test_a_satisfied_cmi5_course_earns_its_tracks_certificate(app, runner, tmp_path, launch, real_package,
                                                              enrolled, learner):
    from lms.certificates.models import Certificate
    from lms.db import session

    slug = real_package("single_au_basic_responsive")
    root = tmp_path / "tracks-only"
    root.mkdir()
    (root / "tracks.yaml").write_text(f"tracks:\n  - slug: geology\n    title: {{en: Geology basics}}\n"
                                      f"    audience: [worker]\n    courses: [{slug}]\n    pass_mark: 70\n",
                                      encoding="utf-8")
    result = runner.invoke(args=["lms", "courses", "sync", str(root)])
    assert result.exit_code == 0, result.output
    au = launch(enrolled(slug))
    au.initialized()
    with app.app_context():
        assert session.query(Certificate).filter_by(user_id=learner.id).count() == 0
    au.completed()
    with app.app_context():
        assert session.query(Certificate).filter_by(user_id=learner.id).count() == 1


def test_an_au_title_in_a_malformed_language_still_launches(app, runner, write_file, enrolled, launch):
    from tests.launch.conftest import au_xml, course_xml

    app.config["LMS_CMI5_XSD"] = "/nonexistent/CourseStructure.xsd"  # the schema would refuse the tag itself
    xml = course_xml(au_xml("https://example.org/au/1", url="https://content.example.org/a").replace(
        'lang="en-US">A unit', 'lang="en_US">A unit'))
    result = runner.invoke(args=["lms", "cmi5", "import", str(write_file("cmi5.xml", xml))])
    assert result.exit_code == 0, result.output
    launch(enrolled(slug_from(result.output)))
    assert stored(app, "launched")[-1]["object"]["definition"]["name"] == {"und": "A unit"}
