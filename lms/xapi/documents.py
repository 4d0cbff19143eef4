"""The document resources (State, Activity Profile, Agent Profile) and the Activities and Agents resources.

Documents are stored whole, with the Content-Type they were sent with and the SHA-1 of their content as ETag
(xAPI 1.0.3 Communication 2.2, 2.3, 2.6, 2.7 and 3.1). Activities and Agents are read from the statement store
(2.4, 2.5). Functions here take plain values, never ``request``; they flush, the view commits.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from lms.db import session, utcnow
from lms.tracking.models import Statement, StatementRelation, relation_lookup
from lms.tracking.services import actor_key, user_actor_key
from lms.tracking.validation import StatementInvalid, validate_statement
from lms.xapi.credentials import Principal
from lms.xapi.models import Document
from lms.xapi.protocol import XAPIError, bad_request, parse_json_param

JSON_TYPE = "application/json"
LAUNCH_DATA = "LMS.LaunchData"  # the cmi5 launch state document
DEFAULT_CONTENT_TYPE = "application/octet-stream"
MAX_ID_LENGTH = 2048  # the width of Document.document_id and Document.activity_id
MAX_AGENT_KEY_LENGTH = 512  # the width of Document.agent_key
CONTEXT_MENTIONS = 100  # statements naming an activity only in their context, read for its definition
MAX_NAMES = 50  # names of one agent reported by the Agents resource
LANGUAGE_MAP_KEYS = ("name", "description")


# --- the three document resources --------------------------------------------------------------------------

@dataclass(frozen=True)
class DocumentResource:
    """What distinguishes the three document resources: their parameters and their concurrency rule."""

    kind: str
    id_param: str
    has_activity: bool
    has_agent: bool
    has_registration: bool
    # Profiles are shared by many clients: PUT over an existing one must say which version it replaces (3.1).
    needs_preconditions: bool
    deletes_many: bool  # State alone has a multiple-document DELETE (2.3.s5)

    def params(self, method: str) -> set[str]:
        """The parameters this resource recognises for ``method``; any other is a 400 (3.2.s3.b7)."""
        names = {self.id_param}
        if self.has_activity:
            names.add("activityId")
        if self.has_agent:
            names.add("agent")
        if self.has_registration:
            names.add("registration")
        if method == "GET":
            names.add("since")
        return names


STATE = DocumentResource("state", "stateId", has_activity=True, has_agent=True, has_registration=True,
                         needs_preconditions=False, deletes_many=True)
ACTIVITY_PROFILE = DocumentResource("activity_profile", "profileId", has_activity=True, has_agent=False,
                                    has_registration=False, needs_preconditions=True, deletes_many=False)
AGENT_PROFILE = DocumentResource("agent_profile", "profileId", has_activity=False, has_agent=True,
                                 has_registration=False, needs_preconditions=True, deletes_many=False)


@dataclass(frozen=True)
class DocumentAddress:
    """Where a request points: the context (kind, activity, agent, registration) and maybe one document id.

    ``registration`` is None when the request names none: a single document then lives under no registration,
    and a multiple-document request covers every registration (2.3.s4, 2.3.s5).
    """

    resource: DocumentResource
    activity_id: str = ""
    agent_key: str = ""
    registration: str | None = None
    document_id: str | None = None
    since: datetime | None = None


@dataclass(frozen=True)
class Preconditions:
    """The request's If-Match and If-None-Match headers, as sent (None when absent)."""

    if_match: str | None = None
    if_none_match: str | None = None

    @property
    def given(self) -> bool:
        return self.if_match is not None or self.if_none_match is not None


@dataclass(frozen=True)
class Content:
    """A document as sent: its bytes and its Content-Type header."""

    data: bytes
    content_type: str

    @property
    def media_type(self) -> str:
        return self.content_type.split(";")[0].strip().lower()

    @property
    def is_json(self) -> bool:
        return self.media_type == JSON_TYPE


