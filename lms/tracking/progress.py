"""The progress projection: per learner, registration and activity, folded from statements.

Every rule commutes (OR, MIN, MAX, SUM), so a batch folds into one *delta* per key and the delta merges into the
stored row with a single upsert, whatever order statements arrive in, and a rebuild from the store gives the same
rows as the live path. Nothing here reads the projection row before writing it: concurrent writers cannot lose
updates.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from sqlalchemy import and_, case, delete, or_, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from lms.db import session
from lms.tracking.models import ActivityProgress, Statement
from lms.tracking.vocabulary import Verb

Key = tuple[str, str, str]  # actor key, registration ("" for none), activity IRI


@dataclass
class Delta:
    """What a set of statements says about one key; merged into the stored row by ``upsert``."""

    is_completed: bool = False
    success: bool | None = None
    best_score: float | None = None
    attempts: int = 0
    time_spent_seconds: float = 0.0
    completed_at: datetime | None = None
    first_activity_at: datetime | None = None
    last_activity_at: datetime | None = None

    def fold(self, statement: dict, timestamp: datetime) -> None:
        """Add one statement's evidence (the same rules as the merge in ``upsert``)."""
        verb_id = statement["verb"]["id"]
        result = statement.get("result") or {}
        self.first_activity_at = _earliest(self.first_activity_at, timestamp)
        self.last_activity_at = _latest(self.last_activity_at, timestamp)
        if verb_id in (Verb.COMPLETED, Verb.PASSED) or result.get("completion") is True:
            self.is_completed = True
            self.completed_at = _earliest(self.completed_at, timestamp)
        if verb_id == Verb.PASSED or result.get("success") is True:
            self.success = True
        elif (verb_id == Verb.FAILED or result.get("success") is False) and self.success is not True:
            self.success = False
        scaled = (result.get("score") or {}).get("scaled")
        if scaled is not None:
            self.best_score = scaled if self.best_score is None else max(self.best_score, scaled)
        if verb_id == Verb.ATTEMPTED:
            self.attempts += 1
        if "duration" in result:
            self.time_spent_seconds += duration_seconds(result["duration"])


def _earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else min(a, b)


