"""Forwarding to an external LRS: the outbox filled in record()'s transaction, and the forwarder sending it in
order, at least once, to a real second LMS served by gunicorn on a loopback port (its own SQLite instance).

Edge answers a real LRS will not give on cue (5xx, timeouts, 413) are played by an httpx MockTransport."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from lms import create_app
from lms.db import session, utcnow
from lms.tracking.models import Statement
from lms.tracking.services import record
from lms.xapi import forwarding
from lms.xapi.credentials import basic_auth_header
from lms.xapi.models import OutboxEntry
from tests.conftest import ROOT, test_config
from tests.live_lms import HOST, LiveLMS as RemoteLRS, free_port

VOIDED = "http://adlnet.gov/expapi/verbs/voided"


# --- a second LMS as the external LRS: tests/live_lms.py ------------------------------------------------------

@pytest.fixture(scope="module")
def shared_remote(tmp_path_factory):
    """One remote for the tests that only add statements to it (each test reads back its own registration)."""
    remote = RemoteLRS(tmp_path_factory.mktemp("remote-lrs"))
    remote.start()
    yield remote
    remote.stop()


@pytest.fixture
def own_remote(tmp_path):
    """A remote of the test's own, for tests that stop and restart it."""
    remote = RemoteLRS(tmp_path / "remote")
    yield remote
    remote.stop()


def forward_to(app, remote: RemoteLRS, key: str | None = None, secret: str | None = None) -> None:
    app.config.update(LMS_XAPI_FORWARD_URL=remote.url, LMS_XAPI_FORWARD_KEY=key or remote.key,
                      LMS_XAPI_FORWARD_SECRET=secret or remote.secret)


# --- statements ------------------------------------------------------------------------------------------------

