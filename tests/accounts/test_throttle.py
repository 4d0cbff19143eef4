"""The sign-in throttle: after LMS_LOGIN_MAX_FAILURES failures for one e-mail, sign-in is refused for a while."""

from datetime import timedelta

from sqlalchemy import select

from lms.accounts.models import LoginThrottle
from tests.accounts.conftest import is_signed_in, same_page_but_email, sign_in

LOCKED = "Too many failed sign-in attempts"


def _fail(client, email: str, times: int) -> None:
    for _ in range(times):
        assert sign_in(client, email, "not-the-password").status_code == 401


def _fail_until_locked(app, client, email: str) -> None:
    _fail(client, email, app.config["LMS_LOGIN_MAX_FAILURES"])


def _move_clock(app, minutes: int) -> None:
    """Make every throttle record `minutes` older, as if that much time had passed (no sleeping)."""
    from lms.db import session

    with app.app_context():
        for row in session.execute(select(LoginThrottle)).scalars():
            row.last_failure_at -= timedelta(minutes=minutes)
            if row.locked_until is not None:
                row.locked_until -= timedelta(minutes=minutes)
        session.commit()


def test_failures_below_the_limit_still_allow_the_right_password(app, client, make_user):
    user = make_user()
    _fail(client, user.email, app.config["LMS_LOGIN_MAX_FAILURES"] - 1)
    assert sign_in(client, user.email, user.password).status_code == 302


def test_after_max_failures_even_the_right_password_is_refused(app, client, make_user):
    user = make_user()
    _fail_until_locked(app, client, user.email)
    response = sign_in(client, user.email, user.password)
    assert response.status_code == 429 and LOCKED in response.get_data(as_text=True)
    assert not is_signed_in(client)


def test_an_email_without_an_account_is_locked_the_same_way(app, client, make_user):
    user = make_user(email="real@example.org")
    _fail_until_locked(app, client, user.email)
    _fail_until_locked(app, client, "ghost@example.org")
    existing = sign_in(client, user.email, user.password)
    missing = sign_in(client, "ghost@example.org", user.password)
    assert existing.status_code == missing.status_code == 429
    assert LOCKED in missing.get_data(as_text=True)
    assert same_page_but_email(existing, "real@example.org", missing, "ghost@example.org")


def test_failures_count_for_the_email_whatever_its_case(app, client, make_user):
    user = make_user(email="mixed@example.org")
    _fail_until_locked(app, client, "Mixed@Example.org")
    assert sign_in(client, user.email, user.password).status_code == 429


def test_a_locked_email_does_not_lock_other_accounts(app, client, make_user):
    victim, other = make_user(), make_user()
    _fail_until_locked(app, client, victim.email)
    assert sign_in(client, other.email, other.password).status_code == 302


def test_the_lock_expires(app, client, make_user):
    user = make_user()
    _fail_until_locked(app, client, user.email)
    _move_clock(app, app.config["LMS_LOGIN_LOCK_MINUTES"] + 1)
    assert sign_in(client, user.email, user.password).status_code == 302


def test_the_lock_holds_until_it_expires(app, client, make_user):
    user = make_user()
    _fail_until_locked(app, client, user.email)
    _move_clock(app, app.config["LMS_LOGIN_LOCK_MINUTES"] - 2)
    assert sign_in(client, user.email, user.password).status_code == 429


def test_the_throttle_table_never_holds_the_email(app, client, db):
    _fail(client, "typo@example.org", 1)
    keys = db.session.execute(select(LoginThrottle.key)).scalars().all()
    assert keys and not any("typo@example.org" in key for key in keys)
