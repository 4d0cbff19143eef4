#!/usr/bin/env python
"""Page-serving benchmark: signed-in learners reading lessons and "My learning" under gunicorn.

Set-up (not timed): a fresh temporary instance folder with a SQLite database, migrated and synced with the
courses in ``courses/``; ``--learners`` accounts (default 1,000) inserted in bulk with one shared Argon2 hash,
each enrolled in the demo course and having read its first lesson (so every learner has xAPI statements and a
non-empty progress projection). Then gunicorn (``--workers`` sync workers, default 2) serves ``wsgi:app`` on a
free loopback port, and ``--clients`` learners (default 50) sign in one after the other through the real login
form (CSRF included).

Measured: for ``--duration`` seconds (default 30) every client, with no think time, loops over
``lesson page -> /my-learning -> next lesson page -> /my-learning ...`` (rotating over the five lessons, each
client starting at a different one). Latency is from opening the request to the last byte of the body, connection
set-up included (gunicorn's sync workers close the connection after every response). The load generator is one
asyncio loop speaking minimal HTTP/1.1 over raw streams, so it takes as little CPU from the server as possible.

Output: exactly one JSON line on stdout; progress and diagnostics go to stderr. Any response that is not 2xx, and
any connection error or timeout, counts in ``errors``; a run with errors never meets the target. ``requests`` counts
completed responses, ``rps`` is that over the measured wall time. ``server_cpu_s`` and ``loadgen_cpu_s`` are the CPU
seconds gunicorn and this script used during the run, and ``other_cpu_pct`` the share of the machine taken by other
processes: above a few percent the figures understate the LMS (a warning goes to stderr).

    .venv/bin/python bench/pages.py                       # the full run (about 30 s plus ~20 s of set-up)
    .venv/bin/python bench/pages.py --duration 3 --learners 100 --clients 10   # a quick smoke run
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from serving import (  # noqa: E402
    CPUMeter,
    free_port,
    percentile,
    start_gunicorn,
    stop_gunicorn,
    summary,
)

COURSE = "labor-contract-basics"
LESSONS = ("why-in-writing", "double-wages", "probation", "resigning", "dismissal-and-severance")
PASSWORD = "bench-password-2026"
USER_AGENT = "lms-bench/1.0"
HOST = "127.0.0.1"
TARGET_RPS = 300
TARGET_P95_MS = 100
REQUEST_TIMEOUT = 15.0  # seconds; a request slower than this is an error


def log(message: str) -> None:
    print(f"[bench pages] {message}", file=sys.stderr, flush=True)


# --- set-up -------------------------------------------------------------------------------------------------

def prepare_instance(learners: int) -> list[str]:
    """Migrate, sync the courses and create the learners in the instance folder named by the environment.

    Returns the learners' e-mail addresses.
    """
    import os
    import shutil

    from lms import create_app

    # Only the demo course: the benchmark must not depend on the rest of the curriculum.
    curriculum = Path(os.environ["LMS_INSTANCE_PATH"]) / "courses"
    shutil.copytree(ROOT / "courses" / COURSE, curriculum / COURSE)
    app = create_app({"LMS_COURSES_PATH": str(curriculum)})
    runner = app.test_cli_runner()
    for args in (["lms", "db", "upgrade"], ["lms", "courses", "sync", str(curriculum)]):
        result = runner.invoke(args=args)
        if result.exit_code != 0:
            raise RuntimeError(f"`flask {' '.join(args)}` failed:\n{result.output}")
        log(f"flask {' '.join(args[:3])}: {result.output.strip().splitlines()[-1] if result.output.strip() else 'ok'}")

    from lms.accounts.models import User, UserRole
    from lms.accounts.services import hash_password
    from lms.catalog.services import course_by_slug
    from lms.db import session
    from lms.catalog.outline import outline
    from lms.learning.services import enroll, lesson_viewed

    with app.app_context():
        started = time.perf_counter()
        shared_hash = hash_password(PASSWORD)  # one Argon2 hash for everybody: hashing 1,000 would take minutes
        emails = [f"learner{number:05d}@bench.example.org" for number in range(1, learners + 1)]
        users = []
        for number, email in enumerate(emails, start=1):
            user = User(email=email, password_hash=shared_hash, display_name=f"Bench Learner {number}",
                        audience="worker", language="en")
            user.roles = [UserRole(role="learner")]
            users.append(user)
        session.add_all(users)
        session.flush()
        log(f"inserted {learners} learners in {time.perf_counter() - started:.1f} s")

        course = course_by_slug(COURSE)
        if course is None:
            raise RuntimeError(f"the demo course {COURSE!r} was not loaded")
        first_lesson = None
        for done, user in enumerate(users, start=1):
            enrollment = enroll(user, course)  # records `registered`
            if first_lesson is None:
                first_lesson = outline(enrollment.version_id).item("lesson", LESSONS[0])
            lesson_viewed(user, enrollment, first_lesson)  # records `experienced`, so progress is non-empty
            if done % 250 == 0:
                session.commit()
                log(f"enrolled {done}/{learners}")
        session.commit()
        log(f"set-up of {learners} learners took {time.perf_counter() - started:.1f} s")
        app.extensions["lms"].db.session.remove()
        app.extensions["lms"].db.engine.dispose()
    return emails


# --- a minimal HTTP/1.1 client over asyncio streams ----------------------------------------------------------

class HTTPError(Exception):
    pass


class Browser:
    """One signed-in user: a cookie jar and (when the server allows keep-alive) one connection."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except (ConnectionError, OSError):
                pass
        self.reader = self.writer = None

    async def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, dict, bytes]:
        """Send one request and read the whole response. Returns (status, lower-cased headers, body)."""
        reused = self.writer is not None
        try:
            return await self._request(method, path, form)
        except (asyncio.IncompleteReadError, ConnectionError) as error:
            await self.close()
            if not reused:
                raise HTTPError(f"{method} {path}: {error!r}") from None
        return await self._request(method, path, form)  # a kept-alive connection the server had closed

    async def _request(self, method: str, path: str, form: dict | None) -> tuple[int, dict, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        body = urlencode(form).encode() if form is not None else b""
        lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{self.port}", f"User-Agent: {USER_AGENT}",
                 "Accept: text/html", "Accept-Language: en", "Connection: keep-alive"]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{name}={value}" for name, value in self.cookies.items()))
        if form is not None:
            lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        await self.writer.drain()

        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        headers: dict[str, str] = {}
        for line in header_lines:
            if not line:
                continue
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                self._store_cookie(value)
            headers[name] = value
        if "content-length" in headers:
            payload = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            payload = await self._read_chunked()
        else:
            payload = await self.reader.read()
            headers["connection"] = "close"
        if headers.get("connection", "").lower() == "close":
            # Let the server close first (so the TIME_WAIT sockets stay on its side), then drop ours.
            self.writer, writer = None, self.writer
            self.reader = None
            asyncio.get_running_loop().create_task(_close_after_eof(writer))
        return status, headers, payload

    async def _read_chunked(self) -> bytes:
        parts = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")
                return b"".join(parts)
            parts.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)

    def _store_cookie(self, value: str) -> None:
        pair, _, attributes = value.partition(";")
        name, _, cookie = pair.strip().partition("=")
        attributes = attributes.lower()
        if not cookie or "max-age=0" in attributes or "1970" in attributes:
            self.cookies.pop(name, None)
        else:
            self.cookies[name] = cookie


