"""Authoring: who may edit a course, its working copy (the draft), what each published version was made from, who
changed what, and uploaded zips waiting for the author to confirm them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.catalog.models import Course
from lms.db import Base, JSONType, UTCDateTime, UUIDString, new_uuid, utcnow

OWNER = "owner"
COAUTHOR = "coauthor"


class CourseAuthor(Base):
    """An author of a course: its owner (who created it) or a co-author the owner invited.

    Courses loaded from files have no owner row: administrators own them.
    """

    __tablename__ = "lms_authoring_course_author"
    __table_args__ = (UniqueConstraint("course_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_course.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))  # OWNER or COAUTHOR
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id", ondelete="SET NULL"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    course: Mapped[Course] = relationship()


class Draft(Base):
    """A course's one working copy. ``document`` has the shape of the course files (course.yaml's fields, each
    lesson's title, minutes and Markdown per language, each quiz's settings and questions): see authoring.documents.
    """

    __tablename__ = "lms_authoring_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_course.id", ondelete="CASCADE"), unique=True)
    document: Mapped[dict] = mapped_column(JSONType())
    base_version_id: Mapped[int | None] = mapped_column(ForeignKey("lms_course_version.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id", ondelete="SET NULL"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    course: Mapped[Course] = relationship()
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    media: Mapped[list[DraftMedia]] = relationship(back_populates="draft", cascade="all, delete-orphan",
                                                   order_by="DraftMedia.name")


class DraftMedia(Base):
    """An image of a draft, as it will be stored in media/ (already checked and re-encoded)."""

    __tablename__ = "lms_authoring_draft_media"
    __table_args__ = (UniqueConstraint("draft_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("lms_authoring_draft.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    digest: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    draft: Mapped[Draft] = relationship(back_populates="media")


class VersionSource(Base):
    """The files a published version was made from (the text files; images by digest, their bytes are in
    lms_course_media), so it can be exported, diffed and edited again. Written when the editor or an import
    publishes, or taken from the courses folder for a version loaded by ``courses sync`` while its files still
    match."""

    __tablename__ = "lms_authoring_version_source"

    version_id: Mapped[int] = mapped_column(ForeignKey("lms_course_version.id", ondelete="CASCADE"),
                                            primary_key=True)
    files: Mapped[dict] = mapped_column(JSONType())  # relative name -> text
    media: Mapped[dict] = mapped_column(JSONType())  # image name -> digest
    origin: Mapped[str] = mapped_column(String(16))  # "editor", "import" or "files"
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")
    moved_learners: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    published_by: Mapped[User | None] = relationship()


class DraftChange(Base):
    """One kind of change one person made to a draft (repeats are folded into one row). Pending while
    ``version_id`` is empty; publishing files them under the new version."""

    __tablename__ = "lms_authoring_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_course.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("lms_course_version.id", ondelete="CASCADE"),
                                                   index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id", ondelete="SET NULL"))
    user_name: Mapped[str] = mapped_column(String(120), default="")  # a copy: the account may be deleted later
    action: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(300), default="")
    language: Mapped[str | None] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PendingImport(Base):
    """An uploaded course zip, kept only until its author confirms or cancels the import (a day at most)."""

    __tablename__ = "lms_authoring_pending_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(UUIDString, unique=True, default=new_uuid)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255), default="")
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