def _latest(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else max(a, b)


def projection_key(actor_key: str, registration: str | None, activity_id: str | None, verb_id: str) -> Key | None:
    """The projection row a statement moves, or None (no Activity object, or a voiding statement)."""
    if activity_id is None or verb_id == Verb.VOIDED:
        return None
    return (actor_key, registration or "", activity_id)


def fold(rows: Iterable[tuple[Key, dict, datetime]]) -> dict[Key, Delta]:
    """One delta per key from (key, statement, timestamp) triples."""
    deltas: dict[Key, Delta] = {}
    for key, statement, timestamp in rows:
        deltas.setdefault(key, Delta()).fold(statement, timestamp)
    return deltas


def upsert(deltas: dict[Key, Delta]) -> None:
    """Merge deltas into the projection: insert new keys, combine existing ones in SQL."""
    merge(merge_rows(deltas))


def merge_rows(deltas: dict[Key, Delta]) -> list[dict]:
    """The parameter rows of ``merge`` (built apart, so a caller can prepare them before it starts writing)."""
    return [{"actor_key": key[0], "registration": key[1], "activity_id": key[2], **delta.__dict__}
            for key, delta in deltas.items()]


def merge(rows: list[dict]) -> None:
    """Merge prepared delta rows into the projection with one upsert."""
    if not rows:
        return
    session.execute(_upsert_statement(session.get_bind(mapper=ActivityProgress.__mapper__).dialect.name), rows)
    _forget_loaded_rows()


@functools.cache
def _upsert_statement(dialect: str):
    # One statement executed for many rows: SQLAlchemy caches its compiled form, where a multi-row VALUES would be
    # compiled anew for every batch size; built once per dialect (building it cost as much as running it).
    table = ActivityProgress.__table__
    statement = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(table)
    return statement.on_conflict_do_update(
        index_elements=[table.c.actor_key, table.c.registration, table.c.activity_id],
        set_=_merge(table.c, statement.excluded))


def _merge(stored, new) -> dict:
    def least(column: str):
        a, b = stored[column], new[column]
        return case((a.is_(None), b), (b.is_(None), a), (b < a, b), else_=a)

    def greatest(column: str):
        a, b = stored[column], new[column]
        return case((a.is_(None), b), (b.is_(None), a), (b > a, b), else_=a)

    return {
        "is_completed": or_(stored.is_completed, new.is_completed),
        "success": case((or_(stored.success.is_(True), new.success.is_(True)), True),
                        (and_(stored.success.is_(None), new.success.is_(None)), None), else_=False),
        "best_score": greatest("best_score"),
        "attempts": stored.attempts + new.attempts,
        "time_spent_seconds": stored.time_spent_seconds + new.time_spent_seconds,
        "completed_at": least("completed_at"),
        "first_activity_at": least("first_activity_at"),
        "last_activity_at": greatest("last_activity_at"),
    }


def _forget_loaded_rows() -> None:
    # The upsert bypasses the ORM: rows this session already loaded must be read again.
    for instance in list(session.identity_map.values()):
        if isinstance(instance, ActivityProgress):
            session.expire(instance)


def replay_key(key: Key) -> None:
    """Recompute one key from its stored, non-voided statements (after a voiding)."""
    actor, registration, activity_id = key
    session.execute(delete(ActivityProgress).filter_by(actor_key=actor, registration=registration,
                                                       activity_id=activity_id))
    rows = session.execute(
        select(Statement.full, Statement.timestamp)
        .where(Statement.actor_key == actor, Statement.object_activity_id == activity_id,
               Statement.is_voided.is_(False), Statement.verb_id != Verb.VOIDED,
               (Statement.registration == registration) if registration else Statement.registration.is_(None))
        .order_by(Statement.id))
    upsert(fold((key, full, timestamp) for full, timestamp in rows))


def rebuild(batch_size: int = 5000) -> int:
    """Recompute the whole projection from the statement store. Returns the number of statements replayed."""
    session.execute(delete(ActivityProgress))
    query = (select(Statement.actor_key, Statement.registration, Statement.object_activity_id, Statement.verb_id,
                    Statement.timestamp, Statement.full)
             .where(Statement.is_voided.is_(False), Statement.verb_id != Verb.VOIDED,
                    Statement.object_activity_id.is_not(None))
             .order_by(Statement.id)
             .execution_options(yield_per=batch_size))
    deltas: dict[Key, Delta] = {}
    replayed = 0
    for actor, registration, activity_id, verb_id, timestamp, full in session.execute(query):
        deltas.setdefault(projection_key(actor, registration, activity_id, verb_id), Delta()).fold(full, timestamp)
        replayed += 1
    upsert(deltas)
    return replayed


def progress_for(actor: str, registration: str) -> dict[str, ActivityProgress]:
    """The projection rows of one learner in one registration, by activity IRI."""
    rows = session.execute(select(ActivityProgress).filter_by(actor_key=actor, registration=registration)).scalars()
    return {row.activity_id: row for row in rows}


_DURATION = re.compile(
    r"^P(?:(?P<years>\d+(?:\.\d+)?)Y)?(?:(?P<months>\d+(?:\.\d+)?)M)?(?:(?P<weeks>\d+(?:\.\d+)?)W)?"
    r"(?:(?P<days>\d+(?:\.\d+)?)D)?(?:T(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)
_SECONDS_PER = {"years": 365 * 86400, "months": 30 * 86400, "weeks": 7 * 86400, "days": 86400,
                "hours": 3600, "minutes": 60, "seconds": 1}


def duration_seconds(value: str) -> float:
    """Seconds in an ISO 8601 duration (a year counted as 365 days, a month as 30); 0 for what does not parse."""
    match = _DURATION.match(value)
    if not match:
        return 0.0
    return sum(float(amount) * _SECONDS_PER[unit] for unit, amount in match.groupdict().items() if amount)
