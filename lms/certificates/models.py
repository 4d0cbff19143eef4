"""Certificates: what a learner earned for a track, with the history of revocation, re-issue and recertification."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.catalog.models import Track
from lms.db import Base, JSONType, UTCDateTime, UUIDString, new_uuid, utcnow

STATES = ("valid", "expired", "revoked", "superseded")


class Certificate(Base):
    """One certificate of one learner for one track, as printed: a snapshot that later edits never change.

    ``cycle`` counts recertifications (1 for the first award) and ``revision`` re-issues within a cycle (a name
    correction); the unique constraint on (user, track, cycle, revision) makes issuing happen exactly once.
    """

    __tablename__ = "lms_certificate"
    __table_args__ = (UniqueConstraint("user_id", "track_id", "cycle", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(32), unique=True)
    credential_id: Mapped[str] = mapped_column(UUIDString, unique=True, default=new_uuid)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id", ondelete="CASCADE"), index=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("lms_track.id", ondelete="CASCADE"), index=True)
    cycle: Mapped[int] = mapped_column(Integer, default=1)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    learner_name: Mapped[str] = mapped_column(String(120))
    language: Mapped[str] = mapped_column(String(16), default="en")
    track_slug: Mapped[str] = mapped_column(String(100))
    track_title: Mapped[dict] = mapped_column(JSONType())
    issuer_name: Mapped[str] = mapped_column(String(200))
    # [{"slug", "title": {lang: text}, "score": percent or None, "completed_at": ISO text or None}, ...]
    courses: Mapped[list] = mapped_column(JSONType(), default=list)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_certificate.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship()
    track: Mapped[Track] = relationship()
    superseded_by: Mapped[Certificate | None] = relationship(remote_side=[id])

    def state(self, now: datetime) -> str:
        """valid, expired, revoked or superseded at ``now`` (revocation outranks the rest)."""
        if self.revoked_at is not None:
            return "revoked"
        if self.superseded_at is not None:
            return "superseded"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "valid"


class Recertification(Base):
    """A track re-opened for a learner: a new cycle, whose certificate supersedes the previous cycle's."""

    __tablename__ = "lms_recertification"
    __table_args__ = (UniqueConstraint("user_id", "track_id", "cycle"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id", ondelete="CASCADE"), index=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("lms_track.id", ondelete="CASCADE"), index=True)
    cycle: Mapped[int] = mapped_column(Integer)
    previous_certificate_id: Mapped[int | None] = mapped_column(
        ForeignKey("lms_certificate.id", ondelete="SET NULL"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id", ondelete="SET NULL"))


class CertificateReminder(Base):
    """An expiry reminder sent (or skipped as overtaken by a later one), so each is sent once."""

    __tablename__ = "lms_certificate_reminder"
    __table_args__ = (UniqueConstraint("certificate_id", "days_before"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("lms_certificate.id", ondelete="CASCADE"), index=True)
    days_before: Mapped[int] = mapped_column(Integer)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class VerificationThrottle(Base):
    """Verification look-ups per client address (hashed) in the current window, to make guessing serials slow."""

    __tablename__ = "lms_verification_throttle"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lookups: Mapped[int] = mapped_column(Integer, default=0)
