#!/usr/bin/env python
"""Cohort reports benchmark: the dashboard and its exports over 10,000 learners and 1,000,000 statements.

Set-up (not timed): a fresh temporary instance folder with a SQLite database (or ``--database-url``), migrated
(tables without a migration yet are created from the models), ``courses/`` synced. One track is chosen
(``labor-inspector`` when it loaded, else the first track whose courses all loaded) and one cohort of
``--learners`` learners (default 10,000) is enrolled in its required courses, due a week ago.

The data is inserted IN BULK WITH SQLALCHEMY CORE, NOT THROUGH ``tracking.record()``: recording a million statements
one call at a time would take hours. Each learner gets exactly ``--statements / --learners`` statements (default
100), made the way the LMS makes them (registered, lessons experienced, quiz attempts with answered questions and
passed/failed with a score, modules and courses completed), each learner going a random distance through each
course, then re-reading lessons to reach the count. The progress projection rows (``lms_activity_progress``) are
folded from exactly those statements with the projection's rules, so the reports see consistent data. Statement
relation rows (``lms_statement_relation``) are not inserted: no report reads them.

Measured, through the test client as a signed-in administrator (CSRF off in this in-process app), each page
``--repeat`` times after one warm-up, the median and the worst reported:
- the cohort dashboard, page 1 sorted by name; sorted by courses completed; filtered to overdue learners; its last
  page; the charts page; one learner's transcript;
- the full exports of the dashboard (every learner, every course): CSV and XLSX, timed to the last byte.

Output: exactly one JSON line on stdout; progress goes to stderr. Targets: under 1 s for a dashboard page and
under 10 s for a full export.

    .venv/bin/python bench/reports.py                                    # ~5 minutes of set-up on SQLite
    .venv/bin/python bench/reports.py --learners 1000 --statements 100000   # a quick smoke run
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGE_TARGET_S = 1.0
EXPORT_TARGET_S = 10.0
FLUSH_EVERY = 20_000
PREFERRED_TRACK = "labor-inspector"
ADMIN_EMAIL, ADMIN_PASSWORD = "admin@bench.example.org", "bench-password"

VERBS = {
    "registered": "http://adlnet.gov/expapi/verbs/registered",
    "experienced": "http://adlnet.gov/expapi/verbs/experienced",
    "attempted": "http://adlnet.gov/expapi/verbs/attempted",
    "answered": "http://adlnet.gov/expapi/verbs/answered",
    "passed": "http://adlnet.gov/expapi/verbs/passed",
    "failed": "http://adlnet.gov/expapi/verbs/failed",
    "completed": "http://adlnet.gov/expapi/verbs/completed",
}


def log(message: str) -> None:
    print(f"[bench reports] {message}", file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--statements", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url", default=None, help="default: SQLite in a temporary folder")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="lms-bench-reports-"))
    os.environ["LMS_INSTANCE_PATH"] = str(folder)
    try:
        result = run(folder, args)
    finally:
        if args.keep:
            log(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(result), flush=True)


# --- set-up ------------------------------------------------------------------------------------------------------

def run(folder: Path, args) -> dict:
    from lms import create_app

    config = {"LMS_COURSES_PATH": str(ROOT / "courses"), "WTF_CSRF_ENABLED": False, "MAIL_BACKEND": "dummy",
              "LMS_PASSWORD_HASH_PARAMS": {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}}
    if args.database_url:
        config["SQLALCHEMY_DATABASE_URI"] = args.database_url
    app = create_app(config)
    runner = app.test_cli_runner()
    outcome = runner.invoke(args=["lms", "db", "upgrade"])
    if outcome.exit_code != 0:
        raise RuntimeError(outcome.output)
    outcome = runner.invoke(args=["lms", "courses", "sync", str(ROOT / "courses")])
    log("courses sync: " + " ".join(line.split()[-1] for line in outcome.output.splitlines() if line.strip()))
    random.seed(args.seed)
    started = time.perf_counter()
    with app.app_context():
        from lms.db import Base
        from lms.models import import_all

        import_all()
        Base.metadata.create_all(app.extensions["lms"].db.engine)  # the cohort tables, until their migration exists
        setup = populate(app, args)
    setup["setup_s"] = round(time.perf_counter() - started, 1)
    log(f"set-up done in {setup['setup_s']} s")
    return measure(app, args, setup)


def course_plan(track_courses):
    """Per course: its id, latest version, IRIs, and the full ordered list of learning events for completing it."""
    from lms.catalog.outline import outline
    from lms.catalog.services import latest_version
    from lms.learning import activities

    plans = []
    for course in track_courses:
        version = outline(latest_version(course.id).id)
        course_iri = activities.course_iri(course.slug)
        events = []
        for module in version.modules:
            for item in module.items:
                iri = activities.item_iri(course.slug, item)
                if item.kind == "lesson":
                    events.append(("lesson", iri, None))
                else:
                    questions = [activities.question_iri(course.slug, item.slug, q["id"])
                                 for q in item.quiz["questions"]]
                    events.append(("quiz", iri, questions))
            events.append(("module", activities.module_iri(course.slug, module.slug), None))
        events.append(("course", course_iri, None))
        plans.append({"course_id": course.id, "version_id": version.id, "iri": course_iri, "events": events,
                      "lessons": [iri for kind, iri, _ in events if kind == "lesson"]})
    return plans


def populate(app, args) -> dict:
    from sqlalchemy import insert, select

    from lms.accounts.models import User, UserRole
    from lms.accounts.services import create_user
    from lms.catalog.models import Course, Track
    from lms.catalog.services import latest_version
    from lms.cohorts import reports, services
    from lms.cohorts.models import CohortMember, LearnerOrganisation
    from lms.db import session
    from lms.learning.models import Enrollment
    from lms.tracking.models import ActivityProgress, Statement

    loaded = {course.slug: course for course in session.execute(select(Course)).scalars()
              if latest_version(course.id) is not None}
    tracks = [track for track in session.execute(select(Track).order_by(Track.slug)).scalars()
              if all(slug in loaded for slug in track.course_slugs)]
    if not tracks:
        raise RuntimeError("no track has all its courses loaded; check `flask lms courses check`")
    track = next((t for t in tracks if t.slug == PREFERRED_TRACK), tracks[0])
    plans = course_plan([loaded[slug] for slug in track.course_slugs])
    log(f"track {track.slug}: " + ", ".join(f"{slug} ({len(p['events'])} steps)"
                                            for slug, p in zip(track.course_slugs, plans)))

    create_user(ADMIN_EMAIL, ADMIN_PASSWORD, "Bench Admin", ["admin"])
    cohort = services.create_cohort("Provincial labor inspectors 2026")
    now = datetime.now(timezone.utc).replace(microsecond=0)
    services.assign(cohort, track=track, due_at=now - timedelta(days=7))
    session.commit()

    started = time.perf_counter()
    learners = []
    for number in range(args.learners):
        learners.append({"id": None, "public_id": str(uuid.UUID(int=random.getrandbits(128), version=4)),
                         "email": f"inspector{number:05d}@bench.example.org",
                         "display_name": f"Inspector {number:05d}"})
    for start in range(0, len(learners), 5000):
        session.execute(insert(User), [
            {"public_id": row["public_id"], "email": row["email"], "password_hash": "!bench",
             "display_name": row["display_name"], "audience": "labor_inspector", "language": "zh-Hans",
             "is_active_account": True, "created_at": now - timedelta(days=120)}
            for row in learners[start:start + 5000]])
    ids = dict(session.execute(select(User.email, User.id)).all())
    for row in learners:
        row["id"] = ids[row["email"]]
    for start in range(0, len(learners), 5000):
        chunk = learners[start:start + 5000]
        session.execute(insert(UserRole), [{"user_id": row["id"], "role": "learner"} for row in chunk])
        session.execute(insert(CohortMember), [{"cohort_id": cohort.id, "user_id": row["id"],
                                                "joined_at": now - timedelta(days=100)} for row in chunk])
        session.execute(insert(LearnerOrganisation), [
            {"user_id": row["id"], "organisation": f"第{row['id'] % 40 + 1}监察支队", "updated_at": now}
            for row in chunk])
    log(f"inserted {len(learners)} learners, roles, memberships, organisations in "
        f"{time.perf_counter() - started:.1f} s")

    prefix = reports.actor_prefix()
    base = app.config["LMS_BASE_URL"].rstrip("/")
    authority = {"objectType": "Agent", "account": {"homePage": base, "name": "lms"}, "name": "Labor Rights LMS"}
    authority_key = f"account:{base}|lms"
    quota, extra = divmod(args.statements, args.learners)
    statements, projections, enrolments = [], [], []
    totals = {"statements": 0, "projection_rows": 0, "enrolments": 0, "completed_courses": 0}
    started = time.perf_counter()

    def flush() -> None:
        if enrolments:
            session.execute(insert(Enrollment), enrolments)
        if statements:
            session.execute(insert(Statement), statements)
        if projections:
            session.execute(insert(ActivityProgress), projections)
        totals["statements"] += len(statements)
        totals["projection_rows"] += len(projections)
        totals["enrolments"] += len(enrolments)
        statements.clear(), projections.clear(), enrolments.clear()

    for number, learner in enumerate(learners):
        wanted = quota + (1 if number < extra else 0)
        actor_key = prefix + learner["public_id"]
        actor = {"objectType": "Agent", "account": {"homePage": base, "name": learner["public_id"]}}
        clock = now - timedelta(days=90, minutes=random.randint(0, 60 * 24 * 60))
        courses = []
        for plan in plans:
            registration = str(uuid.UUID(int=random.getrandbits(128), version=4))
            enrolments.append({"user_id": learner["id"], "course_id": plan["course_id"],
                               "version_id": plan["version_id"], "registration": registration, "enrolled_at": clock})
            courses.append({"plan": plan, "registration": registration, "steps": expand(plan, random.random())})
        trim_or_pad(courses, wanted)
        fold: dict[tuple, dict] = {}
        for course in courses:
            for verb, iri, result in course["steps"]:
                clock += timedelta(minutes=random.randint(1, 30))
                stamp = clock.isoformat().replace("+00:00", "Z")
                statement_id = str(uuid.UUID(int=random.getrandbits(128), version=4))
                full = {"id": statement_id, "actor": actor, "verb": {"id": VERBS[verb]},
                        "object": {"objectType": "Activity", "id": iri},
                        "context": {"registration": course["registration"]}, "timestamp": stamp,
                        "stored": stamp, "authority": authority, "version": "1.0.0"}
                if result is not None:
                    full["result"] = result
                statements.append({"statement_id": statement_id, "verb_id": VERBS[verb], "actor_key": actor_key,
                                   "object_activity_id": iri, "registration": course["registration"],
                                   "timestamp": clock, "stored_at": clock, "is_voided": False,
                                   "authority_key": authority_key, "full": full})
                project(fold, (actor_key, course["registration"], iri), verb, result, clock)
            if any(kind == "completed" and iri == course["plan"]["iri"] for kind, iri, _ in course["steps"]):
                totals["completed_courses"] += 1
        projections.extend({"actor_key": key[0], "registration": key[1], "activity_id": key[2], **row}
                           for key, row in fold.items())
        if len(statements) >= FLUSH_EVERY:
            flush()
            if totals["statements"] % 100_000 < FLUSH_EVERY:
                log(f"{totals['statements']} statements, {totals['projection_rows']} projection rows "
                    f"({time.perf_counter() - started:.0f} s)")
    flush()
    session.commit()
    log(f"inserted {totals['statements']} statements, {totals['projection_rows']} projection rows and "
        f"{totals['enrolments']} enrolments in bulk (SQLAlchemy Core, not record()) in "
        f"{time.perf_counter() - started:.1f} s")
    return {"cohort_id": cohort.id, "track": track.slug, "courses": len(plans), "learners": len(learners),
            "sample_learner": learners[len(learners) // 2]["public_id"], **totals}


def expand(plan: dict, depth: float) -> list[tuple[str, str, dict | None]]:
    """The statements of a learner who went ``depth`` (0..1) of the way through a course, in order."""
    steps: list[tuple[str, str, dict | None]] = [("registered", plan["iri"], None)]
    # More learners far along than just started; a third of them through to the end.
    cut = len(plan["events"]) if depth > 0.66 else int(len(plan["events"]) * (depth / 0.66) ** 0.7)
    for kind, iri, questions in plan["events"][:cut]:
        if kind == "lesson":
            steps.append(("experienced", iri, {"completion": True, "duration": f"PT{random.randint(2, 15)}M"}))
        elif kind == "quiz":
            for attempt in range(random.choice((1, 1, 2))):
                steps.append(("attempted", iri, None))
                right = 0
                for question in questions:
                    is_correct = random.random() < (0.55 if attempt == 0 else 0.85)
                    right += is_correct
                    steps.append(("answered", question, {"success": is_correct, "response": "a"}))
                scaled = round(right / len(questions), 4) if questions else 1.0
                passed = scaled >= 0.8 or attempt == 1
                if attempt == 1:
                    scaled = max(scaled, 0.8)
                steps.append(("passed" if passed else "failed", iri, {
                    "score": {"scaled": scaled, "raw": round(scaled * len(questions)), "min": 0,
                              "max": len(questions)}, "success": passed, "completion": True,
                    "duration": f"PT{random.randint(3, 20)}M"}))
                if passed:
                    break
        else:
            steps.append(("completed", iri, {"completion": True}))
    return steps


def trim_or_pad(courses: list[dict], wanted: int) -> None:
    """Make the learner's statements exactly ``wanted``: drop the last steps of the longest courses, or re-read
    lessons already read (or, with none read, read the first lesson)."""
    total = sum(len(course["steps"]) for course in courses)
    while total > wanted:
        longest = max(courses, key=lambda course: len(course["steps"]))
        if len(longest["steps"]) <= 1:
            break
        longest["steps"].pop()
        total -= 1
    while total < wanted:
        course = random.choice(courses)
        read = [iri for verb, iri, _ in course["steps"] if verb == "experienced"] or course["plan"]["lessons"][:1]
        course["steps"].append(("experienced", random.choice(read), {"completion": True, "duration": "PT2M"}))
        total += 1


def project(fold: dict, key: tuple, verb: str, result: dict | None, moment: datetime) -> None:
    """The projection's rules (tracking): completion, success, best score, attempts, time, first/last activity."""
    row = fold.get(key)
    if row is None:
        row = fold[key] = {"is_completed": False, "success": None, "best_score": None, "attempts": 0,
                           "time_spent_seconds": 0.0, "completed_at": None, "first_activity_at": moment,
                           "last_activity_at": moment}
    result = result or {}
    row["first_activity_at"] = min(row["first_activity_at"], moment)
    row["last_activity_at"] = max(row["last_activity_at"], moment)
    if verb in ("completed", "passed") or result.get("completion") is True:
        row["is_completed"] = True
        row["completed_at"] = min(filter(None, [row["completed_at"], moment]))
    if verb == "passed" or result.get("success") is True:
        row["success"] = True
    elif (verb == "failed" or result.get("success") is False) and row["success"] is not True:
        row["success"] = False
    scaled = (result.get("score") or {}).get("scaled")
    if scaled is not None:
        row["best_score"] = scaled if row["best_score"] is None else max(row["best_score"], scaled)
    if verb == "attempted":
        row["attempts"] += 1
    duration = result.get("duration")
    if duration:
        row["time_spent_seconds"] += int(duration[2:-1]) * 60


