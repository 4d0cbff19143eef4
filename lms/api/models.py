from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.db import Base, UTCDateTime, utcnow


class ApiToken(Base):
    """A bearer token of the integration API. Only its SHA-256 is stored; ``prefix`` (its first characters) names
    it in lists and on the command line."""

    __tablename__ = "lms_api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ApiAgent(Base):
    """An xAPI Agent an integrating system launched content for, and the LMS account it stands for (made on first
    sight, with a password that can never sign in)."""

    __tablename__ = "lms_api_agent"

    id: Mapped[int] = mapped_column(primary_key=True)
    # tracking.services.actor_key of the Agent; hashed so that long identifiers still fit a unique index.
    agent_hash: Mapped[str] = mapped_column(String(64), unique=True)
    agent_key: Mapped[str] = mapped_column(String(512))
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
