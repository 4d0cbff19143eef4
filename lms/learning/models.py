from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.catalog.models import Course, CourseVersion
from lms.db import Base, UTCDateTime, UUIDString, new_uuid, utcnow


class Enrollment(Base):
    """A learner on one version of a course, with the xAPI registration that groups their statements."""

    __tablename__ = "lms_enrollment"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_course.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("lms_course_version.id"), index=True)
    registration: Mapped[str] = mapped_column(UUIDString, unique=True, default=new_uuid)
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
    course: Mapped[Course] = relationship()
    version: Mapped[CourseVersion] = relationship()