async def _close_after_eof(writer: asyncio.StreamWriter) -> None:
    writer.close()
    try:
        await asyncio.wait_for(writer.wait_closed(), 5)
    except (asyncio.TimeoutError, ConnectionError, OSError):
        pass


async def wait_until_ready(port: int, server: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {server.returncode} before it was ready")
        browser = Browser(port)
        try:
            status, _, _ = await browser.request("GET", "/account/login")
            if status == 200:
                return
        except (OSError, HTTPError, asyncio.IncompleteReadError):
            pass
        finally:
            await browser.close()
        await asyncio.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s")


_CSRF = re.compile(r'name="csrf_token"[^>]*\bvalue="([^"]+)"')


async def sign_in(port: int, email: str) -> Browser:
    browser = Browser(port)
    status, _, page = await browser.request("GET", "/account/login")
    match = _CSRF.search(page.decode())
    if status != 200 or match is None:
        raise RuntimeError(f"GET /account/login gave {status} without a csrf_token input")
    status, headers, _ = await browser.request(
        "POST", "/account/login", {"csrf_token": match.group(1), "email": email, "password": PASSWORD})
    if status != 302:
        raise RuntimeError(f"signing in {email} gave {status}, not a redirect")
    # Follow the redirect once: it shows (and so clears) the welcome flash, and checks the session works.
    status, _, _ = await browser.request("GET", "/my-learning")
    if status != 200:
        raise RuntimeError(f"/my-learning after signing in {email} gave {status}")
    return browser


# --- the measured run ---------------------------------------------------------------------------------------

async def simulate(browser: Browser, offset: int, deadline: float, results: list, errors: list) -> None:
    """One learner with no think time: lesson, My learning, next lesson, My learning, ... until the deadline."""
    step = 0
    while time.perf_counter() < deadline:
        if step % 2 == 0:
            kind, path = "lesson", f"/courses/{COURSE}/lesson/{LESSONS[(offset + step // 2) % len(LESSONS)]}"
        else:
            kind, path = "my_learning", "/my-learning"
        step += 1
        started = time.perf_counter()
        try:
            status, _, _ = await asyncio.wait_for(browser.request("GET", path), REQUEST_TIMEOUT)
        except (asyncio.TimeoutError, OSError, HTTPError, asyncio.IncompleteReadError, ValueError) as error:
            errors.append(f"{path}: {error!r}")
            await browser.close()
            continue
        elapsed = time.perf_counter() - started
        results.append((kind, elapsed))
        if not 200 <= status < 300:
            errors.append(f"{path}: HTTP {status}")


async def run_load(port: int, server: subprocess.Popen, emails: list[str], clients: int, duration: float) -> dict:
    await wait_until_ready(port, server)
    log(f"gunicorn is ready; signing in {clients} learners")
    browsers = []
    for email in emails[:clients]:
        browsers.append(await sign_in(port, email))
    log(f"measuring {clients} clients for {duration:g} s")
    results: list[tuple[str, float]] = []
    errors: list[str] = []
    meter = CPUMeter(server.pid)
    started = time.perf_counter()
    deadline = started + duration
    await asyncio.gather(*(simulate(browser, number % len(LESSONS), deadline, results, errors)
                           for number, browser in enumerate(browsers)))
    elapsed = time.perf_counter() - started  # includes the requests still in flight at the deadline
    cpu = meter.stop()
    log(f"CPU during the run: {cpu}")
    if cpu["other_cpu_pct"] > 5:
        log(f"WARNING: other processes used {cpu['other_cpu_pct']}% of the machine's CPU during the run; "
            "the figures understate what the LMS can do on an idle machine")
    for browser in browsers:
        await browser.close()
    if errors:
        log(f"{len(errors)} errors, first ones: {errors[:5]}")
    by_kind = {kind: summary([latency for k, latency in results if k == kind]) | {"requests": sum(
        k == kind for k, _ in results)} for kind in ("lesson", "my_learning")}
    return {"requests": len(results), "errors": len(errors), "elapsed": elapsed,
            "latencies": [latency for _, latency in results], "pages": by_kind, "cpu": cpu}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=30.0, help="measured seconds (default 30)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent signed-in clients (default 50)")
    parser.add_argument("--learners", type=int, default=1000, help="learners in the database (default 1000)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--app", default="wsgi:app",
                        help="the WSGI app gunicorn serves (default wsgi:app; another one to compare a variant)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary instance folder (for profiling)")
    args = parser.parse_args(argv)
    if not (args.duration > 0 and args.workers >= 1 and 1 <= args.clients <= args.learners):
        parser.error("need duration > 0, workers >= 1 and 1 <= clients <= learners")

    instance = Path(tempfile.mkdtemp(prefix="lms-bench-pages-"))
    server = None
    try:
        port = free_port()
        for key in ("LMS_DATABASE_URL", "LMS_COURSES_PATH"):
            os.environ.pop(key, None)  # the benchmark's own SQLite file in the temporary instance folder only
        # The in-process set-up and gunicorn read the same settings (the base URL is part of every actor key).
        os.environ.update({"LMS_INSTANCE_PATH": str(instance), "LMS_BASE_URL": f"http://{HOST}:{port}",
                           "LMS_SECRET_KEY": os.urandom(32).hex(), "PYTHONUNBUFFERED": "1"})
        env = dict(os.environ)
        log(f"instance folder {instance}")
        emails = prepare_instance(args.learners)

        log("starting gunicorn")
        server = start_gunicorn(port, args.workers, env, instance / "gunicorn.log", args.app)
        measured = asyncio.run(run_load(port, server, emails, args.clients, args.duration))
    except BaseException:
        if server is not None and (instance / "gunicorn.log").exists():
            tail = (instance / "gunicorn.log").read_text(errors="replace").splitlines()[-30:]
            log("gunicorn log (last lines):\n" + "\n".join(tail))
        raise
    finally:
        if server is not None:
            stop_gunicorn(server)
        if args.keep:
            log(f"kept {instance}")
        else:
            shutil.rmtree(instance, ignore_errors=True)

    rps = measured["requests"] / measured["elapsed"] if measured["elapsed"] else 0.0
    figures = summary(measured["latencies"])
    report = {
        "bench": "pages", "workers": args.workers, "clients": args.clients, "learners": args.learners,
        "duration_s": round(measured["elapsed"], 2), "cpus": os.cpu_count(),
        "requests": measured["requests"], "errors": measured["errors"], "rps": round(rps, 1), **figures,
        "pages": measured["pages"], **measured["cpu"],
        "target_rps": TARGET_RPS, "target_p95_ms": TARGET_P95_MS,
        "meets_target": measured["errors"] == 0 and rps >= TARGET_RPS and figures["p95_ms"] < TARGET_P95_MS,
    }
    print(json.dumps(report), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
