"""Invitations: a new account chooses its password through a link that expires in seven days."""

import re
from datetime import timedelta

from sqlalchemy import update

from tests.cohorts.conftest import preview_and_apply

HEADER = "email,name,audience,language\n"


def _invite(app, client, email="new@example.org") -> str:
    """Import one new account; return the path of the link e-mailed to it."""
    outbox = app.extensions["mailman"].outbox = []
    preview_and_apply(client, (HEADER + f"{email},New Person,worker,en\n").encode())
    link = re.search(r"https?://\S+(/account/invitation/\S+)", outbox[-1].body)
    assert link, outbox[-1].body
    client.post("/account/logout")
    return link.group(1)


def test_the_invitation_link_sets_the_password_and_signs_in(app, client, admin):
    path = _invite(app, client)
    assert "New Person" in client.get(path).get_data(as_text=True)
    response = client.post(path, data={"password": "a-new-password", "confirm": "a-new-password"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/my-learning")
    assert client.get("/my-learning").status_code == 200


def test_the_password_chosen_through_the_invitation_signs_in_later(app, client, admin):
    path = _invite(app, client)
    client.post(path, data={"password": "a-new-password", "confirm": "a-new-password"})
    client.post("/account/logout")
    response = client.post("/account/login", data={"email": "new@example.org", "password": "a-new-password"})
    assert response.status_code == 302


def test_an_invited_account_cannot_sign_in_before_choosing_a_password(app, client, admin):
    from lms.accounts.services import find_user

    _invite(app, client)
    with app.app_context():
        stored_hash = find_user("new@example.org").password_hash
    for guess in ("", stored_hash, stored_hash.split(":", 1)[1]):
        response = client.post("/account/login", data={"email": "new@example.org", "password": guess})
        assert response.status_code != 302


def test_an_expired_invitation_says_so_and_sets_nothing(app, client, admin):
    from lms.cohorts.models import Invitation
    from lms.db import session, utcnow

    path = _invite(app, client)
    with app.app_context():
        session.execute(update(Invitation).values(expires_at=utcnow() - timedelta(seconds=1)))
        session.commit()
    response = client.post(path, data={"password": "a-new-password", "confirm": "a-new-password"})
    assert response.status_code == 410 and "expired" in response.get_data(as_text=True)
    assert client.get("/my-learning").status_code == 302


def test_an_invitation_is_valid_for_seven_days(app, client, admin):
    from lms.cohorts.models import Invitation
    from lms.db import session

    _invite(app, client)
    with app.app_context():
        invitation = session.query(Invitation).one()
        assert invitation.expires_at - invitation.created_at == timedelta(days=7)


def test_a_used_invitation_cannot_be_used_again(app, client, admin):
    path = _invite(app, client)
    client.post(path, data={"password": "a-new-password", "confirm": "a-new-password"})
    client.post("/account/logout")
    response = client.post(path, data={"password": "another-password", "confirm": "another-password"})
    assert response.status_code == 404 and "already been used" in response.get_data(as_text=True)


def test_an_unknown_token_is_not_found(client):
    assert client.get("/account/invitation/not-a-real-token").status_code == 404


def test_a_short_password_is_refused_beside_the_field(app, client, admin):
    path = _invite(app, client)
    response = client.post(path, data={"password": "short", "confirm": "short"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="password-errors"' in body
    assert client.get("/my-learning").status_code == 302


def test_a_new_invitation_replaces_the_old_link(app, client, admin, login_as):
    from lms.accounts.services import find_user

    old_path = _invite(app, client)
    login_as(admin)
    with app.app_context():
        public_id = find_user("new@example.org").public_id
    outbox = app.extensions["mailman"].outbox = []
    assert client.post(f"/admin/cohorts/learners/{public_id}/invite").status_code == 302
    new_path = re.search(r"(/account/invitation/\S+)", outbox[-1].body).group(1)
    client.post("/account/logout")
    assert client.get(old_path).status_code in (404, 410)
    assert client.get(new_path).status_code == 200


def test_the_invitation_page_keeps_its_token_out_of_referrers_and_caches(app, client, admin):
    response = client.get(_invite(app, client))
    assert response.headers["Referrer-Policy"] == "no-referrer" and response.headers["Cache-Control"] == "no-store"
