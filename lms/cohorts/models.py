from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.catalog.models import Course, Track
from lms.db import Base, JSONType, UTCDateTime, UUIDString, new_uuid, utcnow

NAME_MAX = 120
ORGANISATION_MAX = 200


class Cohort(Base):
    """A named group of learners (a class, an intake, a region's inspectors). Archived cohorts are read-only."""

    __tablename__ = "lms_cohort"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    # The name folded for comparison, so "Inspectors 2026" and "inspectors 2026" cannot both exist.
    name_key: Mapped[str] = mapped_column(String(NAME_MAX), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    is_archived: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id", ondelete="SET NULL"))
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    assignments: Mapped[list[CohortAssignment]] = relationship(
        back_populates="cohort", cascade="all, delete-orphan", order_by="CohortAssignment.id")


class CohortMember(Base):
    """A learner in a cohort. Removing sets ``removed_at`` (the row stays, and so do the learner's enrolments and
    progress); adding again clears it."""

    __tablename__ = "lms_cohort_member"
    __table_args__ = (UniqueConstraint("cohort_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("lms_cohort.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id", ondelete="CASCADE"), index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
    cohort: Mapped[Cohort] = relationship()


class CohortAssignment(Base):
    """A cohort enrolled in a track (its required courses) or in one course, with an optional due date.

    Members get an enrolment in each course when the assignment is made and when they join later.
    """

    __tablename__ = "lms_cohort_assignment"
    __table_args__ = (
        CheckConstraint("(track_id IS NULL) <> (course_id IS NULL)", name="one_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("lms_cohort.id", ondelete="CASCADE"), index=True)
    track_id: Mapped[int | None] = mapped_column(ForeignKey("lms_track.id", ondelete="CASCADE"))
    course_id: Mapped[int | None] = mapped_column(ForeignKey("lms_course.id", ondelete="CASCADE"))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id", ondelete="SET NULL"))

    cohort: Mapped[Cohort] = relationship(back_populates="assignments")
    track: Mapped[Track | None] = relationship()
    course: Mapped[Course | None] = relationship()


class LearnerOrganisation(Base):
    """The employer or organisation a learner works for, as given by an administrator (reports filter by it)."""

    __tablename__ = "lms_learner_organisation"

    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id", ondelete="CASCADE"), primary_key=True)
    organisation: Mapped[str] = mapped_column(String(ORGANISATION_MAX), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ImportBatch(Base):
    """An uploaded enrolment file, kept between its preview and its application so nothing submitted is lost.

    ``content_hash`` (SHA-256 of the bytes) travels in the apply form with the id: what is applied is exactly what
    was previewed. Batches are deleted after ``importing.KEEP_DAYS`` days (they hold personal data).
    """

    __tablename__ = "lms_import_batch"

    id: Mapped[str] = mapped_column(UUIDString, primary_key=True, default=new_uuid)
    filename: Mapped[str] = mapped_column(String(255))
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    default_cohort: Mapped[str | None] = mapped_column(String(NAME_MAX))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id", ondelete="SET NULL"))
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    applied_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id", ondelete="SET NULL"))
    summary: Mapped[dict | None] = mapped_column(JSONType())


class Invitation(Base):
    """A one-time link for a new account to set its password. Only a hash of the token is stored."""

    __tablename__ = "lms_invitation"
    __table_args__ = (Index("ix_lms_invitation_user_accepted", "user_id", "accepted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
