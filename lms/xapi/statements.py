"""The Statement resource's logic: storing through ``tracking.record()``, and querying with every xAPI filter."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import and_, or_, select, tuple_, union_all
from sqlalchemy.orm import aliased

from lms.db import session
from lms.tracking.models import Statement, StatementRelation, relation_lookup
from lms.tracking.services import StatementConflict, actor_key, record
from lms.tracking.validation import StatementInvalid, validate_statement
from lms.tracking.vocabulary import Verb
from lms.launch.cmi5_rules import check_statements as check_cmi5_rules
from lms.xapi.credentials import Principal
from lms.xapi.protocol import XAPIError, bad_request, parse_bool, parse_json_param

MAX_LIMIT = 500
QUERY_PARAMS = {"agent", "verb", "activity", "registration", "related_activities", "related_agents", "since",
                "until", "limit", "format", "attachments", "ascending"}
SINGLE_PARAMS = {"statementId", "voidedStatementId", "format", "attachments"}
FORMATS = ("exact", "ids", "canonical")
UUID_FORM = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


# --- storing -----------------------------------------------------------------------------------------------

def store(statements: list[dict], principal: Principal) -> list[str]:
    """Store statements sent to the LRS, as ``principal``. Raises XAPIError (400, 403, 409) and stores nothing then."""
    _check_principal_may_store(statements, principal)
    _check_voiding_targets(statements)
    _check_principal_may_void(statements, principal)
    check_cmi5_rules(statements, principal)  # statements of a launched cmi5 session obey its rules (lms.launch)
    try:
        return record(statements, authority=principal.authority)
    except StatementInvalid as error:
        raise bad_request(str(error)) from None
    except StatementConflict as error:
        raise XAPIError(409, str(error)) from None


def _check_principal_may_store(statements: list[dict], principal: Principal) -> None:
    if not principal.may("statements/write"):
        raise XAPIError(403, "this credential may not store statements")
    if principal.user_public_id is None:
        return
    # A per-launch credential speaks only for its learner, in its registration.
    from lms.tracking.services import user_actor_key

    own = user_actor_key(principal.user_public_id)
    for index, statement in enumerate(statements):
        actor = statement.get("actor")
        if not isinstance(actor, dict) or _safe_key(actor) != own:
            raise XAPIError(403, f"statements[{index}].actor: this launch credential may only record for its learner")
        registration = (statement.get("context") or {}).get("registration") if isinstance(
            statement.get("context"), dict) else None
        # Without the registration a statement would fall outside the enrolment this launch is for.
        if principal.registration and str(registration or "").lower() != principal.registration.lower():
            raise XAPIError(403, f"statements[{index}].context.registration: a launch credential records only in "
                                 f"its registration, {principal.registration}")


def _safe_key(actor: dict) -> str | None:
    try:
        return actor_key(actor)
    except (KeyError, TypeError, AttributeError):
        return None


def _voided_ids(statements: list[dict]) -> set[str]:
    """The ids the voiding statements of a (not yet validated) batch target."""
    return {str(s["object"].get("id")).lower() for s in statements
            if isinstance(s, dict) and isinstance(s.get("verb"), dict) and s["verb"].get("id") == Verb.VOIDED
            and isinstance(s.get("object"), dict) and s["object"].get("objectType") == "StatementRef"}


def _check_voiding_targets(statements: list[dict]) -> None:
    """A voiding statement may not target another voiding statement."""
    targets = _voided_ids(statements)
    if not targets:
        return
    voiding = session.execute(select(Statement.statement_id).where(
        Statement.statement_id.in_(targets), Statement.verb_id == Verb.VOIDED)).first()
    batch_voiding = {str(s.get("id", "")).lower() for s in statements
                     if isinstance(s, dict) and isinstance(s.get("verb"), dict) and s["verb"].get("id") == Verb.VOIDED}
    if voiding is not None or batch_voiding & targets:
        raise bad_request("object: a voiding statement cannot be voided")


def _check_principal_may_void(statements: list[dict], principal: Principal) -> None:
    """A credential that may not read every statement may void only those it stored (Data 2.3.2.s2.b4): content
    launched for a learner must not undo what the LMS or another client recorded."""
    targets = _voided_ids(statements)
    if not targets or principal.may("statements/read"):
        return
    foreign = session.execute(select(Statement.statement_id).where(
        Statement.statement_id.in_(targets), Statement.authority_key != actor_key(principal.authority))).first()
    if foreign is not None:
        raise XAPIError(403, f"object: this credential may only void statements it stored, not {foreign[0]}")


# --- reading one -------------------------------------------------------------------------------------------

def get_one(statement_id: str, voided: bool, principal: Principal) -> Statement:
    """A statement by id (``voided``: by the id of a voided statement). Raises XAPIError 400 for an id that is
    not a UUID, 404 when there is no such statement for this principal."""
    name = "voidedStatementId" if voided else "statementId"
    row = session.execute(select(Statement).filter_by(statement_id=_uuid(statement_id, name))).scalar_one_or_none()
    if row is None or row.is_voided != voided or not _visible(row, principal):
        raise XAPIError(404, f"no {'voided ' if voided else ''}statement with id {statement_id}")
    return row


def _visible(row: Statement, principal: Principal) -> bool:
    if principal.may("statements/read"):
        return True
    return principal.may("statements/read/mine") and row.authority_key == actor_key(principal.authority)


# --- querying ----------------------------------------------------------------------------------------------

@dataclass
class Query:
    agent: str | None = None
    verb: str | None = None
    activity: str | None = None
    registration: str | None = None
    related_activities: bool = False
    related_agents: bool = False
    since: str | None = None
    until: str | None = None
    limit: int = MAX_LIMIT
    format: str = "exact"
    attachments: bool = False
    ascending: bool = False

    @classmethod
    def from_args(cls, args) -> Query:
        """Parse the query-string parameters. Raises a 400 XAPIError naming the bad one."""
        unknown = set(args.keys()) - QUERY_PARAMS
        if unknown:
            raise bad_request(f"unknown parameter(s): {', '.join(sorted(unknown))}")
        query = cls()
        if "agent" in args:
            agent = parse_json_param(args["agent"], "agent")
            try:
                validate_statement({"actor": agent, "verb": {"id": "http://example.com/v"},
                                    "object": {"id": "http://example.com/a"}})
            except StatementInvalid as error:
                raise bad_request("agent: " + error.message) from None
            query.agent = actor_key(agent)
        query.verb = _iri(args["verb"], "verb") if "verb" in args else None
        query.activity = _iri(args["activity"], "activity") if "activity" in args else None
        if "registration" in args:
            query.registration = _uuid(args["registration"], "registration")
        query.related_activities = parse_bool(args.get("related_activities"), "related_activities")
        query.related_agents = parse_bool(args.get("related_agents"), "related_agents")
        query.since = _timestamp(args.get("since"), "since")
        query.until = _timestamp(args.get("until"), "until")
        if "limit" in args:
            try:
                limit = int(args["limit"])
            except ValueError:
                raise bad_request("the parameter limit must be a whole number") from None
            if limit < 0:
                raise bad_request("the parameter limit must not be negative")
            query.limit = MAX_LIMIT if limit == 0 else min(limit, MAX_LIMIT)
        query.format = args.get("format", "exact")
        if query.format not in FORMATS:
            raise bad_request(f"the parameter format must be one of {', '.join(FORMATS)}")
        query.attachments = parse_bool(args.get("attachments"), "attachments")
        query.ascending = parse_bool(args.get("ascending"), "ascending")
        return query

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def _iri(value: str, name: str) -> str:
    """A verb or activity parameter, checked as the validator checks those IRIs in statements (Data 2.2.s4.b4)."""
    try:
        validate_statement({"actor": {"mbox": "mailto:a@example.com"}, "verb": {"id": "http://example.com/v"},
                            "object": {"id": value}})
    except StatementInvalid:
        raise bad_request(f"the parameter {name} is not an IRI: {value!r}") from None
    return value


def _uuid(value: str, name: str) -> str:
    if not UUID_FORM.fullmatch(value):
        raise bad_request(f"the parameter {name} is not a UUID in standard string form")
    return value.lower()


def _timestamp(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise bad_request(f"the parameter {name} is not an ISO 8601 timestamp") from None
    if parsed.tzinfo is None:
        from datetime import timezone

        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.isoformat()


def _filters(query: Query, without_activity: bool = False):
    """The conditions of the non-time filters, for the statements themselves (``without_activity``: all but the
    activity filter, which the caller applies itself).

    Agent and related filters read the relation table's index through an IN over a subquery, which the database
    evaluates once: a rare agent does not cost a scan of the whole store checking each row.
    """
    conditions = []
    if query.agent:
        # The actor (and, for related_agents, the authority) is found through the statement's own indexed columns;
        # the relation rows hold the other mentions. One IN over a UNION rather than an OR: PostgreSQL's planner
        # turns the OR into a scan of the whole store; each part of the union uses its own index.
        parts = [select(Statement.id).where(Statement.actor_key == query.agent)]
        if query.related_agents:
            parts += [select(Statement.id).where(Statement.authority_key == query.agent),
                      _related_ids(("agent",), query.agent)]
        else:
            parts.append(_related_ids(("object_agent", "actor_member"), query.agent))
        conditions.append(Statement.id.in_(union_all(*parts)))
    if query.verb:
        conditions.append(Statement.verb_id == query.verb)
    if query.activity and not without_activity:
        condition = Statement.object_activity_id == query.activity
        if query.related_activities:
            condition = or_(condition, Statement.id.in_(_related_ids(("activity",), query.activity)))
        conditions.append(condition)
    if query.registration:
        conditions.append(Statement.registration == query.registration)
    return conditions


def _related_ids(kinds: tuple[str, ...], key: str):
    return select(StatementRelation.statement_pk).where(*relation_lookup(StatementRelation, kinds, key))


def _targeting(conditions: list) -> list[int]:
    """The statements that target (by a StatementRef object) one meeting ``conditions``, however many references
    away: they match the query too (Data 2.2.s4.b3).

    They are few (voiding and the like), so they are found first in a query of their own (a recursive CTE that
    starts only from referenced statements); the main query is then the plain conditions, which can use the ordered
    indexes, plus at most a short list of ids.
    """
    referenced = select(Statement.object_statement_id).where(Statement.object_statement_id.is_not(None))
    matched = select(Statement.statement_id).where(*conditions, Statement.statement_id.in_(referenced)) \
        .cte("matched", recursive=True)
    referring = aliased(Statement)
    matched = matched.union(select(referring.statement_id).join(
        matched, referring.object_statement_id == matched.c.statement_id))
    return list(session.execute(select(Statement.id).where(
        Statement.object_statement_id.in_(select(matched.c.statement_id)))).scalars())


def _next_millisecond(moment: str) -> datetime:
    # The LRS reports "stored" to the millisecond while the column keeps microseconds: a statement stored at
    # .123456 says .123, so since/until compare whole milliseconds, as the client sees them.
    parsed = datetime.fromisoformat(moment)
    return parsed.replace(microsecond=parsed.microsecond // 1000 * 1000) + timedelta(milliseconds=1)


def run_query(query: Query, principal: Principal, cursor: tuple | None = None) -> tuple[list[Statement], tuple | None]:
    """One page of matching statements and the cursor of the next page (None when this is the last)."""
    conditions = _filters(query)
    targeting = _targeting(conditions) if conditions else []
    matching = select(Statement).where(Statement.is_voided.is_(False))
    if query.activity and query.related_activities and not targeting:
        # The activity as the object, or named anywhere else: each part read in order from its own index up to
        # the page's end (a course's IRI is named by every statement of the course), then merged.
        rest = _filters(query, without_activity=True)
        relation = aliased(StatementRelation)
        rows = _merged([
            _page(matching.where(Statement.object_activity_id == query.activity, *rest),
                  (Statement.stored_at, Statement.id), query, principal, cursor),
            _page(matching.join(relation, relation.statement_pk == Statement.id)
                  .where(*relation_lookup(relation, ("activity",), query.activity), *rest),
                  (relation.stored_at, relation.statement_pk), query, principal, cursor)], query)
    else:
        if targeting:
            matching = matching.where(or_(and_(*conditions), Statement.id.in_(targeting)))
        elif conditions:
            matching = matching.where(*conditions)
        rows = _page(matching, (Statement.stored_at, Statement.id), query, principal, cursor)
    next_cursor = None
    if len(rows) > query.limit:
        rows = rows[:query.limit]
        next_cursor = (rows[-1].stored_at.isoformat(), rows[-1].id)
    return rows, next_cursor


def _page(matching, order: tuple, query: Query, principal: Principal, cursor: tuple | None) -> list[Statement]:
    """Up to limit + 1 statements of ``matching`` in the query's time window, after the cursor, in ``order`` (the
    statements' stored_at and id, or columns equal to them)."""
    if query.since:
        matching = matching.where(order[0] >= _next_millisecond(query.since))
    if query.until:
        matching = matching.where(order[0] < _next_millisecond(query.until))
    if not principal.may("statements/read"):
        matching = matching.where(Statement.authority_key == actor_key(principal.authority))
    if cursor is not None:
        stored_at, pk = datetime.fromisoformat(cursor[0]), cursor[1]
        matching = matching.where(tuple_(*order) > (stored_at, pk) if query.ascending
                                  else tuple_(*order) < (stored_at, pk))
    matching = matching.order_by(*(column.asc() if query.ascending else column.desc() for column in order))
    return list(session.execute(matching.limit(query.limit + 1)).scalars())


