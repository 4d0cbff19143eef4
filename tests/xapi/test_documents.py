"""The State, Activity Profile and Agent Profile resources (xAPI 1.0.3 Communication 2.2, 2.3, 2.6, 2.7, 3.1)."""

import hashlib
import json
import uuid
from datetime import datetime, timezone
from urllib.parse import urlencode

import pytest
from sqlalchemy import update

from tests.conftest import BASE_URL
from tests.xapi.conftest import XAPIClient

ACTIVITY = "http://example.org/activities/overtime-rules"
OTHER_ACTIVITY = "http://example.org/activities/rest-days"
AGENT = {"objectType": "Agent", "account": {"homePage": "http://www.example.com", "name": "zhang-wei"}}
OTHER_AGENT = {"objectType": "Agent", "mbox": "mailto:li.na@example.org"}
REGISTRATION = "0d7c5f0e-8c7a-4d0e-9c55-3a1f8a0b2f10"
JSON = {"Content-Type": "application/json"}


def url(path: str, **params) -> str:
    """A resource path with its query string; dict parameters are sent as JSON, as the spec asks for agents."""
    encoded = {name: json.dumps(value) if isinstance(value, dict) else value for name, value in params.items()}
    return f"{path}?{urlencode(encoded)}"


def state(**params) -> str:
    params = {"activityId": ACTIVITY, "agent": AGENT, "stateId": "bookmark", **params}
    return url("/activities/state", **{name: value for name, value in params.items() if value is not None})


def activity_profile(**params) -> str:
    params = {"activityId": ACTIVITY, "profileId": "glossary", **params}
    return url("/activities/profile", **{name: value for name, value in params.items() if value is not None})


def agent_profile(**params) -> str:
    params = {"agent": AGENT, "profileId": "preferences", **params}
    return url("/agents/profile", **{name: value for name, value in params.items() if value is not None})


def put_json(lrs, path, document, **headers):
    return lrs.put(path, data=json.dumps(document), headers={**JSON, **headers})


def post_json(lrs, path, document, **headers):
    return lrs.post(path, data=json.dumps(document), headers={**JSON, **headers})


def etag_of(lrs, path) -> str:
    return lrs.get(path).headers["ETag"]


def set_updated_at(db, document_id: str, moment: datetime) -> None:
    from lms.xapi.models import Document

    db.session.execute(update(Document).where(Document.document_id == document_id).values(updated_at=moment))
    db.session.commit()


@pytest.fixture
def launch(app, client, make_user):
    """A per-launch credential for a learner and registration: (its XAPIClient, the learner's Agent)."""
    from lms.db import session
    from lms.xapi.credentials import basic_auth_header, create_launch_credential

    user = make_user()
    with app.app_context():
        credential, secret = create_launch_credential(user.id, REGISTRATION)
        session.commit()
        authorization = basic_auth_header(credential.key, secret)
    agent = {"objectType": "Agent", "account": {"homePage": BASE_URL, "name": user.public_id}}
    return XAPIClient(client, authorization), agent


# --- storing and reading -----------------------------------------------------------------------------------

def test_a_put_state_document_is_returned_by_get(lrs):
    assert put_json(lrs, state(), {"page": 3}).status_code == 204
    response = lrs.get(state())
    assert response.status_code == 200 and response.json == {"page": 3}


def test_a_document_comes_back_with_the_content_type_it_was_stored_with(lrs):
    lrs.put(state(), data="chapter 3", headers={"Content-Type": "text/plain; charset=utf-8"})
    response = lrs.get(state())
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.get_data(as_text=True) == "chapter 3"


def test_binary_content_round_trips_byte_for_byte(lrs):
    content = bytes(range(256)) * 4
    assert lrs.put(state(), data=content, headers={"Content-Type": "application/octet-stream"}).status_code == 204
    response = lrs.get(state())
    assert response.get_data() == content and response.headers["Content-Type"] == "application/octet-stream"


def test_get_sends_the_quoted_sha1_of_the_content_as_etag(lrs):
    content = b'{"page":3}'
    lrs.put(state(), data=content, headers=JSON)
    assert lrs.get(state()).headers["ETag"] == '"' + hashlib.sha1(content).hexdigest() + '"'