def parse_address(resource: DocumentResource, args, method: str) -> DocumentAddress:
    """The address of a document request from its query parameters. Raises a 400 XAPIError naming the bad one."""
    check_known_params(args, resource.params(method))
    document_id = _single(args, resource.id_param)
    if document_id is None and (method in ("PUT", "POST") or (method == "DELETE" and not resource.deletes_many)):
        raise bad_request(f"the parameter {resource.id_param} is required")
    if document_id == "":
        raise bad_request(f"the parameter {resource.id_param} must not be empty")
    if document_id is not None and len(document_id) > MAX_ID_LENGTH:
        raise bad_request(f"the parameter {resource.id_param} is longer than {MAX_ID_LENGTH} characters")
    activity_id = parse_activity_id(required_param(args, "activityId")) if resource.has_activity else ""
    agent_key = ""
    if resource.has_agent:
        agent_key = actor_key(parse_agent(required_param(args, "agent")))
        if len(agent_key) > MAX_AGENT_KEY_LENGTH:
            raise bad_request("the parameter agent: its identifier is too long to store")
    registration = _single(args, "registration")
    address = DocumentAddress(resource=resource, activity_id=activity_id, agent_key=agent_key,
                              registration=parse_registration(registration) if registration is not None else None,
                              document_id=document_id, since=parse_since(_single(args, "since")))
    return address


def check_known_params(args, known: set[str]) -> None:
    """Raise a 400 XAPIError naming any parameter not in ``known`` (3.2.s3.b7, b8)."""
    unknown = sorted(set(args.keys()) - known)
    if unknown:
        raise bad_request(f"unknown parameter(s) for this resource: {', '.join(unknown)} "
                          f"(it takes {', '.join(sorted(known))}; names are case-sensitive)")


def _single(args, name: str) -> str | None:
    values = args.getlist(name)
    if len(values) > 1:
        raise bad_request(f"the parameter {name} is given more than once")
    return values[0] if values else None


def required_param(args, name: str) -> str:
    """A parameter that must be given once and not empty. Raises a 400 XAPIError naming it."""
    value = _single(args, name)
    if value is None or value == "":
        raise bad_request(f"the parameter {name} is required")
    return value


# The statement validator is the one place that knows what an Agent, an IRI and a UUID are: a parameter is
# checked by putting it where a statement carries the same kind of value.
_PROBE_PATH = "probe"


def _probe(**parts) -> dict:
    statement = {"actor": {"mbox": "mailto:probe@example.org"}, "verb": {"id": "http://example.org/probe"},
                 "object": {"id": "http://example.org/probe"}}
    statement.update(parts)
    return statement


def _check_probe(statement: dict, where: str, name: str) -> None:
    try:
        validate_statement(statement, _PROBE_PATH)
    except StatementInvalid as error:
        path = error.path.replace(f"{_PROBE_PATH}.{where}", name, 1)
        raise bad_request(f"the parameter {path}: {error.message}") from None


def parse_agent(value: str, name: str = "agent") -> dict:
    """An Agent given as a JSON parameter. Raises a 400 XAPIError unless it is a valid Agent (not a Group)."""
    agent = parse_json_param(value, name)
    _check_probe(_probe(actor=agent), "actor", name)
    if agent.get("objectType", "Agent") != "Agent":
        raise bad_request(f"the parameter {name} must be an Agent, not a Group")
    return agent


def parse_activity_id(value: str) -> str:
    """An activity IRI given as a parameter. Raises a 400 XAPIError unless it is an absolute IRI."""
    if len(value) > MAX_ID_LENGTH:
        raise bad_request(f"the parameter activityId is longer than {MAX_ID_LENGTH} characters")
    _check_probe(_probe(object={"id": value}), "object.id", "activityId")
    return value


def parse_registration(value: str) -> str:
    """A registration UUID given as a parameter, lower-cased. Raises a 400 XAPIError unless it is a UUID."""
    _check_probe(_probe(context={"registration": value}), "context.registration", "registration")
    return value.lower()


def parse_since(value: str | None) -> datetime | None:
    """The ``since`` parameter as an aware datetime. Raises a 400 XAPIError unless it is an ISO 8601 timestamp."""
    if value is None:
        return None
    if value.endswith("z"):  # ISO 8601 allows the lower-case designator; fromisoformat does not
        value = value[:-1] + "Z"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise bad_request("the parameter since is not an ISO 8601 timestamp") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=timezone.utc)


# --- who may touch which documents -------------------------------------------------------------------------

def check_documents_scope(principal: Principal) -> None:
    """Refuse (403 XAPIError) a credential without the documents scope."""
    if not principal.may("documents"):
        raise XAPIError(403, "this credential may not use the document resources")


