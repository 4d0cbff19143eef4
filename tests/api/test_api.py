"""The integration API end to end: tokens, importing, deleting, launching for an xAPI Agent, waiving, abandoning,
and its OpenAPI document."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.api.conftest import ApiClient
from tests.launch.conftest import AU, au_xml, course_xml, package_path, stored, verbs_of, zipped

MBOX_AGENT = {"objectType": "Agent", "name": "Ana External", "mbox": "mailto:ana@partner.example.org"}
ACCOUNT_AGENT = {"objectType": "Agent", "account": {"homePage": "https://partner.example.org", "name": "u-42"}}


def _token_rows(app):
    from lms.api.models import ApiToken
    from lms.db import session

    with app.app_context():
        return list(session.execute(select(ApiToken.prefix, ApiToken.token_hash, ApiToken.revoked_at)).all())


# --- tokens ---------------------------------------------------------------------------------------------------

def test_tokens_create_prints_a_token_that_is_stored_only_hashed(app, make_token):
    token = make_token()
    [(prefix, token_hash, _)] = _token_rows(app)
    assert token.startswith(prefix) and token_hash == hashlib.sha256(token.encode()).hexdigest()


def test_a_request_without_a_token_is_refused_with_401(client):
    response = ApiClient(client, None).post("/launches", json={})
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_wrong_token_is_refused(client, make_token):
    token = make_token()
    assert ApiClient(client, token[:-2] + "xx").post("/launches", json={}).status_code == 401


def test_a_revoked_token_is_refused(client, runner, make_token):
    token = make_token()
    result = runner.invoke(args=["lms", "api", "tokens", "revoke", token[:16]])
    assert result.exit_code == 0, result.output
    assert ApiClient(client, token).post("/launches", json={}).status_code == 401


def test_tokens_list_shows_prefix_state_and_name(runner, make_token):
    token = make_token("partner portal")
    output = runner.invoke(args=["lms", "api", "tokens", "list"]).output
    assert token[:16] in output and "active" in output and "partner portal" in output


def test_revoking_an_unknown_token_fails(runner):
    assert runner.invoke(args=["lms", "api", "tokens", "revoke", "lmsapi_nothing"]).exit_code != 0


# --- the OpenAPI document -------------------------------------------------------------------------------------

def test_openapi_document_is_public_json(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.get_json()["openapi"].startswith("3.")


def test_openapi_document_describes_every_api_route(app, client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    routes = {(rule.rule.removeprefix("/api/v1").replace("<int:course_id>", "{id}")
               .replace("<registration>", "{registration}").replace("<session_id>", "{session_id}"), method.lower())
              for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")
              and rule.endpoint not in ("api.openapi_document", "api.unknown")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(path, method) for path, operations in paths.items() for method in operations}
    assert routes == documented


def test_openapi_document_is_valid_openapi(client):
    validator = pytest.importorskip("openapi_spec_validator", reason="openapi-spec-validator is not installed")
    validator.validate(client.get("/api/v1/openapi.json").get_json())


# --- importing and deleting -----------------------------------------------------------------------------------

def test_importing_a_zip_answers_the_course_id(app, api):
    from lms.catalog.models import Course
    from lms.db import session

    response = api.import_zip(package_path("multi_au_framed"))
    assert response.status_code == 201, response.get_data(as_text=True)
    with app.app_context():
        assert session.get(Course, response.get_json()["id"]).slug == response.get_json()["slug"]


def test_importing_a_bare_cmi5_xml_works(api):
    xml = course_xml(au_xml("https://example.org/au/1", url="https://content.example.org/a.html"))
    response = api.post("/courses/import", data=xml, headers={"Content-Type": "application/xml"})
    assert response.status_code == 201 and response.get_json()["aus"] == 1


def test_an_invalid_package_answers_400_with_invalid_package(api):
    xml = course_xml(au_xml("https://example.org/au/1", url="index.html"))
    response = api.post("/courses/import", data=xml, headers={"Content-Type": "text/xml"})
    answer = response.get_json()
    assert response.status_code == 400 and answer["invalid_package"] is True and "14.2" in answer["error"]


def test_a_zip_content_type_on_an_xml_body_is_an_invalid_package(api):
    response = api.post("/courses/import", data=b"<x/>", headers={"Content-Type": "application/zip"})
    assert response.status_code == 400 and response.get_json()["invalid_package"] is True


def test_an_unknown_content_type_is_refused_with_415(api):
    response = api.post("/courses/import", data=b"{}", headers={"Content-Type": "application/json"})
    assert response.status_code == 415


def test_import_into_a_course_adds_to_it(api, synced):
    response = api.import_zip(package_path("single_au_basic_responsive"), course="labor-contract-basics")
    assert response.get_json()["slug"] == "labor-contract-basics" and response.get_json()["outcome"] == "updated"


def test_deleting_a_course_removes_it(app, api):
    from lms.catalog.models import Course
    from lms.db import session

    course_id = api.import_zip(package_path("single_au_basic_responsive")).get_json()["id"]
    assert api.delete(f"/courses/{course_id}").status_code == 204
    with app.app_context():
        assert session.get(Course, course_id) is None


def test_deleting_a_course_removes_its_package_files(app, api):
    digest = hashlib.sha256(package_path("single_au_basic_responsive").read_bytes()).hexdigest()
    course_id = api.import_zip(package_path("single_au_basic_responsive")).get_json()["id"]
    api.delete(f"/courses/{course_id}")
    assert not (Path(app.instance_path) / "packages" / digest).exists()


def test_deleting_a_course_with_learners_and_sessions_works(app, api):
    course_id = api.import_zip(package_path("single_au_basic_responsive")).get_json()["id"]
    api.post("/launches", json={"course": course_id, "au": 0, "actor": MBOX_AGENT})
    assert api.delete(f"/courses/{course_id}").status_code == 204


def test_deleting_an_unknown_course_answers_404(api):
    response = api.delete("/courses/999999")
    assert response.status_code == 404 and "error" in response.get_json()


# --- launching ------------------------------------------------------------------------------------------------

@pytest.fixture
def course_id(api):
    response = api.import_zip(package_path("single_au_basic_responsive"))
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["id"]


def _launch(api, course_id, **extra):
    return api.post("/launches", json={"course": course_id, "au": 0, "actor": MBOX_AGENT, **extra})


def test_launch_answers_the_au_url(api, course_id):
    response = _launch(api, course_id)
    assert response.status_code == 201 and "fetch=" in response.get_json()["url"]


def test_launch_for_an_unknown_agent_makes_an_account_that_cannot_sign_in(app, api, course_id, client):
    from lms.accounts.services import find_user

    _launch(api, course_id)
    with app.app_context():
        user = find_user("ana@partner.example.org")
        assert user.display_name == "Ana External" and user.password_hash.startswith("!")
    response = client.post("/account/login", data={"email": "ana@partner.example.org", "password": "!"})
    assert response.status_code != 302


def test_launch_for_an_existing_learners_email_uses_their_account(app, api, course_id, make_user):
    user = make_user(email="ana@partner.example.org")
    url = _launch(api, course_id).get_json()["url"]
    assert user.public_id in url


def test_launch_for_this_lmss_own_account_agent_uses_that_account(api, course_id, make_user):
    user = make_user()
    agent = {"objectType": "Agent", "account": {"homePage": "http://lms.test", "name": user.public_id}}
    assert user.public_id in _launch(api, course_id, actor=agent).get_json()["url"]


def test_launch_for_an_unknown_account_of_this_lms_is_refused(api, course_id):
    agent = {"objectType": "Agent", "account": {"homePage": "http://lms.test", "name": "no-such-user"}}
    response = _launch(api, course_id, actor=agent)
    assert response.status_code == 400 and "actor" in response.get_json()["error"]


def test_the_same_account_agent_maps_to_the_same_learner(api, course_id):
    first = _launch(api, course_id, actor=ACCOUNT_AGENT).get_json()
    second = _launch(api, course_id, actor=ACCOUNT_AGENT).get_json()
    assert first["registration"] == second["registration"]


def test_launch_with_a_given_registration_enrols_with_it(api, course_id):
    registration = "0b7d7e1c-51d6-4d27-9a5e-6f1c3f4b8a11"
    assert _launch(api, course_id, registration=registration).get_json()["registration"] == registration


def test_launch_with_another_registration_than_the_learners_is_refused(api, course_id):
    _launch(api, course_id)
    response = _launch(api, course_id, registration="0b7d7e1c-51d6-4d27-9a5e-6f1c3f4b8a11")
    assert response.status_code == 400


@pytest.mark.parametrize("body, field", [
    ({"au": 0, "actor": MBOX_AGENT}, "course"),
    ({"course": "x", "au": 0, "actor": MBOX_AGENT}, "course"),
    ({"au": -1, "actor": MBOX_AGENT}, "au"),
    ({"au": 0}, "actor"),
    ({"au": 0, "actor": {"name": "no identifier"}}, "actor"),
    ({"au": 0, "actor": MBOX_AGENT, "launchMode": "Fast"}, "launchMode"),
    ({"au": 0, "actor": MBOX_AGENT, "registration": "nope"}, "registration"),
])
def test_a_bad_launch_field_is_named_in_a_400(api, course_id, body, field):
    body = {"course": course_id, **body} if "course" not in body and field != "course" else body
    response = api.post("/launches", json=body)
    assert response.status_code == 400 and field in response.get_json()["error"]


def test_an_au_index_past_the_last_au_is_refused(api, course_id):
    response = api.post("/launches", json={"course": course_id, "au": 1, "actor": MBOX_AGENT})
    assert response.status_code == 400 and "index" in response.get_json()["error"]


def test_launch_of_an_unknown_course_answers_404(api):
    assert api.post("/launches", json={"course": 999999, "au": 0, "actor": MBOX_AGENT}).status_code == 404


def test_api_launch_end_to_end_records_the_session_and_satisfaction(app, client, api, course_id):
    launched = _launch(api, course_id).get_json()
    au = AU(client, launched["url"]).start()
    au.initialized()
    au.completed()
    au.terminated()
    assert verbs_of(stored(app, registration=launched["registration"])) == [
        "registered", "launched", "initialized", "completed", "satisfied", "satisfied", "completed", "completed",
        "terminated"]


def test_api_launch_uses_the_given_return_url(client, api, course_id):
    launched = _launch(api, course_id, returnURL="https://partner.example.org/back").get_json()
    assert AU(client, launched["url"]).start().launch_data["returnURL"] == "https://partner.example.org/back"


# --- waive and abandon ----------------------------------------------------------------------------------------

def test_waive_records_waived_and_satisfied(app, api, course_id):
    registration = _launch(api, course_id).get_json()["registration"]
    response = api.post(f"/registrations/{registration}/waive", json={"au": 0, "reason": "Equivalent AU"})
    assert response.status_code == 200 and response.get_json()["statement"]
    assert verbs_of(stored(app, registration=registration))[2:5] == ["waived", "satisfied", "satisfied"]


def test_waiving_twice_answers_409(api, course_id):
    registration = _launch(api, course_id).get_json()["registration"]
    api.post(f"/registrations/{registration}/waive", json={"au": 0, "reason": "Administrative"})
    assert api.post(f"/registrations/{registration}/waive",
                    json={"au": 0, "reason": "Administrative"}).status_code == 409


def test_waive_with_an_unknown_reason_is_refused(api, course_id):
    registration = _launch(api, course_id).get_json()["registration"]
    response = api.post(f"/registrations/{registration}/waive", json={"au": 0, "reason": "Because"})
    assert response.status_code == 400 and "reason" in response.get_json()["error"]


def test_waive_in_an_unknown_registration_answers_404(api):
    response = api.post("/registrations/0b7d7e1c-51d6-4d27-9a5e-6f1c3f4b8a11/waive",
                        json={"au": 0, "reason": "Administrative"})
    assert response.status_code == 404


def test_abandon_records_abandoned_for_the_session(app, api, course_id):
    launched = _launch(api, course_id).get_json()
    response = api.post(f"/sessions/{launched['session']}/abandon")
    assert response.status_code == 200
    abandoned = stored(app, "abandoned")
    assert [s["context"]["extensions"]["https://w3id.org/xapi/cmi5/context/extensions/sessionid"]
            for s in abandoned] == [launched["session"]]


def test_abandoning_an_ended_session_answers_409(api, course_id):
    launched = _launch(api, course_id).get_json()
    api.post(f"/sessions/{launched['session']}/abandon")
    assert api.post(f"/sessions/{launched['session']}/abandon").status_code == 409


def test_abandoning_an_unknown_session_answers_404(api):
    assert api.post("/sessions/0b7d7e1c-51d6-4d27-9a5e-6f1c3f4b8a11/abandon").status_code == 404


def test_a_wrong_method_answers_a_json_405(api):
    response = api.get("/courses/import")
    assert response.status_code == 405 and response.headers["Allow"] == "POST" and "error" in response.get_json()


def test_an_unknown_endpoint_answers_a_json_404(api):
    response = api.get("/nothing/here")
    assert response.status_code == 404 and "error" in response.get_json()


def test_import_body_over_the_limit_answers_413(app, api):
    app.config["LMS_PACKAGE_MAX_BYTES"] = 100
    response = api.post("/courses/import", data=zipped({"cmi5.xml": "x" * 500}),
                        headers={"Content-Type": "application/zip"})
    assert response.status_code == 413