def make_statement(registration: str, number: int = 0, **extra) -> dict:
    return {"id": str(uuid.uuid4()), "actor": {"mbox": "mailto:li.na@example.org", "name": "Li Na"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced", "display": {"en-US": "experienced"}},
            "object": {"id": f"http://example.org/activities/overtime/{number}"},
            "context": {"registration": registration}, **extra}


def record_each(app, statements: list[dict]) -> list[str]:
    """Record statements one transaction each, as learners would; returns their ids in order."""
    with app.app_context():
        for statement in statements:
            record([statement])
            session.commit()
    return [statement["id"] for statement in statements]


def entries(app) -> list[OutboxEntry]:
    with app.app_context():
        rows = session.query(OutboxEntry).order_by(OutboxEntry.id).all()
        session.expunge_all()
        return rows


def send_batches(app, remote, size: int, count: int | None = None, later: timedelta = timedelta(0)):
    """Run forward_batch like the command does (under the guard, one commit per batch); returns the outcomes."""
    outcomes = []
    with app.app_context(), httpx.Client(timeout=5) as http:
        target = forwarding.remote_from_config(app.config)
        while count is None or len(outcomes) < count:
            with forwarding.single_runner() as is_mine:
                assert is_mine
                outcome = forwarding.forward_batch(http, target, size, now=utcnow() + later)
                session.commit()
            if not outcome.handled:
                break
            outcomes.append(outcome)
            if outcome.failed:
                break
    return outcomes


# --- the outbox ------------------------------------------------------------------------------------------------

def test_nothing_is_queued_when_forwarding_is_not_configured(app):
    record_each(app, [make_statement(str(uuid.uuid4()))])
    assert entries(app) == []


def test_each_recorded_statement_is_queued_in_the_order_recorded(app):
    app.config["LMS_XAPI_FORWARD_URL"] = "http://127.0.0.1:9/xapi/"
    registration = str(uuid.uuid4())
    batch = [make_statement(registration, number) for number in range(3)]
    with app.app_context():
        record(batch)
        session.commit()
        pks = dict(session.execute(select(Statement.statement_id, Statement.id)).all())
    queued = entries(app)
    assert [entry.statement_pk for entry in queued] == [pks[statement["id"]] for statement in batch]
    assert {entry.status for entry in queued} == {"pending"}


def test_the_outbox_entry_is_rolled_back_with_its_statement(app):
    app.config["LMS_XAPI_FORWARD_URL"] = "http://127.0.0.1:9/xapi/"
    with app.app_context():
        record([make_statement(str(uuid.uuid4()))])
        session.rollback()
    assert entries(app) == []


def test_a_statement_voided_on_arrival_is_queued_too(app):
    app.config["LMS_XAPI_FORWARD_URL"] = "http://127.0.0.1:9/xapi/"
    registration = str(uuid.uuid4())
    late = make_statement(registration)
    voiding = make_statement(registration, verb={"id": VOIDED, "display": {"en-US": "voided"}},
                             object={"objectType": "StatementRef", "id": late["id"]})
    record_each(app, [voiding, late])  # the voiding statement arrives first
    assert len(entries(app)) == 2


def test_a_statement_already_stored_is_not_queued_again(app):
    app.config["LMS_XAPI_FORWARD_URL"] = "http://127.0.0.1:9/xapi/"
    statement = make_statement(str(uuid.uuid4()))
    record_each(app, [statement, dict(statement)])
    assert len(entries(app)) == 1


# --- against a real second LRS -----------------------------------------------------------------------------------

def test_forward_command_delivers_each_statement_once_in_order(app, runner, shared_remote):
    forward_to(app, shared_remote)
    registration = str(uuid.uuid4())
    ids = record_each(app, [make_statement(registration, number) for number in range(7)])

    result = runner.invoke(args=["lms", "xapi", "forward", "--batch", "3"])

    assert result.exit_code == 0, result.output
    assert "Sent 7, parked 0; pending 0" in result.output
    assert shared_remote.statement_ids(registration) == ids
    assert {entry.status for entry in entries(app)} == {"sent"}


def test_running_the_forwarder_again_sends_nothing_twice(app, runner, shared_remote):
    forward_to(app, shared_remote)
    registration = str(uuid.uuid4())
    ids = record_each(app, [make_statement(registration, number) for number in range(3)])
    assert runner.invoke(args=["lms", "xapi", "forward"]).exit_code == 0
    ids += record_each(app, [make_statement(registration, 9)])

    again = runner.invoke(args=["lms", "xapi", "forward"])

    assert again.exit_code == 0 and "Sent 1," in again.output
    assert shared_remote.statement_ids(registration) == ids


def test_forwarded_statements_keep_their_ids_and_content(app, runner, shared_remote):
    forward_to(app, shared_remote)
    statement = make_statement(str(uuid.uuid4()), result={"score": {"scaled": 0.8}, "success": True})
    record_each(app, [statement])

    assert runner.invoke(args=["lms", "xapi", "forward"]).exit_code == 0

    arrived = shared_remote.fetch(statement["id"])
    assert {k: arrived[k] for k in ("actor", "verb", "object", "context", "result")} == {
        k: statement[k] for k in ("actor", "verb", "object", "context", "result")}


def test_a_stopped_remote_leaves_the_rest_pending_with_backoff_and_a_restart_completes_the_stream(app, own_remote):
    forward_to(app, own_remote)
    own_remote.start()
    registration = str(uuid.uuid4())
    ids = record_each(app, [make_statement(registration, number) for number in range(10)])

    assert [o.sent for o in send_batches(app, own_remote, size=3, count=2)] == [3, 3]
    own_remote.stop()
    before = utcnow()
    [failed] = send_batches(app, own_remote, size=3)

    assert failed.failed and failed.deferred == 3 and failed.sent == 0
    waiting = [entry for entry in entries(app) if entry.status == "pending"]
    assert len(waiting) == 4
    assert [entry.attempts for entry in waiting] == [1, 1, 1, 0]
    assert all(before + timedelta(seconds=4) < entry.next_attempt_at < utcnow() + timedelta(seconds=6)
               for entry in waiting[:3])
    assert "ConnectError" in waiting[0].last_error
    assert send_batches(app, own_remote, size=3) == []  # not due yet: nothing overtakes the failed batch

    own_remote.start()
    outcomes = send_batches(app, own_remote, size=3, later=timedelta(seconds=6))

    assert sum(o.sent for o in outcomes) == 4 and not any(o.failed for o in outcomes)
    assert own_remote.statement_ids(registration) == ids
    assert {entry.status for entry in entries(app)} == {"sent"}


def test_a_statement_the_remote_already_has_with_other_content_counts_as_sent(app, shared_remote):
    forward_to(app, shared_remote)
    registration = str(uuid.uuid4())
    taken = make_statement(registration, 2)
    assert shared_remote.post({**taken, "object": {"id": "http://example.org/activities/other"}}).status_code == 200
    batch = [make_statement(registration, 1), taken, make_statement(registration, 3)]
    record_each(app, batch)

    [outcome] = send_batches(app, shared_remote, size=10)

    assert outcome.sent == 3 and outcome.parked == 0
    assert shared_remote.statement_ids(registration) == [taken["id"], batch[0]["id"], batch[2]["id"]]
    assert shared_remote.fetch(taken["id"])["object"]["id"] == "http://example.org/activities/other"


def test_a_statement_the_remote_rejects_is_parked_with_its_reason_and_the_rest_are_sent(app, shared_remote):
    forward_to(app, shared_remote)
    registration = str(uuid.uuid4())
    first_void = make_statement(registration, verb={"id": VOIDED, "display": {"en-US": "voided"}},
                                object={"objectType": "StatementRef", "id": str(uuid.uuid4())})
    # Our record() stores a voiding of a voiding statement; an LRS (ours at /xapi included) refuses it with 400.
    second_void = make_statement(registration, verb={"id": VOIDED, "display": {"en-US": "voided"}},
                                 object={"objectType": "StatementRef", "id": first_void["id"]})
    batch = [make_statement(registration, 1), first_void, second_void, make_statement(registration, 2)]
    record_each(app, batch)

    [outcome] = send_batches(app, shared_remote, size=10)

    assert (outcome.sent, outcome.parked, outcome.failed) == (3, 1, False)
    parked = [entry for entry in entries(app) if entry.status == "parked"]
    assert len(parked) == 1 and parked[0].last_error.startswith("HTTP 400: ")
    assert "voiding statement cannot be voided" in parked[0].last_error
    assert shared_remote.statement_ids(registration) == [batch[0]["id"], first_void["id"], batch[3]["id"]]


def test_a_read_only_credential_parks_every_statement_with_the_403_reason(app, runner, shared_remote):
    key, secret = shared_remote.create_credential("read only", "statements/read")
    forward_to(app, shared_remote, key, secret)
    registration = str(uuid.uuid4())
    record_each(app, [make_statement(registration, number) for number in range(2)])

    result = runner.invoke(args=["lms", "xapi", "forward"])

    assert result.exit_code == 0 and "Sent 0, parked 2" in result.output
    reasons = [entry.last_error for entry in entries(app)]
    assert all(reason.startswith("HTTP 403: ") and "may not store statements" in reason for reason in reasons)
    assert shared_remote.statement_ids(registration) == []


def test_a_requeued_parked_statement_is_sent_on_the_next_run(app, runner, shared_remote):
    key, secret = shared_remote.create_credential("read only", "statements/read")
    forward_to(app, shared_remote, key, secret)
    registration = str(uuid.uuid4())
    ids = record_each(app, [make_statement(registration)])
    runner.invoke(args=["lms", "xapi", "forward"])
    forward_to(app, shared_remote)  # the admin fixed the credential

    assert runner.invoke(args=["lms", "xapi", "forward"]).output.startswith("Sent 0, parked 0")
    with app.app_context():
        assert forwarding.requeue_all_parked() == 1
        session.commit()
    result = runner.invoke(args=["lms", "xapi", "forward"])

    assert "Sent 1, parked 0" in result.output
    assert shared_remote.statement_ids(registration) == ids


def test_the_loop_keeps_forwarding_and_stops_cleanly_on_sigterm(app, database_url, tmp_path, shared_remote):
    forward_to(app, shared_remote)
    registration = str(uuid.uuid4())
    ids = record_each(app, [make_statement(registration, number) for number in range(4)])
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    env.update({"LMS_DATABASE_URL": database_url, "LMS_INSTANCE_PATH": str(tmp_path), "LMS_SECRET_KEY": "x",
                "LMS_BASE_URL": "http://lms.test", "LMS_XAPI_FORWARD_URL": shared_remote.url,
                "LMS_XAPI_FORWARD_KEY": shared_remote.key, "LMS_XAPI_FORWARD_SECRET": shared_remote.secret})
    command = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", "lms", "xapi", "forward", "--loop",
               "--interval", "0.1", "--batch", "2"]
    forwarder = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 start_new_session=True)
    try:
        deadline = time.monotonic() + 20
        while shared_remote.statement_ids(registration) != ids and time.monotonic() < deadline:
            time.sleep(0.1)
        ids += record_each(app, [make_statement(registration, 9)])  # arrives while the loop is waiting
        while shared_remote.statement_ids(registration) != ids and time.monotonic() < deadline:
            time.sleep(0.1)
        forwarder.send_signal(signal.SIGTERM)
        output, _ = forwarder.communicate(timeout=15)
    finally:
        if forwarder.poll() is None:
            os.killpg(forwarder.pid, signal.SIGKILL)
            forwarder.wait()

    assert shared_remote.statement_ids(registration) == ids
    assert forwarder.returncode == 0, output.decode()
    assert output.decode().rstrip().endswith("Forwarder stopped.")


