"""``flask lms xapi forward | export | import``: forwarding to an external LRS, and statements as NDJSON files.

``register_commands(xapi_cli)`` adds them to the ``xapi`` group of ``lms/cli.py``. Like every LMS command, they
commit themselves: the forwarder once per batch (each batch is its own unit of work: the remote already holds
it), the import once per batch after the whole file was checked.
"""

from __future__ import annotations

import signal
import sys
import threading
from dataclasses import dataclass
from datetime import datetime

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext


def register_commands(xapi_cli: AppGroup) -> None:
    """Add the forwarding and exchange commands to ``xapi_cli``."""
    xapi_cli.add_command(forward_command)
    xapi_cli.add_command(export_command)
    xapi_cli.add_command(import_command)


def _session():
    from lms.db import session

    return session


# --- forward ---------------------------------------------------------------------------------------------------

@dataclass
class _RunTotals:
    sent: int = 0
    parked: int = 0
    batches: int = 0
    failure: str = ""
    is_busy: bool = False


def _forward_until_done(http, remote, batch_size: int, stop: threading.Event) -> _RunTotals:
    """Batches until nothing is due, the remote fails, another forwarder holds the lock, or a stop is asked for."""
    from lms.xapi import forwarding

    session = _session()
    totals = _RunTotals()
    while not stop.is_set():
        with forwarding.single_runner() as is_mine:
            if not is_mine:
                session.rollback()
                totals.is_busy = True
                return totals
            try:
                outcome = forwarding.forward_batch(http, remote, batch_size)
                session.commit()
            except BaseException:
                session.rollback()
                raise
        if not outcome.handled:
            return totals
        totals.batches += 1
        totals.sent += outcome.sent
        totals.parked += outcome.parked
        if outcome.failed:
            totals.failure = outcome.reason
            return totals
    return totals


def _report(totals: _RunTotals, quiet_when_idle: bool) -> None:
    from lms.xapi.forwarding import outbox_summary

    if quiet_when_idle and not totals.batches and not totals.is_busy:
        return
    summary = outbox_summary()
    _session().rollback()  # end the read: a waiting loop must not hold a snapshot (or SQLite's read lock)
    if totals.is_busy:
        click.echo("Another forwarder is sending; this one leaves the outbox to it for now.")
    click.echo(f"Sent {totals.sent}, parked {totals.parked}; pending {summary.pending}, "
               f"parked in all {summary.parked}.")
    if totals.failure:
        click.echo(f"The external LRS did not take a batch: {totals.failure}", err=True)
        if summary.head is not None:
            click.echo(f"Next attempt after {summary.head.next_attempt_at.isoformat(timespec='seconds')}.", err=True)


