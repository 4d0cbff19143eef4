#!/usr/bin/env python
"""LRS ingest benchmark: realistic xAPI statements posted to the built-in LRS under gunicorn, then queried.

Set-up (not timed): a fresh temporary instance (SQLite by default, or ``--database-url`` for PostgreSQL), migrated;
an LRS credential made with ``flask lms xapi clients create``; gunicorn with ``--workers`` workers (default 2).

Measured:
1. ingest: ``--statements`` statements (default 20,000) in batches of ``--batch`` (100) from ``--clients`` (4)
   concurrent clients, each batch a POST /xapi/statements: statements/s over the wall time, request latency
   percentiles. Every statement is validated, stored and projected (the progress projection) by the LMS.
2. queries: the store is first filled up to ``--fill`` statements (default 100,000; posted the same way, not timed;
   on PostgreSQL then ANALYZEd, as autovacuum would have done), then each filter (agent, verb, activity, registration, related_activities, since) is queried ``--queries`` times
   (default 50) with limit=100: p50/p95 per filter.

Output: one JSON line on stdout; progress on stderr.

    .venv/bin/python bench/lrs_ingest.py
    .venv/bin/python bench/lrs_ingest.py --statements 2000 --fill 5000 --queries 10     # a quick smoke run
    .venv/bin/python bench/lrs_ingest.py --database-url postgresql+psycopg://lms@127.0.0.1:55432/lms_test
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serving import (  # noqa: E402
    HOST,
    ROOT,
    CPUMeter,
    free_port,
    log,
    start_gunicorn,
    stop_gunicorn,
    summary,
    wait_for_http,
)

TARGET_STATEMENTS_PER_S = 5000
TARGET_QUERY_P95_MS = 50
VERBS = ["experienced", "attempted", "answered", "passed", "failed", "completed", "progressed", "launched"]
COURSES = ["labor-contract-basics", "pay-hours-leave", "labor-inspection", "wages-hours-rest", "mediation-arbitration"]


def say(message: str) -> None:
    log("lrs_ingest", message)


class StatementMaker:
    """Statements like the LMS's learners produce: many actors, courses, lessons, quizzes, registrations."""

    def __init__(self, seed: int, learners: int = 2000) -> None:
        self.random = random.Random(seed)
        self.learners = [str(uuid.UUID(int=self.random.getrandbits(128))) for _ in range(learners)]
        self.registrations = {learner: str(uuid.UUID(int=self.random.getrandbits(128))) for learner in self.learners}
        self.start = datetime(2026, 1, 1, tzinfo=timezone.utc)

    def make(self) -> dict:
        r = self.random
        learner = r.choice(self.learners)
        course = r.choice(COURSES)
        verb = r.choice(VERBS)
        base = "https://lms.example.gov.cn/xapi/activities/course/" + course
        kind = r.choice(["lesson", "quiz", "module"])
        activity = f"{base}/{kind}/{kind}-{r.randint(1, 6)}"
        statement = {
            "id": str(uuid.UUID(int=r.getrandbits(128), version=4)),
            "actor": {"objectType": "Agent", "name": f"Learner {learner[:8]}",
                      "account": {"homePage": "https://lms.example.gov.cn", "name": learner}},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/" + verb, "display": {"en-US": verb}},
            "object": {"objectType": "Activity", "id": activity,
                       "definition": {"type": "http://adlnet.gov/expapi/activities/" +
                                      ("assessment" if kind == "quiz" else kind),
                                      "name": {"en": f"{kind.title()} {activity[-1]}", "zh-Hans": f"第{activity[-1]}课"}}},
            "context": {"registration": self.registrations[learner],
                        "contextActivities": {"parent": [{"id": base}], "grouping": [{"id": base}]},
                        "extensions": {"https://lms.example.gov.cn/xapi/extensions/course-version": 1}},
            "timestamp": (self.start + timedelta(seconds=r.randint(0, 30_000_000))).isoformat().replace("+00:00", "Z"),
        }
        if verb in ("passed", "failed", "completed", "answered"):
            scaled = round(r.random(), 2)
            statement["result"] = {"score": {"scaled": scaled, "raw": round(scaled * 10), "min": 0, "max": 10},
                                   "success": verb != "failed", "completion": verb != "answered",
                                   "duration": f"PT{r.randint(30, 900)}S"}
        return statement