def check_access(principal: Principal, address: DocumentAddress, method: str) -> None:
    """Refuse (403 XAPIError) a per-launch credential reaching beyond its learner and registration."""
    if principal.user_public_id is None:
        return
    resource = address.resource
    if not resource.has_agent:
        # An activity profile is shared by every learner: one learner's content may read it, not change it.
        if method != "GET":
            raise XAPIError(403, "a launch credential may read activity profiles, not change them")
        return
    if address.agent_key != user_actor_key(principal.user_public_id):
        raise XAPIError(403, "agent: this launch credential may only use its own learner's documents")
    if (resource.has_registration and principal.registration and address.registration is not None
            and address.registration != principal.registration.lower()):
        raise XAPIError(403, "registration: this launch credential may only use its own registration")
    if resource.kind == "state" and address.document_id == LAUNCH_DATA and method != "GET":
        # cmi5 10.0: the AU reads LMS.LaunchData; only the LMS writes it.
        raise XAPIError(403, "stateId: LMS.LaunchData is written by the LMS; content may only read it")


# --- reading -----------------------------------------------------------------------------------------------

def _context_conditions(address: DocumentAddress, any_registration: bool) -> list:
    conditions = [Document.kind == address.resource.kind, Document.activity_id == address.activity_id,
                  Document.agent_key == address.agent_key]
    if address.registration is not None:
        conditions.append(Document.registration == address.registration)
    elif not any_registration:
        conditions.append(Document.registration == "")
    return conditions


def address_hash(address: DocumentAddress) -> str:
    """The unique key of the one document an address names (see Document.address_hash)."""
    parts = (address.resource.kind, address.activity_id or "", address.agent_key or "", address.registration or "",
             address.document_id)
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def find_document(address: DocumentAddress) -> Document | None:
    """The one document an address names, or None."""
    return session.execute(select(Document).filter_by(address_hash=address_hash(address))).scalar_one_or_none()


def get_document(address: DocumentAddress) -> Document:
    """The one document an address names. Raises a 404 XAPIError when there is none."""
    document = find_document(address)
    if document is None:
        raise XAPIError(404, f"no document with {address.resource.id_param} {address.document_id!r} here")
    return document


def list_ids(address: DocumentAddress) -> tuple[list[str], datetime | None]:
    """The ids of the documents in an address's context (all registrations when it names none), changed after
    ``since`` when given; and when the newest of them changed (None when there are none)."""
    query = select(Document.document_id, Document.updated_at).where(
        *_context_conditions(address, any_registration=True))
    if address.since is not None:
        query = query.where(Document.updated_at > address.since)
    rows = session.execute(query.order_by(Document.updated_at, Document.id)).all()
    ids = list(dict.fromkeys(document_id for document_id, _ in rows))  # one id may exist in several registrations
    return ids, max((updated_at for _, updated_at in rows), default=None)


def etag_of(data: bytes) -> str:
    """The ETag value of a document: the lower-case hexadecimal SHA-1 of its content (3.1.s4.b2), unquoted."""
    return hashlib.sha1(data).hexdigest()


# --- writing -----------------------------------------------------------------------------------------------

def put_document(address: DocumentAddress, content: Content, preconditions: Preconditions) -> Document:
    """Store a document in place of any existing one. Raises XAPIError 412 (a precondition fails), 409 (a profile
    replaced without If-Match or If-None-Match) or 400 (JSON content that does not parse)."""
    _check_content(content)
    existing = find_document(address)
    check_preconditions(existing, preconditions)
    if existing is not None and address.resource.needs_preconditions and not preconditions.given:
        raise XAPIError(409, "this document already exists: GET it to check its current state, then PUT again "
                             "with an If-Match header carrying its ETag (or If-None-Match: * to create only)")
    return _write(address, existing, content)


def post_document(address: DocumentAddress, content: Content, preconditions: Preconditions) -> Document:
    """Store a new document, or merge a JSON object into an existing JSON object document (2.2.s7).

    Raises XAPIError 412 (a precondition fails) or 400 (an existing document and a body that are not both
    application/json JSON objects; JSON content that does not parse)."""
    _check_content(content)
    existing = find_document(address)
    check_preconditions(existing, preconditions)
    if existing is None:
        return _write(address, None, content)
    merged = _merged(existing, content)
    return _write(address, existing, Content(merged, existing.content_type))


