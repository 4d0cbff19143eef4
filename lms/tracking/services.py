"""The one way in for learning events: ``record()`` validates, stores, projects and signals, in one transaction."""

from __future__ import annotations

import copy
import json
import re
from collections import defaultdict
from datetime import datetime, timezone

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from lms.db import new_uuid, session, utcnow
from lms.signals import progress_changed
from lms.tracking.models import ActivityProgress, Statement, StatementRelation
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
    """
    statements = [copy.deepcopy(statement) for statement in statements]
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
    rows = [_store(statement, now) for statement in new]
    session.flush()

    moved: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in rows:
        if row.verb_id == Verb.VOIDED:
            _void(row, moved)
        else:
            for key in _project(row):
                moved[key[:2]].add(key[2])
    session.flush()
    for (actor, registration), activity_ids in moved.items():
        progress_changed.send(
            current_app._get_current_object(), actor_key=actor, registration=registration,
            activity_ids=sorted(activity_ids),
        )
    return [statement["id"] for statement in statements]


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
    """The statement as submitted: without what the LRS sets itself, or filled in because it was missing."""
    ignored = set(_LRS_SET) | ({"timestamp"} - submitted.keys())
    return json.dumps({k: v for k, v in statement.items() if k not in ignored}, sort_keys=True)


def _store(statement: dict, now: datetime) -> Statement:
    obj = statement["object"]
    object_type = obj.get("objectType", "Activity")
    row = Statement(
        statement_id=statement["id"],
        verb_id=statement["verb"]["id"],
        actor_key=actor_key(statement["actor"]),
        object_activity_id=obj["id"] if object_type == "Activity" else None,
        object_statement_id=obj["id"] if object_type == "StatementRef" else None,
        registration=(statement.get("context") or {}).get("registration", "").lower() or None,
        timestamp=_parse_time(statement["timestamp"]),
        stored_at=now,
        authority_key=actor_key(statement["authority"]),
        full=statement,
    )
    row.related = [StatementRelation(kind=kind, key=key) for kind, key in sorted(_related(statement))]
    session.add(row)
    return row


def _related(statement: dict) -> set[tuple[str, str]]:
    """Every activity and agent a statement names, SubStatement and context included."""
    found: set[tuple[str, str]] = set()

    def visit_actor(actor: dict | None) -> None:
        if not actor:
            return
        found.add(("agent", actor_key(actor)))
        for member in actor.get("member", []):
            found.add(("agent", actor_key(member)))

    def visit_object(obj: dict, is_top: bool) -> None:
        object_type = obj.get("objectType", "Activity")
        if object_type == "Activity":
            found.add(("activity", obj["id"]))
        elif object_type in ("Agent", "Group"):
            visit_actor(obj)
            if is_top:  # the plain agent filter matches a statement's actor or its object
                found.add(("object_agent", actor_key(obj)))
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


# --- the progress projection -------------------------------------------------------------------------------

def _projection_key(row: Statement) -> tuple[str, str, str] | None:
    if row.object_activity_id is None or row.verb_id == Verb.VOIDED:
        return None
    return (row.actor_key, row.registration or "", row.object_activity_id)


def _project(row: Statement) -> list[tuple[str, str, str]]:
    key = _projection_key(row)
    if key is None:
        return []
    _apply(_progress_row(key), row.full, row.timestamp)
    return [key]


def _progress_row(key: tuple[str, str, str]) -> ActivityProgress:
    actor, registration, activity_id = key
    query = select(ActivityProgress).filter_by(actor_key=actor, registration=registration, activity_id=activity_id)
    progress = session.execute(query).scalar_one_or_none()
    if progress is not None:
        return progress
    progress = ActivityProgress(actor_key=actor, registration=registration, activity_id=activity_id,
                                is_completed=False, attempts=0, time_spent_seconds=0.0)
    try:
        with session.begin_nested():
            session.add(progress)
    except IntegrityError:
        # Another worker created the row between our select and insert: use theirs.
        progress = session.execute(query).scalar_one()
    return progress


def _apply(progress: ActivityProgress, statement: dict, timestamp: datetime) -> None:
    """Fold one statement into a projection row. Every rule commutes, so replay order cannot change the result."""
    verb_id = statement["verb"]["id"]
    result = statement.get("result") or {}
    progress.first_activity_at = min(filter(None, [progress.first_activity_at, timestamp]))
    progress.last_activity_at = max(filter(None, [progress.last_activity_at, timestamp]))
    if verb_id in (Verb.COMPLETED, Verb.PASSED) or result.get("completion") is True:
        progress.is_completed = True
        progress.completed_at = min(filter(None, [progress.completed_at, timestamp]))
    if verb_id == Verb.PASSED or result.get("success") is True:
        progress.success = True
    elif (verb_id == Verb.FAILED or result.get("success") is False) and progress.success is not True:
        progress.success = False
    scaled = (result.get("score") or {}).get("scaled")
    if scaled is not None:
        progress.best_score = scaled if progress.best_score is None else max(progress.best_score, scaled)
    if verb_id == Verb.ATTEMPTED:
        progress.attempts += 1
    if "duration" in result:
        progress.time_spent_seconds += duration_seconds(result["duration"])


def _void(voiding: Statement, moved: dict[tuple[str, str], set[str]]) -> None:
    target_id = voiding.object_statement_id
    target = session.execute(select(Statement).filter_by(statement_id=target_id)).scalar_one_or_none()
    if target is None or target.verb_id == Verb.VOIDED:
        return
    target.is_voided = True
    key = _projection_key(target)
    if key is not None:
        session.flush()
        _replay_key(key)
        moved[key[:2]].add(key[2])


def _replay_key(key: tuple[str, str, str]) -> None:
    actor, registration, activity_id = key
    session.execute(delete(ActivityProgress).filter_by(
        actor_key=actor, registration=registration, activity_id=activity_id))
    rows = session.execute(
        select(Statement)
        .where(Statement.actor_key == actor, Statement.object_activity_id == activity_id,
               Statement.is_voided.is_(False), Statement.verb_id != Verb.VOIDED,
               (Statement.registration == registration) if registration else Statement.registration.is_(None))
        .order_by(Statement.id)
    ).scalars()
    for row in rows:
        _project(row)


def rebuild_progress(batch_size: int = 2000) -> int:
    """Recompute the whole projection from the statement store. Returns the number of statements replayed."""
    session.execute(delete(ActivityProgress))
    session.flush()
    replayed = 0
    rows: dict[tuple[str, str, str], ActivityProgress] = {}
    query = (select(Statement.actor_key, Statement.registration, Statement.object_activity_id, Statement.verb_id,
                    Statement.timestamp, Statement.full)
             .where(Statement.is_voided.is_(False), Statement.verb_id != Verb.VOIDED,
                    Statement.object_activity_id.is_not(None))
             .order_by(Statement.id)
             .execution_options(yield_per=batch_size))
    for actor, registration, activity_id, _verb, timestamp, full in session.execute(query):
        key = (actor, registration or "", activity_id)
        progress = rows.get(key)
        if progress is None:
            progress = rows[key] = ActivityProgress(actor_key=actor, registration=key[1], activity_id=activity_id,
                                                    is_completed=False, attempts=0, time_spent_seconds=0.0)
        _apply(progress, full, timestamp)
        replayed += 1
    session.add_all(rows.values())
    session.flush()
    return replayed


def progress_for(actor: str, registration: str) -> dict[str, ActivityProgress]:
    """The projection rows of one learner in one registration, by activity IRI."""
    rows = session.execute(
        select(ActivityProgress).filter_by(actor_key=actor, registration=registration)
    ).scalars()
    return {row.activity_id: row for row in rows}


# --- time values ---------------------------------------------------------------------------------------------

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
