"""Bulk enrolment from spreadsheets: reading real-world files, the preview, all-or-nothing apply, and the CLI."""

import pytest
from sqlalchemy import select

from tests.cohorts.conftest import TRACK, preview_and_apply, upload, xlsx
from tests.conftest import DEMO_COURSE

HEADER = "email,name,audience,language\n"


def _plan(app, data: bytes, cohort: str | None = None):
    from lms.cohorts import importing

    with app.app_context():
        return importing.plan_import(importing.read_file(data), cohort)


def _preview(client, data: bytes, filename="learners.csv", cohort=""):
    uploaded = upload(client, data, filename, cohort)
    assert uploaded.status_code == 302, uploaded.get_data(as_text=True)
    return client.get(uploaded.headers["Location"])


def _user(app, email: str):
    from lms.accounts.services import find_user

    with app.app_context():
        user = find_user(email)
        return None if user is None else (user.display_name, user.audience, user.language)


# --- reading files ---------------------------------------------------------------------------------------------

def test_a_utf8_csv_with_a_byte_order_mark_is_read(app):
    plan = _plan(app, ("\ufeff" + HEADER + "ann@example.org,Ann,worker,en\n").encode("utf-8"))
    assert [(row.email, row.name, row.errors) for row in plan.rows] == [("ann@example.org", "Ann", [])]


def test_a_gb18030_csv_with_semicolons_and_chinese_headers_is_read(app):
    data = "邮箱;姓名;身份;语言;班级;单位\nwang@example.org;王 小明;劳动保障监察员;中文;一班;省人社厅\n".encode("gb18030")
    row = _plan(app, data).rows[0]
    assert (row.email, row.name, row.audience, row.language, row.cohort, row.organisation) == (
        "wang@example.org", "王 小明", "labor_inspector", "zh-Hans", "一班", "省人社厅")


def test_a_gbk_file_as_chinese_excel_writes_it_is_read(app):
    data = "电子邮件,姓名,受众,语言\nli@example.org,李四,工人,简体中文\n".encode("gbk")
    row = _plan(app, data).rows[0]
    assert (row.email, row.name, row.audience, row.language) == ("li@example.org", "李四", "worker", "zh-Hans")


def test_an_xlsx_file_is_read(app):
    data = xlsx([["E-mail", "Name", "Audience", "Language", "Cohort", "Employer"],
                 ["Ann@Example.org", "Ann Lee", "Labor inspector", "English", "Inspectors", "Bureau"]])
    row = _plan(app, data).rows[0]
    assert (row.email, row.name, row.audience, row.language, row.cohort, row.organisation) == (
        "ann@example.org", "Ann Lee", "labor_inspector", "en", "Inspectors", "Bureau")


def test_blank_lines_are_skipped_and_rows_keep_their_spreadsheet_numbers(app):
    data = (HEADER + "a@example.org,A,worker,en\n\n,,,\nb@example.org,B,worker,en\n\n\n\n").encode()
    plan = _plan(app, data)
    assert [(row.number, row.email) for row in plan.rows] == [(2, "a@example.org"), (5, "b@example.org")]


def test_full_width_spaces_in_names_are_folded(app):
    row = _plan(app, (HEADER + "a@example.org,\u3000王\u3000\u3000小明\u3000,worker,zh-CN\n").encode()).rows[0]
    assert row.name == "王 小明"


@pytest.mark.parametrize("given, code", [
    ("worker", "worker"), ("工人", "worker"), ("Worker", "worker"), ("labor_inspector", "labor_inspector"),
    ("labor inspector", "labor_inspector"), ("劳动保障监察员", "labor_inspector"), ("监察员", "labor_inspector"),
    ("用人单位", "employer"), ("其他", "other"), ("", "other"),
])
def test_audiences_are_read_as_codes_or_plain_names_in_either_language(app, given, code):
    assert _plan(app, (HEADER + f"a@example.org,A,{given},en\n").encode()).rows[0].audience == code


@pytest.mark.parametrize("given, code", [
    ("zh-Hans", "zh-Hans"), ("zh-CN", "zh-Hans"), ("中文", "zh-Hans"), ("Chinese", "zh-Hans"),
    ("简体中文", "zh-Hans"), ("en", "en"), ("English", "en"), ("英文", "en"), ("", "en"),
])
def test_languages_are_read_as_codes_or_plain_names_in_either_language(app, given, code):
    assert _plan(app, (HEADER + f"a@example.org,A,worker,{given}\n").encode()).rows[0].language == code


def test_an_unknown_audience_is_an_error_of_its_row(app):
    plan = _plan(app, (HEADER + "a@example.org,A,worker,en\nb@example.org,B,astronaut,en\n").encode())
    assert [(row.number, [code for code, _ in row.errors]) for row in plan.rows] == [
        (2, []), (3, ["audience_unknown"])]


