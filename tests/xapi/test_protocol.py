"""The xAPI protocol around the Statement resource: the version header, authentication, errors, unknown
parameters, the alternate request syntax, CORS and HEAD (xAPI 1.0.3 Communication 1.1-1.3, 3.2, 3.3, 4.0;
ADL requirements XAPI-00148, -00323 to -00336)."""

from __future__ import annotations

import base64
import json
from urllib.parse import urlencode

import pytest

from tests.xapi.test_statements_samples import ADL, fetch, make_statement, new_id, post

STATEMENT_PARAMS = ["statementId", "voidedStatementId", "agent", "verb", "activity", "registration",
                    "related_activities", "related_agents", "since", "until", "limit", "format", "attachments",
                    "ascending"]


# --- the version header --------------------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["GET", "POST", "PUT"])
def test_a_statements_request_without_the_version_header_is_400(lrs, method):
    params = {"statementId": new_id()}
    body = make_statement() if method != "GET" else None
    response = lrs.request(method, "/statements", query_string=params if method != "POST" else {},
                           json_body=body, version=None)
    assert response.status_code == 400
    assert "X-Experience-API-Version" in response.json["error"]["message"]


def test_a_refused_request_without_version_stores_nothing(lrs):
    statement = make_statement(id=new_id())
    lrs.post("/statements", json_body=statement, version=None)
    assert lrs.get("/statements", query_string={"statementId": statement["id"]}).status_code == 404


@pytest.mark.parametrize("version", ["1.0", "1.0.0", "1.0.1", "1.0.2", "1.0.3"])
def test_every_1_0_version_header_is_accepted(lrs, version):
    assert lrs.post("/statements", json_body=make_statement(), version=version).status_code == 200
    assert lrs.get("/statements", version=version).status_code == 200


@pytest.mark.parametrize("version", ["1.0.4", "1.0.9", "1.0.17"])
def test_a_later_1_0_patch_version_header_is_accepted(lrs, version):
    assert lrs.get("/statements", version=version).status_code == 200


@pytest.mark.parametrize("version", ["0.9", "0.95", "1.1.0", "2.0.0", "1", "1.0.x", "latest", "1.00"])
def test_a_version_header_that_is_not_1_0_is_400(lrs, version):
    response = lrs.get("/statements", version=version)
    assert response.status_code == 400 and "version" in response.json["error"]["message"]


def test_about_needs_neither_version_header_nor_credential(anonymous_lrs):
    response = anonymous_lrs.get("/about", version=None)
    assert response.status_code == 200
    assert "1.0.3" in response.json["version"] and isinstance(response.json["extensions"], dict)


def test_about_lists_every_1_0_version_the_lrs_speaks_and_nothing_else(anonymous_lrs):
    versions = anonymous_lrs.get("/about").json["version"]
    assert {"1.0.0", "1.0.1", "1.0.2", "1.0.3"} <= set(versions)
    assert all(version in ("0.9", "0.95", "1.0.0", "1.0.1", "1.0.2", "1.0.3") for version in versions)


def test_about_answers_a_client_that_sends_a_credential_too(lrs):
    assert lrs.get("/about", version=None).status_code == 200


def test_about_takes_only_get(lrs):
    assert lrs.post("/about", json_body={}).status_code == 405


def statuses(lrs, anonymous_lrs):
    """Responses of every kind the Statement resource gives, by status."""
    [statement_id] = post(lrs, make_statement(id=new_id()))
    return {
        200: lrs.get("/statements"),
        204: lrs.put("/statements", query_string={"statementId": new_id()}, json_body=make_statement()),
        400: lrs.get("/statements", query_string={"foo": "bar"}),
        401: anonymous_lrs.get("/statements"),
        404: lrs.get("/statements", query_string={"statementId": new_id()}),
        405: lrs.delete("/statements"),
        409: lrs.post("/statements", json_body=make_statement(id=statement_id, verb={"id": ADL + "failed"})),
    }


def test_every_response_carries_the_version_header_1_0_3(lrs, anonymous_lrs):
    for status, response in statuses(lrs, anonymous_lrs).items():
        assert response.status_code == status, response.get_data(as_text=True)
        assert response.headers["X-Experience-API-Version"] == "1.0.3", status


