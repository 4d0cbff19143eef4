"""The integration API's operations: tokens, learners for xAPI Agents, and the course and launch actions the
endpoints expose (each a call into ``lms.launch.services``). Plain functions: they flush, the view commits."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from lms.accounts.models import User
from lms.accounts.services import AccountError, create_user, find_user
from lms.api.models import ApiAgent, ApiToken
from lms.catalog.models import Course
from lms.db import session, utcnow
from lms.launch import packages
from lms.launch import services as launch
from lms.launch.cmi5 import LAUNCH_MODES
from lms.launch.statements import WAIVE_REASONS
from lms.learning.models import Enrollment
from lms.tracking.services import actor_key
from lms.tracking.validation import StatementInvalid, validate_statement

TOKEN_PREFIX = "lmsapi_"
ZIP_TYPES = ("application/zip", "application/x-zip-compressed")
XML_TYPES = ("text/xml", "application/xml")


class ApiError(Exception):
    """An API request that cannot be carried out: its HTTP status and a message naming what is wrong."""

    def __init__(self, status: int, message: str, **extra) -> None:
        super().__init__(message)
        self.status, self.message, self.extra = status, message, extra


# --- tokens ---------------------------------------------------------------------------------------------------

def _hash(token: str) -> str:
    # The token is 32 random bytes: a fast hash is enough (nothing to guess), and keeps every request cheap.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(name: str) -> tuple[ApiToken, str]:
    """Create a token; returns it and its value (shown once, stored only hashed). Raises ApiError for no name."""
    if not name.strip():
        raise ApiError(400, "give the token a name")
    value = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(name=name.strip()[:200], prefix=value[:16], token_hash=_hash(value))
    session.add(token)
    session.flush()
    return token, value


def list_tokens() -> list[ApiToken]:
    """Every token, newest first (revoked ones included)."""
    return list(session.execute(select(ApiToken).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())).scalars())


def revoke_token(reference: str) -> ApiToken:
    """Revoke a token by its prefix (or its whole value). Raises ApiError 404 when none matches."""
    reference = reference.strip()
    token = session.execute(select(ApiToken).where(
        (ApiToken.prefix == reference[:16]) if reference.startswith(TOKEN_PREFIX) else (ApiToken.prefix == reference)
    )).scalar_one_or_none()
    if token is None:
        raise ApiError(404, f"no API token starts with {reference[:16]!r}")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.flush()
    return token


def authenticate(authorization: str | None) -> ApiToken | None:
    """The active token an ``Authorization: Bearer ...`` header carries, or None."""
    if not authorization or not authorization.lower().startswith("bearer "):
        return None
    value = authorization[7:].strip()
    token = session.execute(select(ApiToken).filter_by(prefix=value[:16])).scalar_one_or_none()
    if token is None or token.revoked_at is not None or not hmac.compare_digest(token.token_hash, _hash(value)):
        return None
    token.last_used_at = utcnow()
    return token


# --- learners for agents --------------------------------------------------------------------------------------

def _checked_agent(agent) -> dict:
    if not isinstance(agent, dict):
        raise ApiError(400, "actor must be an xAPI Agent object")
    try:
        validate_statement({"actor": agent, "verb": {"id": "http://example.org/v"},
                            "object": {"id": "http://example.org/a"}})
    except StatementInvalid as error:
        raise ApiError(400, f"actor is not a valid xAPI Agent: {error.message}") from None
    if agent.get("objectType", "Agent") != "Agent":
        raise ApiError(400, "actor must be an Agent, not a Group")
    return agent


def learner_for_agent(agent) -> User:
    """The LMS account an xAPI Agent stands for: this LMS's own account agent, an account with the Agent's e-mail
    address, or one made for it (with a password that can never sign in). Raises ApiError 400 for an invalid Agent
    or an unknown account of this LMS."""
    agent = _checked_agent(agent)
    account = agent.get("account")
    base_url = current_app.config["LMS_BASE_URL"].rstrip("/")
    if account and account["homePage"].rstrip("/") == base_url:
        user = session.execute(select(User).filter_by(public_id=account["name"])).scalar_one_or_none()
        if user is None:
            raise ApiError(400, "actor names an account of this LMS that does not exist")
        return user
    key = actor_key(agent)
    agent_hash = hashlib.sha256(key.encode("utf-8")).hexdigest()
    mapped = session.execute(select(ApiAgent).filter_by(agent_hash=agent_hash)).scalar_one_or_none()
    if mapped is not None:
        return mapped.user
    email = agent["mbox"][len("mailto:"):] if "mbox" in agent else f"api-{agent_hash[:24]}@agents.invalid"
    user = find_user(email)
    if user is None:
        try:
            user = create_user(email, secrets.token_urlsafe(24), (agent.get("name") or "").strip()[:120] or None)
        except AccountError as error:
            raise ApiError(400, f"no account could be made for this actor: {error}") from None
        # No password hash can start with "!": the account exists for launching and can never sign in.
        user.password_hash = "!" + secrets.token_hex(16)
    session.add(ApiAgent(agent_hash=agent_hash, agent_key=key[:512], user_id=user.id))
    session.flush()
    return user


# --- courses --------------------------------------------------------------------------------------------------

def import_course(data: bytes, content_type: str, course_slug: str | None = None) -> launch.ImportResult:
    """Import a package sent as the request body; ``content_type`` says whether it is a zip or an XML file.

    Raises ApiError: 415 for another content type, 400 (``invalid_package``) for a package the LMS refuses.
    """
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type not in ZIP_TYPES + XML_TYPES:
        raise ApiError(415, "send the package as application/zip (a zip) or as application/xml or text/xml "
                            "(a cmi5.xml or tincan.xml)")
    if media_type in ZIP_TYPES and not packages.is_zip(data):
        raise ApiError(400, "the body is not a zip archive, though the Content-Type says it is",
                       invalid_package=True)
    if media_type in XML_TYPES and packages.is_zip(data):
        raise ApiError(400, "the body is a zip archive: send it as application/zip", invalid_package=True)
    try:
        return launch.import_package(data, course_slug=course_slug)
    except launch.PackageInvalid as error:
        raise ApiError(400, str(error), invalid_package=True, rule=error.rule) from None
    except launch.LaunchError as error:
        raise ApiError(400, str(error)) from None


def course_by_id(course_id: int) -> Course:
    """A course by id. Raises ApiError 404 when there is none."""
    course = session.get(Course, course_id)
    if course is None:
        raise ApiError(404, f"there is no course {course_id}")
    return course


def delete_course(course_id: int) -> list[str]:
    """Delete a course; returns the package digests whose files to remove after committing. Raises ApiError 404."""
    return launch.delete_course(course_by_id(course_id))


# --- launches -------------------------------------------------------------------------------------------------

@dataclass
class LaunchRequest:
    course_id: int
    au_index: int
    actor: dict
    registration: str | None = None
    launch_mode: str = "Normal"
    return_url: str | None = None

    @classmethod
    def from_json(cls, body) -> LaunchRequest:
        """Read the JSON body of POST /launches. Raises ApiError 400 naming the bad field."""
        if not isinstance(body, dict):
            raise ApiError(400, "the body must be a JSON object")
        course, index = body.get("course"), body.get("au")
        if isinstance(course, bool) or not isinstance(course, int):
            raise ApiError(400, "course must be a course id (an integer)")
        if isinstance(index, bool) or not isinstance(index, int) or index < 0:
            raise ApiError(400, "au must be the 0-based index of an assignable unit, in course-structure order")
        registration = body.get("registration")
        if registration is not None and (not isinstance(registration, str) or not _is_uuid(registration)):
            raise ApiError(400, "registration must be a UUID")
        mode = body.get("launchMode", "Normal")
        if mode not in LAUNCH_MODES:
            raise ApiError(400, f"launchMode must be one of {', '.join(LAUNCH_MODES)}")
        return_url = body.get("returnURL")
        if return_url is not None and (not isinstance(return_url, str)
                                       or not return_url.startswith(("http://", "https://"))):
            raise ApiError(400, "returnURL must be an http or https URL")
        if "actor" not in body:
            raise ApiError(400, "actor (the learner, an xAPI Agent) is required")
        return cls(course, index, body["actor"], registration, mode, return_url)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return len(value) == 36


def launch_for_agent(request: LaunchRequest, links: launch.Links) -> launch.Launch:
    """Launch an AU of a course for the learner an Agent stands for, enrolling them when needed.

    Raises ApiError: 404 (no such course), 400 (bad actor, index, or a registration that is not theirs).
    """
    course = course_by_id(request.course_id)
    user = learner_for_agent(request.actor)
    try:
        enrollment = launch.enrollment_with_registration(user, course, request.registration)
        item = launch.au_by_index(enrollment, request.au_index)
        return launch.launch_au(user, enrollment, item, links, launch_mode=request.launch_mode,
                                return_url=request.return_url, origin="api")
    except launch.LaunchError as error:
        raise ApiError(400, str(error)) from None


def waive(registration: str, au_index: int, reason: str) -> str:
    """Waive the AU at ``au_index`` in a registration. Raises ApiError 404 (no such registration), 400 (index,
    reason) or 409 (already waived)."""
    enrollment = session.execute(select(Enrollment).filter_by(registration=registration.lower())
                                 ).scalar_one_or_none()
    if enrollment is None:
        raise ApiError(404, f"there is no registration {registration}")
    try:
        item = launch.au_by_index(enrollment, au_index)
    except launch.LaunchError as error:
        raise ApiError(400, str(error)) from None
    if reason not in WAIVE_REASONS:
        raise ApiError(400, "reason must be one of: " + ", ".join(WAIVE_REASONS))
    try:
        return launch.waive(enrollment, item, reason)
    except launch.LaunchError as error:
        raise ApiError(409, str(error)) from None


def abandon(session_id: str) -> str | None:
    """Abandon a launch session. Raises ApiError 404 (unknown) or 409 (already terminated or abandoned)."""
    found = launch.session_by_id(session_id)
    if found is None:
        raise ApiError(404, f"there is no session {session_id}")
    try:
        return launch.abandon_session(found)
    except launch.LaunchError as error:
        raise ApiError(409, str(error)) from None