def test_get_sends_when_the_document_last_changed(lrs):
    put_json(lrs, state(), {"page": 3})
    last_modified = lrs.get(state()).headers["Last-Modified"]
    assert last_modified.endswith("GMT")


def test_head_sends_the_headers_of_get_without_the_document(lrs):
    put_json(lrs, state(), {"page": 3})
    response = lrs.request("HEAD", state())
    assert response.status_code == 200 and response.get_data() == b""
    assert response.headers["ETag"] == etag_of(lrs, state())


def test_get_of_a_document_that_does_not_exist_is_404(lrs):
    assert lrs.get(state(stateId="nothing-here")).status_code == 404


def test_a_document_with_a_registration_is_not_the_document_without_one(lrs):
    put_json(lrs, state(registration=REGISTRATION), {"page": 3})
    assert lrs.get(state()).status_code == 404
    assert lrs.get(state(registration=REGISTRATION)).json == {"page": 3}


def test_a_registration_matches_whatever_its_letter_case(lrs):
    put_json(lrs, state(registration=REGISTRATION.upper()), {"page": 3})
    assert lrs.get(state(registration=REGISTRATION)).json == {"page": 3}


def test_an_agent_is_matched_by_its_identifier_not_its_other_properties(lrs):
    put_json(lrs, state(), {"page": 3})
    assert lrs.get(state(agent={**AGENT, "name": "Zhang Wei"})).json == {"page": 3}


def test_put_replaces_the_whole_state_document(lrs):
    put_json(lrs, state(), {"page": 3, "score": 1})
    put_json(lrs, state(), {"page": 4})
    assert lrs.get(state()).json == {"page": 4}


def test_a_document_of_unknown_activity_and_agent_is_accepted(lrs):
    # The LRS must not reject documents for lack of prior knowledge of the activity or agent (2.2.s4.b2).
    assert put_json(lrs, state(activityId="http://example.org/never-seen", agent=OTHER_AGENT), {}).status_code == 204


# --- POST: create or merge ---------------------------------------------------------------------------------

def test_post_of_a_document_that_does_not_exist_stores_it(lrs):
    assert post_json(lrs, state(), {"page": 3}).status_code == 204
    assert lrs.get(state()).json == {"page": 3}


def test_post_of_a_non_json_document_that_does_not_exist_stores_it(lrs):
    assert lrs.post(state(), data="1", headers={"Content-Type": "text/plain"}).status_code == 204
    assert lrs.get(state()).get_data(as_text=True) == "1"


def test_post_merges_the_top_level_properties_into_the_existing_json_object(lrs):
    post_json(lrs, state(), {"x": "foo", "y": "bar"})
    assert post_json(lrs, state(), {"x": "bash", "z": "faz"}).status_code == 204
    assert lrs.get(state()).json == {"x": "bash", "y": "bar", "z": "faz"}


def test_post_replaces_a_nested_object_whole_rather_than_merging_it(lrs):
    post_json(lrs, state(), {"car": {"make": "Ford", "model": "Escape"}, "driver": "Dale"})
    post_json(lrs, state(), {"car": {"make": "Dodge"}})
    assert lrs.get(state()).json == {"car": {"make": "Dodge"}, "driver": "Dale"}


def test_a_merged_document_gets_the_etag_of_its_new_content(lrs):
    post_json(lrs, state(), {"x": 1})
    before = etag_of(lrs, state())
    post_json(lrs, state(), {"y": 2})
    response = lrs.get(state())
    assert response.headers["ETag"] != before
    assert response.headers["ETag"] == '"' + hashlib.sha1(response.get_data()).hexdigest() + '"'


def test_post_of_a_non_json_document_onto_a_json_one_is_400_and_changes_nothing(lrs):
    post_json(lrs, state(), {"x": 1})
    response = lrs.post(state(), data="abcdefg", headers={"Content-Type": "application/octet-stream"})
    assert response.status_code == 400 and "application/json" in response.json["error"]["message"]
    assert lrs.get(state()).json == {"x": 1}


def test_post_of_json_onto_a_non_json_document_is_400_and_changes_nothing(lrs):
    lrs.put(state(), data="/ asdf / undefined", headers={"Content-Type": "application/octet-stream"})
    assert post_json(lrs, state(), {"x": 1}).status_code == 400
    assert lrs.get(state()).get_data(as_text=True) == "/ asdf / undefined"


