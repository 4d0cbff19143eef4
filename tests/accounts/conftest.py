"""Helpers for the account tests: what the database holds about an account, read back as plain values."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest


@pytest.fixture
def stored_user(app):
    """stored_user(email) -> a snapshot of the account (email, display_name, audience, language, roles,
    password_hash), or None when there is no such account."""

    def read(email: str):
        from lms.accounts.services import find_user

        with app.app_context():
            user = find_user(email)
            if user is None:
                return None
            return SimpleNamespace(email=user.email, display_name=user.display_name, audience=user.audience,
                                   language=user.language, roles=set(user.role_names),
                                   password_hash=user.password_hash, public_id=user.public_id)

    return read


@pytest.fixture
def user_count(app):
    """user_count() -> how many accounts exist."""

    def count() -> int:
        from lms.accounts.services import count_users

        with app.app_context():
            return count_users()

    return count


def sign_in(client, email: str, password: str, url: str = "/account/login"):
    return client.post(url, data={"email": email, "password": password})


def is_signed_in(client) -> bool:
    """Whether the client's session is signed in: My learning opens instead of sending to the sign-in page."""
    return client.get("/my-learning").status_code == 200


def same_page_but_email(first, first_email: str, second, second_email: str) -> bool:
    """Whether two responses are the same page once the e-mail echoed into the form and the CSRF tokens (signed
    with a timestamp) are set aside."""

    def normalised(response, email: str) -> str:
        body = response.get_data(as_text=True).replace(email, "EMAIL")
        return re.sub(r'(name="csrf_token"[^>]*value=")[^"]*', r"\1TOKEN", body)

    return (first.status_code == second.status_code
            and normalised(first, first_email) == normalised(second, second_email))
