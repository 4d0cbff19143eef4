"""The one way in for learning events: ``record()`` validates, stores, projects and signals, in one transaction."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone

from flask import current_app
from sqlalchemy import insert, select, update

from lms.db import new_uuid, session, utcnow
from lms.signals import ProgressChange, progress_changed, statements_recorded
from lms.tracking import progress
from lms.tracking.models import Statement, StatementRelation, relation_hash
from lms.tracking.validation import StatementInvalid, validate_statements
from lms.tracking.vocabulary import Verb

__all__ = ["record", "StatementInvalid", "StatementConflict", "actor_key", "rebuild_progress", "progress_for"]

# Statement properties the LRS sets itself; two submissions of one id are "the same" without them.
_LRS_SET = ("stored", "authority", "version")


class StatementConflict(ValueError):
    """A statement id that is already stored with different content (statement ids are immutable)."""


def actor_key(actor: dict) -> str:
    """A stable string for an Agent or Group's identity, for indexes and the projection's key."""
    if "mbox" in actor:
        return "mbox:" + actor["mbox"].lower()
    if "mbox_sha1sum" in actor:
        return "sha1:" + actor["mbox_sha1sum"].lower()
    if "openid" in actor:
        return "openid:" + actor["openid"]
    if "account" in actor:
        return "account:" + actor["account"]["homePage"] + "|" + actor["account"]["name"]
    members = sorted(actor_key(member) for member in actor.get("member", []))
    return "group:[" + ",".join(members) + "]"


def user_actor_key(public_id: str) -> str:
    """The actor key of an LMS user's statements (an account on this LMS, see ``statements.agent``)."""
    from lms.tracking.statements import agent

    return actor_key(agent(current_app.config["LMS_BASE_URL"], public_id))


def lms_authority() -> dict:
    """The authority the LMS asserts for statements it records itself."""
    return {
        "objectType": "Agent",
        "account": {"homePage": current_app.config["LMS_BASE_URL"].rstrip("/"), "name": "lms"},
        "name": "Labor Rights LMS",
    }


def record(statements: list[dict], authority: dict | None = None) -> list[str]:
    """Validate, store and project statements, then signal the progress that moved. Returns the statement ids.

    Flushes; the caller commits once. Raises StatementInvalid (nothing of the batch is stored) or
    StatementConflict (an id already stored with other content).

    Every read and all the Python work come before the first write: on SQLite the first write takes the
    database's one write lock, held until the caller commits, so the writing part is kept short.
    """
    # record() only sets top-level properties, so a shallow copy keeps the caller's statements untouched.
    statements = [dict(statement) if isinstance(statement, dict) else statement for statement in statements]
    validate_statements(statements)
    now = utcnow()
    authority = authority or lms_authority()
    for statement in statements:
        statement["id"] = statement.get("id", new_uuid()).lower()
    new = _drop_already_stored(statements)
    for statement in new:
        statement.setdefault("timestamp", _iso(now))
        statement["stored"] = _iso(now)
        statement["authority"] = authority
        statement.setdefault("version", "1.0.0")
    rows = [_row_values(statement, now) for statement in new]
    mentions = {row["statement_id"]: _mentions(row) for row in rows}
    voided_on_arrival = _already_voided(rows)
    triples, moved = _projection_input(rows, voided_on_arrival)
    merge = progress.merge_rows(progress.fold(triples))

    stored = _insert(rows, mentions, now)  # the first write
    if stored:  # every inserted statement, those voided on arrival included (the outbox forwards them all)
        statements_recorded.send(current_app._get_current_object(), statements=stored)
    if voided_on_arrival:
        session.execute(update(Statement).where(Statement.statement_id.in_(voided_on_arrival)).values(is_voided=True))
    progress.merge(merge)
    for row in stored:  # after the upsert: voiding replays the target's key from the store, new statements included
        if row.verb_id == Verb.VOIDED:
            _void(row.object_statement_id, moved)
    if moved:
        changes = [ProgressChange(actor, registration, tuple(sorted(activity_ids)))
                   for (actor, registration), activity_ids in moved.items()]
        progress_changed.send(current_app._get_current_object(), changes=changes)
    return [statement["id"] for statement in statements]


@dataclass(frozen=True)
class StoredStatement:
    """A statement just stored: its row id and the indexed values the projection and receivers need."""

    id: int
    statement_id: str
    verb_id: str
    actor_key: str
    object_activity_id: str | None
    object_statement_id: str | None
    registration: str | None
    timestamp: datetime
    full: dict