def test_post_of_a_json_array_onto_a_json_object_is_400(lrs):
    post_json(lrs, state(), {"x": 1})
    response = post_json(lrs, state(), [1, 2])
    assert response.status_code == 400 and "object" in response.json["error"]["message"]


def test_post_onto_a_json_document_that_is_not_an_object_is_400(lrs):
    put_json(lrs, state(), [1, 2])
    assert post_json(lrs, state(), {"x": 1}).status_code == 400
    assert lrs.get(state()).json == [1, 2]


def test_a_body_that_is_not_the_json_its_content_type_says_is_400(lrs):
    post_json(lrs, state(), {"x": 1})
    response = lrs.post(state(), data='{"x": 2}{', headers=JSON)
    assert response.status_code == 400
    assert lrs.get(state()).json == {"x": 1}


def test_a_request_without_a_document_is_400(lrs):
    response = lrs.post(activity_profile())
    assert response.status_code == 400 and "document" in response.json["error"]["message"]


# --- several documents: ids, since, delete -----------------------------------------------------------------

def test_get_without_state_id_lists_the_ids_of_the_context(lrs):
    put_json(lrs, state(stateId="a"), {})
    put_json(lrs, state(stateId="b"), {})
    put_json(lrs, state(stateId="c", activityId=OTHER_ACTIVITY), {})
    response = lrs.get(state(stateId=None))
    assert response.status_code == 200 and sorted(response.json) == ["a", "b"]


def test_the_ids_list_is_empty_for_a_context_without_documents(lrs):
    assert lrs.get(state(stateId=None)).json == []


def test_the_ids_list_without_registration_covers_every_registration(lrs):
    put_json(lrs, state(stateId="a"), {})
    put_json(lrs, state(stateId="b", registration=REGISTRATION), {})
    assert sorted(lrs.get(state(stateId=None)).json) == ["a", "b"]


def test_the_ids_list_with_a_registration_covers_only_that_registration(lrs):
    put_json(lrs, state(stateId="a"), {})
    put_json(lrs, state(stateId="b", registration=REGISTRATION), {})
    assert lrs.get(state(stateId=None, registration=REGISTRATION)).json == ["b"]


def test_the_ids_list_holds_only_documents_changed_after_since(lrs, db):
    put_json(lrs, state(stateId="old"), {})
    put_json(lrs, state(stateId="new"), {})
    set_updated_at(db, "old", datetime(2024, 1, 1, tzinfo=timezone.utc))
    set_updated_at(db, "new", datetime(2024, 6, 1, tzinfo=timezone.utc))
    assert lrs.get(state(stateId=None, since="2024-03-01T00:00:00Z")).json == ["new"]


def test_since_is_exclusive(lrs, db):
    put_json(lrs, state(stateId="a"), {})
    set_updated_at(db, "a", datetime(2024, 6, 1, tzinfo=timezone.utc))
    assert lrs.get(state(stateId=None, since="2024-06-01T00:00:00Z")).json == []


def test_the_ids_list_says_when_its_newest_document_changed(lrs, db):
    put_json(lrs, state(stateId="a"), {})
    put_json(lrs, state(stateId="b"), {})
    set_updated_at(db, "a", datetime(2024, 1, 1, tzinfo=timezone.utc))
    set_updated_at(db, "b", datetime(2024, 6, 1, 12, tzinfo=timezone.utc))
    assert lrs.get(state(stateId=None)).headers["Last-Modified"] == "Sat, 01 Jun 2024 12:00:00 GMT"


def test_since_that_is_not_a_timestamp_is_400(lrs):
    response = lrs.get(state(stateId=None, since="not a timestamp"))
    assert response.status_code == 400 and "since" in response.json["error"]["message"]


def test_delete_removes_the_document(lrs):
    put_json(lrs, state(), {"page": 3})
    assert lrs.delete(state()).status_code == 204
    assert lrs.get(state()).status_code == 404


def test_delete_of_a_document_that_does_not_exist_is_204(lrs):
    assert lrs.delete(state(stateId="nothing-here")).status_code == 204