def test_the_version_header_is_on_about_options_head_and_unknown_xapi_paths(lrs):
    for response in (lrs.get("/about"), lrs.request("OPTIONS", "/statements"), lrs.request("HEAD", "/statements"),
                     lrs.get("/no-such-resource")):
        assert response.headers["X-Experience-API-Version"] == "1.0.3"


def test_error_responses_explain_the_error_in_json(lrs, anonymous_lrs):
    for status, response in statuses(lrs, anonymous_lrs).items():
        if status >= 400:
            assert response.mimetype == "application/json"
            assert response.json["error"]["code"] == status and response.json["error"]["message"]


# --- authentication ------------------------------------------------------------------------------------------

def test_a_request_without_credential_is_401_with_a_basic_challenge(anonymous_lrs):
    response = anonymous_lrs.post("/statements", json_body=make_statement())
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Basic")


@pytest.mark.parametrize("authorization", [
    "Basic " + base64.b64encode(b"RobCIsNot:AUserOnThisLRS").decode(),
    "Basic:" + base64.b64encode(b"RobCIsNot:AUserOnThisLRS").decode(),
    "Basic not-base64!",
    "Basic " + base64.b64encode(b"no-colon").decode(),
    "Bearer abc.def.ghi",
    "",
], ids=["unknown key", "malformed", "not base64", "no secret", "bearer", "empty"])
def test_a_request_with_a_bad_credential_is_401(lrs, authorization):
    response = lrs.put("/statements", query_string={"statementId": new_id()}, json_body=make_statement(),
                       headers={"Authorization": authorization})
    assert response.status_code == 401


def test_a_known_key_with_the_wrong_secret_is_401(lrs):
    key = base64.b64decode(lrs.authorization.split()[1]).decode().split(":")[0]
    wrong = "Basic " + base64.b64encode(f"{key}:not-the-secret".encode()).decode()
    assert lrs.get("/statements", headers={"Authorization": wrong}).status_code == 401


def test_basic_authentication_with_a_valid_credential_is_accepted(lrs):
    assert lrs.put("/statements", query_string={"statementId": new_id()}, json_body=make_statement()).status_code == 204


# --- methods and parameters ----------------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["DELETE", "PATCH"])
def test_a_method_the_statement_resource_does_not_have_is_405(lrs, method):
    response = lrs.request(method, "/statements", query_string={"statementId": new_id()})
    assert response.status_code == 405
    assert response.headers["X-Experience-API-Version"] == "1.0.3"


def test_a_method_the_resource_does_not_have_is_405_even_without_credential(anonymous_lrs):
    response = anonymous_lrs.delete("/statements", query_string={"statementId": new_id()}, version="1.0.1")
    assert response.status_code == 405


def test_an_unknown_parameter_is_400(lrs):
    response = lrs.get("/statements", query_string={"foo": "bar"})
    assert response.status_code == 400 and "foo" in response.json["error"]["message"]


@pytest.mark.parametrize("name", STATEMENT_PARAMS)
def test_a_parameter_in_another_case_is_400(lrs, name):
    value = {"agent": json.dumps({"mbox": "mailto:ana@example.org"}), "verb": ADL + "attended",
             "activity": "http://www.example.com/meetings/occurances/34534", "since": "2012-06-01T19:09:13.245Z",
             "until": "2012-06-01T19:09:13.245Z", "limit": "10", "format": "ids"}.get(name, "true")
    if name in ("statementId", "voidedStatementId", "registration"):
        value = new_id()
    assert lrs.get("/statements", query_string={name[0].upper() + name[1:]: value}).status_code == 400


# --- the alternate request syntax ----------------------------------------------------------------------------

def alternate(lrs, method: str, form: dict, with_headers: bool = True, query: str | None = None):
    """A POST with ?method=..., the headers and parameters as form fields, as IE's XDomainRequest sends it."""
    fields = dict(form)
    if with_headers:
        fields = {"Authorization": lrs.authorization, "X-Experience-API-Version": "1.0.3", **fields}
    return lrs.client.post("/xapi/statements?" + (query or urlencode({"method": method})), data=urlencode(fields),
                           headers={"Content-Type": "application/x-www-form-urlencoded"})


def test_alternate_get_returns_a_statement_result(lrs):
    post(lrs, [make_statement(), make_statement()])
    response = alternate(lrs, "GET", {"limit": "1"})
    assert response.status_code == 200 and len(response.json["statements"]) == 1 and response.json["more"]


