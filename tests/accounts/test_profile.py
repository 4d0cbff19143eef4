"""A signed-in user's profile and password."""

from tests.accounts.conftest import sign_in


def _save_profile(client, **changes):
    data = {"display_name": "Sam Okafor", "audience": "employer", "language": "en"}
    data.update(changes)
    return client.post("/account/profile", data=data)


def _change_password(client, current: str, new: str, confirm: str | None = None):
    return client.post("/account/password", data={"current_password": current, "new_password": new,
                                                  "confirm": new if confirm is None else confirm})


def test_profile_saves_display_name_audience_and_language(client, make_user, login_as, stored_user):
    user = make_user(audience="worker")
    login_as(user)
    response = _save_profile(client, display_name="Sam Okafor", audience="employer", language="zh-Hans")
    assert response.status_code == 302
    saved = stored_user(user.email)
    assert (saved.display_name, saved.audience, saved.language) == ("Sam Okafor", "employer", "zh-Hans")


def test_chosen_language_serves_the_ui_in_that_language(client, make_user, login_as):
    login_as(make_user(language="en"))
    _save_profile(client, language="zh-Hans")
    assert '<html lang="zh-Hans">' in client.get("/account/profile").get_data(as_text=True)


def test_profile_with_an_invalid_choice_re_renders_with_the_error(client, make_user, login_as, stored_user):
    user = make_user(audience="worker")
    login_as(user)
    response = _save_profile(client, audience="pirate")
    assert response.status_code == 400 and 'id="audience-errors"' in response.get_data(as_text=True)
    assert stored_user(user.email).audience == "worker"


def test_profile_requires_sign_in(client):
    response = client.get("/account/profile")
    assert response.status_code == 302 and response.headers["Location"].startswith("/account/login")


def test_password_change_with_a_wrong_current_password_changes_nothing(client, make_user, login_as, stored_user):
    user = make_user()
    login_as(user)
    before = stored_user(user.email).password_hash
    response = _change_password(client, "not-the-password", "a-new-password")
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="current_password-errors"' in body and "The current password is not correct." in body
    assert stored_user(user.email).password_hash == before


def test_password_change_to_a_short_password_is_refused(client, make_user, login_as, stored_user):
    user = make_user()
    login_as(user)
    before = stored_user(user.email).password_hash
    response = _change_password(client, user.password, "short")
    assert response.status_code == 400 and 'id="new_password-errors"' in response.get_data(as_text=True)
    assert stored_user(user.email).password_hash == before


def test_password_change_with_a_mismatched_confirmation_is_refused(client, make_user, login_as, stored_user):
    user = make_user()
    login_as(user)
    before = stored_user(user.email).password_hash
    response = _change_password(client, user.password, "a-new-password", confirm="another-password")
    assert response.status_code == 400 and 'id="confirm-errors"' in response.get_data(as_text=True)
    assert stored_user(user.email).password_hash == before


def test_after_a_password_change_only_the_new_password_signs_in(app, client, make_user, login_as):
    user = make_user(password="the-old-password")
    login_as(user)
    assert _change_password(client, "the-old-password", "the-new-password").status_code == 302
    visitor = app.test_client()
    assert sign_in(visitor, user.email, "the-old-password").status_code == 401
    assert sign_in(visitor, user.email, "the-new-password").status_code == 302


def test_a_changed_password_is_stored_as_argon2id(client, make_user, login_as, stored_user):
    user = make_user()
    login_as(user)
    _change_password(client, user.password, "the-new-password")
    stored = stored_user(user.email).password_hash
    assert stored.startswith("$argon2id$") and "the-new-password" not in stored