def prepare(instance: Path, database_url: str | None) -> tuple[str, str]:
    """Migrate the instance and make an LRS credential; returns (key, secret)."""
    env = dict(os.environ)
    run = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", "lms"]
    subprocess.run(run + ["db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    if database_url:  # a reused PostgreSQL database: start from an empty store
        subprocess.run([sys.executable, "-c", (
            "from lms import create_app; from lms.db import session; from sqlalchemy import text\n"
            "app = create_app()\nwith app.app_context():\n"
            "    session.execute(text('TRUNCATE lms_statement, lms_statement_relation, lms_activity_progress, "
            "lms_xapi_outbox CASCADE'))\n    session.commit()\n")], cwd=ROOT, env=env, check=True)
    made = subprocess.run(run + ["xapi", "clients", "create", "bench", "--scope", "all"], cwd=ROOT, env=env,
                          check=True, capture_output=True, text=True)
    key, secret = made.stdout.split()
    return key, secret


def analyze(database_url: str) -> None:
    """Collect PostgreSQL's planner statistics, as autovacuum does within a minute of a store growing by 10%: the
    fill outruns it, and a store never analysed is not one a running LMS queries (not timed)."""
    from sqlalchemy import create_engine

    engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
    engine.dispose()


def post_all(port: int, auth: tuple[str, str], batches: list[list[dict]], clients: int) -> tuple[list[float], int]:
    """POST every batch with ``clients`` concurrent connections; returns the latencies and the error count."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    local = threading.local()

    def client() -> httpx.Client:
        if not hasattr(local, "client"):
            local.client = httpx.Client(base_url=f"http://{HOST}:{port}", auth=auth, timeout=60,
                                        headers={"X-Experience-API-Version": "1.0.3"})
        return local.client

    def send(batch: list[dict]) -> None:
        nonlocal errors
        started = time.perf_counter()
        try:
            response = client().post("/xapi/statements", json=batch)
            ok = response.status_code == 200
        except httpx.HTTPError:
            ok = False
        elapsed = time.perf_counter() - started
        with lock:
            latencies.append(elapsed)
            if not ok:
                errors += 1

    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(send, batches))
    return latencies, errors


def run_queries(port: int, auth: tuple[str, str], maker: StatementMaker, times: int) -> dict:
    r = random.Random(7)
    since = (maker.start + timedelta(days=200)).isoformat()
    filters = {
        "agent": lambda: {"agent": json.dumps({"account": {"homePage": "https://lms.example.gov.cn",
                                                           "name": r.choice(maker.learners)}})},
        "verb": lambda: {"verb": "http://adlnet.gov/expapi/verbs/" + r.choice(VERBS)},
        "activity": lambda: {"activity": "https://lms.example.gov.cn/xapi/activities/course/"
                                         f"{r.choice(COURSES)}/lesson/lesson-{r.randint(1, 6)}"},
        "registration": lambda: {"registration": maker.registrations[r.choice(maker.learners)]},
        "related_activities": lambda: {"activity": "https://lms.example.gov.cn/xapi/activities/course/"
                                                   + r.choice(COURSES), "related_activities": "true"},
        "since": lambda: {"since": since},
    }
    results = {}
    with httpx.Client(base_url=f"http://{HOST}:{port}", auth=auth, timeout=60,
                      headers={"X-Experience-API-Version": "1.0.3"}) as client:
        for name, params in filters.items():
            latencies, errors = [], 0
            for _ in range(times):
                started = time.perf_counter()
                response = client.get("/xapi/statements", params={**params(), "limit": 100})
                latencies.append(time.perf_counter() - started)
                errors += response.status_code != 200
            results[name] = {**{k: v for k, v in summary(latencies).items() if k != "p99_ms"}, "errors": errors}
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--fill", type=int, default=100_000, help="statements stored before the queries")
    parser.add_argument("--queries", type=int, default=50, help="requests per filter")
    parser.add_argument("--database-url", default=None, help="default: SQLite in the temporary instance")
    args = parser.parse_args(argv)

    instance = Path(tempfile.mkdtemp(prefix="lms-bench-ingest-"))
    server = None
    try:
        port = free_port()
        os.environ.pop("LMS_DATABASE_URL", None)
        os.environ.update({"LMS_INSTANCE_PATH": str(instance), "LMS_BASE_URL": f"http://{HOST}:{port}",
                           "LMS_SECRET_KEY": os.urandom(32).hex(), "PYTHONUNBUFFERED": "1"})
        if args.database_url:
            os.environ["LMS_DATABASE_URL"] = args.database_url
        key, secret = prepare(instance, args.database_url)
        server = start_gunicorn(port, args.workers, dict(os.environ), instance / "gunicorn.log", "wsgi:app")
        wait_for_http(port, server)
        maker = StatementMaker(seed=1)
        statements = [maker.make() for _ in range(args.statements)]
        batches = [statements[i:i + args.batch] for i in range(0, len(statements), args.batch)]
        say(f"posting {len(statements)} statements in {len(batches)} batches from {args.clients} clients")
        meter = CPUMeter(server.pid)
        started = time.perf_counter()
        latencies, errors = post_all(port, (key, secret), batches, args.clients)
        elapsed = time.perf_counter() - started
        cpu = meter.stop()
        rate = len(statements) / elapsed
        say(f"ingest: {rate:.0f} statements/s, {errors} errors, CPU {cpu}")

        remaining = max(0, args.fill - len(statements))
        if remaining:
            say(f"filling the store with {remaining} more statements (not timed)")
            extra = [maker.make() for _ in range(remaining)]
            post_all(port, (key, secret), [extra[i:i + 500] for i in range(0, len(extra), 500)], args.clients)
        if args.database_url:
            analyze(args.database_url)
        say(f"querying each filter {args.queries} times")
        queries = run_queries(port, (key, secret), maker, args.queries)
        worst_p95 = max(result["p95_ms"] for result in queries.values())
        line = {
            "bench": "lrs_ingest", "database": "postgresql" if args.database_url else "sqlite",
            "workers": args.workers, "clients": args.clients, "batch": args.batch, "statements": len(statements),
            "elapsed_s": round(elapsed, 2), "statements_per_s": round(rate, 1), "errors": errors,
            **summary(latencies), **cpu, "stored_before_queries": max(args.fill, len(statements)),
            "queries": queries, "target_statements_per_s": TARGET_STATEMENTS_PER_S,
            "target_query_p95_ms": TARGET_QUERY_P95_MS,
            "meets_target": errors == 0 and rate >= TARGET_STATEMENTS_PER_S and worst_p95 < TARGET_QUERY_P95_MS,
        }
        print(json.dumps(line), flush=True)
        return 0
    finally:
        if server is not None:
            stop_gunicorn(server)
        shutil.rmtree(instance, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
