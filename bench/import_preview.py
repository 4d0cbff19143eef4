#!/usr/bin/env python
"""Bulk-enrolment preview benchmark: how long the preview of a 10,000-row spreadsheet takes.

Set-up (not timed): a fresh temporary instance folder with a SQLite database (or ``--database-url``), migrated
(tables without a migration yet are created from the models), the demo course synced and its track
``workers-rights``; ``--existing`` accounts (default 2,000 of the rows) inserted in bulk and already members of the
cohort, so the preview meets new and existing accounts, memberships and enrolments. The file is a GB18030 CSV with
semicolons, Chinese headers, full-width spaces in names and audiences and languages spelt in both languages, as
Chinese Excel writes it; ``--xlsx`` writes an .xlsx workbook instead.

Measured:
- ``plan_s``: reading the file and planning every row (``importing.read_file`` + ``importing.plan_import``), the
  work behind both the preview page and ``flask lms cohorts import --dry-run``; best of ``--repeat`` runs;
- ``upload_s`` and ``page_s``: the real requests through the test client (CSRF off in this in-process app): the
  upload (stores the file, checks it can be read) and the preview page (plans again, renders 100 rows).
- with ``--apply``: ``apply_s``, applying the plan in one transaction (accounts, invitations, memberships, and
  one ``learning.enroll`` per new member and course, which records through ``tracking.record``).

Output: exactly one JSON line on stdout; progress goes to stderr. ``meets_target``: the preview (``page_s``) and
the plan under 10 seconds.

    .venv/bin/python bench/import_preview.py                 # 10,000 rows
    .venv/bin/python bench/import_preview.py --rows 1000 --apply
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COURSE = "labor-contract-basics"
TARGET_S = 10.0
AUDIENCES = ("工人", "worker", "劳动保障监察员", "labor inspector", "监察员", "用人单位", "Employer", "其他")
LANGUAGES = ("中文", "zh-CN", "简体中文", "en", "English", "英文", "zh-Hans", "")


def log(message: str) -> None:
    print(f"[bench import_preview] {message}", file=sys.stderr, flush=True)


def make_rows(count: int) -> list[list[str]]:
    rows = [["邮箱", "姓名", "身份", "语言", "班级", "单位"]]
    for number in range(count):
        rows.append([f"inspector{number:05d}@bench.example.org", f"王\u3000{number:05d}\u3000号",
                     AUDIENCES[number % len(AUDIENCES)], LANGUAGES[number % len(LANGUAGES)],
                     "" if number % 3 else "监察一班", f"第{number % 40}监察大队"])
    return rows


def csv_bytes(rows: list[list[str]]) -> bytes:
    return ("\r\n".join(";".join(row) for row in rows) + "\r\n\r\n").encode("gb18030")


def xlsx_bytes(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("learners")
    for row in rows:
        sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--existing", type=int, default=None, help="accounts that exist already (default: 20 %%)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--xlsx", action="store_true", help="an .xlsx file instead of a GB18030 CSV")
    parser.add_argument("--apply", action="store_true", help="also time applying the plan")
    parser.add_argument("--database-url", default=None, help="default: SQLite in a temporary folder")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    existing = args.rows // 5 if args.existing is None else args.existing

    folder = Path(tempfile.mkdtemp(prefix="lms-bench-import-"))
    os.environ["LMS_INSTANCE_PATH"] = str(folder)
    try:
        result = run(folder, args, existing)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(result), flush=True)


def run(folder: Path, args, existing: int) -> dict:
    from sqlalchemy import insert, select

    from lms import create_app
    from lms.db import Base
    from lms.models import import_all

    curriculum = folder / "courses"
    shutil.copytree(ROOT / "courses" / COURSE, curriculum / COURSE)
    (curriculum / "tracks.yaml").write_text(
        f"tracks:\n  - slug: workers-rights\n    title: {{en: Workers, zh-Hans: 劳动者}}\n"
        f"    audience: [worker]\n    courses: [{COURSE}]\n    pass_mark: 70\n", encoding="utf-8")
    config = {"LMS_COURSES_PATH": str(curriculum), "WTF_CSRF_ENABLED": False, "MAIL_BACKEND": "dummy",
              "LMS_PASSWORD_HASH_PARAMS": {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}}
    if args.database_url:
        config["SQLALCHEMY_DATABASE_URI"] = args.database_url
    app = create_app(config)
    runner = app.test_cli_runner()
    for command in (["lms", "db", "upgrade"], ["lms", "courses", "sync", str(curriculum)]):
        outcome = runner.invoke(args=command)
        if outcome.exit_code != 0:
            raise RuntimeError(f"`flask {' '.join(command)}` failed:\n{outcome.output}")
    rows = make_rows(args.rows)
    data = xlsx_bytes(rows) if args.xlsx else csv_bytes(rows)

    with app.app_context():
        engine = app.extensions["lms"].db.engine
        import_all()
        Base.metadata.create_all(engine)  # the cohort tables, until their migration exists
        from lms.accounts.models import User, UserRole
        from lms.accounts.services import create_user
        from lms.catalog.models import Track
        from lms.cohorts import importing, services
        from lms.cohorts.models import CohortMember
        from lms.db import session, utcnow

        create_user("admin@bench.example.org", "bench-password", "Bench Admin", ["admin"])
        cohort = services.create_cohort("监察一班")
        services.assign(cohort, track=session.execute(select(Track)).scalars().first())
        now = utcnow()
        session.execute(insert(User), [
            {"email": rows[1 + number][0], "password_hash": "!bench", "display_name": f"Existing {number}",
             "audience": "labor_inspector", "language": "zh-Hans", "created_at": now, "is_active_account": True,
             "public_id": f"00000000-0000-4000-8000-{number:012d}"} for number in range(existing)])
        ids = dict(session.execute(select(User.email, User.id)).all())
        session.execute(insert(UserRole), [{"user_id": ids[rows[1 + n][0]], "role": "learner"}
                                           for n in range(existing)])
        session.execute(insert(CohortMember), [{"cohort_id": cohort.id, "user_id": ids[rows[1 + n][0]],
                                                "joined_at": now} for n in range(0, existing, 3)])
        session.commit()
        log(f"{existing} existing accounts, a {len(data) // 1024} KiB {'xlsx' if args.xlsx else 'CSV'} file of "
            f"{args.rows} rows")

        timings = []
        for _ in range(max(1, args.repeat)):
            started = time.perf_counter()
            plan = importing.plan_import(importing.read_file(data), None)
            timings.append(time.perf_counter() - started)
            session.rollback()
        counts = plan.counts()
        log(f"plan: best {min(timings):.2f} s of {len(timings)}; {counts}")

    client = app.test_client()
    signed_in = client.post("/account/login", data={"email": "admin@bench.example.org", "password": "bench-password"})
    assert signed_in.status_code == 302, signed_in.get_data(as_text=True)[:500]
    started = time.perf_counter()
    uploaded = client.post("/admin/cohorts/import", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(data), "learners.xlsx" if args.xlsx else "learners.csv")})
    upload_s = time.perf_counter() - started
    assert uploaded.status_code == 302, uploaded.get_data(as_text=True)[:2000]
    started = time.perf_counter()
    page = client.get(uploaded.headers["Location"])
    page_s = time.perf_counter() - started
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "inspector00000@bench.example.org" in body
    log(f"upload {upload_s:.2f} s, preview page {page_s:.2f} s")

    result = {
        "bench": "import_preview", "rows": args.rows, "file": "xlsx" if args.xlsx else "csv-gb18030",
        "file_kib": len(data) // 1024, "existing_accounts": existing,
        "plan_s": round(min(timings), 3), "upload_s": round(upload_s, 3), "page_s": round(page_s, 3),
        "new_accounts": counts["new_accounts"], "enrolments_planned": counts["enrolments_added"],
        "row_errors": counts["errors"], "target_s": TARGET_S,
        "meets_target": min(timings) < TARGET_S and page_s < TARGET_S and counts["errors"] == 0,
    }
    if args.apply:
        batch = re.search(r'name="batch" type="hidden" value="([^"]+)"', body).group(1)
        digest = re.search(r'name="digest" type="hidden" value="([^"]+)"', body).group(1)
        started = time.perf_counter()
        applied = client.post("/admin/cohorts/import/apply", data={"batch": batch, "digest": digest})
        result["apply_s"] = round(time.perf_counter() - started, 3)
        assert applied.status_code == 302, applied.get_data(as_text=True)[:2000]
        log(f"apply {result['apply_s']:.2f} s")
    return result


if __name__ == "__main__":
    main()