def test_alternate_get_applies_the_filters_given_as_form_fields(lrs):
    [completed] = post(lrs, make_statement(verb={"id": ADL + "completed"}))
    post(lrs, make_statement())
    response = alternate(lrs, "GET", {"verb": ADL + "completed",
                                      "agent": json.dumps(make_statement()["actor"])})
    assert [s["id"] for s in response.json["statements"]] == [completed]


def test_alternate_get_of_one_statement_by_id(lrs):
    [statement_id] = post(lrs, make_statement())
    assert alternate(lrs, "GET", {"statementId": statement_id}).json["id"] == statement_id


def test_alternate_put_stores_the_content_under_the_statement_id(lrs):
    statement_id = new_id()
    response = alternate(lrs, "PUT", {"statementId": statement_id, "content": json.dumps(make_statement())})
    assert response.status_code == 204
    assert fetch(lrs, statement_id)["id"] == statement_id


def test_alternate_post_stores_the_content_and_returns_the_ids(lrs):
    statement = make_statement(id=new_id())
    response = alternate(lrs, "POST", {"content": json.dumps([statement]), "Content-Type": "application/json"})
    assert response.status_code == 200 and response.json == [statement["id"]]


def test_alternate_content_is_read_as_utf8(lrs):
    statement = make_statement(id=new_id(), verb={"id": ADL + "experienced", "display": {"zh-Hans": "体验了"}})
    alternate(lrs, "POST", {"content": json.dumps(statement, ensure_ascii=False)})
    assert fetch(lrs, statement["id"])["verb"]["display"] == {"zh-Hans": "体验了"}


def test_alternate_syntax_takes_the_credential_and_version_from_the_http_headers_too(lrs):
    statement_id = new_id()
    response = lrs.client.post("/xapi/statements?method=PUT", headers={
        **lrs.headers(), "Content-Type": "application/x-www-form-urlencoded"},
        data=urlencode({"statementId": statement_id, "content": json.dumps(make_statement())}))
    assert response.status_code == 204


def test_alternate_syntax_keeps_a_version_sent_as_a_real_header_over_the_form_field(lrs):
    statement_id = new_id()
    response = lrs.client.post("/xapi/statements?method=PUT", headers={
        **lrs.headers(), "Content-Type": "application/x-www-form-urlencoded"},
        data=urlencode({"statementId": statement_id, "X-Experience-API-Version": "0.8",
                        "content": json.dumps(make_statement())}))
    assert response.status_code == 204


def test_alternate_header_fields_are_recognised_in_any_case(lrs):
    fields = {"authorization": lrs.authorization, "x-experience-api-version": "1.0.3", "limit": "1"}
    assert alternate(lrs, "GET", fields, with_headers=False).status_code == 200


def test_alternate_syntax_without_the_version_field_is_400(lrs):
    fields = {"Authorization": lrs.authorization, "limit": "1"}
    assert alternate(lrs, "GET", fields, with_headers=False).status_code == 400


def test_alternate_syntax_with_a_wrong_authorization_field_is_401(lrs):
    fields = {"Authorization": "Basic " + base64.b64encode(b"nobody:nothing").decode(),
              "X-Experience-API-Version": "1.0.3"}
    assert alternate(lrs, "GET", fields, with_headers=False).status_code == 401


def test_alternate_syntax_with_another_query_parameter_is_400(lrs):
    statement_id = new_id()
    response = alternate(lrs, "PUT", {"statementId": statement_id, "content": json.dumps(make_statement())},
                         query=urlencode({"method": "PUT", "statementId": statement_id}))
    assert response.status_code == 400
    assert lrs.get("/statements", query_string={"statementId": statement_id}).status_code == 404


def test_alternate_put_without_content_is_400(lrs):
    assert alternate(lrs, "PUT", {"statementId": new_id()}).status_code == 400