def _already_voided(rows: list[dict]) -> set[str]:
    """The new statements that an earlier-stored voiding statement already targets (they arrived out of order)."""
    ids = [row["statement_id"] for row in rows if row["verb_id"] != Verb.VOIDED]
    if not ids:
        return set()
    return set(session.execute(select(Statement.object_statement_id).where(
        Statement.verb_id == Verb.VOIDED, Statement.object_statement_id.in_(ids))).scalars())


def _drop_already_stored(statements: list[dict]) -> list[dict]:
    ids = [statement["id"] for statement in statements]
    stored = {
        row.statement_id: row.full
        for row in session.execute(select(Statement).where(Statement.statement_id.in_(ids))).scalars()
    }
    new = []
    for statement in statements:
        previous = stored.get(statement["id"])
        if previous is None:
            new.append(statement)
        elif _comparable(previous, statement) != _comparable(statement, statement):
            raise StatementConflict(f"statement {statement['id']} is already stored with different content")
    return new


def _comparable(statement: dict, submitted: dict) -> str:
    """The statement as submitted, reduced to what makes two statements with one id the same (Data 2.3.1).

    Left out: what the LRS sets itself or filled in because it was missing; and the differences the specification
    says to ignore: verb displays and activity definitions (metadata that may be updated), the order of a Group's
    members, the case of an e-mail address, and a timestamp's time zone (it compares as the moment it names).
    """
    ignored = set(_LRS_SET) | ({"timestamp"} - submitted.keys())
    kept = _essence({k: v for k, v in statement.items() if k not in ignored})
    return json.dumps(kept, sort_keys=True)


def _essence(part):
    if isinstance(part, list):
        return [_essence(item) for item in part]
    if not isinstance(part, dict):
        return part
    result = {}
    for key, value in part.items():
        if key == "display" or (key == "definition" and part.get("objectType", "Activity") == "Activity"):
            continue
        if key == "timestamp" and isinstance(value, str):
            value = _parse_time(value).isoformat()
        elif key == "mbox" and isinstance(value, str):
            value = value.lower()
        elif key == "member" and isinstance(value, list):
            value = sorted((_essence(member) for member in value), key=lambda m: json.dumps(m, sort_keys=True))
            result[key] = value
            continue
        result[key] = _essence(value)
    return result


def _insert(rows: list[dict], mentions: dict[str, list[tuple[str, str, int]]], now: datetime,
            ) -> list[StoredStatement]:
    """Insert statement rows and their relations in bulk (Core, not the unit of work: ingest speed matters here)."""
    if not rows:
        return []
    table = Statement.__table__
    # RETURNING without sort_by_parameter_order: SQLite cannot promise the order of a multi-row RETURNING, so
    # asking for it makes SQLAlchemy insert row by row. Statement ids are unique: they map the rows back.
    pk_of = dict((statement_id, pk) for pk, statement_id in session.execute(
        insert(table).returning(table.c.id, table.c.statement_id), rows))
    relations = [{"statement_pk": pk_of[statement_id], "kind": kind, "key": key, "key_hash": key_hash,
                  "stored_at": now}
                 for statement_id, found in mentions.items() for kind, key, key_hash in found]
    if relations:
        session.execute(insert(StatementRelation.__table__), relations)
    return [StoredStatement(id=pk_of[row["statement_id"]], statement_id=row["statement_id"], verb_id=row["verb_id"],
                            actor_key=row["actor_key"], object_activity_id=row["object_activity_id"],
                            object_statement_id=row["object_statement_id"], registration=row["registration"],
                            timestamp=row["timestamp"], full=row["full"])
            for row in rows]


def _row_values(statement: dict, now: datetime) -> dict:
    obj = statement["object"]
    object_type = obj.get("objectType", "Activity")
    return {
        "statement_id": statement["id"],
        "verb_id": statement["verb"]["id"],
        "actor_key": actor_key(statement["actor"]),
        "object_activity_id": obj["id"] if object_type == "Activity" else None,
        "object_statement_id": obj["id"].lower() if object_type == "StatementRef" else None,
        "registration": (statement.get("context") or {}).get("registration", "").lower() or None,
        "timestamp": _parse_time(statement["timestamp"]),
        "stored_at": now,
        "is_voided": False,
        "authority_key": actor_key(statement["authority"]),
        "full": statement,
    }


