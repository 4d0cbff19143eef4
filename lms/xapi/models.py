from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base, JSONType, UTCDateTime, utcnow

SCOPES = ("statements/write", "statements/read", "statements/read/mine", "documents")


class LRSClient(Base):
    """A credential for the xAPI API: a key and a hashed secret (HTTP Basic), with scopes.

    A per-launch credential (for a learner's own browser content) names the user and registration it is limited
    to and expires soon.
    """

    __tablename__ = "lms_lrs_client"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(64), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(128))
    scopes: Mapped[list] = mapped_column(JSONType())
    user_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id", ondelete="CASCADE"), index=True)
    registration: Mapped[str | None] = mapped_column(String(36))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Document(Base):
    """A State, Activity Profile or Agent Profile document, with its ETag."""

    __tablename__ = "lms_xapi_document"
    __table_args__ = (Index("ix_lms_xapi_document_context", "kind", "agent_key", "registration"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The SHA-256 of the whole address (kind, activity, agent, registration, document id): one short unique key,
    # where a unique index over the long IRIs themselves would exceed PostgreSQL's index-entry limit.
    address_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # "state", "activity_profile" or "agent_profile"
    activity_id: Mapped[str] = mapped_column(String(2048), default="")
    agent_key: Mapped[str] = mapped_column(String(512), default="")
    registration: Mapped[str] = mapped_column(String(36), default="")
    document_id: Mapped[str] = mapped_column(String(2048))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    content_type: Mapped[str] = mapped_column(String(255))
    etag: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Attachment(Base):
    """An attachment's content, stored once per SHA-256 and referenced from statements by that hash."""

    __tablename__ = "lms_xapi_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha2: Mapped[str] = mapped_column(String(128), unique=True)
    content_type: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OutboxEntry(Base):
    """A stored statement waiting to be forwarded to the external LRS (at least once, in order)."""

    __tablename__ = "lms_xapi_outbox"
    __table_args__ = (Index("ix_lms_xapi_outbox_status_id", "status", "id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    statement_pk: Mapped[int] = mapped_column(ForeignKey("lms_statement.id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, sent, parked
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
