"""Administration: list and filter, CSV, a ZIP of PDFs; admins only."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime, timedelta, timezone

from tests.certificates.conftest import TRACK

ISSUED = datetime(2026, 1, 15, 9, 0, tzinfo=timezone.utc)


def _admin(client, make_user, login_as):
    login_as(make_user(roles=("admin",), email="boss@example.org"))


def test_learners_cannot_open_the_certificate_administration(client, make_user, login_as):
    login_as(make_user())
    for path in ("/admin/certificates", "/admin/certificates/export.csv", "/admin/certificates/export.zip"):
        assert client.get(path).status_code == 403


def test_the_list_shows_every_certificate_with_its_state(client, make_user, login_as, issue_at):
    first = issue_at(make_user(display_name="Chen Jing"), ISSUED)
    second = issue_at(make_user(display_name="Zhao Lei"), ISSUED - timedelta(days=800))
    _admin(client, make_user, login_as)
    page = client.get("/admin/certificates").get_data(as_text=True)
    assert first in page and second in page and "Chen Jing" in page and "Expired" in page


def test_the_list_filters_by_state(client, make_user, login_as, issue_at):
    from lms.db import utcnow

    valid = issue_at(make_user(), utcnow())
    expired = issue_at(make_user(), utcnow() - timedelta(days=800))
    _admin(client, make_user, login_as)
    page = client.get("/admin/certificates", query_string={"state": "expired"}).get_data(as_text=True)
    assert expired in page and valid not in page


def test_the_list_filters_by_track_and_issue_dates(client, make_user, login_as, issue_at):
    january = issue_at(make_user(), ISSUED)
    march = issue_at(make_user(), ISSUED + timedelta(days=60))
    other_track = issue_at(make_user(), ISSUED, track_slug="with-elective")
    _admin(client, make_user, login_as)
    page = client.get("/admin/certificates", query_string={
        "track": TRACK, "issued_from": "2026-01-01", "issued_to": "2026-01-31"}).get_data(as_text=True)
    assert january in page and march not in page and other_track not in page


def test_the_list_finds_a_learner_by_name_or_email(client, make_user, login_as, issue_at):
    wanted = issue_at(make_user(display_name="Sun Mei", email="sun.mei@example.org"), ISSUED)
    other = issue_at(make_user(display_name="Liu Yang"), ISSUED)
    _admin(client, make_user, login_as)
    for query in ("sun mei", "SUN.MEI@example"):
        page = client.get("/admin/certificates", query_string={"q": query}).get_data(as_text=True)
        assert wanted in page and other not in page


def test_bad_filters_are_named_and_list_nothing(client, make_user, login_as, issue_at):
    serial = issue_at(make_user(), ISSUED)
    _admin(client, make_user, login_as)
    response = client.get("/admin/certificates", query_string={"issued_from": "2026-02-30", "state": "lost"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and page.count("Error:") >= 3 and serial not in page


def test_an_empty_list_says_what_to_do(client, make_user, login_as, tracks_synced):
    _admin(client, make_user, login_as)
    assert "reconcile" in client.get("/admin/certificates").get_data(as_text=True)


def test_the_csv_export_has_the_filtered_certificates(client, make_user, login_as, issue_at):
    wanted = issue_at(make_user(display_name="Sun Mei", email="sun.mei@example.org"), ISSUED)
    issue_at(make_user(), ISSUED, track_slug="with-elective")
    _admin(client, make_user, login_as)
    response = client.get("/admin/certificates/export.csv", query_string={"track": TRACK})
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert response.mimetype == "text/csv" and len(rows) == 1
    assert rows[0]["serial"] == wanted and rows[0]["email"] == "sun.mei@example.org"
    assert rows[0]["issued"] == "2026-01-15" and rows[0]["expires"] == "2028-01-15" and rows[0]["track"] == TRACK


def test_the_csv_export_defuses_spreadsheet_formulas_in_names(client, make_user, login_as, issue_at):
    issue_at(make_user(display_name="=HYPERLINK(\"x\")"), ISSUED)
    _admin(client, make_user, login_as)
    rows = list(csv.DictReader(io.StringIO(client.get("/admin/certificates/export.csv").get_data(as_text=True)
                                           .lstrip("\ufeff"))))
    assert rows[0]["learner"].startswith("'=")


def test_the_zip_holds_one_pdf_per_filtered_certificate(client, make_user, login_as, issue_at):
    first = issue_at(make_user(), ISSUED)
    second = issue_at(make_user(), ISSUED)
    issue_at(make_user(), ISSUED, track_slug="with-elective")
    _admin(client, make_user, login_as)
    response = client.get("/admin/certificates/export.zip", query_string={"track": TRACK})
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert response.mimetype == "application/zip"
    assert sorted(names) == sorted(f"certificate-{TRACK}-{serial}.pdf" for serial in (first, second))
    assert all(zipfile.ZipFile(io.BytesIO(response.data)).read(name).startswith(b"%PDF") for name in names)


def test_a_zip_too_large_is_refused_with_advice(app, client, make_user, login_as, issue_at):
    issue_at(make_user(), ISSUED)
    issue_at(make_user(), ISSUED)
    app.config["LMS_CERTIFICATES_ZIP_LIMIT"] = 1
    _admin(client, make_user, login_as)
    response = client.get("/admin/certificates/export.zip", follow_redirects=True)
    assert "narrow the filters" in response.get_data(as_text=True)


def test_the_detail_page_offers_revoke_reissue_and_recertify(client, make_user, login_as, issue_at):
    serial = issue_at(make_user(display_name="Sun Mei"), ISSUED)
    _admin(client, make_user, login_as)
    page = client.get(f"/admin/certificates/{serial}").get_data(as_text=True)
    for action in ("/revoke", "/reissue", "/recertify"):
        assert f"/admin/certificates/{serial}{action}" in page


def test_an_unknown_serial_has_no_detail_page(client, make_user, login_as, tracks_synced):
    _admin(client, make_user, login_as)
    assert client.get("/admin/certificates/AAAA-BBBB-CCCC-DDDD").status_code == 404
