"""The Activities and Agents resources (xAPI 1.0.3 Communication 2.4 and 2.5)."""

import json
from urllib.parse import urlencode

import pytest

from tests.conftest import BASE_URL
from tests.xapi.conftest import XAPIClient

ACTIVITY = "http://example.org/activities/overtime-rules"
ACTOR = {"objectType": "Agent", "mbox": "mailto:zhang.wei@example.org", "name": "Zhang Wei"}
VERB = {"id": "http://adlnet.gov/expapi/verbs/experienced", "display": {"en-US": "experienced"}}
DEFINITION = {
    "type": "http://adlnet.gov/expapi/activities/lesson",
    "name": {"en-US": "Overtime rules", "zh-Hans": "加班规定"},
    "description": {"en-US": "When overtime is allowed and how it is paid."},
    "moreInfo": "http://example.org/lessons/overtime",
    "extensions": {"http://example.org/ext/minutes": 12},
}


def statement(obj: dict, actor: dict = ACTOR, **extra) -> dict:
    return {"actor": actor, "verb": VERB, "object": obj, **extra}


def activities(activity_id: str = ACTIVITY) -> str:
    return "/activities?" + urlencode({"activityId": activity_id})


def agents(agent) -> str:
    return "/agents?" + urlencode({"agent": json.dumps(agent) if isinstance(agent, dict) else agent})


def store(lrs, *statements) -> None:
    for one in statements:
        response = lrs.post("/statements", json_body=one)
        assert response.status_code == 200, response.json


# --- Activities --------------------------------------------------------------------------------------------

def test_an_activity_is_returned_as_its_statement_gave_it(lrs):
    activity = {"objectType": "Activity", "id": ACTIVITY, "definition": DEFINITION}
    store(lrs, statement(activity))
    response = lrs.get(activities())
    assert response.status_code == 200 and response.json == activity


def test_an_activity_seen_without_a_definition_is_returned_with_its_id(lrs):
    store(lrs, statement({"id": ACTIVITY}))
    assert lrs.get(activities()).json == {"objectType": "Activity", "id": ACTIVITY}


def test_definitions_from_several_statements_are_merged(lrs):
    store(lrs, statement({"id": ACTIVITY, "definition": {"type": DEFINITION["type"]}}),
          statement({"id": ACTIVITY, "definition": {"moreInfo": DEFINITION["moreInfo"]}}))
    definition = lrs.get(activities()).json["definition"]
    assert definition == {"type": DEFINITION["type"], "moreInfo": DEFINITION["moreInfo"]}


def test_the_newer_statements_definition_wins_where_both_say_something(lrs):
    store(lrs, statement({"id": ACTIVITY, "definition": {"moreInfo": "http://example.org/old"}}),
          statement({"id": ACTIVITY, "definition": {"moreInfo": "http://example.org/new"}}))
    assert lrs.get(activities()).json["definition"]["moreInfo"] == "http://example.org/new"


def test_language_maps_are_merged_language_by_language(lrs):
    store(lrs, statement({"id": ACTIVITY, "definition": {"name": {"en-US": "Overtime", "zh-Hans": "加班"}}}),
          statement({"id": ACTIVITY, "definition": {"name": {"en-US": "Overtime rules"}}}))
    assert lrs.get(activities()).json["definition"]["name"] == {"en-US": "Overtime rules", "zh-Hans": "加班"}


def test_extensions_are_merged_key_by_key(lrs):
    store(lrs, statement({"id": ACTIVITY, "definition": {"extensions": {"http://example.org/ext/a": 1}}}),
          statement({"id": ACTIVITY, "definition": {"extensions": {"http://example.org/ext/b": 2}}}))
    assert lrs.get(activities()).json["definition"]["extensions"] == {
        "http://example.org/ext/a": 1, "http://example.org/ext/b": 2}


def test_an_activity_named_only_in_a_statements_context_is_known_with_its_definition(lrs):
    course = {"id": "http://example.org/courses/labor-law", "definition": {"name": {"en-US": "Labor law"}}}
    store(lrs, statement({"id": ACTIVITY}, context={"contextActivities": {"grouping": [course]}}))
    assert lrs.get(activities(course["id"])).json == {"objectType": "Activity", **course}


def test_an_activity_in_a_sub_statement_is_known(lrs):
    sub = {"objectType": "SubStatement", "actor": ACTOR, "verb": VERB,
           "object": {"id": ACTIVITY, "definition": {"name": {"en-US": "Overtime rules"}}}}
    store(lrs, statement(sub))
    assert lrs.get(activities()).json["definition"] == {"name": {"en-US": "Overtime rules"}}


def test_an_activity_no_statement_names_is_404(lrs):
    assert lrs.get(activities("http://example.org/never-seen")).status_code == 404


