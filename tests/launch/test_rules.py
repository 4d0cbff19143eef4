"""The cmi5 statement rules the LRS applies in a launched session (cmi5 6.3, 7.1, 9, 10): refusals with 400 (a
statement malformed for cmi5) or 403 (not allowed in the session now), naming the rule; cmi5 allowed statements
accepted."""

from __future__ import annotations

import uuid

import pytest

from tests.launch.conftest import SESSION_ID, au_xml, course_xml, slug_from, stored

MASTERY = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore"


@pytest.fixture
def au(launch, real_package, enrolled):
    """A started AU of single_au_basic_responsive (no statement sent yet)."""
    return launch(enrolled(real_package("single_au_basic_responsive")))


@pytest.fixture
def running(au):
    """The same AU after its initialized statement."""
    au.initialized()
    return au


def _refusal(response, status: int, section: str) -> None:
    assert response.status_code == status, response.get_data(as_text=True)
    assert f"(cmi5 {section})" in response.get_json()["error"]["message"]


def test_a_statement_before_initialized_is_refused(au):
    _refusal(au.post(au.statement("experienced", defined=False)), 403, "9.3.2")


def test_initialized_is_accepted_first(au):
    assert au.post(au.statement("initialized")).status_code == 200


def test_a_second_initialized_is_refused(running):
    _refusal(running.post(running.statement("initialized")), 403, "9.3")


def test_a_cmi5_allowed_statement_is_accepted_in_the_session(running):
    statement = running.statement("experienced", defined=False,
                                  obj={"objectType": "Activity", "id": running.activity_id + "/slide/1"})
    assert running.post(statement).status_code == 200


def test_a_statement_without_the_session_id_is_refused(running):
    statement = running.statement("experienced", defined=False)
    del statement["context"]["extensions"][SESSION_ID]
    _refusal(running.post(statement), 400, "9.6.3.1")


def test_a_statement_of_another_session_is_refused(running):
    _refusal(running.post(running.statement("experienced", defined=False,
                                            extensions={SESSION_ID: "another-session"})), 403, "9.6.3.1")


def test_a_statement_without_the_publisher_id_grouping_is_refused(running):
    statement = running.statement("experienced", defined=False)
    statement["context"]["contextActivities"]["grouping"] = []
    _refusal(running.post(statement), 400, "9.6.2.3")


def test_a_statement_without_the_registration_is_refused(running):
    statement = running.statement("experienced", defined=False)
    del statement["context"]["registration"]
    # The launch credential's own check (lms.xapi) may refuse it first (403); cmi5 9.6.1 would (400).
    assert running.post(statement).status_code in (400, 403)


def test_a_defined_statement_about_another_object_is_refused(running):
    _refusal(running.post(running.statement("completed", result={"completion": True, "duration": "PT1M"},
                                            obj={"objectType": "Activity", "id": "https://example.org/other"})),
             400, "9.4")


def test_completed_without_completion_true_is_refused(running):
    _refusal(running.post(running.statement("completed", result={"duration": "PT1M"})), 400, "9.5.3")


def test_completed_without_duration_is_refused(running):
    _refusal(running.post(running.statement("completed", result={"completion": True})), 400, "9.5.4.1")


def test_completed_without_the_move_on_category_is_refused(running):
    _refusal(running.post(running.statement("completed", result={"completion": True, "duration": "PT1M"},
                                            move_on=False)), 400, "9.6.2.2")


def test_completed_with_a_score_is_refused(running):
    _refusal(running.post(running.statement("completed", result={
        "completion": True, "duration": "PT1M", "score": {"scaled": 0.5}})), 400, "9.5.1")


def test_passed_without_success_true_is_refused(running):
    _refusal(running.post(running.statement("passed", result={"duration": "PT1M"}, move_on=True)), 400, "9.5.2")


def test_a_raw_score_without_min_and_max_is_refused(running):
    _refusal(running.post(running.statement("passed", result={
        "success": True, "duration": "PT1M", "score": {"raw": 5}})), 400, "9.5.1")


def test_the_move_on_category_on_an_allowed_statement_is_refused(running):
    _refusal(running.post(running.statement("experienced", defined=False, move_on=True)), 400, "9.6.2.2")


def test_a_verb_the_au_may_not_use_is_refused(running):
    _refusal(running.post(running.statement("satisfied")), 400, "9.3")


def test_a_voiding_statement_is_refused(running):
    statement = running.statement("http://adlnet.gov/expapi/verbs/voided", defined=False,
                                  obj={"objectType": "StatementRef", "id": str(uuid.uuid4())})
    _refusal(running.post(statement), 403, "6.3")


def test_completed_twice_in_a_session_is_refused(running):
    running.completed()
    _refusal(running.post(running.statement("completed", result={"completion": True, "duration": "PT1M"})),
             403, "9.3")


