"""Forwarding stored statements to an external LRS (``LMS_XAPI_FORWARD_*``): at least once, in order.

Every statement ``tracking.record()`` stores gets an ``OutboxEntry`` in the same transaction (``enqueue``, a
``statements_recorded`` receiver), so a statement is never stored without its entry nor queued without being
stored. The forwarder (``flask lms xapi forward``) sends the pending entries oldest first, a batch per
transaction: ``forward_batch`` under ``single_runner``, then the command commits. The statements keep their ids,
so a batch sent twice (the remote stored it, then our commit failed) is a duplicate the remote ignores (200 for
identical content, or 409), never a second copy.

Answers: 200/204 sent; 409 (the remote already has the id) sent; 400/403/413 for a batch: its statements are
sent one by one to find the rejected ones, which are *parked* with the remote's reason (never retried by
themselves; an admin re-queues them); anything else (5xx, 401, 429, a timeout, no connection) leaves the batch
pending with an exponential backoff and ends the run, so nothing later overtakes it.
"""

from __future__ import annotations

import fcntl
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
from flask import Flask, current_app
from sqlalchemy import func, select, text, update

from lms.db import session, utcnow
from lms.tracking.models import Statement
from lms.xapi.credentials import basic_auth_header
from lms.xapi.models import OutboxEntry
from lms.xapi.protocol import XAPI_VERSION

if TYPE_CHECKING:
    from lms.tracking.services import StoredStatement

PENDING, SENT, PARKED = "pending", "sent", "parked"
DEFAULT_BATCH = 50
BACKOFF_FIRST_SECONDS = 5
BACKOFF_CAP_SECONDS = 600
# A pending entry whose id follows a missing one waits this long for it: on PostgreSQL a concurrent transaction
# holding the missing id may still commit (sequences hand out ids before commit). Older gaps are rollbacks.
GAP_GRACE_SECONDS = 30
REASON_CHARACTERS = 500
TIMEOUT_SECONDS = 30.0
ACCEPTED = frozenset({200, 204})
ALREADY_STORED = 409
REJECTED = frozenset({400, 403, 413})
_LOCK_KEY = 0x4C4D5358  # "LMSX": the PostgreSQL advisory lock of the forwarder
_LOCK_FILE = "xapi-forward.lock"


class ForwardingError(ValueError):
    """A forwarding request that cannot be carried out (not configured, no such parked entry)."""


# --- configuration ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Remote:
    """The external LRS statements are forwarded to."""

    url: str
    key: str
    secret: str

    @property
    def statements_url(self) -> str:
        return self.url.rstrip("/") + "/statements"


def remote_from_config(config) -> Remote | None:
    """The external LRS the app's ``LMS_XAPI_FORWARD_*`` settings name, or None when forwarding is off."""
    url = (config.get("LMS_XAPI_FORWARD_URL") or "").strip()
    if not url:
        return None
    return Remote(url=url, key=config.get("LMS_XAPI_FORWARD_KEY") or "",
                  secret=config.get("LMS_XAPI_FORWARD_SECRET") or "")


def check_remote(remote: Remote) -> None:
    """Raises ForwardingError when the settings cannot work (no http(s) URL, no key or secret)."""
    try:
        scheme = httpx.URL(remote.url).scheme
    except httpx.InvalidURL as error:
        raise ForwardingError(f"LMS_XAPI_FORWARD_URL is not a URL: {error}") from None
    if scheme not in ("http", "https"):
        raise ForwardingError("LMS_XAPI_FORWARD_URL must be an http:// or https:// URL (the LRS's xAPI endpoint)")
    if not remote.key or not remote.secret:
        raise ForwardingError("set LMS_XAPI_FORWARD_KEY and LMS_XAPI_FORWARD_SECRET: the external LRS's "
                              "credential (HTTP Basic)")


# --- the outbox, filled in record()'s transaction ------------------------------------------------------------

def enqueue(sender: Flask, statements: list[StoredStatement], **_) -> None:
    """``statements_recorded`` receiver: queue the new statements for forwarding, when forwarding is configured."""
    if remote_from_config(sender.config) is None:
        return
    session.add_all(OutboxEntry(statement_pk=row.id, status=PENDING)
                    for row in sorted(statements, key=lambda row: row.id))
    session.flush()


def connect_signals() -> None:
    """Fill the outbox from every ``record()`` (connecting twice is harmless: blinker keeps one receiver)."""
    from lms.signals import statements_recorded

    statements_recorded.connect(enqueue, weak=False)


# --- one runner at a time ------------------------------------------------------------------------------------