def delete_document(address: DocumentAddress, preconditions: Preconditions) -> None:
    """Delete the document an address names, if it exists. Raises a 412 XAPIError when a precondition fails."""
    existing = find_document(address)
    check_preconditions(existing, preconditions)
    if existing is not None:
        session.delete(existing)
        session.flush()


def delete_documents(address: DocumentAddress) -> int:
    """Delete every document in an address's context (all registrations when it names none); returns how many."""
    result = session.execute(delete(Document).where(*_context_conditions(address, any_registration=True)))
    session.flush()
    return result.rowcount


def check_preconditions(existing: Document | None, preconditions: Preconditions) -> None:
    """Apply If-Match and If-None-Match as RFC 2616 14.24 and 14.26 say. Raises a 412 XAPIError when one fails."""
    current = existing.etag if existing is not None else None
    if preconditions.if_match is not None and not _matches(preconditions.if_match, current):
        raise XAPIError(412, "If-Match: the document's current ETag is not one of those given"
                        if current is not None else "If-Match: there is no such document")
    if preconditions.if_none_match is not None and _matches(preconditions.if_none_match, current):
        raise XAPIError(412, "If-None-Match: the document already exists"
                        if preconditions.if_none_match.strip() == "*"
                        else "If-None-Match: the document's current ETag is one of those given")


def _matches(header: str, current: str | None) -> bool:
    """Whether an If-Match / If-None-Match value matches a document with ETag ``current`` (None: no document)."""
    if current is None:
        return False
    tags = [tag.strip() for tag in header.split(",") if tag.strip()]
    if "*" in tags:
        return True
    return any(_unquoted(tag) == current for tag in tags)


def _unquoted(tag: str) -> str:
    if tag.startswith("W/"):
        tag = tag[2:]
    return tag.strip('"').lower()


def _check_content(content: Content) -> None:
    # A JSON document that does not parse is a body that contradicts its Content-Type (3.2.s3.b6).
    if content.is_json:
        _parse_json(content.data, "the document")


def _parse_json(data: bytes, what: str):
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise bad_request(f"{what} is sent as application/json but is not valid JSON: {error}") from None