def test_a_bad_email_address_is_an_error_of_its_row(app):
    plan = _plan(app, (HEADER + "not-an-address,A,worker,en\n").encode())
    assert plan.rows[0].errors == [("email_invalid", {"value": "not-an-address"})]


def test_a_repeated_row_is_an_error_naming_the_first(app):
    plan = _plan(app, (HEADER + "a@example.org,A,worker,en\nA@EXAMPLE.ORG,A,worker,en\n").encode(), "Group")
    assert plan.rows[1].errors == [("duplicate", {"row": 2})]


def test_the_same_person_in_two_cohorts_is_not_a_duplicate(app):
    data = "email,name,cohort\na@example.org,A,North\na@example.org,A,South\n".encode()
    plan = _plan(app, data)
    assert not plan.has_errors and [row.account for row in plan.rows] == ["new", "earlier_row"]


# --- the preview -------------------------------------------------------------------------------------------------

def test_the_preview_says_what_each_row_will_do_and_writes_nothing(client, admin, synced, make_user, make_cohort,
                                                                   db_state):
    make_user("old@example.org")
    make_cohort("Workers", track=TRACK)
    before = db_state()
    page = _preview(client, (HEADER + "new@example.org,New,worker,en\nold@example.org,Old,worker,en\n").encode(),
                    cohort="Workers").get_data(as_text=True)
    assert "New account" in page and "Existing account" in page and f"enrolment added: {DEMO_COURSE}" in page
    after = db_state()
    assert (after.users, after.members, after.enrolments) == (before.users, before.members, before.enrolments)


def test_the_preview_lists_every_error_with_its_row_number_and_offers_no_apply(client, admin, db_state):
    data = (HEADER + "bad-address,A,worker,en\nb@example.org,B,astronaut,en\nc@example.org,C,worker,klingon\n"
            ).encode()
    response = _preview(client, data)
    page = response.get_data(as_text=True)
    assert "3 rows with errors" in page and "is not a valid e-mail address" in page
    assert "Unknown audience “astronaut”" in page and "Unknown language “klingon”" in page
    assert "<td>2</td>" in page and "<td>3</td>" in page and "<td>4</td>" in page
    assert 'name="digest"' not in page


def test_a_file_without_an_email_column_is_refused_beside_the_file_field(client, admin, db_state):
    before = db_state()
    response = upload(client, b"name,audience\nAnn,worker\n")
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="file-errors"' in body and "No e-mail column" in body
    assert db_state() == before


def test_an_old_xls_file_is_refused_with_a_way_out(client, admin):
    response = upload(client, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "learners.xls")
    assert response.status_code == 400 and "Save it as .xlsx" in response.get_data(as_text=True)


def test_the_uploaded_file_is_kept_between_preview_and_apply(app, client, admin):
    from lms.cohorts.models import ImportBatch
    from lms.db import session

    data = (HEADER + "a@example.org,A,worker,en\n").encode()
    upload(client, data)
    with app.app_context():
        batch = session.execute(select(ImportBatch)).scalar_one()
        assert batch.content == data and len(batch.content_hash) == 64 and batch.applied_at is None


# --- applying ----------------------------------------------------------------------------------------------------

def test_applying_creates_accounts_memberships_and_enrolments(app, client, admin, synced, make_cohort, db_state):
    make_cohort("Inspectors", track=TRACK)
    before = db_state()
    data = (HEADER + "a@example.org,Ann,labor inspector,en\nb@example.org,Bo,监察员,中文\n").encode()
    response = preview_and_apply(client, data, cohort="Inspectors")
    assert response.status_code == 302
    after = db_state()
    assert (after.users - before.users, after.members - before.members, after.enrolments - before.enrolments) == (
        2, 2, 2)
    assert _user(app, "b@example.org") == ("Bo", "labor_inspector", "zh-Hans")


def test_new_accounts_are_e_mailed_an_invitation_in_their_language(app, client, admin):
    outbox = app.extensions["mailman"].outbox = []
    preview_and_apply(client, (HEADER + "a@example.org,Ann,worker,en\nb@example.org,Bo,worker,zh-Hans\n").encode())
    assert sorted(message.to[0] for message in outbox) == ["a@example.org", "b@example.org"]
    english = next(message for message in outbox if message.to == ["a@example.org"])
    assert "/account/invitation/" in english.body and "7 days" in english.body


def test_a_named_cohort_that_does_not_exist_is_created(app, client, admin):
    from lms.cohorts import services

    preview_and_apply(client, "email,name,班级\na@example.org,A,二班\n".encode())
    with app.app_context():
        assert services.cohort_by_name("二班") is not None