def _merged(pages: list[list[Statement]], query: Query) -> list[Statement]:
    """The first limit + 1 statements of several pages, each already in the query's order. The pages do not
    overlap: a statement's Activity object never has a relation row of its own (``tracking.services._mentions``)."""
    rows = sorted((row for page in pages for row in page), key=lambda row: (row.stored_at, row.id),
                  reverse=not query.ascending)
    return rows[:query.limit + 1]


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="lms.xapi.more")


def more_token(query: Query, cursor: tuple) -> str:
    return _serializer().dumps({"q": query.as_dict(), "c": list(cursor)})


def read_more_token(token: str) -> tuple[Query, tuple]:
    """The query and cursor a ``more`` token stands for. Raises a 400 XAPIError for a forged or stale one."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        raise bad_request("the more token is not valid") from None
    return Query(**data["q"]), tuple(data["c"])


# --- output formats ----------------------------------------------------------------------------------------

def formatted(statement: dict, fmt: str, languages: list[str]) -> dict:
    """A stored statement in the requested format: exact (as stored), ids, or canonical (one language)."""
    if fmt == "exact":
        return statement
    statement = json.loads(json.dumps(statement))
    if fmt == "ids":
        return _ids_only(statement)
    return _canonical(statement, languages)


def _agent_ids(agent: dict) -> dict:
    reduced = {k: v for k, v in agent.items() if k in ("objectType", "mbox", "mbox_sha1sum", "openid", "account")}
    if agent.get("objectType") == "Group" and "member" in agent and not any(
            k in agent for k in ("mbox", "mbox_sha1sum", "openid", "account")):
        reduced["member"] = [_agent_ids(member) for member in agent["member"]]
    return reduced


def _ids_only(part: dict) -> dict:
    if "actor" in part:
        part["actor"] = _agent_ids(part["actor"])
    if "authority" in part:
        part["authority"] = _agent_ids(part["authority"])
    if "verb" in part:
        part["verb"] = {"id": part["verb"]["id"]}
    obj = part.get("object")
    if isinstance(obj, dict):
        object_type = obj.get("objectType", "Activity")
        if object_type == "Activity":
            part["object"] = {"objectType": "Activity", "id": obj["id"]}
        elif object_type in ("Agent", "Group"):
            part["object"] = _agent_ids(obj)
        elif object_type == "SubStatement":
            part["object"] = _ids_only(obj)
    context = part.get("context")
    if isinstance(context, dict):
        for name in ("instructor", "team"):
            if name in context:
                context[name] = _agent_ids(context[name])
        for name, activities in (context.get("contextActivities") or {}).items():
            listed = activities if isinstance(activities, list) else [activities]
            context["contextActivities"][name] = [{"objectType": "Activity", "id": a["id"]} for a in listed]
    return part


LANGUAGE_MAP_KEYS = {"display", "name", "description"}


def _canonical(value, languages: list[str]):
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            if key in LANGUAGE_MAP_KEYS and isinstance(item, dict) and item and all(
                    isinstance(v, str) for v in item.values()):
                result[key] = _one_language(item, languages)
            elif key == "extensions":
                result[key] = item
            else:
                result[key] = _canonical(item, languages)
        return result
    if isinstance(value, list):
        return [_canonical(item, languages) for item in value]
    return value


def _one_language(language_map: dict, languages: list[str]) -> dict:
    lowered = {key.lower(): key for key in language_map}
    for wanted in languages:
        wanted = wanted.lower()
        if wanted in lowered:
            return {lowered[wanted]: language_map[lowered[wanted]]}
        for key in lowered:
            if key.split("-")[0] == wanted.split("-")[0]:
                return {lowered[key]: language_map[lowered[key]]}
    first = next(iter(language_map))
    return {first: language_map[first]}
