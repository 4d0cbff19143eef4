"""Signing in and out over HTTP: where it leads, what it says, and what it never reveals."""

import pytest

from tests.accounts.conftest import is_signed_in, same_page_but_email, sign_in

WRONG_CREDENTIALS = "The e-mail address or the password is not correct."


def test_sign_in_redirects_to_my_learning(client, make_user):
    user = make_user()
    response = sign_in(client, user.email, user.password)
    assert response.status_code == 302 and response.headers["Location"] == "/my-learning"


def test_sign_in_flashes_a_welcome_with_the_display_name(client, make_user):
    user = make_user(display_name="Amina Diallo")
    page = client.post("/account/login", data={"email": user.email, "password": user.password},
                       follow_redirects=True)
    assert page.status_code == 200 and "Welcome, Amina Diallo." in page.get_data(as_text=True)


def test_sign_in_accepts_the_email_in_another_case(client, make_user):
    user = make_user(email="case@example.org")
    assert sign_in(client, "Case@Example.ORG", user.password).status_code == 302


def test_sign_out_by_post_ends_the_session(client, make_user, login_as):
    login_as(make_user())
    response = client.post("/account/logout")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert not is_signed_in(client)


def test_sign_out_by_get_is_not_allowed_and_keeps_the_session(client, make_user, login_as):
    login_as(make_user())
    assert client.get("/account/logout").status_code == 405
    assert is_signed_in(client)


def test_wrong_password_and_unknown_email_get_the_same_answer(client, make_user):
    user = make_user(email="known@example.org")
    wrong_password = sign_in(client, user.email, "not-the-password")
    unknown_email = sign_in(client, "nobody@example.org", "not-the-password")
    assert wrong_password.status_code == unknown_email.status_code == 401
    assert WRONG_CREDENTIALS in wrong_password.get_data(as_text=True)
    assert same_page_but_email(wrong_password, "known@example.org", unknown_email, "nobody@example.org")


def test_wrong_password_does_not_sign_in(client, make_user):
    user = make_user()
    sign_in(client, user.email, "not-the-password")
    assert not is_signed_in(client)


def test_password_is_stored_as_argon2id_never_in_plain_text(make_user, stored_user):
    user = make_user(password="correct horse battery")
    stored = stored_user(user.email).password_hash
    assert stored.startswith("$argon2id$")
    assert "correct horse battery" not in stored


def test_next_local_path_is_followed_after_sign_in(client, make_user):
    user = make_user()
    response = sign_in(client, user.email, user.password, url="/account/login?next=/account/profile")
    assert response.headers["Location"] == "/account/profile"


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example", "/\\evil.example",
                                    "https://evil.example/account/profile"])
def test_next_to_another_site_is_ignored(client, make_user, target):
    user = make_user()
    response = client.post("/account/login", query_string={"next": target},
                           data={"email": user.email, "password": user.password})
    assert response.status_code == 302 and response.headers["Location"] == "/my-learning"


def test_next_with_a_tab_cannot_smuggle_another_site(client, make_user):
    user = make_user()
    response = sign_in(client, user.email, user.password, url="/account/login?next=/%09/evil.example")
    assert response.status_code == 302 and response.headers["Location"] == "/my-learning"


def test_next_with_a_newline_is_ignored(client, make_user):
    user = make_user()
    response = sign_in(client, user.email, user.password, url="/account/login?next=/%0A/evil.example")
    assert response.status_code == 302 and response.headers["Location"] == "/my-learning"


def test_language_switch_ignores_a_next_on_another_site(client):
    response = client.post("/account/language", data={"language": "en", "next": "//evil.example"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