def test_delete_without_state_id_removes_every_document_of_the_context(lrs):
    put_json(lrs, state(stateId="a"), {})
    put_json(lrs, state(stateId="b", registration=REGISTRATION), {})
    put_json(lrs, state(stateId="c", activityId=OTHER_ACTIVITY), {})
    assert lrs.delete(state(stateId=None)).status_code == 204
    assert lrs.get(state(stateId=None)).json == []
    assert lrs.get(state(stateId=None, activityId=OTHER_ACTIVITY)).json == ["c"]


def test_delete_without_state_id_but_with_a_registration_keeps_other_registrations(lrs):
    put_json(lrs, state(stateId="a"), {})
    put_json(lrs, state(stateId="b", registration=REGISTRATION), {})
    lrs.delete(state(stateId=None, registration=REGISTRATION))
    assert lrs.get(state(stateId=None)).json == ["a"]


# --- parameters --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["GET", "PUT", "POST", "DELETE"])
@pytest.mark.parametrize("missing", ["activityId", "agent"])
def test_a_state_request_without_its_context_is_400_naming_the_parameter(lrs, method, missing):
    response = lrs.request(method, state(**{missing: None}), data="{}", headers=JSON)
    assert response.status_code == 400 and missing in response.json["error"]["message"]


@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_a_state_write_without_state_id_is_400(lrs, method):
    response = lrs.request(method, state(stateId=None), data="{}", headers=JSON)
    assert response.status_code == 400 and "stateId" in response.json["error"]["message"]


# GET without profileId is not among them: it lists the ids.
PROFILE_REQUIRED = [("GET", "context"), ("PUT", "context"), ("POST", "context"), ("DELETE", "context"),
                    ("PUT", "profileId"), ("POST", "profileId"), ("DELETE", "profileId")]


@pytest.mark.parametrize(("method", "missing"),
                         [(m, "activityId" if p == "context" else p) for m, p in PROFILE_REQUIRED])
def test_an_activity_profile_request_without_a_required_parameter_is_400(lrs, method, missing):
    response = lrs.request(method, activity_profile(**{missing: None}), data="{}", headers=JSON)
    assert response.status_code == 400 and missing in response.json["error"]["message"]


@pytest.mark.parametrize(("method", "missing"), [(m, "agent" if p == "context" else p) for m, p in PROFILE_REQUIRED])
def test_an_agent_profile_request_without_a_required_parameter_is_400(lrs, method, missing):
    response = lrs.request(method, agent_profile(**{missing: None}), data="{}", headers=JSON)
    assert response.status_code == 400 and missing in response.json["error"]["message"]


@pytest.mark.parametrize("agent", [
    "not JSON", "1", "true", {"key": "value"},
    {"mbox": "mailto:a@example.org", "openid": "http://example.org/a"},
    {"mbox": "a@example.org"},
    {"objectType": "Group", "mbox": "mailto:team@example.org"},
], ids=["text", "number", "boolean", "no-identifier", "two-identifiers", "mbox-without-mailto", "group"])
def test_an_agent_parameter_that_is_not_an_agent_is_400(lrs, agent):
    response = put_json(lrs, state(agent=agent), {})
    assert response.status_code == 400 and "agent" in response.json["error"]["message"]


@pytest.mark.parametrize("activity_id", ["1", "true", "not an iri", '{"key": "value"}'])
def test_an_activity_id_that_is_not_an_iri_is_400(lrs, activity_id):
    response = put_json(lrs, state(activityId=activity_id), {})
    assert response.status_code == 400 and "activityId" in response.json["error"]["message"]


@pytest.mark.parametrize("registration", ["1", "true", "not a uuid", REGISTRATION.replace("-", "")])
def test_a_registration_that_is_not_a_uuid_is_400(lrs, registration):
    response = put_json(lrs, state(registration=registration), {})
    assert response.status_code == 400 and "registration" in response.json["error"]["message"]


@pytest.mark.parametrize("path", [
    state(StateId="bookmark"),
    state() + "&limit=3",
    activity_profile(agent=AGENT),
    agent_profile(activityId=ACTIVITY),
], ids=["wrong-case", "unknown", "agent-on-activity-profile", "activity-on-agent-profile"])
def test_a_parameter_the_resource_does_not_take_is_400(lrs, path):
    response = lrs.get(path)
    assert response.status_code == 400 and "unknown parameter" in response.json["error"]["message"]