def test_completed_again_in_a_later_session_of_the_registration_is_refused(app, launch, real_package, enrolled):
    slug = enrolled(real_package("single_au_basic_responsive"))
    first = launch(slug)
    first.initialized()
    first.completed()
    first.terminated()
    second = launch(slug)
    second.initialized()
    _refusal(second.post(second.statement("completed", result={"completion": True, "duration": "PT1M"})),
             403, "9.3")


def test_passed_then_failed_in_a_session_is_refused(running):
    running.passed()
    _refusal(running.post(running.statement("failed", result={"success": False, "duration": "PT1M"})), 403, "9.3")


def test_failed_after_passed_in_the_registration_is_refused(launch, real_package, enrolled):
    slug = enrolled(real_package("single_au_basic_responsive"))
    first = launch(slug)
    first.initialized()
    first.passed()
    first.terminated()
    second = launch(slug)
    second.initialized()
    _refusal(second.post(second.statement("failed", result={"success": False, "duration": "PT1M"})), 403, "9.3")


def test_terminated_without_duration_is_refused(running):
    _refusal(running.post(running.statement("terminated")), 400, "9.5.4.1")


def test_a_statement_after_terminated_is_refused(running):
    running.terminated()
    _refusal(running.post(running.statement("experienced", defined=False)), 403, "9.3.8")


def test_the_credential_of_an_abandoned_session_stops_working(launch, real_package, enrolled):
    slug = enrolled(real_package("multi_au_framed"))
    first = launch(slug, 0)
    first.initialized()
    launch(slug, 1)  # the next launch abandons the first session
    # cmi5 8.2: the token is limited to its session; cmi5 9.3.6: no statements after "abandoned".
    assert first.post(first.statement("experienced", defined=False)).status_code == 401


def test_a_refused_batch_stores_nothing(app, running):
    good = running.statement("experienced", defined=False)
    bad = running.statement("completed", result={"completion": True})
    before = len(stored(app))
    running.post(good, bad)
    assert len(stored(app)) == before


@pytest.fixture
def mastered(launch, runner, write_file, enrolled):
    """A started and initialized AU with masteryScore 0.8."""
    xml = course_xml(au_xml("https://example.org/au/1", url="https://content.example.org/a",
                            attributes=' moveOn="Passed" masteryScore="0.8"'))
    result = runner.invoke(args=["lms", "cmi5", "import", str(write_file("cmi5.xml", xml))])
    au = launch(enrolled(slug_from(result.output)))
    au.initialized()
    return au


def test_passed_below_the_mastery_score_is_refused(mastered):
    _refusal(mastered.post(mastered.statement("passed", result={
        "success": True, "duration": "PT1M", "score": {"scaled": 0.5}}, extensions={MASTERY: 0.8})), 400, "9.3.4")


def test_failed_at_the_mastery_score_is_refused(mastered):
    _refusal(mastered.post(mastered.statement("failed", result={
        "success": False, "duration": "PT1M", "score": {"scaled": 0.8}}, extensions={MASTERY: 0.8})), 400, "9.3.5")


def test_a_scored_passed_without_the_mastery_score_extension_is_refused(mastered):
    _refusal(mastered.post(mastered.statement("passed", result={
        "success": True, "duration": "PT1M", "score": {"scaled": 0.9}})), 400, "9.6.3.2")


def test_passed_at_the_mastery_score_is_accepted(mastered):
    assert mastered.post(mastered.statement("passed", result={
        "success": True, "duration": "PT1M", "score": {"scaled": 0.8}}, extensions={MASTERY: 0.8})).status_code == 200


@pytest.mark.parametrize("mode", ["Browse", "Review"])
def test_browse_and_review_modes_may_not_complete(mode, api_launch):
    au = api_launch(mode)
    au.initialized()
    _refusal(au.post(au.statement("completed", result={"completion": True, "duration": "PT1M"})), 403, "10.0")


@pytest.mark.parametrize("mode", ["Browse", "Review"])
def test_browse_and_review_modes_may_not_pass(mode, api_launch):
    au = api_launch(mode)
    au.initialized()
    _refusal(au.post(au.statement("passed", result={"success": True, "duration": "PT1M"})), 403, "10.0")


def test_browse_mode_initialized_and_terminated_are_accepted(api_launch):
    au = api_launch("Browse")
    assert au.initialized().status_code == 200 and au.terminated().status_code == 200


@pytest.fixture
def api_launch(app, client, real_package, make_user):
    """api_launch(mode) -> a started AU launched through the API in that launch mode."""
    from lms.api.services import create_token
    from lms.catalog.services import course_by_slug
    from lms.db import session
    from tests.launch.conftest import AU

    slug = real_package("single_au_basic_responsive")
    with app.app_context():
        _, token = create_token("rules test")
        course_id = course_by_slug(slug).id
        session.commit()

    def run(mode: str):
        response = client.post("/api/v1/launches", headers={"Authorization": f"Bearer {token}"}, json={
            "course": course_id, "au": 0, "launchMode": mode,
            "actor": {"objectType": "Agent", "mbox": "mailto:mode-tester@example.org"}})
        assert response.status_code == 201, response.get_data(as_text=True)
        return AU(client, response.get_json()["url"]).start()

    return run