# --- answers a real LRS does not give on cue ---------------------------------------------------------------------

class ScriptedRemote:
    """An httpx transport answering POSTs from a list of (status or exception) and keeping what was posted."""

    def __init__(self, *answers) -> None:
        self.answers, self.posted = list(answers), []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.posted.append((dict(request.headers), json.loads(request.content)))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return httpx.Response(answer, json={"error": {"code": answer, "message": f"answer {answer}"}})


def scripted_batch(app, script: ScriptedRemote, size: int = 50, later: timedelta = timedelta(0)):
    with app.app_context(), httpx.Client(transport=httpx.MockTransport(script)) as http:
        with forwarding.single_runner():
            outcome = forwarding.forward_batch(http, forwarding.remote_from_config(app.config), size,
                                               now=utcnow() + later)
            session.commit()
    return outcome


@pytest.fixture
def mock_forwarding(app):
    app.config.update(LMS_XAPI_FORWARD_URL="http://lrs.example.org/xapi", LMS_XAPI_FORWARD_KEY="k",
                      LMS_XAPI_FORWARD_SECRET="s")
    return app


def test_a_batch_is_posted_with_the_version_header_basic_auth_and_the_stored_statements(mock_forwarding):
    ids = record_each(mock_forwarding, [make_statement(str(uuid.uuid4()), n) for n in range(2)])
    script = ScriptedRemote(200)

    scripted_batch(mock_forwarding, script)

    [(headers, body)] = script.posted
    assert headers["x-experience-api-version"] == "1.0.3"
    assert headers["authorization"] == basic_auth_header("k", "s")
    assert [statement["id"] for statement in body] == ids and all("stored" in statement for statement in body)


