"""Who may store and read statements: credential scopes, revoked and expired credentials, and per-launch
credentials limited to one learner and registration (xAPI 1.0.3 Communication 3.2.s3.b10, 4.0; Data 2.3.2.s2.b4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.conftest import BASE_URL
from tests.xapi.conftest import XAPIClient
from tests.xapi.test_statements_samples import ADL, TRACK, context, fetch, make_statement, new_id, post

REGISTRATION = "0d7c5f0e-8c7a-4d0e-9c55-3a1f8a0b2f10"


def client_with(client, make_credential, *scopes, **limits) -> XAPIClient:
    return XAPIClient(client, make_credential(scopes=scopes, name="+".join(scopes), **limits))


def voiding(target_id: str, actor: dict, **overrides) -> dict:
    return {"actor": actor, "verb": {"id": ADL + "voided"}, "object": {"objectType": "StatementRef", "id": target_id},
            **overrides}


# --- scopes --------------------------------------------------------------------------------------------------

def test_a_write_only_credential_may_store_but_not_read(client, make_credential):
    writer = client_with(client, make_credential, "statements/write")
    [statement_id] = post(writer, make_statement())
    assert writer.get("/statements").status_code == 403
    assert writer.get("/statements", query_string={"statementId": statement_id}).status_code == 403


def test_a_read_only_credential_may_read_but_not_store(lrs, client, make_credential):
    reader = client_with(client, make_credential, "statements/read")
    [statement_id] = post(lrs, make_statement())
    assert fetch(reader, statement_id)["id"] == statement_id
    assert reader.post("/statements", json_body=make_statement()).status_code == 403
    assert reader.put("/statements", query_string={"statementId": new_id()},
                      json_body=make_statement()).status_code == 403


def test_a_refused_store_stores_nothing(lrs, client, make_credential):
    reader = client_with(client, make_credential, "statements/read")
    statement = make_statement(id=new_id())
    reader.post("/statements", json_body=statement)
    assert lrs.get("/statements", query_string={"statementId": statement["id"]}).status_code == 404


def test_a_documents_only_credential_may_not_touch_statements(client, make_credential):
    documents = client_with(client, make_credential, "documents")
    assert documents.get("/statements").status_code == 403
    assert documents.post("/statements", json_body=make_statement()).status_code == 403


def test_a_read_mine_credential_sees_only_the_statements_it_stored(lrs, client, make_credential):
    own = client_with(client, make_credential, "statements/write", "statements/read/mine")
    [mine] = post(own, make_statement())
    [theirs] = post(lrs, make_statement())
    assert [s["id"] for s in own.get("/statements").json["statements"]] == [mine]
    assert own.get("/statements", query_string={"statementId": theirs}).status_code == 404
    assert fetch(own, mine)["id"] == mine


def test_a_credential_that_cannot_read_every_statement_may_not_void_those_of_others(lrs, client, make_credential):
    own = client_with(client, make_credential, "statements/write", "statements/read/mine")
    [theirs] = post(lrs, make_statement())
    [mine] = post(own, make_statement())
    assert own.post("/statements", json_body=voiding(theirs, {"mbox": "mailto:app@example.org"})).status_code == 403
    assert own.post("/statements", json_body=voiding(mine, {"mbox": "mailto:app@example.org"})).status_code == 200
    assert fetch(lrs, theirs)["id"] == theirs


def test_a_full_reader_and_writer_may_void_any_statement(lrs, client, make_credential):
    other = client_with(client, make_credential, "statements/write", "statements/read")
    [theirs] = post(lrs, make_statement())
    assert other.post("/statements", json_body=voiding(theirs, {"mbox": "mailto:admin@example.org"})).status_code == 200


def test_a_read_mine_credential_does_not_see_voided_statements_of_others(lrs, client, make_credential):
    own = client_with(client, make_credential, "statements/write", "statements/read/mine")
    [theirs] = post(lrs, make_statement())
    post(lrs, voiding(theirs, {"mbox": "mailto:admin@example.org"}))
    assert own.get("/statements", query_string={"voidedStatementId": theirs}).status_code == 404


def test_a_read_mine_credential_pages_through_its_own_statements_only(lrs, client, make_credential):
    own = client_with(client, make_credential, "statements/write", "statements/read/mine")
    mine = [post(own, make_statement())[0] for _ in range(3)]
    post(lrs, [make_statement() for _ in range(3)])
    first = own.get("/statements", query_string={"limit": "2"}).json
    second = own.client.get(first["more"], headers=own.headers()).json
    assert [s["id"] for s in first["statements"] + second["statements"]] == mine[::-1]


def test_a_more_irl_made_for_another_credential_shows_only_what_this_one_may_see(lrs, client, make_credential):
    own = client_with(client, make_credential, "statements/write", "statements/read/mine")
    [mine] = post(own, make_statement())
    post(lrs, [make_statement() for _ in range(3)])
    more = lrs.get("/statements", query_string={"limit": "1"}).json["more"]
    assert [s["id"] for s in own.client.get(more, headers=own.headers()).json["statements"]] == [mine]


# --- refused credentials -------------------------------------------------------------------------------------

def test_a_revoked_credential_is_401(app, client, make_credential):
    from lms.db import session
    from lms.xapi.credentials import revoke_client
    from lms.xapi.models import LRSClient

    revoked = XAPIClient(client, make_credential(name="to revoke"))
    post(revoked, make_statement())
    with app.app_context():
        key = session.execute(select(LRSClient.key).filter_by(name="to revoke")).scalar_one()
        revoke_client(key)
        session.commit()
    assert revoked.get("/statements").status_code == 401
    assert revoked.post("/statements", json_body=make_statement()).status_code == 401


def test_an_expired_credential_is_401(client, make_credential):
    from lms.db import utcnow

    expired = XAPIClient(client, make_credential(expires_at=utcnow() - timedelta(minutes=1)))
    response = expired.post("/statements", json_body=make_statement())
    assert response.status_code == 401 and "Basic" in response.headers["WWW-Authenticate"]


def test_a_credential_that_expires_later_works(client, make_credential):
    from lms.db import utcnow

    fresh = XAPIClient(client, make_credential(expires_at=utcnow() + timedelta(minutes=5)))
    assert fresh.post("/statements", json_body=make_statement()).status_code == 200


# --- per-launch credentials ----------------------------------------------------------------------------------

@dataclass
class Launch:
    lrs: XAPIClient
    learner: dict
    user_id: int


@pytest.fixture
def launch(app, client, make_user) -> Launch:
    """A per-launch credential for a new learner in REGISTRATION."""
    from lms.db import session
    from lms.xapi.credentials import basic_auth_header, create_launch_credential

    user = make_user()
    with app.app_context():
        credential, secret = create_launch_credential(user.id, REGISTRATION)
        session.commit()
        authorization = basic_auth_header(credential.key, secret)
    learner = {"objectType": "Agent", "name": "Li Na", "account": {"homePage": BASE_URL, "name": user.public_id}}
    return Launch(XAPIClient(client, authorization), learner, user.id)


def in_launch(launch: Launch, **overrides) -> dict:
    return make_statement(**{"actor": launch.learner, "context": context(REGISTRATION), **overrides})


def test_a_launch_credential_may_store_statements_of_its_learner_in_its_registration(launch):
    assert launch.lrs.post("/statements", json_body=in_launch(launch)).status_code == 200


def test_a_launch_credential_matches_the_registration_regardless_of_case(launch):
    statement = make_statement(actor=launch.learner, context=context(REGISTRATION.upper()))
    assert launch.lrs.post("/statements", json_body=statement).status_code == 200


def test_a_launch_credential_may_not_store_statements_of_another_actor(launch):
    other = make_statement(actor={"mbox": "mailto:someone.else@example.org"}, context=context(REGISTRATION))
    assert launch.lrs.post("/statements", json_body=other).status_code == 403


def test_a_launch_credential_may_not_store_its_learner_under_another_identifier(launch):
    by_mail = make_statement(actor={"mbox": "mailto:li.na@example.org"}, context=context(REGISTRATION))
    assert launch.lrs.post("/statements", json_body=by_mail).status_code == 403


def test_a_launch_credential_may_not_store_a_group_actor(launch):
    group = {"objectType": "Group", "member": [launch.learner, {"mbox": "mailto:someone.else@example.org"}]}
    assert launch.lrs.post("/statements", json_body=in_launch(launch, actor=group)).status_code == 403


def test_a_launch_credential_may_not_store_statements_in_another_registration(launch):
    statement = make_statement(actor=launch.learner, context=context(new_id()))
    assert launch.lrs.post("/statements", json_body=statement).status_code == 403


def test_a_launch_credential_may_not_store_statements_without_its_registration(launch):
    statement = make_statement(actor=launch.learner, context={"contextActivities": {"parent": [{"id": TRACK}]}})
    assert launch.lrs.post("/statements", json_body=statement).status_code == 403
    del statement["context"]
    assert launch.lrs.post("/statements", json_body=statement).status_code == 403


def test_a_launch_batch_with_one_statement_of_another_learner_stores_nothing(lrs, launch):
    good = in_launch(launch, id=new_id())
    bad = make_statement(id=new_id(), actor={"mbox": "mailto:someone.else@example.org"}, context=context(REGISTRATION))
    assert launch.lrs.post("/statements", json_body=[good, bad]).status_code == 403
    assert lrs.get("/statements", query_string={"statementId": good["id"]}).status_code == 404


def test_a_launch_credential_may_put_a_statement_of_its_learner(launch):
    response = launch.lrs.put("/statements", query_string={"statementId": new_id()}, json_body=in_launch(launch))
    assert response.status_code == 204


def test_a_launch_credential_reads_back_only_what_it_stored(lrs, launch):
    [own] = post(launch.lrs, in_launch(launch))
    post(lrs, make_statement(actor=launch.learner, context=context(REGISTRATION)))
    assert [s["id"] for s in launch.lrs.get("/statements").json["statements"]] == [own]


def test_a_launch_credential_may_void_a_statement_it_stored(launch):
    [own] = post(launch.lrs, in_launch(launch))
    response = launch.lrs.post("/statements", json_body=voiding(own, launch.learner, context=context(REGISTRATION)))
    assert response.status_code == 200


def test_a_launch_credential_may_not_void_a_statement_it_did_not_store(lrs, launch):
    [recorded_by_lms] = post(lrs, make_statement(actor=launch.learner, context=context(REGISTRATION),
                                                 verb={"id": ADL + "passed"}))
    response = launch.lrs.post("/statements", json_body=voiding(recorded_by_lms, launch.learner,
                                                                context=context(REGISTRATION)))
    assert response.status_code == 403
    assert fetch(lrs, recorded_by_lms)["id"] == recorded_by_lms


def test_a_launch_credential_may_not_read_statements_as_a_whole_lrs_reader(lrs, launch):
    [theirs] = post(lrs, make_statement())
    assert launch.lrs.get("/statements", query_string={"statementId": theirs}).status_code == 404


def test_a_launch_credential_stops_working_when_it_expires(app, launch):
    from lms.db import session, utcnow
    from lms.xapi.models import LRSClient

    with app.app_context():
        session.execute(update(LRSClient).filter_by(user_id=launch.user_id).values(
            expires_at=utcnow() - timedelta(seconds=1)))
        session.commit()
    assert launch.lrs.post("/statements", json_body=in_launch(launch)).status_code == 401


def test_a_launch_credential_of_a_deactivated_learner_is_401(app, launch):
    from lms.accounts.models import User
    from lms.db import session

    with app.app_context():
        session.get(User, launch.user_id).is_active_account = False
        session.commit()
    assert launch.lrs.post("/statements", json_body=in_launch(launch)).status_code == 401
