"""The first things any xAPI client does: About, store, read back."""

STATEMENT = {
    "actor": {"mbox": "mailto:zhang.wei@example.org", "name": "Zhang Wei"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced", "display": {"en-US": "experienced"}},
    "object": {"id": "http://example.org/activities/overtime-rules"},
}


def test_about_needs_no_credential_and_lists_the_versions(anonymous_lrs):
    response = anonymous_lrs.get("/about", version=None)
    assert response.status_code == 200 and "1.0.3" in response.json["version"]
    assert response.headers["X-Experience-API-Version"] == "1.0.3"


def test_a_posted_statement_can_be_read_back_by_id(lrs):
    posted = lrs.post("/statements", json_body=STATEMENT)
    assert posted.status_code == 200
    [statement_id] = posted.json
    fetched = lrs.get(f"/statements?statementId={statement_id}")
    assert fetched.status_code == 200 and fetched.json["id"] == statement_id
    assert fetched.json["actor"]["mbox"] == STATEMENT["actor"]["mbox"] and fetched.json["stored"]
    assert "X-Experience-API-Consistent-Through" in fetched.headers


def test_requests_without_the_version_header_are_refused(lrs):
    assert lrs.post("/statements", json_body=STATEMENT, version=None).status_code == 400


def test_requests_without_a_credential_are_refused(anonymous_lrs):
    response = anonymous_lrs.get("/statements")
    assert response.status_code == 401 and "Basic" in response.headers["WWW-Authenticate"]