def test_since_is_not_a_parameter_of_delete(lrs):
    assert lrs.delete(state(stateId=None, since="2024-01-01T00:00:00Z")).status_code == 400


def test_an_empty_state_id_is_400(lrs):
    response = put_json(lrs, state(stateId=""), {})
    assert response.status_code == 400 and "stateId" in response.json["error"]["message"]


def test_the_longest_identifiers_the_lrs_takes_are_stored(lrs):
    activity_id = "http://example.org/" + "a" * 1000
    assert put_json(lrs, state(activityId=activity_id, stateId="s" * 1300), {}).status_code == 204


def test_long_identifiers_are_stored_and_found_again(lrs):
    # Documents are keyed by a hash of their whole address, so long IRIs fit any database's index limits.
    address = state(activityId="http://example.org/" + "a" * 1500, stateId="s" * 1500)
    assert put_json(lrs, address, {"page": 7}).status_code == 204
    assert lrs.get(address).json == {"page": 7}


def test_a_parameter_given_twice_is_400(lrs):
    response = put_json(lrs, state() + "&stateId=other", {})
    assert response.status_code == 400 and "stateId" in response.json["error"]["message"]


def test_since_is_accepted_and_ignored_when_getting_one_document(lrs):
    put_json(lrs, state(), {"page": 3})
    assert lrs.get(state(since="2999-01-01T00:00:00Z")).json == {"page": 3}


# --- concurrency -------------------------------------------------------------------------------------------

def test_put_with_the_current_etag_in_if_match_replaces_the_document(lrs):
    put_json(lrs, agent_profile(), {"v": 1}, **{"If-None-Match": "*"})
    response = put_json(lrs, agent_profile(), {"v": 2}, **{"If-Match": etag_of(lrs, agent_profile())})
    assert response.status_code == 204 and lrs.get(agent_profile()).json == {"v": 2}


def test_put_with_a_stale_if_match_is_412_and_changes_nothing(lrs):
    put_json(lrs, state(), {"v": 1})
    response = put_json(lrs, state(), {"v": 2}, **{"If-Match": '"' + "1" * 40 + '"'})
    assert response.status_code == 412 and lrs.get(state()).json == {"v": 1}


def test_put_with_if_match_on_a_document_that_does_not_exist_is_412(lrs):
    response = put_json(lrs, activity_profile(), {"v": 1}, **{"If-Match": '"' + "1" * 40 + '"'})
    assert response.status_code == 412 and lrs.get(activity_profile()).status_code == 404


def test_if_match_star_matches_any_existing_document(lrs):
    put_json(lrs, state(), {"v": 1})
    assert put_json(lrs, state(), {"v": 2}, **{"If-Match": "*"}).status_code == 204


def test_if_match_accepts_a_list_of_etags(lrs):
    put_json(lrs, state(), {"v": 1})
    listed = '"' + "1" * 40 + '", ' + etag_of(lrs, state())
    assert put_json(lrs, state(), {"v": 2}, **{"If-Match": listed}).status_code == 204


def test_put_with_if_none_match_star_creates_a_document(lrs):
    response = put_json(lrs, activity_profile(), {"v": 1}, **{"If-None-Match": "*"})
    assert response.status_code == 204 and lrs.get(activity_profile()).json == {"v": 1}


def test_put_with_if_none_match_star_over_an_existing_document_is_412_and_changes_nothing(lrs):
    put_json(lrs, activity_profile(), {"v": 1}, **{"If-None-Match": "*"})
    response = put_json(lrs, activity_profile(), {"v": 2}, **{"If-None-Match": "*"})
    assert response.status_code == 412 and lrs.get(activity_profile()).json == {"v": 1}


@pytest.mark.parametrize("profile", [activity_profile, agent_profile], ids=["activity", "agent"])
def test_profile_put_over_an_existing_document_without_precondition_is_409_and_changes_nothing(lrs, profile):
    put_json(lrs, profile(), {"v": 1}, **{"If-None-Match": "*"})
    response = put_json(lrs, profile(), {"v": 2})
    assert response.status_code == 409 and "If-Match" in response.json["error"]["message"]
    assert lrs.get(profile()).json == {"v": 1}