def test_the_activities_resource_answers_head(lrs):
    store(lrs, statement({"id": ACTIVITY}))
    response = lrs.request("HEAD", activities())
    assert response.status_code == 200 and response.get_data() == b""


def test_the_activities_resource_without_activity_id_is_400(lrs):
    response = lrs.get("/activities")
    assert response.status_code == 400 and "activityId" in response.json["error"]["message"]


@pytest.mark.parametrize("activity_id", ["1", "true", "not an iri"])
def test_an_activity_id_that_is_not_an_iri_is_400(lrs, activity_id):
    response = lrs.get(activities(activity_id))
    assert response.status_code == 400 and "activityId" in response.json["error"]["message"]


def test_the_activities_resource_refuses_other_parameters(lrs):
    assert lrs.get(activities() + "&profileId=x").status_code == 400


def test_the_activities_resource_takes_only_get(lrs):
    assert lrs.put(activities(), json_body={}).status_code == 405


# --- Agents ------------------------------------------------------------------------------------------------

def test_the_person_of_an_agent_the_lrs_never_saw_holds_what_was_asked(lrs):
    response = lrs.get(agents({"objectType": "Agent", "mbox": "mailto:new@example.org", "name": "New"}))
    assert response.status_code == 200
    assert response.json == {"objectType": "Person", "name": ["New"], "mbox": ["mailto:new@example.org"]}


def test_the_person_lists_the_names_the_agent_had_as_actor(lrs):
    store(lrs, statement({"id": ACTIVITY}, actor={**ACTOR, "name": "Zhang Wei"}),
          statement({"id": ACTIVITY}, actor={**ACTOR, "name": "张伟"}),
          statement({"id": ACTIVITY}, actor={**ACTOR, "name": "Zhang Wei"}))
    person = lrs.get(agents({"mbox": ACTOR["mbox"]})).json
    assert sorted(person["name"]) == sorted(["Zhang Wei", "张伟"])


def test_the_person_has_no_names_of_other_agents(lrs):
    store(lrs, statement({"id": ACTIVITY}, actor={"mbox": "mailto:li.na@example.org", "name": "Li Na"}))
    assert "name" not in lrs.get(agents({"mbox": ACTOR["mbox"]})).json


@pytest.mark.parametrize("identifier", [
    {"mbox": "mailto:zhang.wei@example.org"},
    {"mbox_sha1sum": "ebd31e95054c018b10727ccffd2ef2ec3a016ee9"},
    {"openid": "http://openid.example.org/zhang-wei"},
    {"account": {"homePage": "http://www.example.com", "name": "zhang-wei"}},
], ids=["mbox", "mbox_sha1sum", "openid", "account"])
def test_the_person_carries_the_identifier_as_an_array(lrs, identifier):
    [(name, value)] = identifier.items()
    person = lrs.get(agents(identifier)).json
    assert person["objectType"] == "Person" and person[name] == [value]


def test_the_agents_resource_without_agent_is_400(lrs):
    response = lrs.get("/agents")
    assert response.status_code == 400 and "agent" in response.json["error"]["message"]


@pytest.mark.parametrize("agent", ["not JSON", {"key": "value"},
                                   {"objectType": "Group", "member": [{"mbox": "mailto:a@example.org"}]}],
                         ids=["text", "no-identifier", "group"])
def test_an_agents_request_for_something_that_is_not_an_agent_is_400(lrs, agent):
    response = lrs.get(agents(agent))
    assert response.status_code == 400 and "agent" in response.json["error"]["message"]


def test_a_credential_that_cannot_read_statements_may_not_ask_about_others(client, make_credential):
    writer = XAPIClient(client, make_credential(scopes=("statements/write", "documents")))
    assert writer.get(agents({"mbox": ACTOR["mbox"]})).status_code == 403


@pytest.fixture
def launch(app, client, make_user):
    """A per-launch credential: (its XAPIClient, its learner's Agent)."""
    from lms.db import session
    from lms.xapi.credentials import basic_auth_header, create_launch_credential

    user = make_user()
    with app.app_context():
        credential, secret = create_launch_credential(user.id, "0d7c5f0e-8c7a-4d0e-9c55-3a1f8a0b2f10")
        session.commit()
        authorization = basic_auth_header(credential.key, secret)
    return XAPIClient(client, authorization), {"account": {"homePage": BASE_URL, "name": user.public_id}}


def test_a_launch_credential_may_ask_about_its_own_learner(launch):
    lrs, learner = launch
    assert lrs.get(agents(learner)).json == {"objectType": "Person", "account": [learner["account"]]}


def test_a_launch_credential_may_not_ask_about_another_agent(launch):
    lrs, _ = launch
    assert lrs.get(agents({"mbox": ACTOR["mbox"]})).status_code == 403