def test_applying_is_refused_when_any_row_has_an_error(app, client, admin, db_state):
    from lms.cohorts.models import ImportBatch
    from lms.db import session

    before = db_state()
    upload(client, (HEADER + "good@example.org,G,worker,en\nbad-address,B,worker,en\n").encode(), cohort="X")
    with app.app_context():
        stored = session.execute(select(ImportBatch)).scalar_one()
        batch_id, digest = stored.id, stored.content_hash
    # The preview offers no Apply button here; a forged POST must still change nothing.
    response = client.post("/admin/cohorts/import/apply", data={"batch": batch_id, "digest": digest})
    assert response.status_code == 400 and "Nothing was changed" in response.get_data(as_text=True)
    after = db_state()
    assert (after.users, after.cohorts, after.members, after.invitations) == (
        before.users, before.cohorts, before.members, before.invitations)


def test_applying_with_a_digest_that_is_not_the_files_is_refused(app, client, admin, db_state):
    from lms.cohorts.models import ImportBatch
    from lms.db import session

    upload(client, (HEADER + "a@example.org,A,worker,en\n").encode())
    with app.app_context():
        batch_id = session.execute(select(ImportBatch.id)).scalar_one()
    before = db_state()
    response = client.post("/admin/cohorts/import/apply", data={"batch": batch_id, "digest": "0" * 64})
    assert response.status_code == 400 and db_state().users == before.users


def test_uploading_the_same_file_again_changes_nothing(client, admin, synced, make_cohort, db_state):
    make_cohort("Inspectors", track=TRACK)
    data = (HEADER + "a@example.org,Ann,worker,en\nb@example.org,Bo,worker,en\n").encode()
    preview_and_apply(client, data, cohort="Inspectors")
    before = db_state()
    page = _preview(client, data, cohort="Inspectors").get_data(as_text=True)
    assert "applying would change nothing" in page and "already enrolled" in page
    after = db_state()
    assert (after.users, after.members, after.enrolments, after.invitations, after.audit) == (
        before.users, before.members, before.enrolments, before.invitations, before.audit)


def test_an_existing_accounts_profile_is_left_as_it_is(app, client, admin, make_user):
    make_user("ann@example.org", display_name="Ann Original", audience="employer", language="en")
    response = preview_and_apply(client, (HEADER + "ann@example.org,Someone Else,worker,zh-Hans\n").encode(),
                                 cohort="Employers")  # joining a cohort: applying has something to do
    assert response.status_code == 302
    assert _user(app, "ann@example.org") == ("Ann Original", "employer", "en")


def test_the_organisation_column_is_recorded(app, client, admin):
    from lms.accounts.services import find_user
    from lms.cohorts import services

    preview_and_apply(client, "email,name,单位\na@example.org,A,省劳动监察总队\n".encode())
    with app.app_context():
        user = find_user("a@example.org")
        assert services.organisations_of([user.id]) == {user.id: "省劳动监察总队"}


def test_ten_thousand_rows_preview_in_under_ten_seconds(app):
    import time

    from lms.cohorts import importing

    data = (HEADER + "".join(f"learner{n}@example.org,Learner {n},worker,en\n" for n in range(10_000))).encode()
    with app.app_context():
        started = time.perf_counter()
        plan = importing.plan_import(importing.read_file(data), "Big intake")
        elapsed = time.perf_counter() - started
    assert plan.counts()["new_accounts"] == 10_000 and elapsed < 10


# --- the command line ----------------------------------------------------------------------------------------------

def test_the_command_prints_one_line_per_row_and_applies(app, runner, synced, make_cohort, db_state, tmp_path):
    make_cohort("Inspectors", track=TRACK)
    path = tmp_path / "learners.csv"
    path.write_bytes((HEADER + "a@example.org,A,worker,en\nb@example.org,B,工人,中文\n").encode("gb18030"))
    before = db_state()
    result = runner.invoke(args=["lms", "cohorts", "import", str(path), "--cohort", "Inspectors"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.startswith("row")]
    assert len(lines) == 2 and "a@example.org" in lines[0] and "New account" in lines[0]
    assert f"enrolment added: {DEMO_COURSE}" in lines[1]
    assert db_state().users == before.users + 2


def test_the_command_with_an_error_exits_non_zero_and_writes_nothing(runner, db_state, tmp_path):
    path = tmp_path / "learners.csv"
    path.write_text(HEADER + "a@example.org,A,worker,en\nbad,B,worker,en\n", encoding="utf-8")
    before = db_state()
    result = runner.invoke(args=["lms", "cohorts", "import", str(path), "--cohort", "X"])
    assert result.exit_code == 1
    assert "row      3" in result.stdout and "ERROR" in result.stdout and "not a valid e-mail address" in result.stdout
    assert db_state() == before


def test_a_dry_run_prints_the_rows_and_writes_nothing(runner, db_state, tmp_path):
    path = tmp_path / "learners.xlsx"
    path.write_bytes(xlsx([["email", "name"], ["a@example.org", "A"]]))
    before = db_state()
    result = runner.invoke(args=["lms", "cohorts", "import", str(path), "--cohort", "X", "--dry-run"])
    assert result.exit_code == 0 and "a@example.org" in result.stdout
    assert db_state() == before
