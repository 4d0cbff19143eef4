"""Reports: the cohort dashboard, charts, a learner's transcript, and their CSV and XLSX exports."""

import csv
import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from tests.cohorts.conftest import TRACK

PAST = date.today() - timedelta(days=10)
FUTURE = date.today() + timedelta(days=30)


@pytest.fixture
def cohort(admin, synced, make_user, make_cohort, progress):
    """A cohort in the demo track, due ten days ago: Ann completed everything, Bo read two lessons and failed the
    quiz, Cy has not started."""
    for email, name in (("ann@example.org", "Ann"), ("bo@example.org", "Bo"), ("cy@example.org", "Cy")):
        make_user(email, display_name=name)
    cohort_id = make_cohort("Inspectors", track=TRACK, due=PAST,
                            emails=["ann@example.org", "bo@example.org", "cy@example.org"])
    progress("ann@example.org", lessons=99, quiz="pass")
    progress("bo@example.org", lessons=2, quiz="fail")
    return cohort_id


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def _rows_on_page(html: str) -> list[str]:
    """The learners' names in the dashboard table, in order."""
    import re

    return re.findall(r'<th scope="row"><a href="/admin/cohorts/learners/[^"]+">([^<]+)</a>', html)


def test_the_dashboard_shows_each_learners_progress_in_each_course(client, cohort):
    page = client.get(f"/admin/cohorts/{cohort}/dashboard").get_data(as_text=True)
    assert _rows_on_page(page) == ["Ann", "Bo", "Cy"]
    assert 'value="100" aria-label="Ann in' in page and 'value="0" aria-label="Cy in' in page


def test_overdue_learners_are_marked_in_words_not_colour_alone(client, cohort):
    page = client.get(f"/admin/cohorts/{cohort}/dashboard").get_data(as_text=True)
    assert page.count("⚠ Overdue") == 2  # Bo and Cy, each in their course cell
    assert "✔ Completed" in page  # Ann


def test_the_overdue_filter_leaves_only_learners_behind(client, cohort):
    page = client.get(f"/admin/cohorts/{cohort}/dashboard?status=overdue").get_data(as_text=True)
    assert _rows_on_page(page) == ["Bo", "Cy"]


def test_nobody_is_overdue_before_the_due_date(client, admin, synced, make_user, make_cohort):
    make_user("dan@example.org", display_name="Dan")
    cohort_id = make_cohort("Later", track=TRACK, due=FUTURE, emails=["dan@example.org"])
    page = client.get(f"/admin/cohorts/{cohort_id}/dashboard?status=overdue").get_data(as_text=True)
    assert _rows_on_page(page) == [] and "No learner matches" in page


def test_the_completed_filter_leaves_only_learners_done(client, cohort):
    page = client.get(f"/admin/cohorts/{cohort}/dashboard?status=completed").get_data(as_text=True)
    assert _rows_on_page(page) == ["Ann"]


def test_sorting_by_courses_completed_puts_the_most_advanced_first(client, cohort):
    page = client.get(f"/admin/cohorts/{cohort}/dashboard?sort=-completed").get_data(as_text=True)
    assert _rows_on_page(page)[0] == "Ann"
    assert 'aria-sort="descending"' in page


def test_sorting_by_name_descending_reverses_the_order(client, cohort):
    page = client.get(f"/admin/cohorts/{cohort}/dashboard?sort=-name").get_data(as_text=True)
    assert _rows_on_page(page) == ["Cy", "Bo", "Ann"]


def test_the_search_filter_matches_names_and_addresses(client, cohort):
    page = client.get(f"/admin/cohorts/{cohort}/dashboard?q=bo%40").get_data(as_text=True)
    assert _rows_on_page(page) == ["Bo"]


def test_the_organisation_filter_keeps_that_organisations_learners(app, client, cohort):
    from lms.accounts.services import find_user
    from lms.cohorts import services
    from lms.db import session

    with app.app_context():
        services.set_organisation(find_user("cy@example.org").id, "North Bureau")
        session.commit()
    page = client.get(f"/admin/cohorts/{cohort}/dashboard?organisation=North+Bureau").get_data(as_text=True)
    assert _rows_on_page(page) == ["Cy"]


def test_the_dashboard_is_paginated(client, admin, synced, make_user, make_cohort):
    emails = [make_user(f"l{n:02d}@example.org", display_name=f"Learner {n:02d}").email for n in range(26)]
    cohort_id = make_cohort("Big", track=TRACK, emails=emails)
    first = client.get(f"/admin/cohorts/{cohort_id}/dashboard").get_data(as_text=True)
    second = client.get(f"/admin/cohorts/{cohort_id}/dashboard?page=2").get_data(as_text=True)
    assert len(_rows_on_page(first)) == 25 and _rows_on_page(second) == ["Learner 25"]


