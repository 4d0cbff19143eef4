"""Error pages: 404 and 500 never show internals, in HTML or JSON; forms refuse posts without a CSRF token."""

import pytest

from tests.conftest import csrf_token_from

JSON = {"Accept": "application/json"}
SECRET = "database password is hunter2"


def _boom():
    raise RuntimeError(SECRET)


def _app_with_a_failing_view(make_app):
    app = make_app(TESTING=False, PROPAGATE_EXCEPTIONS=False)
    app.add_url_rule("/boom", "boom", _boom)
    return app


def test_unknown_url_shows_the_404_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and "Page not found" in response.get_data(as_text=True)
    assert response.mimetype == "text/html"


def test_unknown_url_answers_json_to_a_json_client(client):
    response = client.get("/no-such-page", headers=JSON)
    assert response.status_code == 404 and response.is_json
    assert response.get_json()["error"] == "Page not found"


def test_unknown_course_shows_the_404_page(client):
    response = client.get("/courses/no-such-course")
    assert response.status_code == 404 and "Page not found" in response.get_data(as_text=True)


def test_unknown_course_answers_json_to_a_json_client(client):
    response = client.get("/courses/no-such-course", headers=JSON)
    assert response.status_code == 404 and response.get_json()["error"] == "Page not found"


def test_a_crash_shows_the_500_page_without_internals(make_app):
    response = _app_with_a_failing_view(make_app).test_client().get("/boom")
    body = response.get_data(as_text=True)
    assert response.status_code == 500 and "Something went wrong" in body
    assert SECRET not in body and "RuntimeError" not in body and "Traceback" not in body


def test_a_crash_answers_json_without_internals_to_a_json_client(make_app):
    response = _app_with_a_failing_view(make_app).test_client().get("/boom", headers=JSON)
    assert response.status_code == 500 and response.get_json()["error"] == "Something went wrong"
    assert SECRET not in response.get_data(as_text=True)


def _csrf_app_with_user(make_app):
    from lms.accounts.services import create_user
    from lms.db import session

    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        create_user("csrf@example.org", "password-123")
        session.commit()
    return app


def _signed_in(client) -> bool:
    return client.get("/my-learning").status_code == 200


def test_login_without_csrf_token_does_not_sign_in(make_app):
    client = _csrf_app_with_user(make_app).test_client()
    response = client.post("/account/login", data={"email": "csrf@example.org", "password": "password-123"})
    assert response.status_code != 302 and not _signed_in(client)


def test_login_without_csrf_token_is_refused_with_400(make_app):
    client = _csrf_app_with_user(make_app).test_client()
    response = client.post("/account/login", data={"email": "csrf@example.org", "password": "password-123"})
    assert response.status_code == 400


def test_login_with_the_csrf_token_from_the_form_signs_in(make_app):
    client = _csrf_app_with_user(make_app).test_client()
    token = csrf_token_from(client.get("/account/login").get_data(as_text=True))
    response = client.post("/account/login", data={"email": "csrf@example.org", "password": "password-123",
                                                   "csrf_token": token})
    assert response.status_code == 302 and _signed_in(client)


def test_sign_out_without_csrf_token_keeps_the_session(make_app):
    client = _csrf_app_with_user(make_app).test_client()
    token = csrf_token_from(client.get("/account/login").get_data(as_text=True))
    client.post("/account/login", data={"email": "csrf@example.org", "password": "password-123", "csrf_token": token})
    client.post("/account/logout")
    assert _signed_in(client)
