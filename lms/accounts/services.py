"""Accounts: creating users, checking passwords with a throttle, roles and profile changes."""

from __future__ import annotations

import functools
import hashlib
import hmac
import time
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from lms.accounts.models import AUDIENCES, LANGUAGES, ROLES, LoginThrottle, User, UserRole
from lms.core.models import Setting
from lms.db import session, utcnow



@functools.lru_cache(maxsize=4)
def _hasher_for(params: tuple) -> tuple[PasswordHasher, str]:
    hasher = PasswordHasher(**dict(params))
    return hasher, hasher.hash("a password nobody has")  # verified against when the e-mail is unknown


def _hasher() -> PasswordHasher:
    """Argon2id with argon2-cffi's recommended parameters, or LMS_PASSWORD_HASH_PARAMS (cheaper ones in tests)."""
    return _hasher_for(tuple(sorted((current_app.config.get("LMS_PASSWORD_HASH_PARAMS") or {}).items())))[0]


def _dummy_hash() -> str:
    return _hasher_for(tuple(sorted((current_app.config.get("LMS_PASSWORD_HASH_PARAMS") or {}).items())))[1]
MIN_PASSWORD_LENGTH = 8


class AccountError(ValueError):
    """A request about an account that cannot be carried out; ``field`` names the form field at fault."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class SignInLocked(Exception):
    """Too many failed sign-ins for this e-mail or address; ``minutes`` until the next try is allowed."""

    def __init__(self, minutes: int) -> None:
        super().__init__(minutes)
        self.minutes = minutes


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def load_user(session_id: str) -> User | None:
    """Flask-Login's loader: the active user whose ``get_id()`` is ``session_id`` (stale after a password change)."""
    public_id, _, fingerprint = session_id.partition(".")
    # One query for the user and roles: this runs on every signed-in request.
    user = session.execute(select(User).filter_by(public_id=public_id).options(joinedload(User.roles))
                           ).unique().scalar_one_or_none()
    if user is None or not user.is_active_account or not hmac.compare_digest(fingerprint, user.session_fingerprint):
        return None
    return user


def find_user(email: str) -> User | None:
    return session.execute(select(User).filter_by(email=normalise_email(email))).scalar_one_or_none()


def create_user(email: str, password: str, display_name: str | None = None, roles: list[str] | None = None,
                audience: str = "other", language: str = "en") -> User:
    """Create an account. Raises AccountError for a taken e-mail, a short password or an unknown role."""
    email = normalise_email(email)
    roles = sorted(set(roles or ["learner"]))
    for role in roles:
        if role not in ROLES:
            raise AccountError(f"unknown role {role!r} (known: {', '.join(ROLES)})", "role")
    if audience not in AUDIENCES:
        raise AccountError(f"unknown audience {audience!r}", "audience")
    if language not in LANGUAGES:
        raise AccountError(f"unknown language {language!r}", "language")
    check_password_strength(password)
    if find_user(email) is not None:
        raise AccountError("an account with this e-mail address already exists", "email")
    user = User(email=email, password_hash=hash_password(password),
                display_name=(display_name or email.split("@")[0]).strip(), audience=audience, language=language)
    user.roles = [UserRole(role=role) for role in roles]
    session.add(user)
    session.flush()
    return user


def check_password_strength(password: str) -> None:
    """Raises AccountError when a new password is too short."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters", "password")


def set_roles(user: User, roles: list[str]) -> None:
    """Replace a user's roles. Raises AccountError for an unknown role or an empty set."""
    wanted = set(roles)
    if not wanted or not wanted <= set(ROLES):
        raise AccountError("choose one or more of: " + ", ".join(ROLES), "roles")
    keep = [r for r in user.roles if r.role in wanted]
    user.roles = keep + [UserRole(role=role) for role in sorted(wanted - {r.role for r in keep})]
    session.flush()


def update_profile(user: User, display_name: str, audience: str, language: str) -> None:
    """Change what a user says about themselves. Raises AccountError for an unknown audience or language."""
    if audience not in AUDIENCES:
        raise AccountError("unknown audience", "audience")
    if language not in LANGUAGES:
        raise AccountError("unknown language", "language")
    user.display_name = display_name.strip()
    user.audience = audience
    user.language = language
    session.flush()


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change a password after checking the current one. Raises AccountError naming the field at fault."""
    if not _verify(user.password_hash, current_password):
        raise AccountError("the current password is not correct", "current_password")
    check_password_strength(new_password)
    user.password_hash = hash_password(new_password)
    session.flush()


# --- signing in --------------------------------------------------------------------------------------------

def authenticate(email: str, password: str, client_address: str) -> User | None:
    """The user whose e-mail and password match, or None; the same answer and time whether or not the e-mail exists.

    Raises SignInLocked while the e-mail or the client address has too many recent failures.
    """
    keys = [_throttle_key("email", normalise_email(email)), _throttle_key("address", client_address)]
    _refuse_if_locked(keys)
    user = find_user(email)
    is_valid = _verify(user.password_hash if user else _dummy_hash(), password) and user is not None
    if is_valid and user.is_active_account:
        _clear(keys[0])
        user.last_login_at = utcnow()
        if _hasher().check_needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        session.flush()
        return user
    for key in keys:
        _record_failure(key)
    session.flush()
    delay = current_app.config["LMS_LOGIN_FAILURE_DELAY"]
    if delay:
        time.sleep(delay)  # slows guessing; the lock below limits it
    return None


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _throttle_key(kind: str, value: str) -> str:
    # Hashed so the table never holds the e-mail addresses people mistyped.
    return kind + ":" + hashlib.sha256(value.encode()).hexdigest()


def _refuse_if_locked(keys: list[str]) -> None:
    now = utcnow()
    rows = session.execute(select(LoginThrottle).where(LoginThrottle.key.in_(keys))).scalars()
    for row in rows:
        if row.locked_until and row.locked_until > now:
            raise SignInLocked(max(1, int((row.locked_until - now).total_seconds() // 60) + 1))


def _record_failure(key: str) -> None:
    config = current_app.config
    now = utcnow()
    window = timedelta(minutes=config["LMS_LOGIN_LOCK_MINUTES"])
    row = session.get(LoginThrottle, key)
    if row is None:
        row = LoginThrottle(key=key, failures=0, last_failure_at=now)
        session.add(row)
    elif now - row.last_failure_at > window:
        row.failures = 0
    row.failures += 1
    row.last_failure_at = now
    # Address keys get more room: many honest people can share one address (an office, a mobile carrier).
    limit = config["LMS_LOGIN_MAX_FAILURES"] * (4 if key.startswith("address:") else 1)
    if row.failures >= limit:
        row.locked_until = now + window


def _clear(key: str) -> None:
    row = session.get(LoginThrottle, key)
    if row is not None:
        session.delete(row)


# --- site settings -----------------------------------------------------------------------------------------

def is_registration_open() -> bool:
    """Whether visitors may create their own accounts (an admin setting; default from LMS_SELF_REGISTRATION)."""
    row = session.get(Setting, "self_registration")
    return bool(current_app.config["LMS_SELF_REGISTRATION"] if row is None else row.value)


def set_registration_open(is_open: bool) -> None:
    row = session.get(Setting, "self_registration")
    if row is None:
        session.add(Setting(key="self_registration", value=bool(is_open)))
    else:
        row.value = bool(is_open)
    session.flush()


def count_users() -> int:
    return session.execute(select(func.count(User.id))).scalar_one()
