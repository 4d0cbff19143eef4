"""The admin pages of the built-in LRS: credentials (list, create with the secret shown once, revoke) and the
forwarding outbox (counts, parked statements with the remote's reason, re-queue)."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import select

from lms.db import session, utcnow
from lms.tracking.services import record
from lms.xapi.credentials import authenticate, basic_auth_header, create_client
from lms.xapi.models import LRSClient, OutboxEntry


@pytest.fixture
def admin(client, make_user, login_as):
    user = make_user(roles=("admin",))
    login_as(user)
    return user


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def make_client(app, name="reporting server", scopes=("statements/read",)) -> str:
    with app.app_context():
        created, _ = create_client(name, list(scopes))
        session.commit()
        return created.key


# --- the admin index -------------------------------------------------------------------------------------------

def test_admin_index_links_to_the_credentials_and_the_outbox(client, admin):
    body = page(client, "/admin/")
    assert 'href="/admin/lrs/credentials"' in body and 'href="/admin/lrs/outbox"' in body


def test_learners_cannot_open_the_lrs_pages(client, make_user, login_as):
    login_as(make_user(roles=("learner",)))
    assert client.get("/admin/lrs/credentials").status_code == 403
    assert client.get("/admin/lrs/outbox").status_code == 403


# --- credentials -----------------------------------------------------------------------------------------------

def test_credentials_page_lists_name_key_permissions_and_state(app, client, admin):
    key = make_client(app)
    body = page(client, "/admin/lrs/credentials")
    assert "reporting server" in body and key in body and "Read all statements" in body
    assert "active" in body and "never" in body


def test_credentials_page_leaves_out_per_launch_credentials(app, client, admin):
    from lms.xapi.credentials import create_launch_credential

    with app.app_context():
        launch, _ = create_launch_credential(admin.id, str(uuid.uuid4()))
        session.commit()
        launch_key = launch.key
    body = page(client, "/admin/lrs/credentials")
    assert launch_key not in body and "No credentials yet." in body


def test_credentials_page_is_paginated(app, client, admin):
    for number in range(27):
        make_client(app, name=f"client {number:02d}")
    first, second = page(client, "/admin/lrs/credentials"), page(client, "/admin/lrs/credentials?page=2")
    assert "client 26" in first and "client 01" not in first
    assert "client 01" in second and "Page 2 of 2" in second


def test_creating_a_credential_shows_its_key_and_secret_once(app, client, admin):
    response = client.post("/admin/lrs/credentials/new",
                           data={"name": "Vendor content", "scopes": ["statements/write", "documents"]})

    body = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    key = re.search(r"<dt>Key</dt><dd><code>([0-9a-f]+)</code>", body).group(1)
    secret = re.search(r"<dt>Secret</dt><dd><code>([^<]+)</code>", body).group(1)
    assert "shown only on this page" in body
    with app.app_context():
        principal = authenticate(basic_auth_header(key, secret))
        assert principal is not None and principal.scopes == {"statements/write", "documents"}
    assert secret not in page(client, "/admin/lrs/credentials")


def test_a_credential_needs_a_name_and_a_permission(app, client, admin):
    response = client.post("/admin/lrs/credentials/new", data={"name": "  "})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "Choose at least one permission." in body
    with app.app_context():
        assert session.execute(select(LRSClient)).first() is None


def test_revoking_asks_for_confirmation_first(app, client, admin):
    key = make_client(app)
    body = page(client, f"/admin/lrs/credentials/{key}/revoke")
    assert "Revoke this credential" in body and 'method="post"' in body
    with app.app_context():
        assert session.execute(select(LRSClient.revoked_at).filter_by(key=key)).scalar_one() is None


def test_a_revoked_credential_stops_working(app, client, admin):
    with app.app_context():
        created, secret = create_client("old vendor", ["all"])
        session.commit()
        key = created.key

    response = client.post(f"/admin/lrs/credentials/{key}/revoke")

    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/lrs/credentials")
    with app.app_context():
        assert authenticate(basic_auth_header(key, secret)) is None
    assert "revoked" in page(client, "/admin/lrs/credentials")


def test_revoking_an_unknown_key_is_404(client, admin):
    assert client.post("/admin/lrs/credentials/no-such-key/revoke").status_code == 404


# --- the outbox ------------------------------------------------------------------------------------------------

def test_outbox_page_says_how_to_configure_forwarding_when_it_is_off(client, admin):
    body = page(client, "/admin/lrs/outbox")
    assert "Forwarding is off." in body
    for name in ("LMS_XAPI_FORWARD_URL", "LMS_XAPI_FORWARD_KEY", "LMS_XAPI_FORWARD_SECRET", "lms xapi forward"):
        assert name in body


def make_outbox(app, statuses: list[str], reason="HTTP 400: rejected") -> list[int]:
    """One recorded statement per status, its outbox entry set to that status; returns the entry ids."""
    app.config.update(LMS_XAPI_FORWARD_URL="https://lrs.example.org/xapi/", LMS_XAPI_FORWARD_KEY="k",
                      LMS_XAPI_FORWARD_SECRET="s")
    with app.app_context():
        record([{"actor": {"mbox": "mailto:chen.jie@example.org"},
                 "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
                 "object": {"id": f"http://example.org/activities/{number}"}} for number in range(len(statuses))])
        entries = list(session.execute(select(OutboxEntry).order_by(OutboxEntry.id)).scalars())
        for entry, status in zip(entries, statuses):
            entry.status = status
            entry.sent_at = utcnow() if status == "sent" else None
            entry.last_error = reason if status == "parked" else None
        session.commit()
        return [entry.id for entry in entries]


def test_outbox_page_counts_pending_sent_and_parked_and_shows_the_last_success(app, client, admin):
    make_outbox(app, ["sent", "sent", "parked", "pending", "pending", "pending"])
    body = page(client, "/admin/lrs/outbox")
    counts = dict(re.findall(r'<th scope="row">([^<]+)</th><td>([^<]+)</td>', body))
    assert counts["Waiting to be sent"] == "3" and counts["Sent"] == "2"
    assert counts["Parked (rejected by the external LRS)"] == "1"
    assert counts["Last successful send"] != "never"
    assert "https://lrs.example.org/xapi/statements" in body and "Forwarding is off." not in body


def test_outbox_page_lists_parked_statements_with_the_remote_reason(app, client, admin):
    make_outbox(app, ["parked"], reason="HTTP 400: statement rejected: object.id is not an IRI")
    body = page(client, "/admin/lrs/outbox")
    assert "HTTP 400: statement rejected: object.id is not an IRI" in body and "Queue again" in body


def test_outbox_page_shows_why_the_oldest_pending_statement_waits(app, client, admin):
    [entry_id] = make_outbox(app, ["pending"])
    with app.app_context():
        entry = session.get(OutboxEntry, entry_id)
        entry.attempts, entry.last_error = 3, "HTTP 503: maintenance"
        session.commit()
    body = page(client, "/admin/lrs/outbox")
    assert "(3 attempts)" in body and "HTTP 503: maintenance" in body


def test_requeueing_a_parked_statement_makes_it_pending(app, client, admin):
    sent, parked = make_outbox(app, ["sent", "parked"])

    response = client.post(f"/admin/lrs/outbox/{parked}/requeue")

    assert response.status_code == 302
    with app.app_context():
        assert session.get(OutboxEntry, parked).status == "pending"
        assert session.get(OutboxEntry, sent).status == "sent"


def test_requeueing_an_entry_that_is_not_parked_is_404(app, client, admin):
    [sent] = make_outbox(app, ["sent"])
    assert client.post(f"/admin/lrs/outbox/{sent}/requeue").status_code == 404


def test_requeueing_every_parked_statement(app, client, admin):
    make_outbox(app, ["parked", "parked", "sent"])

    response = client.post("/admin/lrs/outbox/requeue-parked", follow_redirects=True)

    assert "2 statements are queued again." in response.get_data(as_text=True)
    with app.app_context():
        statuses = list(session.execute(select(OutboxEntry.status).order_by(OutboxEntry.id)).scalars())
    assert statuses == ["pending", "pending", "sent"]


def test_requeue_needs_a_csrf_token(app, client, admin):
    [parked] = make_outbox(app, ["parked"])
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(f"/admin/lrs/outbox/{parked}/requeue").status_code == 400
    with app.app_context():
        assert session.get(OutboxEntry, parked).status == "parked"
