"""Stored statements as NDJSON (one statement per line): export, and import through ``tracking.record()``."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime, timezone
from itertools import groupby

from sqlalchemy import and_, or_, select

from lms.db import session
from lms.tracking.models import Statement
from lms.tracking.services import StatementConflict, record
from lms.tracking.validation import StatementInvalid, validate_statement

EXPORT_BATCH = 500


class ExchangeError(ValueError):
    """An export or import request that cannot be carried out (a time that does not parse)."""


class ImportProblem(ValueError):
    """A line of an import file that cannot be stored: ``line`` is its number (from 1), ``message`` says why."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line, self.message = line, message


def parse_moment(value: str | None) -> datetime | None:
    """An ISO 8601 time as UTC (no zone: UTC), or None for None. Raises ExchangeError."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ExchangeError(f"{value!r} is not an ISO 8601 time (e.g. 2026-01-31T08:00:00Z)") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


# --- export ----------------------------------------------------------------------------------------------------

def export_statements(since: datetime | None = None, until: datetime | None = None,
                      batch_size: int = EXPORT_BATCH) -> Iterator[dict]:
    """Stored statements (``stored`` after ``since``, at or before ``until``), oldest first, read a batch at a
    time: only one batch is ever in memory."""
    order = (Statement.stored_at, Statement.id)
    query = select(Statement.stored_at, Statement.id, Statement.full).order_by(*order).limit(batch_size)
    if since is not None:
        query = query.where(Statement.stored_at > since)
    if until is not None:
        query = query.where(Statement.stored_at <= until)
    after: tuple[datetime, int] | None = None
    while True:
        page = query if after is None else query.where(or_(
            Statement.stored_at > after[0], and_(Statement.stored_at == after[0], Statement.id > after[1])))
        rows = session.execute(page).all()
        for row in rows:
            yield row.full
        if len(rows) < batch_size:
            return
        after = (rows[-1].stored_at, rows[-1].id)


def export_lines(since: datetime | None = None, until: datetime | None = None) -> Iterator[bytes]:
    """``export_statements`` as NDJSON lines (UTF-8, each ending in a newline)."""
    for statement in export_statements(since, until):
        yield json.dumps(statement, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


# --- import ----------------------------------------------------------------------------------------------------

def read_lines(path: str) -> Iterator[tuple[int, dict]]:
    """(line number, statement) for every non-blank line of an NDJSON file. Raises ImportProblem for a line
    that is not a JSON object."""
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                value = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError as error:
                raise ImportProblem(number, f"not UTF-8 text ({error.reason})") from None
            except json.JSONDecodeError as error:
                raise ImportProblem(number, f"not valid JSON: {error.msg} at column {error.colno}") from None
            if not isinstance(value, dict):
                raise ImportProblem(number, "not a JSON object (each line holds one statement)")
            yield number, value


def check_file(path: str) -> int:
    """Check every line before anything is stored. Returns the number of statements.

    Raises ImportProblem for the first line that is not a valid xAPI 1.0.3 statement with an id of its own, or
    whose id an earlier line already has.
    """
    first_line: dict[str, int] = {}
    for number, statement in read_lines(path):
        try:
            validate_statement(statement)
        except StatementInvalid as error:
            raise ImportProblem(number, str(error)) from None
        if "id" not in statement:
            raise ImportProblem(number, "the statement has no id (an import keeps ids, so each needs one)")
        key = statement["id"].lower()
        if key in first_line:
            raise ImportProblem(number, f"statement id {key} is also on line {first_line[key]}")
        first_line[key] = number
    return len(first_line)


def read_batches(path: str, size: int) -> Iterator[list[tuple[int, dict]]]:
    """The file's (line number, statement) pairs, ``size`` at a time."""
    batch: list[tuple[int, dict]] = []
    for item in read_lines(path):
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def store_batch(batch: list[tuple[int, dict]]) -> tuple[int, int]:
    """Store a batch through ``record()``, each statement under its own authority. Flushes; the caller commits.

    Returns (newly stored, already stored). Raises ImportProblem naming the line of a statement whose id is
    already stored with other content, or that ``record()`` finds invalid.
    """
    ids = [statement["id"].lower() for _, statement in batch]
    known = set(session.execute(select(Statement.statement_id).where(Statement.statement_id.in_(ids))).scalars())
    line_of = dict(zip(ids, (number for number, _ in batch)))
    # Consecutive statements with one authority go in one record() call: authorities are kept, order too.
    for _, run in groupby(batch, key=lambda item: json.dumps(item[1].get("authority"), sort_keys=True)):
        run = list(run)
        try:
            record([statement for _, statement in run], authority=run[0][1].get("authority"))
        except StatementConflict as error:
            conflicting = next((line_of[i] for i in ids if i in str(error)), run[0][0])
            raise ImportProblem(conflicting, str(error)) from None
        except StatementInvalid as error:
            index = re.match(r"statements\[(\d+)\]", error.path)
            raise ImportProblem(run[int(index.group(1))][0] if index else run[0][0], str(error)) from None
    return len(ids) - len(known), len(known)
