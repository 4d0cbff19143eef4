"""LRS credentials: clients with a key and a hashed secret (HTTP Basic), their scopes, per-launch credentials."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from lms.db import session, utcnow
from lms.xapi.models import SCOPES, LRSClient

ALL = "all"
LAUNCH_SCOPES = ("statements/write", "statements/read/mine", "documents")
LAUNCH_MINUTES = 8 * 60
LAST_USED_RESOLUTION = timedelta(minutes=1)  # a learner's session with one piece of content: long enough for a working day


class CredentialError(ValueError):
    """A credential request that cannot be carried out (unknown scope, unknown key)."""


@dataclass(frozen=True)
class Principal:
    """Who is calling the xAPI API, and what they may do."""

    client: LRSClient
    scopes: frozenset[str]
    user_public_id: str | None = None
    registration: str | None = None

    def may(self, scope: str) -> bool:
        return scope in self.scopes

    @property
    def authority(self) -> dict:
        """The authority the LRS sets on statements this credential stores."""
        return {"objectType": "Agent", "name": self.client.name,
                "account": {"homePage": current_app.config["LMS_BASE_URL"].rstrip("/"),
                            "name": f"lrs-client:{self.client.key}"}}


def _hash(secret: str) -> str:
    # The secret is 32 random bytes: a fast hash is enough, and keeps authentication cheap on every request.
    return hashlib.sha256(secret.encode()).hexdigest()


def normalise_scopes(scopes: list[str]) -> list[str]:
    """Expand ``all`` and check every scope. Raises CredentialError for an unknown one."""
    expanded: set[str] = set()
    for scope in scopes:
        if scope == ALL:
            expanded.update(s for s in SCOPES if s != "statements/read/mine")
        elif scope in SCOPES:
            expanded.add(scope)
        else:
            raise CredentialError(f"unknown scope {scope!r} (known: all, {', '.join(SCOPES)})")
    if not expanded:
        raise CredentialError("give at least one scope")
    return sorted(expanded)


def create_client(name: str, scopes: list[str], user_id: int | None = None, registration: str | None = None,
                  expires_at: datetime | None = None) -> tuple[LRSClient, str]:
    """Create a credential; returns it and its secret (shown once, stored only hashed). Raises CredentialError."""
    if not name.strip():
        raise CredentialError("give the credential a name")
    secret = secrets.token_urlsafe(32)
    client = LRSClient(name=name.strip(), key=secrets.token_hex(16), secret_hash=_hash(secret),
                       scopes=normalise_scopes(scopes), user_id=user_id, registration=registration,
                       expires_at=expires_at)
    session.add(client)
    session.flush()
    return client, secret


def create_launch_credential(user_id: int, registration: str, minutes: int = LAUNCH_MINUTES) -> tuple[LRSClient, str]:
    """A short-lived credential for a learner's own content, limited to that learner and registration."""
    return create_client(f"launch {registration}", list(LAUNCH_SCOPES), user_id=user_id, registration=registration,
                         expires_at=utcnow() + timedelta(minutes=minutes))


def basic_auth_header(key: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()


def list_clients(include_launch: bool = False) -> list[LRSClient]:
    query = select(LRSClient).order_by(LRSClient.created_at.desc(), LRSClient.id.desc())
    if not include_launch:
        query = query.where(LRSClient.user_id.is_(None))
    return list(session.execute(query).scalars())


def revoke_client(key: str) -> LRSClient:
    """Revoke a credential by key. Raises CredentialError for an unknown key."""
    client = session.execute(select(LRSClient).filter_by(key=key)).scalar_one_or_none()
    if client is None:
        raise CredentialError(f"no credential has the key {key}")
    if client.revoked_at is None:
        client.revoked_at = utcnow()
        session.flush()
    return client


def authenticate(authorization: str | None) -> Principal | None:
    """The principal for an HTTP Basic ``Authorization`` header, or None when it names no valid credential."""
    if not authorization or not authorization.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    key, _, secret = decoded.partition(":")
    client = session.execute(select(LRSClient).filter_by(key=key)).scalar_one_or_none()
    if client is None or not hmac.compare_digest(client.secret_hash, _hash(secret)):
        return None
    now = utcnow()
    if client.revoked_at is not None or (client.expires_at is not None and client.expires_at <= now):
        return None
    if client.last_used_at is None or now - client.last_used_at > LAST_USED_RESOLUTION:
        client.last_used_at = now  # committed with the request; at most once a minute, to keep reads cheap
    user_public_id = None
    if client.user_id is not None:
        from lms.accounts.models import User

        user = session.get(User, client.user_id)
        if user is None or not user.is_active_account:
            return None
        user_public_id = user.public_id
    return Principal(client=client, scopes=frozenset(client.scopes), user_public_id=user_public_id,
                     registration=client.registration)