@pytest.mark.parametrize("failure", [503, 500, 401, 429, httpx.ReadTimeout("slow"), httpx.ConnectError("refused")],
                         ids=["503", "500", "401", "429", "timeout", "refused"])
def test_a_failure_keeps_the_batch_pending_with_one_more_attempt(mock_forwarding, failure):
    record_each(mock_forwarding, [make_statement(str(uuid.uuid4()))])

    outcome = scripted_batch(mock_forwarding, ScriptedRemote(failure))

    [entry] = entries(mock_forwarding)
    assert outcome.failed and (entry.status, entry.attempts) == ("pending", 1) and entry.last_error


def test_the_backoff_doubles_and_stops_at_ten_minutes():
    assert [forwarding.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [5, 10, 20, 40]
    assert forwarding.backoff(8).total_seconds() == 600 and forwarding.backoff(30).total_seconds() == 600


def test_a_failure_during_the_one_by_one_retry_defers_the_rest(mock_forwarding):
    record_each(mock_forwarding, [make_statement(str(uuid.uuid4()), n) for n in range(3)])

    outcome = scripted_batch(mock_forwarding, ScriptedRemote(413, 200, 503))

    assert (outcome.sent, outcome.deferred, outcome.failed) == (1, 2, True)
    assert [(e.status, e.attempts) for e in entries(mock_forwarding)] == [("sent", 0), ("pending", 1), ("pending", 1)]


def test_a_413_for_one_statement_parks_it(mock_forwarding):
    record_each(mock_forwarding, [make_statement(str(uuid.uuid4()))])

    scripted_batch(mock_forwarding, ScriptedRemote(413))

    [entry] = entries(mock_forwarding)
    assert entry.status == "parked" and entry.last_error.startswith("HTTP 413: ")


def test_an_entry_after_a_young_gap_in_ids_waits_for_the_missing_one(mock_forwarding):
    record_each(mock_forwarding, [make_statement(str(uuid.uuid4()), n) for n in range(2)])
    with mock_forwarding.app_context():
        # As if a concurrent transaction held the id in between and had not committed yet.
        second = session.query(OutboxEntry).order_by(OutboxEntry.id.desc()).first()
        second.id += 1
        session.commit()
    script = ScriptedRemote(200, 200)

    held = scripted_batch(mock_forwarding, script)
    later = scripted_batch(mock_forwarding, script, later=timedelta(seconds=forwarding.GAP_GRACE_SECONDS + 1))

    assert (held.sent, later.sent) == (1, 1)


def test_only_one_forwarder_sends_at_a_time(app, database_url, tmp_path):
    other = create_app(test_config(database_url, tmp_path / "other"))
    try:
        with app.app_context(), forwarding.single_runner() as first:
            with other.app_context(), forwarding.single_runner() as second:
                session.rollback()
            session.rollback()
        with other.app_context(), forwarding.single_runner() as after:
            session.rollback()
    finally:
        with other.app_context():
            other.extensions["lms"].db.session.remove()
            other.extensions["lms"].db.engine.dispose()
    assert (first, second, after) == (True, False, True)


def test_forward_command_leaves_the_outbox_to_a_forwarder_already_sending(app, runner, database_url, tmp_path):
    app.config.update(LMS_XAPI_FORWARD_URL="http://lrs.example.org/xapi/", LMS_XAPI_FORWARD_KEY="k",
                      LMS_XAPI_FORWARD_SECRET="s")
    record_each(app, [make_statement(str(uuid.uuid4()))])
    other = create_app(test_config(database_url, tmp_path / "other"))
    holding, done, held = threading.Event(), threading.Event(), []

    def other_forwarder():  # another process, as far as the lock can tell: its own connection and lock handle
        with other.app_context():
            with forwarding.single_runner() as is_mine:
                held.append(is_mine)
                holding.set()
                done.wait(10)
                session.rollback()
            other.extensions["lms"].db.session.remove()
            other.extensions["lms"].db.engine.dispose()

    thread = threading.Thread(target=other_forwarder)
    thread.start()
    try:
        assert holding.wait(10)
        result = runner.invoke(args=["lms", "xapi", "forward"])
    finally:
        done.set()
        thread.join(10)

    assert held == [True] and result.exit_code == 0, result.output
    assert "Another forwarder is sending" in result.output
    assert [entry.status for entry in entries(app)] == ["pending"]


def test_forward_command_explains_how_to_configure_forwarding(runner):
    result = runner.invoke(args=["lms", "xapi", "forward"])
    assert result.exit_code != 0 and "LMS_XAPI_FORWARD_URL" in result.output


def test_forward_command_exits_non_zero_when_the_remote_fails(app, runner):
    app.config.update(LMS_XAPI_FORWARD_URL=f"http://{HOST}:{free_port()}/xapi/", LMS_XAPI_FORWARD_KEY="k",
                      LMS_XAPI_FORWARD_SECRET="s")
    record_each(app, [make_statement(str(uuid.uuid4()))])

    result = runner.invoke(args=["lms", "xapi", "forward", "--timeout", "2"])

    assert result.exit_code == 1 and "did not take a batch" in result.output