def test_alternate_syntax_whose_body_is_not_a_form_is_400(lrs):
    form = {"statementId": new_id(), "content": json.dumps(make_statement()), "X-Experience-API-Version": "1.0.3",
            "Authorization": lrs.authorization}
    response = lrs.client.post("/xapi/statements?method=PUT", data=json.dumps(form),
                               headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 400


def test_alternate_syntax_sent_as_json_instead_of_a_form_is_400(lrs):
    response = lrs.client.post("/xapi/statements?method=GET", data="{}", headers={
        **lrs.headers(), "Content-Type": "application/json"})
    assert response.status_code == 400


def test_alternate_syntax_issued_as_get_is_400(lrs):
    response = lrs.client.get("/xapi/statements?method=POST", headers=lrs.headers())
    assert response.status_code == 400


def test_alternate_syntax_with_an_unknown_method_is_400(lrs):
    assert alternate(lrs, "FETCH", {}).status_code == 400


def test_alternate_get_takes_accept_language_from_the_form_for_the_canonical_format(lrs):
    statement = make_statement(verb={"id": ADL + "experienced", "display": {"en-US": "experienced",
                                                                            "zh-Hans": "体验了"}})
    [statement_id] = post(lrs, statement)
    response = alternate(lrs, "GET", {"statementId": statement_id, "format": "canonical",
                                      "Accept-Language": "zh-Hans"})
    assert response.json["verb"]["display"] == {"zh-Hans": "体验了"}


def test_alternate_get_answers_with_consistent_through_like_a_get(lrs):
    assert alternate(lrs, "GET", {}).headers["X-Experience-API-Consistent-Through"]


def test_alternate_get_with_an_unknown_form_field_is_400(lrs):
    assert alternate(lrs, "GET", {"foo": "bar"}).status_code == 400


# --- CORS ----------------------------------------------------------------------------------------------------

def test_a_preflight_request_is_answered_without_credential_or_version(anonymous_lrs):
    response = anonymous_lrs.client.options("/xapi/statements", headers={
        "Origin": "https://content.example.org", "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "authorization, content-type, x-experience-api-version"})
    assert response.status_code in (200, 204)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "PUT" in response.headers["Access-Control-Allow-Methods"]
    allowed = response.headers["Access-Control-Allow-Headers"].lower()
    assert all(header in allowed for header in ("authorization", "content-type", "x-experience-api-version"))


def test_responses_allow_any_origin_and_expose_the_xapi_headers(lrs):
    post(lrs, make_statement())
    response = lrs.get("/statements", headers={"Origin": "https://content.example.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    exposed = response.headers["Access-Control-Expose-Headers"].lower()
    for header in ("x-experience-api-version", "x-experience-api-consistent-through", "last-modified", "etag"):
        assert header in exposed


def test_error_responses_carry_cors_headers_so_browser_content_can_read_them(anonymous_lrs):
    response = anonymous_lrs.get("/statements", headers={"Origin": "https://content.example.org"})
    assert response.status_code == 401 and response.headers["Access-Control-Allow-Origin"] == "*"


def test_about_answers_a_preflight_too(anonymous_lrs):
    response = anonymous_lrs.client.options("/xapi/about", headers={
        "Origin": "https://content.example.org", "Access-Control-Request-Method": "GET"})
    assert response.status_code in (200, 204) and response.headers["Access-Control-Allow-Origin"] == "*"


# --- HEAD ----------------------------------------------------------------------------------------------------

def test_head_on_statements_returns_the_get_headers_without_a_body(lrs):
    post(lrs, make_statement())
    get, head = lrs.get("/statements"), lrs.request("HEAD", "/statements")
    assert head.status_code == 200 and head.get_data() == b""
    assert head.headers["Content-Type"] == get.headers["Content-Type"]
    assert head.headers["Last-Modified"] == get.headers["Last-Modified"]
    assert head.headers["X-Experience-API-Consistent-Through"]


def test_head_on_one_statement_is_200_and_on_an_unknown_one_404(lrs):
    [statement_id] = post(lrs, make_statement())
    assert lrs.request("HEAD", "/statements", query_string={"statementId": statement_id}).status_code == 200
    missing = lrs.request("HEAD", "/statements", query_string={"statementId": new_id()})
    assert missing.status_code == 404 and missing.get_data() == b""


def test_head_on_about_is_200_without_body(anonymous_lrs):
    response = anonymous_lrs.request("HEAD", "/about", version=None)
    assert response.status_code == 200 and response.get_data() == b""


def test_head_needs_the_version_header_and_a_credential_like_get(lrs, anonymous_lrs):
    assert lrs.request("HEAD", "/statements", version=None).status_code == 400
    assert anonymous_lrs.request("HEAD", "/statements").status_code == 401


def test_head_does_not_store_anything(lrs):
    lrs.request("HEAD", "/statements", data=json.dumps(make_statement()),
                headers={"Content-Type": "application/json"})
    assert lrs.get("/statements").json["statements"] == []
