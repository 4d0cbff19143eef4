"""The audit log: who did what, when, to what, for every administrative action.

Areas call ``record_action(actor_user_id, action, subject, details)`` from their services, inside the transaction
of the change itself, so an entry exists exactly when the change committed. Entries are never updated or deleted by
the LMS. The actor's e-mail address is copied into the entry so it still says who acted after the account is gone.

Actions are dotted names, area first (``cohort.create``, ``import.apply``, ``user.roles``, ``certificate.revoke``);
``subject`` is a short human-readable name of what was acted on (``cohort:Inspectors 2026``, ``user:a@b.org``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base, JSONType, UTCDateTime, session, utcnow

ACTION_MAX = 64
SUBJECT_MAX = 300


class AuditEntry(Base):
    """One administrative action."""

    __tablename__ = "lms_audit_entry"
    __table_args__ = (Index("ix_lms_audit_entry_action_at", "action", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id", ondelete="SET NULL"), index=True)
    actor_email: Mapped[str | None] = mapped_column(String(254))  # a copy: the account may be deleted later
    action: Mapped[str] = mapped_column(String(ACTION_MAX))
    subject: Mapped[str] = mapped_column(String(SUBJECT_MAX), default="")
    details: Mapped[dict] = mapped_column(JSONType(), default=dict)


def record_action(actor_user_id: int | None, action: str, subject: str, details: dict | None = None) -> AuditEntry:
    """Add an audit entry to the current transaction (flushes; the caller commits with the change it describes).

    ``actor_user_id`` is None for the command line and other actions no signed-in person took. ``details`` must be
    JSON-serialisable. Raises ValueError for an empty or over-long action name.
    """
    if not action or len(action) > ACTION_MAX:
        raise ValueError(f"an audit action is a name of 1 to {ACTION_MAX} characters")
    from lms.accounts.models import User  # accounts sits beside core; imported here to keep core's import light

    email = None
    if actor_user_id is not None:
        email = session.execute(select(User.email).where(User.id == actor_user_id)).scalar_one_or_none()
    entry = AuditEntry(at=utcnow(), actor_user_id=actor_user_id, actor_email=email, action=action,
                       subject=(subject or "")[:SUBJECT_MAX], details=details or {})
    session.add(entry)
    session.flush()
    return entry


def audit_query(action: str | None = None, actor: str | None = None, subject: str | None = None,
                since: datetime | None = None, until: datetime | None = None):
    """Audit entries, newest first, filtered by exact action, actor e-mail and subject substrings, and a time range
    (``since`` inclusive, ``until`` exclusive): a SELECT to page or stream."""
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if action:
        query = query.where(AuditEntry.action == action)
    if actor:
        query = query.where(AuditEntry.actor_email.like(f"%{_escape_like(actor.lower())}%", escape="\\"))
    if subject:
        query = query.where(AuditEntry.subject.ilike(f"%{_escape_like(subject)}%", escape="\\"))
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if until is not None:
        query = query.where(AuditEntry.at < until)
    return query


def audit_actions() -> list[str]:
    """Every action name that occurs in the log, sorted (for a filter's choices)."""
    return list(session.execute(select(AuditEntry.action).distinct().order_by(AuditEntry.action)).scalars())


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
