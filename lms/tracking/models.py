from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import BigInteger, Float, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import Base, JSONType, UTCDateTime, UUIDString, utcnow

IRI = String(2048)


class Statement(Base):
    """One stored xAPI statement: the full JSON plus an indexed column for every query filter."""

    __tablename__ = "lms_statement"
    __table_args__ = (
        Index("ix_lms_statement_actor_stored", "actor_key", "stored_at"),
        Index("ix_lms_statement_registration_stored", "registration", "stored_at"),
        # IRIs may be long: hash indexes on PostgreSQL have no entry-size limit (B-trees refuse ~2.7 kB entries).
        Index("ix_lms_statement_object_activity", "object_activity_id", postgresql_using="hash")
        .ddl_if(dialect="postgresql"),
        Index("ix_lms_statement_verb", "verb_id", postgresql_using="hash").ddl_if(dialect="postgresql"),
        # On SQLite a filter plus "newest first, limit 100" reads these in order and stops early; PostgreSQL keeps
        # the hash indexes above (no entry-size limit) and sorts the matches.
        Index("ix_lms_statement_verb_stored", "verb_id", "stored_at", "id").ddl_if(dialect="sqlite"),
        Index("ix_lms_statement_activity_stored", "object_activity_id", "stored_at", "id").ddl_if(dialect="sqlite"),
        # Few distinct authorities (one per LRS credential): cheap to keep, and related_agents reads it.
        Index("ix_lms_statement_authority", "authority_key"),
        # Only StatementRefs (voiding and the like) have one: the index holds those few rows, not a NULL per row.
        Index("ix_lms_statement_object_statement_id", "object_statement_id",
              sqlite_where=text("object_statement_id IS NOT NULL"),
              postgresql_where=text("object_statement_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    statement_id: Mapped[str] = mapped_column(UUIDString, unique=True)
    verb_id: Mapped[str] = mapped_column(IRI)
    actor_key: Mapped[str] = mapped_column(String(512))
    object_activity_id: Mapped[str | None] = mapped_column(IRI)
    object_statement_id: Mapped[str | None] = mapped_column(UUIDString)
    registration: Mapped[str | None] = mapped_column(UUIDString)
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime)
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    is_voided: Mapped[bool] = mapped_column(default=False)
    authority_key: Mapped[str | None] = mapped_column(String(512))
    full: Mapped[dict] = mapped_column(JSONType())

    related: Mapped[list[StatementRelation]] = relationship(cascade="all, delete-orphan", back_populates="statement")


class StatementRelation(Base):
    """Activities and agents a statement mentions beyond its actor, authority and Activity object (which its own
    indexed columns hold), for the related_activities / related_agents filters.

    Rows are found by ``key_hash`` (of kind and key: a fixed-size B-tree entry however long the IRI) and read in
    the statements' own order through ``stored_at``, so "the newest 100 naming this course" stops after 100 rows;
    ``kind`` and ``key`` are compared as well, so a hash collision cannot return a wrong statement.
    """

    __tablename__ = "lms_statement_relation"
    __table_args__ = (Index("ix_lms_statement_relation_lookup", "key_hash", "stored_at", "statement_pk"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    statement_pk: Mapped[int] = mapped_column(ForeignKey("lms_statement.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # "activity", "agent" (broad), "object_agent", "actor_member"
    key: Mapped[str] = mapped_column(String(2048))
    key_hash: Mapped[int] = mapped_column(BigInteger)
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the statement's, copied: relations never change

    statement: Mapped[Statement] = relationship(back_populates="related")


def relation_lookup(relation, kinds: tuple[str, ...], key: str) -> list:
    """Conditions on ``lms_statement_relation`` (or an alias of it) for its rows of one of ``kinds`` naming ``key``:
    the hash finds them through the index, kind and key rule out a collision."""
    hashes = [relation_hash(kind, key) for kind in kinds]
    # One kind is an equality, which lets the index give the order; an IN list would not.
    return [relation.key_hash == hashes[0] if len(hashes) == 1 else relation.key_hash.in_(hashes),
            relation.kind.in_(kinds), relation.key == key]


def relation_hash(kind: str, key: str) -> int:
    """The lookup hash of a relation: the first 8 bytes of SHA-256 over kind and key, as a signed 64-bit integer.

    Stored in every relation row, so it must never change (a migration would have to rewrite the column).
    """
    digest = hashlib.sha256(f"{kind}\x1f{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class ActivityProgress(Base):
    """The progress projection: per learner, registration and activity, rebuilt from statements at any time.

    Keyed by those three (no surrogate id): on SQLite a WITHOUT ROWID table, so a row is one B-tree entry, written
    once per upsert (with a rowid and a unique index it was two, a page each per row in a batch of statements).
    """

    __tablename__ = "lms_activity_progress"
    __table_args__ = {"sqlite_with_rowid": False}

    actor_key: Mapped[str] = mapped_column(String(512), primary_key=True)
    registration: Mapped[str] = mapped_column(String(36), primary_key=True, default="")
    activity_id: Mapped[str] = mapped_column(IRI, primary_key=True)
    is_completed: Mapped[bool] = mapped_column(default=False)
    success: Mapped[bool | None] = mapped_column()
    best_score: Mapped[float | None] = mapped_column(Float)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    time_spent_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
