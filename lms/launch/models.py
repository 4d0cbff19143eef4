"""Launchable content: uploaded packages, the launch structure they give a course version, and launch sessions.

The AUs and Tin Can activities themselves are the version's ``CourseItem`` rows (their ``launch`` column); what
belongs to no single item (a cmi5 course's blocks and objectives) is a ``LaunchStructure``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import Base, JSONType, UTCDateTime, UUIDString, utcnow

KINDS = ("cmi5", "tincan")


class ContentPackage(Base):
    """An upload (a zip, or a bare cmi5.xml / tincan.xml), once per SHA-256 of its bytes.

    A zip's files live under ``<instance>/packages/<sha256>/`` (``has_files``); a bare XML has none: its AUs
    point at absolute URLs. The SCORM player stores its packages the same way (``kind`` "scorm").
    """

    __tablename__ = "lms_content_package"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str] = mapped_column(String(255), default="")
    size_bytes: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), default=0)
    file_count: Mapped[int] = mapped_column(Integer, default=0)
    has_files: Mapped[bool] = mapped_column(default=False)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LaunchStructure(Base):
    """One imported package inside one course version: the cmi5 course (its id, title, blocks, objectives) or the
    Tin Can package. A version carries every structure its items come from, so the next version can copy them."""

    __tablename__ = "lms_launch_structure"
    __table_args__ = (UniqueConstraint("version_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("lms_course_version.id", ondelete="CASCADE"), index=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("lms_content_package.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    # The first 16 hex digits of the SHA-256 of publisher_id: short enough to index and to put in LMS IRIs.
    key: Mapped[str] = mapped_column(String(16))
    publisher_id: Mapped[str] = mapped_column(String(2048))
    title: Mapped[dict] = mapped_column(JSONType())
    # cmi5: {"blocks": [{"id", "title", "description", "objectives", "parent", "au_ids"}], "objectives": {...}}
    structure: Mapped[dict] = mapped_column(JSONType())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    package: Mapped[ContentPackage] = relationship()


class LaunchSession(Base):
    """One launch of an AU or Tin Can activity for a learner: a cmi5 session (cmi5 3.0) from launch to
    termination or abandonment.

    The fetch token (cmi5 8.2) is kept only as its SHA-256 and works once (``fetched_at``); the LRS credential it
    hands out is ``lrs_client_id``, which is how the LRS finds the session a statement belongs to.
    """

    __tablename__ = "lms_launch_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[str] = mapped_column(UUIDString, unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id", ondelete="CASCADE"), index=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("lms_enrollment.id", ondelete="CASCADE"), index=True)
    registration: Mapped[str] = mapped_column(UUIDString, index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("lms_course_item.id", ondelete="CASCADE"), index=True)
    activity_id: Mapped[str] = mapped_column(String(2048))
    publisher_id: Mapped[str] = mapped_column(String(2048), default="")
    launch_mode: Mapped[str] = mapped_column(String(16), default="Normal")
    move_on: Mapped[str] = mapped_column(String(32), default="NotApplicable")
    mastery_score: Mapped[float | None] = mapped_column(Float)
    origin: Mapped[str] = mapped_column(String(16), default="lms")  # "lms" (a learner's page) or "api"
    fetch_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lrs_client_id: Mapped[int | None] = mapped_column(ForeignKey("lms_lrs_client.id", ondelete="SET NULL"),
                                                      index=True)
    launched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    initialized_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    terminated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    abandoned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_statement_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    has_completed: Mapped[bool] = mapped_column(default=False)
    has_passed: Mapped[bool] = mapped_column(default=False)
    has_failed: Mapped[bool] = mapped_column(default=False)

    @property
    def is_open(self) -> bool:
        return self.terminated_at is None and self.abandoned_at is None