class _StopOnSignal:
    """SIGTERM and Ctrl-C (SIGINT) ask the forwarder to stop after the batch in hand, not in the middle of it."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self._previous: dict[int, object] = {}

    def __enter__(self) -> threading.Event:
        if threading.current_thread() is threading.main_thread():
            for number in (signal.SIGTERM, signal.SIGINT):
                self._previous[number] = signal.signal(number, self._ask)
        return self.event

    def _ask(self, number, frame) -> None:  # noqa: ARG002
        self.event.set()

    def __exit__(self, *exc) -> None:
        for number, handler in self._previous.items():
            signal.signal(number, handler)


@click.command("forward")
@click.option("--batch", "batch_size", default=50, show_default=True, type=click.IntRange(1, 1000),
              help="Statements per request to the external LRS.")
@click.option("--loop", is_flag=True, help="Keep forwarding until stopped (SIGTERM or Ctrl-C stop it cleanly, "
                                           "after the batch in hand).")
@click.option("--interval", default=5.0, show_default=True, type=click.FloatRange(0.05, 3600),
              help="With --loop: seconds to wait when nothing is due.")
@click.option("--timeout", default=30.0, show_default=True, type=click.FloatRange(0.1, 600),
              help="Seconds to wait for the external LRS before counting the batch as failed.")
@with_appcontext
def forward_command(batch_size: int, loop: bool, interval: float, timeout: float) -> None:
    """Send pending statements to the external LRS (LMS_XAPI_FORWARD_URL, _KEY, _SECRET), oldest first.

    Without --loop, sends what is due once and exits (status 1 when the external LRS failed, so the rest waits
    for its backoff). Statements the external LRS rejects (400, 403, 413) are parked with its reason: re-queue
    them on the admin outbox page.
    """
    import httpx

    from lms.xapi import forwarding

    remote = forwarding.remote_from_config(current_app.config)
    if remote is None:
        raise click.ClickException("forwarding is not configured: set LMS_XAPI_FORWARD_URL (the external LRS's "
                                   "xAPI endpoint), LMS_XAPI_FORWARD_KEY and LMS_XAPI_FORWARD_SECRET")
    try:
        forwarding.check_remote(remote)
    except forwarding.ForwardingError as error:
        raise click.ClickException(str(error)) from None
    failed = False
    with _StopOnSignal() as stop, httpx.Client(timeout=timeout) as http:
        if loop:
            click.echo(f"Forwarding to {remote.statements_url} every {interval:g} s; SIGTERM or Ctrl-C stops.")
        while True:
            totals = _forward_until_done(http, remote, batch_size, stop)
            _report(totals, quiet_when_idle=loop)
            failed = bool(totals.failure)
            if not loop or stop.wait(interval):
                break
    if loop:
        click.echo("Forwarder stopped.")
    elif failed:
        sys.exit(1)


# --- export and import -------------------------------------------------------------------------------------------

def _moment(value: str | None, name: str) -> datetime | None:
    from lms.xapi.exchange import ExchangeError, parse_moment

    try:
        return parse_moment(value)
    except ExchangeError as error:
        raise click.BadParameter(str(error), param_hint=name) from None


@click.command("export")
@click.option("--since", default=None, help="Only statements stored after this ISO 8601 time (UTC if no zone).")
@click.option("--until", default=None, help="Only statements stored at or before this ISO 8601 time.")
@with_appcontext
def export_command(since: str | None, until: str | None) -> None:
    """Write the stored statements to standard output as NDJSON: one statement (as stored) per line, oldest
    first. Voided statements are included, with the statements that void them."""
    from lms.xapi.exchange import export_lines

    chunk: list[bytes] = []
    for line in export_lines(_moment(since, "--since"), _moment(until, "--until")):
        chunk.append(line)
        if len(chunk) == 500:  # click flushes every echo: one write per few hundred lines, not per line
            click.echo(b"".join(chunk), nl=False)  # bytes go to the binary stdout: UTF-8 whatever the locale
            chunk = []
    if chunk:
        click.echo(b"".join(chunk), nl=False)


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--batch", "batch_size", default=500, show_default=True, type=click.IntRange(1, 10000),
              help="Statements stored (and committed) together.")
@with_appcontext
def import_command(file: str, batch_size: int) -> None:
    """Store the statements of an NDJSON FILE (one statement per line, as `export` writes), keeping their ids.

    Every line is checked first (JSON, a statement with an id, valid xAPI 1.0.3, no id twice): a bad line stops
    the import with its line number before anything is stored. Then statements are stored in batches, each
    committed: should a batch still fail (an id this LRS already holds with other content), none of that batch
    is stored, the batches before it are kept, and running the import again is safe (statements already stored
    identically are skipped). Each statement keeps its authority; its `stored` time becomes now. When
    forwarding is configured, imported statements are queued for the external LRS like any other.
    """
    from lms.xapi import exchange

    session = _session()
    try:
        count = exchange.check_file(file)
    except exchange.ImportProblem as problem:
        click.echo(f"Nothing imported. {problem}", err=True)
        sys.exit(1)
    stored = skipped = 0
    for batch in exchange.read_batches(file, batch_size):
        try:
            new, old = exchange.store_batch(batch)
            session.commit()
        except exchange.ImportProblem as problem:
            session.rollback()
            click.echo(f"Stopped: {problem}. This batch (lines {batch[0][0]}-{batch[-1][0]}) was not stored; "
                       f"{stored} statements before it were.", err=True)
            sys.exit(1)
        stored, skipped = stored + new, skipped + old
    click.echo(f"Imported {count} statements from {file}: {stored} stored, {skipped} already stored.")