def test_the_course_summary_gives_completion_rate_and_average_quiz_score(client, cohort):
    page = client.get(f"/admin/cohorts/{cohort}/dashboard").get_data(as_text=True)
    assert "1 of 3 completed" in page
    assert "<td>50%</td>" in page  # Ann's 100 % and Bo's 0 %: the mean of their best scores


def test_certificates_are_counted_per_learner_through_the_hook(app, cohort):
    from lms.cohorts import reports

    with app.app_context():
        from lms.accounts.services import find_user

        counts = reports.certificates_per_user([find_user("cy@example.org").id])
    assert counts.get(1, 0) == 0 and isinstance(counts, dict)


def test_a_cohort_without_courses_says_what_to_do(client, admin, make_cohort):
    cohort_id = make_cohort("Empty")
    page = client.get(f"/admin/cohorts/{cohort_id}/dashboard").get_data(as_text=True)
    assert "not enrolled in any course yet" in page


def test_the_csv_export_holds_the_pages_rows_and_values(client, cohort):
    rows = _csv(client.get(f"/admin/cohorts/{cohort}/dashboard.csv?status=overdue"))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["Name", "E-mail address", "Organisation"]
    assert [row[0] for row in body] == ["Bo", "Cy"]
    status = header.index(next(title for title in header if title.endswith(": status")))
    assert [row[status] for row in body] == ["Overdue", "Overdue"]


def test_the_xlsx_export_holds_the_same_table_as_the_csv(client, cohort):
    from_csv = _csv(client.get(f"/admin/cohorts/{cohort}/dashboard.csv"))
    response = client.get(f"/admin/cohorts/{cohort}/dashboard.xlsx")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    from_xlsx = [["" if value is None else str(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    assert from_xlsx == from_csv


def test_a_name_that_looks_like_a_formula_is_exported_as_text(client, admin, synced, make_user, make_cohort):
    make_user("evil@example.org", display_name="=HYPERLINK(\"http://x\")")
    cohort_id = make_cohort("Risky", track=TRACK, emails=["evil@example.org"])
    rows = _csv(client.get(f"/admin/cohorts/{cohort_id}/dashboard.csv"))
    assert rows[1][0].startswith("'=")


def test_the_charts_are_accessible_svg_with_a_data_table(client, cohort):
    page = client.get(f"/admin/cohorts/{cohort}/charts").get_data(as_text=True)
    assert page.count('role="img"') == 2 and "<title id=" in page and "<desc id=" in page
    assert "Completed by 1 of 3 members" in page
    assert "<th scope=\"col\">Week of</th>" in page and "90–100%" in page
    assert "http" not in page.split("<svg", 1)[1].split("</svg>", 1)[0].replace("http://www.w3.org/2000/svg", "")


def test_the_charts_data_is_exported(client, cohort):
    rows = _csv(client.get(f"/admin/cohorts/{cohort}/charts.csv"))
    assert rows[0] == ["Course", "Measure", "Label", "Value"]
    assert ["Learners by mean quiz score", "90–100%", "1"] in [row[1:] for row in rows]


def test_the_transcript_lists_courses_items_attempts_and_links_to_raw_statements(app, client, cohort):
    from lms.accounts.services import find_user

    with app.app_context():
        public_id = find_user("bo@example.org").public_id
    page = client.get(f"/admin/cohorts/learners/{public_id}").get_data(as_text=True)
    assert "Not passed yet" in page and "✔ Read" in page and "Not read yet" in page
    assert "/admin/statements?learner=bo@example.org" in page or "/admin/statements?learner=bo%40example.org" in page
    assert "Inspectors" in page and "Overdue" in page


def test_the_transcript_export_has_a_row_per_course_and_item(app, client, cohort):
    from lms.accounts.services import find_user

    with app.app_context():
        public_id = find_user("ann@example.org").public_id
    rows = _csv(client.get(f"/admin/cohorts/learners/{public_id}.csv"))
    kinds = [row[2] for row in rows[1:]]
    assert kinds[0] == "Course" and "Lesson" in kinds and "Quiz" in kinds
    quiz = next(row for row in rows[1:] if row[2] == "Quiz")
    assert quiz[4] == "Passed" and quiz[6] == "1" and quiz[7] == "100"


def test_reports_are_for_administrators_only(client, make_user, login_as, admin, make_cohort):
    cohort_id = make_cohort("Private")
    client.post("/account/logout")
    login_as(make_user(roles=("learner",)))
    for path in (f"/admin/cohorts/{cohort_id}/dashboard", f"/admin/cohorts/{cohort_id}/dashboard.csv",
                 f"/admin/cohorts/{cohort_id}/charts"):
        assert client.get(path).status_code == 403
