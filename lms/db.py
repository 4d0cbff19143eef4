"""The declarative base, column types and the session every LMS module uses.

The LMS declares its models on its own metadata (tables prefixed ``lms_``, a naming convention for stable
constraint names) and runs them through whichever Flask-SQLAlchemy instance the app has: the host's in plugin
mode, its own when standalone. ``session`` is a proxy to that instance's session.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

from flask import current_app
from sqlalchemy import JSON, DateTime, MetaData, String, TypeDecorator, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase
from werkzeug.local import LocalProxy

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every backend (SQLite stores it naive, PostgreSQL as timestamptz)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC datetime is required")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


class JSONType(TypeDecorator):
    """A JSON document: JSONB on PostgreSQL (indexable, compact), JSON text elsewhere."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Any):
        return dialect.type_descriptor(JSONB() if dialect.name == "postgresql" else JSON())
UUIDString = String(36)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def new_uuid() -> str:
    return str(uuid.uuid4())


def _current_db():
    return current_app.extensions["lms"].db


db = LocalProxy(_current_db)
session = LocalProxy(lambda: _current_db().session)


@event.listens_for(Engine, "connect")
def _connection_settings(dbapi_connection, connection_record):  # noqa: ARG001
    """Per-connection settings. SQLite: foreign keys are off by default and writers should wait, not fail.
    PostgreSQL: no JIT compilation, which costs 100-200 ms whenever the planner's estimate crosses its threshold
    (a store without statistics yet, or a large report) and pays off only for long analytical queries."""
    if type(dbapi_connection).__module__.startswith("psycopg"):
        try:
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SET jit = off")
            dbapi_connection.commit()  # SET is transactional: commit it, or the pool's first rollback undoes it
        except Exception:  # noqa: BLE001 - a server without JIT (before PostgreSQL 11) has no such setting
            dbapi_connection.rollback()
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        # In WAL mode NORMAL is still safe against corruption; it only skips an fsync per commit.
        cursor.execute("PRAGMA synchronous=NORMAL")
        # A batch of 100 statements dirties ~800 pages, more than SQLite's default 2 MiB cache holds (it would
        # spill them to the log before the commit); 64 MiB is an upper bound, allocated only as pages are used.
        cursor.execute("PRAGMA cache_size=-65536")
        # A checkpoint (copying the log back into the database, with two fsyncs) every 40 MiB of log rather than
        # SQLite's 4 MiB: a page that many commits rewrite in between is copied once (bench/lrs_ingest.py: +9%).
        cursor.execute("PRAGMA wal_autocheckpoint=10000")
        cursor.close()


def enable_sqlite_wal(engine: Engine) -> None:
    """Switch a SQLite database file to WAL mode; it persists in the file, so this runs once (at migration)."""
    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA journal_mode=WAL")
