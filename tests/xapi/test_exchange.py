"""``flask lms xapi export`` and ``import``: stored statements as NDJSON, and a round trip between two databases."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms import create_app
from lms.db import session
from lms.tracking.models import Statement
from lms.tracking.services import record
from lms.xapi.exchange import export_statements
from tests.conftest import test_config

VOIDED = "http://adlnet.gov/expapi/verbs/voided"
AUTHORITY = {"objectType": "Agent", "name": "Vendor", "account": {"homePage": "http://vendor.example.org",
                                                                  "name": "vendor"}}


def make_statement(number: int = 0, **extra) -> dict:
    return {"id": str(uuid.uuid4()), "actor": {"mbox": "mailto:wang.fang@example.org", "name": "王芳"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced", "display": {"en-US": "experienced"}},
            "object": {"id": f"http://example.org/activities/leave/{number}"}, **extra}


def record_batches(app, *batches: list[dict], authority: dict | None = None) -> list[str]:
    with app.app_context():
        for batch in batches:
            record(batch, authority=authority)
            session.commit()
    return [statement["id"] for batch in batches for statement in batch]


def stored(app) -> dict[str, Statement]:
    with app.app_context():
        rows = {row.statement_id: row for row in session.execute(select(Statement)).scalars()}
        session.expunge_all()
        return rows


def export(runner, *options) -> list[dict]:
    result = runner.invoke(args=["lms", "xapi", "export", *options])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout_bytes.decode("utf-8").splitlines()]


def write_lines(path, lines: list) -> str:
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines),
                    encoding="utf-8")
    return str(path)


@pytest.fixture
def second_app(tmp_path):
    """Another LMS on a fresh SQLite file, migrated with `lms db upgrade`."""
    folder = tmp_path / "second"
    folder.mkdir()
    app = create_app(test_config("sqlite:///" + str(folder / "lms.sqlite3"), folder))
    app.instance_path = str(folder)
    result = app.test_cli_runner().invoke(args=["lms", "db", "upgrade"])
    assert result.exit_code == 0, result.output
    yield app
    with app.app_context():
        app.extensions["lms"].db.session.remove()
        app.extensions["lms"].db.engine.dispose()


# --- export ----------------------------------------------------------------------------------------------------

def test_export_writes_one_stored_statement_per_line_oldest_first(app, runner):
    ids = record_batches(app, [make_statement(1)], [make_statement(2), make_statement(3)])

    lines = export(runner)

    assert [line["id"] for line in lines] == ids
    assert lines[0] == stored(app)[ids[0]].full


def test_export_writes_nothing_for_an_empty_store(runner):
    assert export(runner) == []


def test_export_pages_through_statements_stored_at_the_same_moment(app):
    ids = record_batches(app, [make_statement(n) for n in range(5)], [make_statement(9)])
    with app.app_context():
        exported = [statement["id"] for statement in export_statements(batch_size=2)]
    assert exported == ids


def test_export_since_and_until_select_by_stored_time(app, runner):
    first, second, third = record_batches(app, [make_statement(1)], [make_statement(2)], [make_statement(3)])
    rows = stored(app)
    with app.app_context():
        session.execute(Statement.__table__.update().where(Statement.statement_id == third).values(
            stored_at=rows[second].stored_at + timedelta(seconds=5)))
        session.commit()
    since, until = rows[first].stored_at.isoformat(), rows[second].stored_at.isoformat()

    assert [line["id"] for line in export(runner, "--since", since)] == [second, third]
    assert [line["id"] for line in export(runner, "--until", until)] == [first, second]
    assert [line["id"] for line in export(runner, "--since", since, "--until", until)] == [second]


def test_export_refuses_a_time_that_is_not_iso_8601(runner):
    result = runner.invoke(args=["lms", "xapi", "export", "--since", "yesterday"])
    assert result.exit_code == 2 and "--since" in result.output and "ISO 8601" in result.output


# --- the round trip --------------------------------------------------------------------------------------------

def test_a_round_trip_stores_the_same_statements_in_another_database(app, runner, second_app, tmp_path):
    ids = record_batches(app, [make_statement(1, result={"completion": True})], [make_statement(2)])
    ids += record_batches(app, [make_statement(3)], authority=AUTHORITY)
    path = write_lines(tmp_path / "export.ndjson", export(runner))

    result = second_app.test_cli_runner().invoke(args=["lms", "xapi", "import", path])

    assert result.exit_code == 0, result.output
    assert "3 stored, 0 already stored" in result.output
    source, copy = stored(app), stored(second_app)
    assert set(copy) == set(ids)
    for statement_id in ids:
        original, imported = source[statement_id].full, copy[statement_id].full
        assert {k: v for k, v in imported.items() if k != "stored"} == {
            k: v for k, v in original.items() if k != "stored"}
    assert copy[ids[2]].full["authority"] == AUTHORITY


def test_a_round_trip_keeps_voided_statements_voided(app, runner, second_app, tmp_path):
    [target] = record_batches(app, [make_statement(1)])
    record_batches(app, [make_statement(verb={"id": VOIDED, "display": {"en-US": "voided"}},
                                        object={"objectType": "StatementRef", "id": target})])
    path = write_lines(tmp_path / "export.ndjson", export(runner))

    assert second_app.test_cli_runner().invoke(args=["lms", "xapi", "import", path]).exit_code == 0

    assert stored(second_app)[target].is_voided


def test_importing_the_same_file_twice_skips_what_is_already_stored(app, runner, second_app, tmp_path):
    record_batches(app, [make_statement(n) for n in range(3)])
    path = write_lines(tmp_path / "export.ndjson", export(runner))
    second_app.test_cli_runner().invoke(args=["lms", "xapi", "import", path])

    again = second_app.test_cli_runner().invoke(args=["lms", "xapi", "import", path, "--batch", "2"])

    assert again.exit_code == 0 and "0 stored, 3 already stored" in again.output
    assert len(stored(second_app)) == 3


# --- a bad file ------------------------------------------------------------------------------------------------

def import_file(app, path: str, *options):
    return app.test_cli_runner().invoke(args=["lms", "xapi", "import", path, *options])


def count(app) -> int:
    with app.app_context():
        return session.execute(select(func.count()).select_from(Statement)).scalar_one()


def test_a_line_that_is_not_json_stops_the_import_naming_it_before_anything_is_stored(app, tmp_path):
    path = write_lines(tmp_path / "bad.ndjson", [make_statement(1), make_statement(2), "{not json", make_statement(3)])

    result = import_file(app, path, "--batch", "1")

    assert result.exit_code == 1 and "line 3: not valid JSON" in result.output
    assert count(app) == 0


def test_an_invalid_statement_is_named_by_its_line_and_field(app, tmp_path):
    broken = make_statement(2)
    del broken["verb"]
    path = write_lines(tmp_path / "bad.ndjson", [make_statement(1), broken])

    result = import_file(app, path)

    assert result.exit_code == 1 and "line 2: statement" in result.output and "verb" in result.output
    assert count(app) == 0


def test_a_line_that_is_not_an_object_is_refused(app, tmp_path):
    path = write_lines(tmp_path / "bad.ndjson", [[make_statement(1)]])
    result = import_file(app, path)
    assert result.exit_code == 1 and "line 1: not a JSON object" in result.output


def test_a_statement_without_an_id_is_refused(app, tmp_path):
    statement = make_statement(1)
    del statement["id"]
    path = write_lines(tmp_path / "bad.ndjson", [statement])
    result = import_file(app, path)
    assert result.exit_code == 1 and "line 1: the statement has no id" in result.output


def test_an_id_on_two_lines_is_refused(app, tmp_path):
    statement = make_statement(1)
    path = write_lines(tmp_path / "bad.ndjson", [statement, make_statement(2), statement])
    result = import_file(app, path)
    assert result.exit_code == 1 and "line 3:" in result.output and "also on line 1" in result.output


def test_blank_lines_are_ignored(app, tmp_path):
    path = write_lines(tmp_path / "ok.ndjson", [make_statement(1), "", make_statement(2)])
    assert import_file(app, path).exit_code == 0 and count(app) == 2


def test_an_id_stored_with_other_content_stops_at_its_batch_keeping_the_batches_before(app, tmp_path):
    [taken] = record_batches(app, [make_statement(7)])
    lines = [make_statement(1), make_statement(2), make_statement(3), {**make_statement(8), "id": taken}]
    path = write_lines(tmp_path / "conflict.ndjson", lines)

    result = import_file(app, path, "--batch", "2")

    assert result.exit_code == 1 and "line 4:" in result.output and "lines 3-4" in result.output
    assert set(stored(app)) == {taken, lines[0]["id"], lines[1]["id"]}


def test_import_help_says_what_happens_to_earlier_batches(runner):
    text = " ".join(runner.invoke(args=["lms", "xapi", "import", "--help"]).output.split())
    assert "before anything is stored" in text and "the batches before it are kept" in text
