from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import Base, JSONType, UTCDateTime, utcnow


class Course(Base):
    """A course by its stable slug; what learners read lives in its versions."""

    __tablename__ = "lms_course"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    versions: Mapped[list[CourseVersion]] = relationship(
        back_populates="course", order_by="CourseVersion.number", cascade="all, delete-orphan"
    )


class CourseVersion(Base):
    """One immutable published version of a course: its texts, modules and items."""

    __tablename__ = "lms_course_version"
    __table_args__ = (UniqueConstraint("course_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_course.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    label: Mapped[str | None] = mapped_column(String(64))
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[dict] = mapped_column(JSONType())
    summary: Mapped[dict] = mapped_column(JSONType())
    audience: Mapped[list] = mapped_column(JSONType())
    languages: Mapped[list] = mapped_column(JSONType())
    search_text: Mapped[str] = mapped_column(Text, default="")
    is_published: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    course: Mapped[Course] = relationship(back_populates="versions")
    modules: Mapped[list[Module]] = relationship(
        back_populates="version", order_by="Module.position", cascade="all, delete-orphan"
    )


class Module(Base):
    __tablename__ = "lms_module"
    __table_args__ = (UniqueConstraint("version_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("lms_course_version.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[dict] = mapped_column(JSONType())

    version: Mapped[CourseVersion] = relationship(back_populates="modules")
    items: Mapped[list[CourseItem]] = relationship(
        back_populates="module", order_by="CourseItem.position", cascade="all, delete-orphan"
    )


class CourseItem(Base):
    """A lesson, a quiz or a launchable item (a cmi5 AU, a Tin Can activity), in its module's order.

    ``body`` holds a lesson's sanitised HTML per language; ``quiz`` holds a quiz's pass mark, attempt limit and
    questions (with their answers: never sent to the browser as they are); ``launch`` holds what launching needs.
    """

    __tablename__ = "lms_course_item"
    __table_args__ = (UniqueConstraint("version_id", "kind", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("lms_course_version.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("lms_module.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    slug: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[dict] = mapped_column(JSONType())
    minutes: Mapped[int | None] = mapped_column(Integer)
    body: Mapped[dict | None] = mapped_column(JSONType())
    quiz: Mapped[dict | None] = mapped_column(JSONType())
    launch: Mapped[dict | None] = mapped_column(JSONType(), comment=(
        "Launch data of a launchable item, NULL for lessons and quizzes (written by lms.launch). kind 'au': a cmi5 "
        "assignable unit: package (SHA-256 of its zip, NULL for an absolute URL), url, publisher_id (the AU id in "
        "cmi5.xml), structure (the cmi5 course it belongs to), index, title and description (as langstrings), "
        "move_on, mastery_score, launch_method, launch_parameters, entitlement_key, activity_type, objectives, "
        "blocks (enclosing block ids, outermost first). kind 'sco' and 'asset': a SCORM item (lms.launch.scorm). kind 'tincan': a Tin Can activity: package, url, "
        "activity_id, activity_type, name, structure."))

    module: Mapped[Module] = relationship(back_populates="items")


class Track(Base):
    """A curriculum track from tracks.yaml: the courses that lead to a certificate."""

    __tablename__ = "lms_track"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[dict] = mapped_column(JSONType())
    summary: Mapped[dict] = mapped_column(JSONType())
    audience: Mapped[list] = mapped_column(JSONType())
    course_slugs: Mapped[list] = mapped_column(JSONType())
    elective_slugs: Mapped[list] = mapped_column(JSONType(), default=list)
    electives_required: Mapped[int] = mapped_column(Integer, default=0)
    min_study_minutes: Mapped[int | None] = mapped_column(Integer)
    prerequisites: Mapped[dict] = mapped_column(JSONType(), default=dict)  # course -> courses completed before it
    pass_mark: Mapped[int] = mapped_column(Integer, default=70)
    validity_months: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CourseMedia(Base):
    """An image of a course, addressed by its content hash, so a published version's pictures never change."""

    __tablename__ = "lms_course_media"
    __table_args__ = (UniqueConstraint("course_id", "digest", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_course.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
