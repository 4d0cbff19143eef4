from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base, JSONType, UTCDateTime, utcnow


class Setting(Base):
    """Site settings an admin changes at run time (e.g. whether self-registration is open)."""

    __tablename__ = "lms_setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[object] = mapped_column(JSONType())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    note: Mapped[str | None] = mapped_column(Text)