@pytest.mark.parametrize("profile", [activity_profile, agent_profile], ids=["activity", "agent"])
def test_profile_put_of_a_new_document_without_precondition_is_accepted(lrs, profile):
    # The spec's LRS rule (3.1.s4.b13) is a 409 for an existing document only.
    assert put_json(lrs, profile(), {"v": 1}).status_code == 204


def test_state_put_over_an_existing_document_needs_no_precondition(lrs):
    put_json(lrs, state(), {"v": 1})
    assert put_json(lrs, state(), {"v": 2}).status_code == 204


def test_post_with_a_stale_if_match_is_412_and_changes_nothing(lrs):
    post_json(lrs, activity_profile(), {"v": 1})
    response = post_json(lrs, activity_profile(), {"w": 2}, **{"If-Match": '"' + "1" * 40 + '"'})
    assert response.status_code == 412 and lrs.get(activity_profile()).json == {"v": 1}


def test_post_with_if_none_match_star_over_an_existing_document_is_412(lrs):
    post_json(lrs, agent_profile(), {"v": 1})
    assert post_json(lrs, agent_profile(), {"w": 2}, **{"If-None-Match": "*"}).status_code == 412


def test_post_with_the_current_etag_merges(lrs):
    post_json(lrs, agent_profile(), {"v": 1})
    response = post_json(lrs, agent_profile(), {"w": 2}, **{"If-Match": etag_of(lrs, agent_profile())})
    assert response.status_code == 204 and lrs.get(agent_profile()).json == {"v": 1, "w": 2}


def test_delete_with_a_stale_if_match_is_412_and_keeps_the_document(lrs):
    post_json(lrs, activity_profile(), {"v": 1})
    response = lrs.delete(activity_profile(), headers={"If-Match": '"' + "1" * 40 + '"'})
    assert response.status_code == 412 and lrs.get(activity_profile()).status_code == 200


def test_delete_with_the_current_etag_removes_the_document(lrs):
    post_json(lrs, activity_profile(), {"v": 1})
    response = lrs.delete(activity_profile(), headers={"If-Match": etag_of(lrs, activity_profile())})
    assert response.status_code == 204 and lrs.get(activity_profile()).status_code == 404


# --- the two profile resources -----------------------------------------------------------------------------

@pytest.mark.parametrize("profile", [activity_profile, agent_profile], ids=["activity", "agent"])
def test_a_profile_document_is_stored_and_returned(lrs, profile):
    assert post_json(lrs, profile(), {"glossary": ["probation"]}).status_code == 204
    assert lrs.get(profile()).json == {"glossary": ["probation"]}


@pytest.mark.parametrize("profile", [activity_profile, agent_profile], ids=["activity", "agent"])
def test_get_without_profile_id_lists_the_profile_ids(lrs, profile):
    post_json(lrs, profile(profileId="a"), {})
    post_json(lrs, profile(profileId="b"), {})
    assert sorted(lrs.get(profile(profileId=None)).json) == ["a", "b"]


@pytest.mark.parametrize("profile", [activity_profile, agent_profile], ids=["activity", "agent"])
def test_the_profile_ids_list_holds_only_documents_changed_after_since(lrs, db, profile):
    post_json(lrs, profile(profileId="old"), {})
    post_json(lrs, profile(profileId="new"), {})
    set_updated_at(db, "old", datetime(2024, 1, 1, tzinfo=timezone.utc))
    set_updated_at(db, "new", datetime(2024, 6, 1, tzinfo=timezone.utc))
    assert lrs.get(profile(profileId=None, since="2024-03-01T00:00:00+00:00")).json == ["new"]


@pytest.mark.parametrize("profile", [activity_profile, agent_profile], ids=["activity", "agent"])
def test_a_profile_delete_removes_only_that_profile(lrs, profile):
    post_json(lrs, profile(profileId="a"), {})
    post_json(lrs, profile(profileId="b"), {})
    assert lrs.delete(profile(profileId="a")).status_code == 204
    assert lrs.get(profile(profileId=None)).json == ["b"]


