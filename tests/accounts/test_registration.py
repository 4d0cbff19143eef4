"""Self-registration, and the admin setting that closes it."""

import pytest

from tests.accounts.conftest import is_signed_in


def _register(client, **changes):
    data = {"display_name": "Li Wei", "email": "li.wei@example.org", "password": "a-good-password",
            "confirm": "a-good-password", "audience": "labor_inspector", "language": "zh-Hans"}
    data.update(changes)
    return client.post("/account/register", data=data)


def _close_registration(app, make_user) -> None:
    admin = app.test_client()
    user = make_user(roles=("admin",))
    admin.post("/account/login", data={"email": user.email, "password": user.password})
    response = admin.post("/admin/settings", data={"submit": "Save settings"})  # checkbox left unticked
    assert response.status_code == 302


def test_registration_creates_a_learner_with_audience_and_language(client, stored_user):
    response = _register(client)
    assert response.status_code == 302
    created = stored_user("li.wei@example.org")
    assert created.roles == {"learner"}
    assert (created.display_name, created.audience, created.language) == ("Li Wei", "labor_inspector", "zh-Hans")


def test_registration_signs_the_new_account_in(client):
    _register(client)
    assert is_signed_in(client)


@pytest.mark.parametrize("email", ["taken@example.org", "Taken@Example.org"])
def test_registration_with_an_existing_email_is_refused_beside_the_field(client, make_user, user_count, email):
    make_user(email="taken@example.org")
    response = _register(client, email=email)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="email-errors"' in body and "An account with this e-mail address already exists." in body
    assert user_count() == 1


def test_registration_with_a_mismatched_confirmation_is_refused_beside_the_field(client, user_count):
    response = _register(client, confirm="another-password")
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="confirm-errors"' in body and "The passwords differ." in body
    assert user_count() == 0


def test_registration_with_a_short_password_is_refused(client, user_count):
    response = _register(client, password="short", confirm="short")
    assert response.status_code == 400 and 'id="password-errors"' in response.get_data(as_text=True)
    assert user_count() == 0


def test_login_page_offers_registration_while_open(client):
    assert 'href="/account/register"' in client.get("/account/login").get_data(as_text=True)


def test_closed_registration_page_answers_403(app, client, make_user):
    _close_registration(app, make_user)
    response = client.get("/account/register")
    assert response.status_code == 403 and "Registration is closed" in response.get_data(as_text=True)


def test_closed_registration_refuses_a_post_and_creates_nothing(app, client, make_user, user_count):
    _close_registration(app, make_user)
    response = _register(client)
    assert response.status_code == 403
    assert user_count() == 1  # only the admin


def test_login_page_hides_the_registration_link_when_closed(app, client, make_user):
    _close_registration(app, make_user)
    body = client.get("/account/login").get_data(as_text=True)
    assert "Create an account" not in body and 'href="/account/register"' not in body


def test_admin_can_reopen_registration(app, client, make_user):
    _close_registration(app, make_user)
    admin = make_user(roles=("admin",))
    client.post("/account/login", data={"email": admin.email, "password": admin.password})
    client.post("/admin/settings", data={"self_registration": "y"})
    client.post("/account/logout")
    assert client.get("/account/register").status_code == 200


def test_failed_sign_in_page_still_offers_registration_while_open(client):
    response = client.post("/account/login", data={"email": "new@example.org", "password": "whatever-1"})
    assert 'href="/account/register"' in response.get_data(as_text=True)