# --- measurement -------------------------------------------------------------------------------------------------

def timed(client, path: str, repeat: int, check: str | None = None) -> dict:
    """GET ``path`` once to warm up, then ``repeat`` times; the median and worst seconds to the last byte."""
    times = []
    for round_number in range(repeat + 1):
        started = time.perf_counter()
        response = client.get(path)
        body = response.get_data()
        elapsed = time.perf_counter() - started
        if response.status_code != 200 or (check and check.encode() not in body):
            raise RuntimeError(f"GET {path}: {response.status_code}\n{body[:2000]!r}")
        if round_number:
            times.append(elapsed)
    return {"median_s": round(statistics.median(times), 3), "max_s": round(max(times), 3), "bytes": len(body)}


def measure(app, args, setup: dict) -> dict:
    client = app.test_client()
    signed_in = client.post("/account/login", data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    assert signed_in.status_code == 302, signed_in.get_data(as_text=True)[:500]
    cohort = f"/admin/cohorts/{setup['cohort_id']}"
    last_page = -(-setup["learners"] // 25)
    pages = {
        "dashboard": timed(client, f"{cohort}/dashboard", args.repeat, "Inspector 00000"),
        "dashboard_sorted_by_completed": timed(client, f"{cohort}/dashboard?sort=-completed", args.repeat),
        "dashboard_overdue": timed(client, f"{cohort}/dashboard?status=overdue", args.repeat),
        "dashboard_last_page": timed(client, f"{cohort}/dashboard?page={last_page}", args.repeat),
        "charts": timed(client, f"{cohort}/charts", args.repeat, "role=\"img\""),
        "transcript": timed(client, f"/admin/cohorts/learners/{setup['sample_learner']}", args.repeat),
    }
    for name, figures in pages.items():
        log(f"{name}: median {figures['median_s']} s, worst {figures['max_s']} s")
    exports = {
        "csv": timed(client, f"{cohort}/dashboard.csv", max(1, args.repeat // 2)),
        "xlsx": timed(client, f"{cohort}/dashboard.xlsx", max(1, args.repeat // 2)),
    }
    for name, figures in exports.items():
        log(f"export {name}: median {figures['median_s']} s, worst {figures['max_s']} s, {figures['bytes']} bytes")
    dashboard_pages = [figures for name, figures in pages.items() if name.startswith("dashboard")]
    return {
        "bench": "reports", "inserted_with": "SQLAlchemy Core bulk inserts (not tracking.record())",
        **{key: setup[key] for key in ("learners", "statements", "projection_rows", "enrolments", "courses", "track",
                                        "completed_courses", "setup_s")},
        "pages": pages, "exports": exports,
        "page_target_s": PAGE_TARGET_S, "export_target_s": EXPORT_TARGET_S,
        "meets_target": all(figures["max_s"] < PAGE_TARGET_S for figures in dashboard_pages)
        and all(figures["max_s"] < EXPORT_TARGET_S for figures in exports.values()),
    }


if __name__ == "__main__":
    main()