def test_profiles_of_different_agents_are_separate(lrs):
    post_json(lrs, agent_profile(), {"v": 1})
    assert lrs.get(agent_profile(agent=OTHER_AGENT)).status_code == 404


def test_kinds_of_document_do_not_share_ids(lrs):
    post_json(lrs, activity_profile(profileId="same"), {"kind": "activity"})
    post_json(lrs, state(stateId="same"), {"kind": "state"})
    assert lrs.get(activity_profile(profileId="same")).json == {"kind": "activity"}


# --- alternate request syntax ------------------------------------------------------------------------------

def alternate(lrs, method: str, path: str, **fields):
    form = {"X-Experience-API-Version": "1.0.3", "Authorization": lrs.authorization, **fields}
    return lrs.client.post(f"/xapi{path}?method={method}", data=urlencode(form),
                           headers={"Content-Type": "application/x-www-form-urlencoded"})


def test_a_state_document_can_be_put_with_the_alternate_request_syntax(lrs):
    params = {"activityId": ACTIVITY, "agent": json.dumps(AGENT), "stateId": "bookmark"}
    response = alternate(lrs, "PUT", "/activities/state", content='{"page": 3}', **params,
                         **{"Content-Type": "application/json"})
    assert response.status_code == 204 and lrs.get(state()).json == {"page": 3}


def test_a_profile_precondition_can_be_sent_as_a_form_field(lrs):
    post_json(lrs, activity_profile(), {"v": 1})
    params = {"activityId": ACTIVITY, "profileId": "glossary"}
    response = alternate(lrs, "PUT", "/activities/profile", content='{"v": 2}', **params,
                         **{"If-Match": '"' + "1" * 40 + '"'})
    assert response.status_code == 412


def test_a_state_document_can_be_read_with_the_alternate_request_syntax(lrs):
    put_json(lrs, state(), {"page": 3})
    params = {"activityId": ACTIVITY, "agent": json.dumps(AGENT), "stateId": "bookmark"}
    response = alternate(lrs, "GET", "/activities/state", **params)
    assert response.status_code == 200 and response.json == {"page": 3}


# --- who may use documents ---------------------------------------------------------------------------------

def test_a_credential_without_the_documents_scope_is_403(client, make_credential):
    reader = XAPIClient(client, make_credential(scopes=("statements/read", "statements/write")))
    assert reader.get(state()).status_code == 403


def test_a_credential_without_the_documents_scope_is_403_before_its_parameters_are_checked(client, make_credential):
    reader = XAPIClient(client, make_credential(scopes=("statements/read",)))
    assert reader.get("/activities/state").status_code == 403


def test_a_launch_credential_may_use_its_learners_state_in_its_registration(launch):
    lrs, learner = launch
    assert put_json(lrs, state(agent=learner, registration=REGISTRATION), {"page": 3}).status_code == 204
    assert lrs.get(state(agent=learner, registration=REGISTRATION)).json == {"page": 3}


def test_a_launch_credential_may_not_use_another_agents_state(launch):
    lrs, _ = launch
    response = put_json(lrs, state(agent=OTHER_AGENT, registration=REGISTRATION), {"page": 3})
    assert response.status_code == 403 and "agent" in response.json["error"]["message"]


def test_a_launch_credential_may_not_use_another_registrations_state(launch):
    lrs, learner = launch
    response = lrs.get(state(agent=learner, registration=str(uuid.uuid4())))
    assert response.status_code == 403 and "registration" in response.json["error"]["message"]


def test_a_launch_credential_may_use_its_learners_agent_profile(launch):
    lrs, learner = launch
    assert post_json(lrs, agent_profile(agent=learner), {"language": "zh-Hans"}).status_code == 204


def test_a_launch_credential_may_not_read_another_agents_profile(launch):
    lrs, _ = launch
    assert lrs.get(agent_profile(agent=OTHER_AGENT)).status_code == 403


def test_a_launch_credential_may_read_an_activity_profile(lrs, launch):
    post_json(lrs, activity_profile(), {"v": 1})
    launch_lrs, _ = launch
    assert launch_lrs.get(activity_profile()).json == {"v": 1}


def test_a_launch_credential_may_not_change_an_activity_profile(launch):
    lrs, _ = launch
    assert post_json(lrs, activity_profile(), {"v": 1}).status_code == 403
