"""Storing statements: POST and PUT, immutability, batches, what the LRS sets, voiding, content types
(xAPI 1.0.3 Communication 2.1.1, 2.1.2, 1.5; Data 2.3, 2.4.1, 2.4.7-2.4.10; ADL requirements XAPI-00016-20,
-00097, -00099, -00101, -00142 to -00147, -00326)."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

import pytest

from tests.xapi.test_statements_samples import (
    ADL,
    fetch,
    learner,
    make_statement,
    new_id,
    post,
    statement_ref_object,
    void,
)

UUID_RE = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def put(lrs, statement, statement_id=None, **params):
    query = {"statementId": statement_id} if statement_id else {}
    return lrs.put("/statements", query_string={**query, **params}, json_body=statement)


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


# --- POST ----------------------------------------------------------------------------------------------------

def test_post_of_one_statement_returns_200_and_an_array_with_its_id(lrs):
    statement_id = new_id()
    assert post(lrs, make_statement(id=statement_id)) == [statement_id]


def test_post_of_a_statement_without_id_returns_a_generated_uuid(lrs):
    [statement_id] = post(lrs, make_statement())
    assert re.fullmatch(UUID_RE, statement_id)
    assert fetch(lrs, statement_id)["id"] == statement_id


def test_post_of_a_batch_returns_every_id_in_the_order_sent(lrs):
    ids = [new_id() for _ in range(3)]
    batch = [make_statement(id=ids[0]), make_statement(), make_statement(id=ids[2])]
    returned = post(lrs, batch)
    assert len(returned) == 3 and returned[0] == ids[0] and returned[2] == ids[2]
    assert returned[1] not in ids


def test_post_of_an_empty_batch_is_refused(lrs):
    assert lrs.post("/statements", json_body=[]).status_code == 400


def test_a_batch_with_one_invalid_statement_stores_none_of_them(lrs):
    good, bad = make_statement(id=new_id()), make_statement(id=new_id())
    bad["verb"] = {"id": "should fail"}
    response = lrs.post("/statements", json_body=[good, bad])
    assert response.status_code == 400
    assert "statements[1].verb.id" in response.json["error"]["message"]
    assert lrs.get("/statements", query_string={"statementId": good["id"]}).status_code == 404


def test_a_batch_that_conflicts_with_a_stored_statement_stores_none_of_them(lrs):
    stored = make_statement(id=new_id())
    post(lrs, stored)
    fresh, changed = make_statement(id=new_id()), dict(stored, verb={"id": ADL + "completed"})
    assert lrs.post("/statements", json_body=[fresh, changed]).status_code == 409
    assert lrs.get("/statements", query_string={"statementId": fresh["id"]}).status_code == 404


def test_a_batch_with_two_statements_of_one_id_is_refused(lrs):
    statement_id = new_id()
    response = lrs.post("/statements", json_body=[make_statement(id=statement_id),
                                                  make_statement(id=statement_id.upper())])
    assert response.status_code == 400
    assert lrs.get("/statements", query_string={"statementId": statement_id}).status_code == 404


def test_post_takes_no_query_parameters(lrs):
    response = lrs.post("/statements", query_string={"statementId": new_id()}, json_body=make_statement())
    assert response.status_code == 400


@pytest.mark.parametrize("body", ["not json", '{"actor": ', "42", '"a string"', "[1, 2]", "null", "[[]]"])
def test_post_of_a_body_that_is_not_statements_is_refused(lrs, body):
    response = lrs.post("/statements", data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400


def test_a_statement_with_a_wrongly_typed_property_is_refused_naming_the_property(lrs):
    response = lrs.post("/statements", json_body=make_statement(result={"success": "true"}))
    assert response.status_code == 400 and "result.success" in response.json["error"]["message"]


def test_a_json_string_inside_a_property_is_not_read_as_json(lrs):
    statement = make_statement()
    statement["actor"]["objectType"] = '"objectType": "Agent"'
    assert lrs.post("/statements", json_body=statement).status_code == 400


# --- PUT -----------------------------------------------------------------------------------------------------

def test_put_with_a_statement_id_stores_the_statement_and_returns_204_without_body(lrs):
    statement_id = new_id()
    response = put(lrs, make_statement(), statement_id)
    assert response.status_code == 204 and response.get_data() == b""
    assert fetch(lrs, statement_id)["id"] == statement_id


def test_put_with_a_matching_id_in_the_statement_is_accepted(lrs):
    statement_id = new_id()
    assert put(lrs, make_statement(id=statement_id), statement_id).status_code == 204


def test_put_compares_the_statement_id_with_the_parameter_regardless_of_case(lrs):
    statement_id = new_id()
    assert put(lrs, make_statement(id=statement_id.upper()), statement_id).status_code == 204


def test_put_whose_statement_id_differs_from_the_parameter_is_refused(lrs):
    statement_id = new_id()
    assert put(lrs, make_statement(id=new_id()), statement_id).status_code == 400
    assert lrs.get("/statements", query_string={"statementId": statement_id}).status_code == 404


def test_put_without_a_statement_id_parameter_is_refused(lrs):
    assert put(lrs, make_statement(id=new_id())).status_code == 400


def test_put_with_the_parameter_name_in_another_case_is_refused(lrs):
    statement_id = new_id()
    assert lrs.put("/statements", query_string={"StatementId": statement_id},
                   json_body=make_statement(id=statement_id)).status_code == 400


@pytest.mark.parametrize("value", ["true", "{'key': 'should fail'}", "not-a-uuid", "12345678123456781234567812345678"])
def test_put_whose_statement_id_is_not_a_uuid_is_refused(lrs, value):
    assert put(lrs, make_statement(), value).status_code == 400


def test_put_with_another_parameter_besides_statement_id_is_refused(lrs):
    assert put(lrs, make_statement(), new_id(), verb=ADL + "completed").status_code == 400


def test_put_of_a_batch_is_refused(lrs):
    assert put(lrs, [make_statement()], new_id()).status_code == 400


# --- immutability --------------------------------------------------------------------------------------------

def test_posting_a_stored_statement_again_unchanged_is_not_an_error_and_changes_nothing(lrs):
    statement = make_statement(id=new_id())
    post(lrs, statement)
    before = fetch(lrs, statement["id"])
    assert post(lrs, statement) == [statement["id"]]
    assert fetch(lrs, statement["id"]) == before


def test_putting_a_stored_statement_again_unchanged_returns_204_and_changes_nothing(lrs):
    statement = make_statement(id=new_id())
    post(lrs, statement)
    before = fetch(lrs, statement["id"])
    assert put(lrs, statement, statement["id"]).status_code == 204
    assert fetch(lrs, statement["id"]) == before


def test_posting_other_content_under_a_stored_id_returns_409_and_keeps_the_original(lrs):
    statement = make_statement(id=new_id())
    post(lrs, statement)
    changed = dict(statement, verb={"id": ADL + "completed"})
    assert lrs.post("/statements", json_body=changed).status_code == 409
    assert fetch(lrs, statement["id"])["verb"]["id"] == ADL + "experienced"


def test_putting_other_content_under_a_stored_id_returns_409_and_keeps_the_original(lrs):
    statement = make_statement(id=new_id())
    assert put(lrs, statement, statement["id"]).status_code == 204
    changed = dict(statement, verb={"id": ADL + "completed"})
    assert put(lrs, changed, statement["id"]).status_code == 409
    assert fetch(lrs, statement["id"])["verb"]["id"] == ADL + "experienced"


def test_a_resent_statement_with_a_submitted_authority_and_stored_counts_as_unchanged(lrs):
    statement = make_statement(id=new_id())
    post(lrs, statement)
    resent = dict(statement, stored="2011-07-15T00:00:00.000Z",
                  authority={"mbox": "mailto:someone.else@example.org"}, version="1.0.0")
    assert lrs.post("/statements", json_body=resent).status_code == 200


def test_a_resent_statement_with_its_timestamp_in_another_time_zone_counts_as_unchanged(lrs):
    statement = make_statement(id=new_id(), timestamp="2024-05-06T09:15:00.000Z")
    post(lrs, statement)
    resent = dict(statement, timestamp="2024-05-06T17:15:00.000+08:00")
    assert lrs.post("/statements", json_body=resent).status_code == 200


IMMUTABILITY_EXCEPTIONS = {
    "verb display": lambda s: s["verb"].update(display={"en-US": "read", "zh-Hans": "阅读了"}),
    "activity definition": lambda s: s["object"]["definition"].update(description={"en": "Updated course text"}),
    "group member order": lambda s: s["actor"]["member"].reverse(),
    "mbox domain case": lambda s: s["actor"]["member"][0].update(mbox="mailto:ana@EXAMPLE.ORG"),
}


@pytest.mark.parametrize("difference", IMMUTABILITY_EXCEPTIONS)
def test_a_resent_statement_that_differs_only_where_statements_may_change_is_no_conflict(lrs, difference):
    statement = make_statement(id=new_id(), actor={"objectType": "Group", "member": [
        {"mbox": "mailto:ana@example.org"}, {"mbox": "mailto:ben@example.org"}]})
    post(lrs, statement)
    resent = json.loads(json.dumps(statement))
    IMMUTABILITY_EXCEPTIONS[difference](resent)
    assert lrs.post("/statements", json_body=resent).status_code == 200


# --- what the LRS sets ---------------------------------------------------------------------------------------

def test_the_lrs_sets_stored_to_the_time_it_received_the_statement(lrs):
    before = datetime.now(timezone.utc) - timedelta(seconds=1)
    [statement_id] = post(lrs, make_statement())
    stored = parse_time(fetch(lrs, statement_id)["stored"])
    assert before <= stored <= datetime.now(timezone.utc) + timedelta(seconds=1)


def test_a_submitted_stored_value_is_replaced_by_the_lrs(lrs):
    [statement_id] = post(lrs, make_statement(stored="2011-07-15T00:00:00.000Z"))
    assert fetch(lrs, statement_id)["stored"] != "2011-07-15T00:00:00.000Z"


def test_a_submitted_stored_value_is_replaced_on_put_too(lrs):
    statement_id = new_id()
    put(lrs, make_statement(stored="2011-07-15T00:00:00.000Z"), statement_id)
    assert fetch(lrs, statement_id)["stored"] != "2011-07-15T00:00:00.000Z"


def test_stored_keeps_milliseconds_and_a_time_zone(lrs):
    [statement_id] = post(lrs, make_statement())
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}(Z|[+-]\d\d:\d\d)", fetch(lrs, statement_id)["stored"])


def test_a_statement_without_timestamp_gets_its_stored_time_as_timestamp(lrs):
    statement = make_statement()
    del statement["timestamp"]
    [statement_id] = post(lrs, statement)
    stored = fetch(lrs, statement_id)
    assert parse_time(stored["timestamp"]) == parse_time(stored["stored"])


def test_a_submitted_timestamp_is_kept_as_the_same_point_in_time(lrs):
    [statement_id] = post(lrs, make_statement(timestamp="2024-05-06T17:15:00.123+08:00"))
    assert parse_time(fetch(lrs, statement_id)["timestamp"]) == parse_time("2024-05-06T09:15:00.123Z")


def test_a_timestamp_in_the_future_is_accepted(lrs):
    future = (datetime.now(timezone.utc) + timedelta(days=5 * 365)).isoformat()
    assert lrs.post("/statements", json_body=make_statement(timestamp=future)).status_code == 200


@pytest.mark.parametrize("value", ["should fail", "01/011/2015", "2024-13-01T00:00:00Z", "2024-02-30T10:00:00Z"])
def test_an_invalid_timestamp_is_refused(lrs, value):
    assert lrs.post("/statements", json_body=make_statement(timestamp=value)).status_code == 400


def test_the_lrs_sets_authority_from_the_credential(lrs):
    [statement_id] = post(lrs, make_statement())
    authority = fetch(lrs, statement_id)["authority"]
    assert authority["objectType"] == "Agent" and authority["name"] == "test client"
    assert authority["account"]["homePage"] == "http://lms.test"
    assert authority["account"]["name"].startswith("lrs-client:")


def test_a_submitted_authority_is_replaced_by_the_credential(lrs):
    submitted = {"objectType": "Agent", "name": "Forger", "mbox": "mailto:forger@example.org"}
    [statement_id] = post(lrs, make_statement(authority=submitted))
    authority = fetch(lrs, statement_id)["authority"]
    assert authority != submitted and authority["name"] == "test client"


def test_two_credentials_give_two_authorities(lrs, client, make_credential):
    from tests.xapi.conftest import XAPIClient

    other = XAPIClient(client, make_credential(name="partner platform"))
    [first] = post(lrs, make_statement())
    [second] = post(other, make_statement())
    assert fetch(lrs, first)["authority"] != fetch(lrs, second)["authority"]
    assert fetch(lrs, second)["authority"]["name"] == "partner platform"


def test_a_submitted_oauth_authority_group_of_two_agents_is_accepted(lrs):
    authority = {"objectType": "Group", "member": [
        {"account": {"homePage": "http://example.com/xAPI/OAuth/Token", "name": "oauth_consumer_x75db"}},
        {"mbox": "mailto:bob@example.com"}]}
    assert lrs.post("/statements", json_body=make_statement(authority=authority)).status_code == 200


@pytest.mark.parametrize("authority", [
    {"objectType": "Group", "mbox": "mailto:group@example.com",
     "member": [{"mbox": "mailto:a@example.com"}, {"mbox": "mailto:b@example.com"}]},
    {"objectType": "Group", "member": [{"mbox": "mailto:a@example.com"}]},
    {"objectType": "Group", "member": [{"mbox": "mailto:a@example.com"}, {"mbox": "mailto:b@example.com"},
                                       {"mbox": "mailto:c@example.com"}]},
    {"objectType": "Activity", "id": "http://example.com/not-an-agent"},
], ids=["identified group", "one member", "three members", "not an agent"])
def test_a_submitted_authority_that_is_not_an_agent_or_oauth_pair_is_refused(lrs, authority):
    assert lrs.post("/statements", json_body=make_statement(authority=authority)).status_code == 400


def test_a_statement_without_version_is_stored_with_version_1_0_0(lrs):
    [statement_id] = post(lrs, make_statement())
    assert fetch(lrs, statement_id)["version"] == "1.0.0"


@pytest.mark.parametrize("version", ["1.0.0", "1.0.9"])
def test_a_statement_with_a_1_0_version_keeps_it(lrs, version):
    [statement_id] = post(lrs, make_statement(version=version))
    assert fetch(lrs, statement_id)["version"] == version


def test_a_statement_with_version_1_0_is_accepted(lrs):
    assert lrs.post("/statements", json_body=make_statement(version="1.0")).status_code == 200


@pytest.mark.parametrize("version", ["should fail", "0.9.9", "1.1.0", "2.0.0"])
def test_a_statement_with_another_version_is_refused(lrs, version):
    assert lrs.post("/statements", json_body=make_statement(version=version)).status_code == 400


def test_the_actor_verb_and_object_come_back_exactly_as_sent(lrs):
    statement = make_statement()
    [statement_id] = post(lrs, statement)
    stored = fetch(lrs, statement_id)
    assert (stored["actor"], stored["verb"], stored["object"]) == (
        statement["actor"], statement["verb"], statement["object"])


# --- voiding -------------------------------------------------------------------------------------------------

def test_a_voiding_statement_is_stored_and_its_target_becomes_voided(lrs):
    [target] = post(lrs, make_statement())
    voiding = void(lrs, target)
    assert lrs.get("/statements", query_string={"statementId": target}).status_code == 404
    assert fetch(lrs, voiding)["object"]["id"] == target
    assert lrs.get("/statements", query_string={"voidedStatementId": target}).json["id"] == target


def test_a_voiding_statement_whose_object_is_not_a_statement_ref_is_refused(lrs):
    response = lrs.post("/statements", json_body=make_statement(verb={"id": ADL + "voided"}))
    assert response.status_code == 400


def test_a_voiding_statement_for_a_statement_the_lrs_does_not_have_is_accepted(lrs):
    void(lrs, new_id())


def test_a_voiding_statement_cannot_be_voided(lrs):
    [target] = post(lrs, make_statement())
    voiding = void(lrs, target)
    response = lrs.post("/statements", json_body={
        "actor": {"mbox": "mailto:admin@example.org"}, "verb": {"id": ADL + "voided"},
        "object": {"objectType": "StatementRef", "id": voiding}})
    assert response.status_code == 400
    assert fetch(lrs, voiding)["id"] == voiding


def test_a_voiding_statement_cannot_be_voided_in_the_same_batch(lrs):
    [target] = post(lrs, make_statement())
    first = {"id": new_id(), "actor": {"mbox": "mailto:admin@example.org"}, "verb": {"id": ADL + "voided"},
             "object": {"objectType": "StatementRef", "id": target}}
    second = dict(first, id=new_id(), object={"objectType": "StatementRef", "id": first["id"]})
    assert lrs.post("/statements", json_body=[first, second]).status_code == 400


def test_voiding_an_already_voided_statement_is_accepted_and_it_stays_voided(lrs):
    [target] = post(lrs, make_statement())
    void(lrs, target)
    void(lrs, target)
    assert lrs.get("/statements", query_string={"voidedStatementId": target}).status_code == 200


def test_a_statement_voided_in_the_batch_that_stores_it_is_voided(lrs):
    target = make_statement(id=new_id())
    voiding = {"actor": {"mbox": "mailto:admin@example.org"}, "verb": {"id": ADL + "voided"},
               "object": {"objectType": "StatementRef", "id": target["id"]}}
    post(lrs, [target, voiding])
    assert lrs.get("/statements", query_string={"statementId": target["id"]}).status_code == 404
    assert lrs.get("/statements", query_string={"voidedStatementId": target["id"]}).status_code == 200


def test_a_statement_stored_after_the_statement_that_voids_it_is_voided(lrs):
    target_id = new_id()
    void(lrs, target_id)
    post(lrs, make_statement(id=target_id))
    assert lrs.get("/statements", query_string={"statementId": target_id}).status_code == 404


def test_a_statement_ref_to_a_statement_the_lrs_does_not_have_is_accepted(lrs):
    post(lrs, statement_ref_object())


# --- content types -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("content_type", ["text/plain", "multipart/form-data; boundary=xyz",
                                          "application/x-www-form-urlencoded", "application/xml"])
def test_statements_sent_with_another_content_type_are_refused(lrs, content_type):
    response = lrs.post("/statements", data=json.dumps(make_statement()), headers={"Content-Type": content_type})
    assert response.status_code == 400


def test_a_json_content_type_with_a_charset_is_accepted(lrs):
    response = lrs.post("/statements", data=json.dumps(make_statement()).encode("utf-8"),
                        headers={"Content-Type": "application/json; charset=utf-8"})
    assert response.status_code == 200


def test_a_body_that_is_not_utf8_is_refused(lrs):
    body = json.dumps(make_statement(actor=learner(name="Zoë"))).replace("\\u00eb", "ë").encode("latin-1")
    response = lrs.post("/statements", data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400


def test_an_attachment_without_file_url_sent_as_json_is_refused(lrs):
    statement = make_statement(attachments=[
        {"usageType": "http://example.com/attachment-usage/test", "display": {"en-US": "A test attachment"},
         "contentType": "text/plain; charset=ascii", "length": 27,
         "sha2": "495395e777cd98da653df9615d09c0fd6bb2f8d4788394cd53c56a3bfdcd848a"}])
    assert lrs.post("/statements", json_body=statement).status_code == 400


def test_the_post_response_is_json(lrs):
    response = lrs.post("/statements", json_body=make_statement())
    assert response.mimetype == "application/json"