def _merged(existing: Document, content: Content) -> bytes:
    """The existing JSON object with the posted object's top-level properties set on it (2.2.s7, 2.2.s8.b1)."""
    if not content.is_json:
        raise bad_request("POST on an existing document merges JSON: send the document as application/json")
    if Content(existing.content, existing.content_type).media_type != JSON_TYPE:
        raise bad_request("the existing document is not application/json, so nothing can be merged into it: "
                          "replace it with PUT")
    posted = _parse_json(content.data, "the document")
    stored = _parse_json(existing.content, "the existing document")
    if not isinstance(posted, dict):
        raise bad_request("POST on an existing document merges JSON objects: the document sent is not an object")
    if not isinstance(stored, dict):
        raise bad_request("the existing document is not a JSON object, so nothing can be merged into it: "
                          "replace it with PUT")
    return json.dumps({**stored, **posted}, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _write(address: DocumentAddress, existing: Document | None, content: Content) -> Document:
    now = utcnow()
    if existing is not None:
        existing.content, existing.content_type = content.data, content.content_type
        existing.etag, existing.updated_at = etag_of(content.data), now
        session.flush()
        return existing
    document = Document(address_hash=address_hash(address), kind=address.resource.kind,
                        activity_id=address.activity_id or "", agent_key=address.agent_key or "",
                        registration=address.registration or "", document_id=address.document_id,
                        content=content.data, content_type=content.content_type, etag=etag_of(content.data),
                        updated_at=now)
    try:
        with session.begin_nested():
            session.add(document)
    except IntegrityError:
        # Another request created the same document between our look-up and this insert.
        raise XAPIError(409, "the document was created by another request at the same time: GET it and "
                             "retry with If-Match") from None
    return document


# --- the Activities resource -------------------------------------------------------------------------------

def activity_object(activity_id: str) -> dict:
    """The Activity with the fullest definition the stored statements give it (2.5): their definitions merged,
    the newer statement winning per property and per language. Raises a 404 XAPIError for an unknown activity."""
    seen = _definitions_as_object(activity_id) + _definitions_in_context(activity_id)
    if not seen:
        raise XAPIError(404, f"no statement names the activity {activity_id}")
    definition: dict = {}
    for _, definition_seen in sorted(seen, key=lambda item: item[0]):
        definition = merge_definitions(definition, definition_seen)
    activity = {"objectType": "Activity", "id": activity_id}
    if definition:
        activity["definition"] = definition
    return activity


def merge_definitions(older: dict, newer: dict) -> dict:
    """Two definitions of one activity merged: language maps and extensions entry by entry, anything else
    whole; ``newer`` wins where both have a value."""
    merged = dict(older)
    for key, value in newer.items():
        if key in (*LANGUAGE_MAP_KEYS, "extensions") and isinstance(value, dict) and isinstance(
                merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def _definitions_as_object(activity_id: str) -> list[tuple[tuple, dict]]:
    """Definitions from statements whose object is the activity, keyed by when they were stored."""
    query = (select(Statement.stored_at, Statement.id, Statement.full["object"]["definition"])
             .where(Statement.object_activity_id == activity_id, Statement.is_voided.is_(False))
             .execution_options(yield_per=500))
    return [((stored_at, pk), definition if isinstance(definition, dict) else {})
            for stored_at, pk, definition in session.execute(query)]


def _definitions_in_context(activity_id: str) -> list[tuple[tuple, dict]]:
    """Definitions from the newest statements naming the activity elsewhere (context, sub-statement): a course
    IRI is in the context of every statement of its course, so only the newest few are read."""
    mentions = select(StatementRelation.statement_pk).where(
        *relation_lookup(StatementRelation, ("activity",), activity_id))
    query = (select(Statement.stored_at, Statement.id, Statement.full)
             .where(Statement.id.in_(mentions), Statement.is_voided.is_(False),
                    (Statement.object_activity_id != activity_id) | Statement.object_activity_id.is_(None))
             .order_by(Statement.stored_at.desc(), Statement.id.desc()).limit(CONTEXT_MENTIONS))
    found = []
    for stored_at, pk, full in session.execute(query):
        for definition in _activity_definitions(full, activity_id, top=True):
            found.append(((stored_at, pk), definition))
    return found


def _activity_definitions(part: dict, activity_id: str, top: bool) -> list[dict]:
    """Every definition a statement (or sub-statement) gives the activity outside its top-level object."""
    found = []
    obj = part.get("object") or {}
    if obj.get("objectType") == "SubStatement":
        found += _activity_definitions(obj, activity_id, top=False)
    elif not top and obj.get("objectType", "Activity") == "Activity" and obj.get("id") == activity_id:
        found.append(obj.get("definition") or {})
    for activities in ((part.get("context") or {}).get("contextActivities") or {}).values():
        for activity in activities if isinstance(activities, list) else [activities]:
            if activity.get("id") == activity_id:
                found.append(activity.get("definition") or {})
    return found


# --- the Agents resource -----------------------------------------------------------------------------------

def check_may_read_agent(principal: Principal, agent: dict) -> None:
    """Refuse (403 XAPIError) to tell a credential about an agent it may not read statements of."""
    if principal.may("statements/read"):
        return
    if principal.user_public_id is not None and actor_key(agent) == user_actor_key(principal.user_public_id):
        return
    raise XAPIError(403, "this credential may not read what the LRS knows of other agents")


def person(agent: dict) -> dict:
    """The Person object (2.4) of what the LRS knows of an agent: its identifier and every name it was given as
    a statement's actor (the given name first)."""
    names = [agent["name"]] if isinstance(agent.get("name"), str) else []
    names += [name for name in _names_as_actor(actor_key(agent)) if name not in names]
    result: dict = {"objectType": "Person"}
    if names:
        result["name"] = names[:MAX_NAMES]
    for ifi in ("mbox", "mbox_sha1sum", "openid", "account"):
        if ifi in agent:
            result[ifi] = [agent[ifi]]
    return result


def _names_as_actor(key: str) -> list[str]:
    name = Statement.full["actor"]["name"].as_string()
    query = (select(name).where(Statement.actor_key == key, name.is_not(None))
             .group_by(name).order_by(func.max(Statement.stored_at).desc()).limit(MAX_NAMES))
    return [value for (value,) in session.execute(query)]