@contextmanager
def single_runner() -> Iterator[bool]:
    """Whether this process may forward now: yields False while another forwarder is sending a batch.

    On PostgreSQL a transaction-level advisory lock, released when the caller commits or rolls back (do that
    inside the ``with``); elsewhere (SQLite: one machine) an exclusive lock on a file next to the database.
    """
    engine = session.get_bind()
    if engine.dialect.name == "postgresql":
        yield bool(session.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": _LOCK_KEY}).scalar_one())
        return
    database = engine.url.database
    path = Path(database + ".forward-lock") if database and database != ":memory:" else (
        Path(current_app.instance_path) / _LOCK_FILE)
    with open(path, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- sending ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Answer:
    """What the remote said to one POST: its HTTP status (None when it did not answer) and why."""

    status: int | None
    detail: str

    @property
    def reason(self) -> str:
        return f"HTTP {self.status}: {self.detail}" if self.status is not None else self.detail


def _excerpt(body: str) -> str:
    flat = " ".join(body.split())
    return flat if len(flat) <= REASON_CHARACTERS else flat[:REASON_CHARACTERS - 1] + "…"


def _body(statements: list[dict]) -> tuple[bytes, str]:
    """The request body: JSON, or multipart/mixed carrying the attachment contents we hold."""
    if any(statement.get("attachments") for statement in statements):
        from lms.xapi.attachments import multipart_response

        return multipart_response(statements, statements)
    return json.dumps(statements, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), "application/json"


def post_statements(http: httpx.Client, remote: Remote, statements: list[dict]) -> Answer:
    """POST statements, as stored (ids included), to the remote's Statement resource; never raises for the
    network: a timeout or a refused connection is an Answer without a status."""
    body, content_type = _body(statements)
    headers = {"X-Experience-API-Version": XAPI_VERSION, "Content-Type": content_type,
               "Authorization": basic_auth_header(remote.key, remote.secret)}
    try:
        response = http.post(remote.statements_url, content=body, headers=headers)
    except httpx.TransportError as error:
        return Answer(None, _excerpt(f"no answer from {remote.statements_url}: {type(error).__name__} {error}"))
    return Answer(response.status_code, _excerpt(response.text))


# --- the forwarder -------------------------------------------------------------------------------------------

@dataclass
class BatchOutcome:
    """What one batch came to. ``failed``: the remote could not take it now (the run should stop)."""

    sent: int = 0
    parked: int = 0
    deferred: int = 0
    failed: bool = False
    reason: str = ""

    @property
    def handled(self) -> int:
        return self.sent + self.parked + self.deferred


def backoff(attempts: int) -> timedelta:
    """How long a batch that failed ``attempts`` times waits: doubling from 5 s, at most 10 minutes."""
    return timedelta(seconds=min(BACKOFF_FIRST_SECONDS * 2 ** max(0, attempts - 1), BACKOFF_CAP_SECONDS))


def next_batch(size: int, now: datetime) -> list[OutboxEntry]:
    """The oldest pending entries, up to ``size``, when the oldest one is due (else none: order comes first)."""
    query = select(OutboxEntry).where(OutboxEntry.status == PENDING).order_by(OutboxEntry.id).limit(size)
    # Not SKIP LOCKED: a second forwarder would take the *next* batch and could deliver it before this one.
    # ``single_runner`` keeps forwarders one at a time; FOR UPDATE (PostgreSQL) holds off other writers.
    entries = list(session.execute(query.with_for_update()).scalars())
    if not entries or entries[0].next_attempt_at > now:
        return []
    return _before_young_gap(entries, now)


def _before_young_gap(entries: list[OutboxEntry], now: datetime) -> list[OutboxEntry]:
    """The entries up to the first one that follows a missing id and is younger than the grace period."""
    young_since = now - timedelta(seconds=GAP_GRACE_SECONDS)
    previous = session.execute(
        select(func.max(OutboxEntry.id)).where(OutboxEntry.id < entries[0].id)).scalar_one_or_none() or 0
    kept = []
    for entry in entries:
        if entry.id != previous + 1 and entry.created_at > young_since and _missing_between(previous, entry.id):
            break
        kept.append(entry)
        previous = entry.id
    return kept


def _missing_between(low: int, high: int) -> bool:
    """Whether some id between two entries is missing (sent and parked entries are not missing)."""
    present = session.execute(select(func.count()).select_from(OutboxEntry)
                              .where(OutboxEntry.id > low, OutboxEntry.id < high)).scalar_one()
    return present < high - low - 1


def forward_batch(http: httpx.Client, remote: Remote, size: int = DEFAULT_BATCH,
                  now: datetime | None = None) -> BatchOutcome:
    """Send the next batch of due pending entries and record each one's fate. Flushes; the caller commits.

    Call it inside ``single_runner()`` and commit before leaving it.
    """
    now = now or utcnow()
    entries = next_batch(size, now)
    if not entries:
        return BatchOutcome()
    statements = _statements_of(entries)
    answer = post_statements(http, remote, [statements[entry.statement_pk] for entry in entries])
    outcome = BatchOutcome()
    if answer.status in ACCEPTED or (answer.status == ALREADY_STORED and len(entries) == 1):
        _mark_sent(entries, now, outcome)
    elif answer.status in REJECTED and len(entries) == 1:
        _park(entries[0], answer, outcome)
    elif answer.status in REJECTED or answer.status == ALREADY_STORED:
        _one_by_one(http, remote, entries, statements, now, outcome)
    else:
        _defer(entries, answer, now, outcome)
    session.flush()
    return outcome


def _statements_of(entries: list[OutboxEntry]) -> dict[int, dict]:
    rows = session.execute(select(Statement.id, Statement.full).where(
        Statement.id.in_([entry.statement_pk for entry in entries])))
    return {pk: full for pk, full in rows}


def _one_by_one(http: httpx.Client, remote: Remote, entries: list[OutboxEntry], statements: dict[int, dict],
                now: datetime, outcome: BatchOutcome) -> None:
    """A batch the remote refused: each statement alone, to park only the bad ones. Stops at a failure."""
    for position, entry in enumerate(entries):
        answer = post_statements(http, remote, [statements[entry.statement_pk]])
        if answer.status in ACCEPTED or answer.status == ALREADY_STORED:
            _mark_sent([entry], now, outcome)
        elif answer.status in REJECTED:
            _park(entry, answer, outcome)
        else:
            _defer(entries[position:], answer, now, outcome)
            return


def _mark_sent(entries: list[OutboxEntry], now: datetime, outcome: BatchOutcome) -> None:
    for entry in entries:
        entry.status, entry.sent_at, entry.last_error = SENT, now, None
    outcome.sent += len(entries)


def _park(entry: OutboxEntry, answer: Answer, outcome: BatchOutcome) -> None:
    entry.status, entry.last_error = PARKED, answer.reason
    entry.attempts += 1
    outcome.parked += 1


def _defer(entries: list[OutboxEntry], answer: Answer, now: datetime, outcome: BatchOutcome) -> None:
    for entry in entries:
        entry.attempts += 1
        entry.next_attempt_at = now + backoff(entry.attempts)
        entry.last_error = answer.reason
    outcome.deferred += len(entries)
    outcome.failed, outcome.reason = True, answer.reason


# --- what the admin sees and does ----------------------------------------------------------------------------

@dataclass(frozen=True)
class OutboxSummary:
    pending: int
    sent: int
    parked: int
    last_sent_at: datetime | None
    head: OutboxEntry | None  # the oldest pending entry: its attempts, next attempt and last error


def outbox_summary() -> OutboxSummary:
    """Counts by state, the last success, and the oldest pending entry."""
    counts = dict(session.execute(select(OutboxEntry.status, func.count()).group_by(OutboxEntry.status)).all())
    last_sent_at = session.execute(select(func.max(OutboxEntry.sent_at))).scalar_one_or_none()
    head = session.execute(select(OutboxEntry).where(OutboxEntry.status == PENDING)
                           .order_by(OutboxEntry.id).limit(1)).scalar_one_or_none()
    return OutboxSummary(pending=counts.get(PENDING, 0), sent=counts.get(SENT, 0), parked=counts.get(PARKED, 0),
                         last_sent_at=last_sent_at, head=head)


def parked_query():
    """The parked entries, oldest first (a SELECT to page)."""
    return select(OutboxEntry).where(OutboxEntry.status == PARKED).order_by(OutboxEntry.id)


def statements_for(entries: list[OutboxEntry]) -> dict[int, Statement]:
    """The stored statements of some entries, by the entry's ``statement_pk``."""
    if not entries:
        return {}
    rows = session.execute(select(Statement).where(Statement.id.in_([entry.statement_pk for entry in entries])))
    return {row.id: row for row in rows.scalars()}


def requeue(entry_id: int) -> OutboxEntry:
    """Put a parked entry back in the queue, due now. Flushes. Raises ForwardingError when no parked entry has
    that id."""
    entry = session.get(OutboxEntry, entry_id)
    if entry is None or entry.status != PARKED:
        raise ForwardingError(f"no parked outbox entry has the id {entry_id}")
    entry.status, entry.next_attempt_at = PENDING, utcnow()
    session.flush()
    return entry


def requeue_all_parked() -> int:
    """Put every parked entry back in the queue, due now. Flushes. Returns how many."""
    result = session.execute(update(OutboxEntry).where(OutboxEntry.status == PARKED)
                             .values(status=PENDING, next_attempt_at=utcnow()))
    session.flush()
    return result.rowcount
