"""Reading statements: by id, voided statements, every query filter and their combinations, StatementRef
targeting, formats, order, and the headers of a GET (xAPI 1.0.3 Communication 2.1.3, 2.1.4; Data 2.5;
ADL requirements XAPI-00149 to -00181)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

import pytest

from tests.xapi.test_statements_samples import (
    ADL,
    COURSE,
    LESSON,
    QUIZ,
    TRACK,
    context,
    fetch,
    learner,
    make_statement,
    new_id,
    non_ascii_iris,
    post,
    quiz_answer,
    substatement,
    verb,
    void,
)

ANA = {"objectType": "Agent", "name": "Ana", "mbox": "mailto:ana@example.org"}
BEN = {"objectType": "Agent", "name": "Ben", "mbox": "mailto:ben@example.org"}
BASE = COURSE.rsplit("/xapi", 1)[0]
FILTERS = {"agent": json.dumps(ANA), "verb": ADL + "completed", "activity": COURSE, "registration": new_id(),
           "related_activities": "true", "related_agents": "true", "since": "2012-06-01T19:09:13.245Z",
           "until": "2012-06-01T19:09:13.245Z", "limit": "1", "ascending": "true"}


def query(lrs, **params) -> list[dict]:
    """The statements a GET with these parameters returns (one page)."""
    response = lrs.get("/statements", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json["statements"]


def ids(lrs, **params) -> list[str]:
    return [statement["id"] for statement in query(lrs, **params)]


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


# --- one statement by id -------------------------------------------------------------------------------------

def test_get_by_statement_id_returns_that_statement_alone(lrs):
    [statement_id] = post(lrs, make_statement())
    response = lrs.get("/statements", query_string={"statementId": statement_id})
    assert response.status_code == 200 and response.json["id"] == statement_id
    assert "statements" not in response.json


def test_get_by_statement_id_answers_with_exactly_application_json(lrs):
    [statement_id] = post(lrs, make_statement())
    response = lrs.get("/statements", query_string={"statementId": statement_id})
    assert response.headers["Content-Type"] == "application/json"


def test_get_by_statement_id_finds_it_whatever_the_case_of_the_uuid(lrs):
    [statement_id] = post(lrs, make_statement())
    assert fetch(lrs, statement_id.upper())["id"] == statement_id


def test_get_by_an_unknown_statement_id_is_404(lrs):
    assert lrs.get("/statements", query_string={"statementId": new_id()}).status_code == 404


def test_get_by_a_statement_id_that_is_not_a_uuid_is_400(lrs):
    assert lrs.get("/statements", query_string={"statementId": "not-a-uuid"}).status_code == 400


def test_get_by_statement_id_has_last_modified_equal_to_stored(lrs):
    [statement_id] = post(lrs, make_statement())
    response = lrs.get("/statements", query_string={"statementId": statement_id})
    stored = parse_time(response.json["stored"])
    assert parsedate_to_datetime(response.headers["Last-Modified"]) == stored.replace(microsecond=0)


def test_a_voided_statement_is_404_by_statement_id(lrs):
    [target] = post(lrs, make_statement())
    void(lrs, target)
    assert lrs.get("/statements", query_string={"statementId": target}).status_code == 404


def test_a_voided_statement_is_returned_by_voided_statement_id(lrs):
    [target] = post(lrs, make_statement())
    void(lrs, target)
    response = lrs.get("/statements", query_string={"voidedStatementId": target})
    assert response.status_code == 200 and response.json["id"] == target


def test_a_statement_that_is_not_voided_is_404_by_voided_statement_id(lrs):
    [statement_id] = post(lrs, make_statement())
    assert lrs.get("/statements", query_string={"voidedStatementId": statement_id}).status_code == 404


def test_a_voiding_statement_is_returned_by_statement_id(lrs):
    [target] = post(lrs, make_statement())
    voiding = void(lrs, target)
    assert fetch(lrs, voiding)["verb"]["id"] == ADL + "voided"


def test_statement_id_and_voided_statement_id_together_are_400(lrs):
    [statement_id] = post(lrs, make_statement())
    response = lrs.get("/statements", query_string={"statementId": statement_id, "voidedStatementId": new_id()})
    assert response.status_code == 400


@pytest.mark.parametrize("name", sorted(FILTERS))
def test_statement_id_with_any_other_filter_is_400(lrs, name):
    [statement_id] = post(lrs, make_statement())
    response = lrs.get("/statements", query_string={"statementId": statement_id, name: FILTERS[name]})
    assert response.status_code == 400


@pytest.mark.parametrize("name", sorted(FILTERS))
def test_voided_statement_id_with_any_other_filter_is_400(lrs, name):
    [target] = post(lrs, make_statement())
    void(lrs, target)
    response = lrs.get("/statements", query_string={"voidedStatementId": target, name: FILTERS[name]})
    assert response.status_code == 400


@pytest.mark.parametrize("param", ["statementId", "voidedStatementId"])
@pytest.mark.parametrize("extra", [{"format": "ids"}, {"attachments": "true"}, {"attachments": "false"},
                                   {"format": "canonical", "attachments": "false"}])
def test_statement_id_or_voided_statement_id_may_come_with_format_and_attachments(lrs, param, extra):
    [target] = post(lrs, make_statement())
    if param == "voidedStatementId":
        void(lrs, target)
    assert lrs.get("/statements", query_string={param: target, **extra}).status_code == 200


# --- the StatementResult -------------------------------------------------------------------------------------

def test_get_without_parameters_returns_a_statement_result_newest_first(lrs):
    first, second, third = (post(lrs, make_statement())[0] for _ in range(3))
    response = lrs.get("/statements")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/json"
    assert set(response.json) == {"statements", "more"}
    assert [s["id"] for s in response.json["statements"]] == [third, second, first]
    assert response.json["more"] == ""


def test_a_query_that_matches_nothing_returns_200_and_an_empty_list(lrs):
    post(lrs, make_statement())
    response = lrs.get("/statements", query_string={"verb": "http://adlnet.gov/expapi/non/existent"})
    assert response.status_code == 200 and response.json == {"statements": [], "more": ""}


def test_ascending_returns_the_oldest_first(lrs):
    first, second, third = (post(lrs, make_statement())[0] for _ in range(3))
    assert ids(lrs, ascending="true") == [first, second, third]
    assert ids(lrs, ascending="false") == [third, second, first]


def test_a_batch_comes_back_in_the_order_it_was_sent_when_ascending(lrs):
    batch = [make_statement(id=new_id()) for _ in range(4)]
    post(lrs, batch)
    assert ids(lrs, ascending="true") == [statement["id"] for statement in batch]


def test_voided_statements_are_left_out_of_queries_but_the_voiding_statement_is_returned(lrs):
    [kept] = post(lrs, make_statement())
    [target] = post(lrs, make_statement())
    voiding = void(lrs, target)
    assert ids(lrs) == [voiding, kept]


# --- filters -------------------------------------------------------------------------------------------------

def test_the_agent_filter_matches_the_actor(lrs):
    [mine] = post(lrs, make_statement(actor=ANA))
    post(lrs, make_statement(actor=BEN))
    assert ids(lrs, agent=json.dumps(ANA)) == [mine]


def test_the_agent_filter_matches_an_agent_object(lrs):
    [about_ana] = post(lrs, make_statement(actor=BEN, object=ANA, verb={"id": "http://id.tincanapi.com/verb/mentored"}))
    assert ids(lrs, agent=json.dumps(ANA)) == [about_ana]


def test_the_agent_filter_compares_the_identifier_only(lrs):
    [mine] = post(lrs, make_statement(actor=ANA))
    assert ids(lrs, agent=json.dumps({"mbox": "mailto:ana@example.org"})) == [mine]
    assert ids(lrs, agent=json.dumps({"objectType": "Agent", "name": "Someone else",
                                      "mbox": "mailto:ana@example.org"})) == [mine]


@pytest.mark.parametrize("actor", [
    {"mbox_sha1sum": "ebd31e95054c018b10727ccffd2ef2ec3a016ee9"},
    {"openid": "https://openid.example.org/ana"},
    {"account": {"homePage": "http://lms.test", "name": "0f6b1c8e-5a0e-4c0e-9c43-3c1e1b7f2a10"}},
], ids=["mbox_sha1sum", "openid", "account"])
def test_the_agent_filter_works_with_every_kind_of_identifier(lrs, actor):
    [mine] = post(lrs, make_statement(actor=actor))
    post(lrs, make_statement(actor=BEN))
    assert ids(lrs, agent=json.dumps(actor)) == [mine]


def test_the_agent_filter_does_not_match_an_account_of_another_home_page(lrs):
    post(lrs, make_statement(actor=learner()))
    other = learner()
    other["account"] = {**other["account"], "homePage": "http://other.example.org"}
    assert ids(lrs, agent=json.dumps(other)) == []


def test_the_agent_filter_matches_an_identified_group_by_its_identifier(lrs):
    group = {"objectType": "Group", "mbox": "mailto:committee@example.org", "member": [ANA]}
    [by_group] = post(lrs, make_statement(actor=group))
    assert ids(lrs, agent=json.dumps({"objectType": "Group", "mbox": "mailto:committee@example.org"})) == [by_group]


def test_the_agent_filter_matches_a_group_actor_the_agent_is_a_member_of(lrs):
    [by_team] = post(lrs, make_statement(actor={"objectType": "Group", "member": [ANA, BEN]}))
    assert ids(lrs, agent=json.dumps(ANA)) == [by_team]


def test_the_agent_filter_matches_a_group_object_the_agent_is_a_member_of(lrs):
    [about_team] = post(lrs, make_statement(actor=BEN, verb={"id": "http://activitystrea.ms/schema/1.0/join"},
                                            object={"objectType": "Group", "member": [ANA, BEN]}))
    post(lrs, make_statement(actor=BEN))
    assert ids(lrs, agent=json.dumps(ANA)) == [about_team]


def test_the_agent_filter_without_related_agents_ignores_instructor_and_authority(lrs):
    post(lrs, make_statement(actor=BEN, context=context(instructor=ANA)))
    assert ids(lrs, agent=json.dumps(ANA)) == []


@pytest.mark.parametrize("value", ["not json", json.dumps({"name": "No identifier"}),
                                   json.dumps({"mbox": "ana@example.org"}),
                                   json.dumps({"objectType": "Activity", "id": COURSE}),
                                   json.dumps({"mbox": "mailto:ana@example.org", "openid": "http://ana.example.org"})])
def test_an_agent_parameter_that_is_not_an_agent_is_400(lrs, value):
    assert lrs.get("/statements", query_string={"agent": value}).status_code == 400


def test_the_verb_filter_matches_the_verb_id_exactly(lrs):
    [completed] = post(lrs, make_statement(verb=verb("completed")))
    post(lrs, make_statement(verb=verb("experienced")))
    post(lrs, make_statement(verb={"id": ADL + "completed/partly"}))
    assert ids(lrs, verb=ADL + "completed") == [completed]


@pytest.mark.parametrize("name", ["verb", "activity"])
@pytest.mark.parametrize("value", ["completed", "", "http://example.com/with space"])
def test_a_verb_or_activity_parameter_that_is_not_an_iri_is_400(lrs, name, value):
    assert lrs.get("/statements", query_string={name: value}).status_code == 400


def test_the_activity_filter_matches_the_object_activity_only(lrs):
    [on_course] = post(lrs, make_statement(object={"id": COURSE}))
    post(lrs, make_statement(object={"id": LESSON}, context=context()))  # the course is only its parent
    assert ids(lrs, activity=COURSE) == [on_course]


def test_the_verb_and_activity_filters_match_non_ascii_iris(lrs):
    sent = non_ascii_iris()
    [statement_id] = post(lrs, sent)
    post(lrs, make_statement())
    assert ids(lrs, verb=sent["verb"]["id"]) == [statement_id]
    assert ids(lrs, activity=sent["object"]["id"]) == [statement_id]


def test_related_activities_also_matches_context_activities(lrs):
    [on_course] = post(lrs, make_statement(object={"id": COURSE}, context={"registration": new_id()}))
    [in_course] = post(lrs, make_statement(object={"id": LESSON}, context=context()))
    post(lrs, make_statement(object={"id": f"{BASE}/elsewhere"}, context={"registration": new_id()}))
    assert ids(lrs, activity=COURSE, related_activities="true") == [in_course, on_course]


@pytest.mark.parametrize("kind", ["parent", "grouping", "category", "other"])
def test_related_activities_matches_each_context_activities_list(lrs, kind):
    [related] = post(lrs, make_statement(object={"id": LESSON},
                                         context={"contextActivities": {kind: [{"id": TRACK}]}}))
    assert ids(lrs, activity=TRACK, related_activities="true") == [related]
    assert ids(lrs, activity=TRACK) == []


def test_related_activities_matches_a_single_context_activity_given_as_an_object(lrs):
    [related] = post(lrs, make_statement(object={"id": LESSON},
                                         context={"contextActivities": {"parent": {"id": TRACK}}}))
    assert ids(lrs, activity=TRACK, related_activities="true") == [related]


def test_related_activities_matches_inside_a_substatement(lrs):
    statement = substatement()
    [planned] = post(lrs, statement)
    assert ids(lrs, activity=statement["object"]["object"]["id"], related_activities="true") == [planned]
    assert ids(lrs, activity=COURSE, related_activities="true") == [planned]  # the SubStatement's context
    assert ids(lrs, activity=statement["object"]["object"]["id"]) == []


def test_the_registration_filter_matches_the_context_registration(lrs):
    registration = new_id()
    [mine] = post(lrs, make_statement(context=context(registration)))
    post(lrs, make_statement(context=context()))
    post(lrs, make_statement(context={"contextActivities": {"parent": [{"id": COURSE}]}}))
    assert ids(lrs, registration=registration) == [mine]
    assert ids(lrs, registration=registration.upper()) == [mine]


def test_a_registration_parameter_that_is_not_a_uuid_is_400(lrs):
    assert lrs.get("/statements", query_string={"registration": "enrolment-7"}).status_code == 400


RELATED_PLACES = {
    "instructor": lambda: make_statement(actor=BEN, context=context(instructor=ANA)),
    "team member": lambda: make_statement(actor=BEN, context=context(team={"objectType": "Group",
                                                                           "member": [ANA, BEN]})),
    "object": lambda: make_statement(actor=BEN, verb={"id": "http://id.tincanapi.com/verb/mentored"}, object=ANA),
    "substatement actor": lambda: make_statement(actor=BEN, object={
        "objectType": "SubStatement", "actor": ANA, "verb": verb("attended"), "object": {"id": COURSE}}),
    "substatement instructor": lambda: make_statement(actor=BEN, object={
        "objectType": "SubStatement", "actor": BEN, "verb": verb("attended"), "object": {"id": COURSE},
        "context": {"instructor": ANA}}),
}


@pytest.mark.parametrize("where", RELATED_PLACES)
def test_related_agents_matches_the_agent_anywhere_in_the_statement(lrs, where):
    [related] = post(lrs, RELATED_PLACES[where]())
    post(lrs, make_statement(actor=BEN, context=context()))
    assert ids(lrs, agent=json.dumps(ANA), related_agents="true") == [related]


def test_related_agents_matches_the_authority(lrs, client, make_credential):
    from tests.xapi.conftest import XAPIClient

    partner = XAPIClient(client, make_credential(name="partner platform"))
    [by_partner] = post(partner, make_statement(actor=BEN))
    post(lrs, make_statement(actor=BEN))
    authority = fetch(lrs, by_partner)["authority"]
    assert ids(lrs, agent=json.dumps(authority), related_agents="true") == [by_partner]
    assert ids(lrs, agent=json.dumps(authority)) == []


def test_since_returns_only_statements_stored_after_it(lrs):
    [first] = post(lrs, make_statement())
    stored = fetch(lrs, first)["stored"]
    [second] = post(lrs, make_statement())
    assert ids(lrs, since=stored) == [second]


def test_until_returns_statements_stored_at_or_before_it(lrs):
    [first] = post(lrs, make_statement())
    stored = fetch(lrs, first)["stored"]
    post(lrs, make_statement())
    assert ids(lrs, until=stored) == [first]


def test_since_and_until_accept_a_time_zone_offset(lrs):
    [statement_id] = post(lrs, make_statement())
    stored = parse_time(fetch(lrs, statement_id)["stored"])
    before = (stored - timedelta(hours=1)).astimezone(timezone(timedelta(hours=8))).isoformat()
    after = (stored + timedelta(hours=1)).astimezone(timezone(timedelta(hours=-5))).isoformat()
    assert ids(lrs, since=before, until=after) == [statement_id]
    assert ids(lrs, since=after) == [] and ids(lrs, until=before) == []


def test_since_in_the_distant_past_returns_everything(lrs):
    [statement_id] = post(lrs, make_statement())
    assert ids(lrs, since="2012-06-01T19:09:13.245Z") == [statement_id]
    assert ids(lrs, until="2012-06-01T19:09:13.245Z") == []


@pytest.mark.parametrize("name", ["since", "until"])
@pytest.mark.parametrize("value", ["yesterday", "2024-13-01T00:00:00Z", "1717171717"])
def test_a_time_parameter_that_is_not_a_timestamp_is_400(lrs, name, value):
    assert lrs.get("/statements", query_string={name: value}).status_code == 400


def test_limit_returns_at_most_that_many_statements_newest_first(lrs):
    posted = [post(lrs, make_statement())[0] for _ in range(3)]
    assert ids(lrs, limit="2") == [posted[2], posted[1]]
    assert ids(lrs, limit="1", ascending="true") == [posted[0]]


def test_limit_zero_means_the_server_maximum(lrs):
    post(lrs, [make_statement() for _ in range(5)])
    assert len(ids(lrs, limit="0")) == 5


@pytest.mark.parametrize("value", ["-1", "ten", "1.5", ""])
def test_a_limit_that_is_not_a_nonnegative_integer_is_400(lrs, value):
    assert lrs.get("/statements", query_string={"limit": value}).status_code == 400


@pytest.mark.parametrize("name", ["ascending", "related_activities", "related_agents", "attachments"])
def test_a_boolean_parameter_that_is_not_true_or_false_is_400(lrs, name):
    assert lrs.get("/statements", query_string={name: "yes"}).status_code == 400


def test_filters_combine_with_and(lrs):
    registration = new_id()
    target = make_statement(id=new_id(), actor=ANA, verb=verb("completed"), object={"id": COURSE},
                            context=context(registration))
    post(lrs, target)
    post(lrs, make_statement(actor=BEN, verb=verb("completed"), object={"id": COURSE}, context=context(registration)))
    post(lrs, make_statement(actor=ANA, verb=verb("experienced"), object={"id": COURSE}, context=context(registration)))
    post(lrs, make_statement(actor=ANA, verb=verb("completed"), object={"id": LESSON}, context=context(registration)))
    post(lrs, make_statement(actor=ANA, verb=verb("completed"), object={"id": COURSE}, context=context()))
    params = {"agent": json.dumps(ANA), "verb": ADL + "completed", "activity": COURSE, "registration": registration}
    assert ids(lrs, **params) == [target["id"]]


def test_the_adl_combined_filter_query_finds_the_statement(lrs):
    registration = new_id()
    statement = make_statement(id=new_id(), actor=ANA, object={"id": COURSE}, context=context(registration))
    post(lrs, statement)
    post(lrs, make_statement(actor=ANA, object={"id": COURSE}, context=context(registration)) | {"id": new_id(),
                                                                                              "verb": verb("failed")})
    found = query(lrs, limit="1", agent=json.dumps(ANA), verb=statement["verb"]["id"], activity=COURSE,
                  registration=registration, related_activities="true", since="2012-06-01T19:09:13.245Z",
                  format="ids", attachments="false")
    assert [s["id"] for s in found] == [statement["id"]]


# --- StatementRef targeting (Communication 2.1.3.s3) ---------------------------------------------------------

def confirm(target_id: str, **overrides) -> dict:
    """A supervisor confirming a statement: targets it by StatementRef, shares nothing else with it."""
    return make_statement(actor={"mbox": "mailto:supervisor@example.org"},
                          verb={"id": "http://activitystrea.ms/schema/1.0/confirm"},
                          object={"objectType": "StatementRef", "id": target_id},
                          context={"registration": new_id()}, **overrides)


@pytest.mark.parametrize("name", ["agent", "verb", "activity", "registration"])
def test_a_statement_targeting_a_matching_statement_is_returned_by_the_filter(lrs, name):
    registration = new_id()
    [target] = post(lrs, make_statement(actor=ANA, verb=verb("passed"), object={"id": QUIZ},
                                        context=context(registration)))
    [confirmation] = post(lrs, confirm(target))
    post(lrs, make_statement(actor=BEN, verb=verb("failed"), object={"id": LESSON}, context=context()))
    params = {"agent": json.dumps(ANA), "verb": ADL + "passed", "activity": QUIZ, "registration": registration}
    assert ids(lrs, **{name: params[name]}) == [confirmation, target]


def test_statement_ref_targeting_applies_through_a_chain_of_references(lrs):
    [original] = post(lrs, make_statement(verb=verb("passed")))
    [confirmation] = post(lrs, confirm(original))
    [countersigned] = post(lrs, confirm(confirmation))
    assert ids(lrs, verb=ADL + "passed") == [countersigned, confirmation, original]


def test_a_statement_targeting_a_voided_statement_is_returned_but_not_the_voided_one(lrs):
    [target] = post(lrs, make_statement(verb=verb("passed")))
    voiding = void(lrs, target)
    [confirmation] = post(lrs, confirm(target))
    assert ids(lrs, verb=ADL + "passed") == [confirmation, voiding]
    assert ids(lrs, verb=ADL + "voided") == [voiding]


def test_time_and_limit_parameters_apply_to_the_targeting_statement_itself(lrs):
    [target] = post(lrs, make_statement(verb=verb("passed")))
    stored = fetch(lrs, target)["stored"]
    [confirmation] = post(lrs, confirm(target))
    assert ids(lrs, verb=ADL + "passed", since=stored) == [confirmation]
    assert ids(lrs, verb=ADL + "passed", until=stored) == [target]
    assert ids(lrs, verb=ADL + "passed", limit="1") == [confirmation]


def test_a_statement_ref_in_context_does_not_make_a_statement_match(lrs):
    [target] = post(lrs, make_statement(verb=verb("passed")))
    post(lrs, make_statement(verb=verb("experienced"),
                             context={"statement": {"objectType": "StatementRef", "id": target}}))
    assert ids(lrs, verb=ADL + "passed") == [target]


# --- formats -------------------------------------------------------------------------------------------------

def test_format_exact_is_the_default_and_returns_the_statement_as_sent(lrs):
    sent = quiz_answer()
    [statement_id] = post(lrs, sent)
    for found in (query(lrs)[0], query(lrs, format="exact")[0]):
        assert (found["actor"], found["verb"], found["object"]) == (sent["actor"], sent["verb"], sent["object"])


def test_format_ids_keeps_only_identifiers_of_agents_activities_and_verbs(lrs):
    [statement_id] = post(lrs, quiz_answer())
    found = fetch(lrs, statement_id, format="ids")
    assert found["actor"] == {"objectType": "Agent", "account": learner()["account"]}
    assert found["verb"] == {"id": ADL + "answered"}
    assert found["object"] == {"objectType": "Activity", "id": f"{QUIZ}/question/3"}
    assert found["context"]["contextActivities"]["grouping"] == [
        {"objectType": "Activity", "id": COURSE}, {"objectType": "Activity", "id": TRACK}]
    assert found["result"]["response"] == "one-month" and found["id"] == statement_id
    assert query(lrs, format="ids")[0] == found


def test_format_ids_keeps_the_identifiers_of_an_anonymous_groups_members(lrs):
    group = {"objectType": "Group", "name": "Committee", "member": [ANA, BEN]}
    [statement_id] = post(lrs, make_statement(actor=group))
    assert fetch(lrs, statement_id, format="ids")["actor"] == {"objectType": "Group", "member": [
        {"objectType": "Agent", "mbox": ANA["mbox"]}, {"objectType": "Agent", "mbox": BEN["mbox"]}]}


def test_format_ids_reduces_an_identified_group_to_its_identifier(lrs):
    group = {"objectType": "Group", "name": "Committee", "mbox": "mailto:committee@example.org", "member": [ANA]}
    [statement_id] = post(lrs, make_statement(actor=group))
    assert fetch(lrs, statement_id, format="ids")["actor"] == {"objectType": "Group",
                                                              "mbox": "mailto:committee@example.org"}


def test_format_ids_applies_inside_a_substatement(lrs):
    [statement_id] = post(lrs, substatement())
    inner = fetch(lrs, statement_id, format="ids")["object"]
    assert inner["objectType"] == "SubStatement"
    assert inner["actor"] == {"objectType": "Agent", "account": learner()["account"]}
    assert inner["verb"] == {"id": ADL + "attended"} and set(inner["object"]) == {"objectType", "id"}


def multilingual() -> dict:
    return make_statement(
        verb={"id": ADL + "experienced", "display": {"en-US": "experienced", "en-GB": "experienced (GB)",
                                                       "zh-Hans": "体验了"}},
        object={"id": LESSON, "definition": {"name": {"en-US": "Probation", "en-GB": "Probation (GB)",
                                                      "zh-Hans": "试用期"},
                                             "description": {"en-US": "About probation", "zh-Hans": "关于试用期"}}},
        context={"contextActivities": {"category": [{"id": TRACK, "definition": {
            "name": {"en-US": "Track", "en-GB": "Track (GB)"}}}]}})


def test_format_canonical_returns_one_language_chosen_by_accept_language(lrs):
    [statement_id] = post(lrs, multilingual())
    response = lrs.get("/statements", query_string={"statementId": statement_id, "format": "canonical"},
                       headers={"Accept-Language": "en-GB"})
    found = response.json
    assert found["verb"]["display"] == {"en-GB": "experienced (GB)"}
    assert found["object"]["definition"]["name"] == {"en-GB": "Probation (GB)"}
    assert found["context"]["contextActivities"]["category"][0]["definition"]["name"] == {"en-GB": "Track (GB)"}
    assert len(found["object"]["definition"]["description"]) == 1


def test_format_canonical_follows_the_preference_order_of_accept_language(lrs):
    [statement_id] = post(lrs, multilingual())
    response = lrs.get("/statements", query_string={"statementId": statement_id, "format": "canonical"},
                       headers={"Accept-Language": "fr;q=1.0, zh-Hans;q=0.9, en;q=0.5"})
    assert response.json["object"]["definition"]["name"] == {"zh-Hans": "试用期"}


def test_without_format_canonical_accept_language_changes_nothing(lrs):
    sent = multilingual()
    [statement_id] = post(lrs, sent)
    response = lrs.get("/statements", query_string={"statementId": statement_id},
                       headers={"Accept-Language": "en-GB"})
    assert response.json["verb"] == sent["verb"] and response.json["object"] == sent["object"]


def test_format_canonical_keeps_agents_and_extensions_as_sent(lrs):
    sent = multilingual()
    sent["context"]["extensions"] = {"http://lms.test/xapi/extensions/labels": {"en-US": "a", "zh-Hans": "b"}}
    [statement_id] = post(lrs, sent)
    found = fetch(lrs, statement_id, format="canonical")
    assert found["actor"] == sent["actor"]
    assert found["context"]["extensions"] == sent["context"]["extensions"]


def test_an_unknown_format_is_400(lrs):
    assert lrs.get("/statements", query_string={"format": "full"}).status_code == 400


# --- headers of a GET ----------------------------------------------------------------------------------------

def test_a_statement_result_has_last_modified_of_its_newest_statement(lrs):
    post(lrs, make_statement())
    [newest] = post(lrs, make_statement())
    response = lrs.get("/statements")
    stored = parse_time(fetch(lrs, newest)["stored"])
    assert parsedate_to_datetime(response.headers["Last-Modified"]) == stored.replace(microsecond=0)


def test_consistent_through_is_an_iso_timestamp_not_before_any_returned_stored(lrs):
    post(lrs, [make_statement() for _ in range(3)])
    response = lrs.get("/statements")
    through = parse_time(response.headers["X-Experience-API-Consistent-Through"])
    assert through.tzinfo is not None
    assert all(parse_time(s["stored"]) <= through for s in response.json["statements"])


@pytest.mark.parametrize("params", [{}, {"verb": ADL + "completed"}, {"agent": json.dumps(ANA)},
                                    {"statementId": "3f7e1b6c-5d6a-4a43-9a4b-2b1de1c2d3e4"}, {"limit": "-1"},
                                    {"foo": "bar"}], ids=["plain", "verb", "agent", "unknown id", "bad limit",
                                                          "unknown parameter"])
def test_consistent_through_is_on_every_get_response_whatever_its_status(lrs, params):
    response = lrs.get("/statements", query_string=params)
    assert parse_time(response.headers["X-Experience-API-Consistent-Through"])


def test_consistent_through_is_on_a_get_refused_for_a_missing_version_header(lrs):
    response = lrs.get("/statements", version=None)
    assert response.status_code == 400 and response.headers.get("X-Experience-API-Consistent-Through")


@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_consistent_through_is_on_responses_to_storing_statements_too(lrs, method):
    params = {"statementId": new_id()} if method == "PUT" else {}
    response = lrs.request(method, "/statements", query_string=params, json_body=make_statement())
    assert response.status_code in (200, 204)
    assert parse_time(response.headers["X-Experience-API-Consistent-Through"])

