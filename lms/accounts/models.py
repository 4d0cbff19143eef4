from __future__ import annotations

import hashlib
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import Base, JSONType, UTCDateTime, UUIDString, new_uuid, utcnow

ROLES = ("learner", "author", "admin")
AUDIENCES = ("labor_official", "labor_inspector", "worker", "employer", "academic", "other")
LANGUAGES = ("en", "zh-Hans")


class User(UserMixin, Base):
    __tablename__ = "lms_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(UUIDString, unique=True, default=new_uuid)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(120))
    audience: Mapped[str] = mapped_column(String(32), default="other")
    language: Mapped[str] = mapped_column(String(16), default="en")
    is_active_account: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    roles: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin", order_by="UserRole.role"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login reads this name
        return self.is_active_account

    @property
    def role_names(self) -> set[str]:
        return {r.role for r in self.roles}

    def has_role(self, role: str) -> bool:
        return role in self.role_names

    def get_id(self) -> str:
        # The public id (not the row id: a cookie should not reveal how many users there are) plus a fingerprint of
        # the password hash, so that changing the password ends every other session and "keep me signed in" cookie.
        return f"{self.public_id}.{self.session_fingerprint}"

    @property
    def session_fingerprint(self) -> str:
        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]


class UserRole(Base):
    __tablename__ = "lms_user_role"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))

    user: Mapped[User] = relationship(back_populates="roles")


class LoginThrottle(Base):
    """Failed sign-ins per key (a normalised e-mail or a client address), to slow and limit guessing."""

    __tablename__ = "lms_login_throttle"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