def _mentions(row: dict) -> list[tuple[str, str, int]]:
    """The relation rows of a statement row (``_row_values``): (kind, key, lookup hash) for what ``_related`` finds
    beyond its actor, authority and Activity object, which the row's own indexed columns already hold (the related
    filters read both). A typical statement keeps one row: its course, named in the context."""
    found = _related(row["full"])
    found.discard(("agent", row["actor_key"]))
    found.discard(("agent", row["authority_key"]))
    found.discard(("activity", row["object_activity_id"]))  # None when the object is not an Activity
    return [(kind, key, relation_hash(kind, key)) for kind, key in sorted(found)]


def _related(statement: dict) -> set[tuple[str, str]]:
    """Every activity and agent a statement names, SubStatement and context included."""
    found: set[tuple[str, str]] = set()

    def visit_actor(actor: dict | None) -> None:
        if not actor:
            return
        found.add(("agent", actor_key(actor)))
        for member in actor.get("member", []):
            found.add(("agent", actor_key(member)))

    # The plain agent filter also matches a statement whose actor is a Group the agent is a member of.
    for member in (statement.get("actor") or {}).get("member", []):
        found.add(("actor_member", actor_key(member)))

    def visit_object(obj: dict, is_top: bool) -> None:
        object_type = obj.get("objectType", "Activity")
        if object_type == "Activity":
            found.add(("activity", obj["id"]))
        elif object_type in ("Agent", "Group"):
            visit_actor(obj)
            if is_top:  # the plain agent filter matches a statement's actor or its object (or its members)
                found.add(("object_agent", actor_key(obj)))
                for member in obj.get("member", []):
                    found.add(("object_agent", actor_key(member)))
        elif object_type == "SubStatement":
            visit(obj, is_top=False)

    def visit(part: dict, is_top: bool) -> None:
        visit_actor(part.get("actor"))
        visit_object(part["object"], is_top)
        context = part.get("context") or {}
        visit_actor(context.get("instructor"))
        visit_actor(context.get("team"))
        for activities in (context.get("contextActivities") or {}).values():
            for activity in activities if isinstance(activities, list) else [activities]:
                found.add(("activity", activity["id"]))

    visit(statement, is_top=True)
    visit_actor(statement.get("authority"))  # related_agents includes the authority
    return found


# --- the progress projection (lms.tracking.progress) -----------------------------------------------------

def _projection_input(rows: list[dict], voided: set[str]) -> tuple[list, dict[tuple[str, str], set[str]]]:
    """The (key, statement, timestamp) triples the new statements add to the projection, and the activities they
    move by (actor, registration). Voiding statements and statements voided on arrival add nothing."""
    moved: dict[tuple[str, str], set[str]] = defaultdict(set)
    triples = []
    for row in rows:
        if row["statement_id"] in voided:
            continue
        key = progress.projection_key(row["actor_key"], row["registration"], row["object_activity_id"],
                                      row["verb_id"])
        if key is not None:
            triples.append((key, row["full"], row["timestamp"]))
            moved[key[:2]].add(key[2])
    return triples, moved


def _void(target_id: str | None, moved: dict[tuple[str, str], set[str]]) -> None:
    target = session.execute(select(Statement).filter_by(statement_id=target_id)).scalar_one_or_none()
    if target is None or target.verb_id == Verb.VOIDED:
        return
    target.is_voided = True
    session.flush()
    key = progress.projection_key(target.actor_key, target.registration, target.object_activity_id, target.verb_id)
    if key is not None:
        progress.replay_key(key)
        moved[key[:2]].add(key[2])


def rebuild_progress() -> int:
    """Recompute the whole projection from the statement store. Returns the number of statements replayed."""
    return progress.rebuild()


progress_for = progress.progress_for
duration_seconds = progress.duration_seconds


# --- time values ---------------------------------------------------------------------------------------------

def _parse_time(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def statements_query(actor: str | None = None, verb_id: str | None = None, registration: str | None = None):
    """Stored statements, newest first, optionally for one actor key, verb or registration (a SELECT to page)."""
    query = select(Statement).order_by(Statement.stored_at.desc(), Statement.id.desc())
    if actor:
        query = query.where(Statement.actor_key == actor)
    if verb_id:
        query = query.where(Statement.verb_id == verb_id)
    if registration:
        query = query.where(Statement.registration == registration)
    return query
