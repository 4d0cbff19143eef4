"""The certificate as PDF (with Chinese and a QR code) and as an HTML page, for its learner."""

from __future__ import annotations

import io

from pypdf import PdfReader

from tests.certificates.conftest import TRACK_TITLE_ZH


def _pdf_text(response) -> str:
    reader = PdfReader(io.BytesIO(response.data))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_pdf_has_the_name_serial_and_chinese_track_title(client, earned):
    learner, serial = earned(display_name="Li Na", language="zh-Hans")
    response = client.get(f"/certificates/{serial}/certificate.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = _pdf_text(response)
    assert "Li Na" in text and serial in text and TRACK_TITLE_ZH in text
    assert "Labor Inspector Certification" in text  # and the English title beside it


def test_a_chinese_name_is_printed_in_chinese(client, earned):
    _learner, serial = earned(display_name="张伟", language="zh-Hans")
    assert "张伟" in _pdf_text(client.get(f"/certificates/{serial}/certificate.pdf"))


def test_the_pdf_is_one_a4_landscape_page_with_the_verification_address(client, earned):
    _learner, serial = earned()
    reader = PdfReader(io.BytesIO(client.get(f"/certificates/{serial}/certificate.pdf").data))
    box = reader.pages[0].mediabox
    assert len(reader.pages) == 1 and (round(float(box.width)), round(float(box.height))) == (842, 595)
    assert f"http://lms.test/verify/{serial}" in reader.pages[0].extract_text()


def test_the_pdf_lists_the_courses_with_their_scores(client, earned):
    _learner, serial = earned()
    text = _pdf_text(client.get(f"/certificates/{serial}/certificate.pdf"))
    assert "Your labor contract" in text and "100%" in text


def test_the_qr_code_encodes_the_verification_address(app, earned):
    import segno

    from lms.certificates import pdf

    _learner, serial = earned()
    drawn = []

    class Recorder:
        def setFillColor(self, colour):  # noqa: N802 (reportlab's names)
            pass

        def rect(self, x, y, width, height, stroke, fill):
            drawn.append((round(x, 3), round(y, 3)))

    with app.test_request_context():
        pdf._draw_qr(Recorder(), f"http://lms.test/verify/{serial}", 0, 0, 100)
    expected = segno.make(f"http://lms.test/verify/{serial}", error="m", micro=False)
    rows = [list(row) for row in expected.matrix_iter(scale=1, border=2)]
    module = 100 / len(rows)
    starts = {(round(c * module, 3), round(100 - (r + 1) * module, 3))
              for r, row in enumerate(rows) for c, dark in enumerate(row)
              if dark and (c == 0 or not row[c - 1])}
    assert set(drawn) == starts


def test_the_html_certificate_shows_the_courses_and_dates(client, earned):
    _learner, serial = earned(display_name="Li Na")
    page = client.get(f"/certificates/{serial}").get_data(as_text=True)
    assert "Li Na" in page and serial in page and "Your labor contract" in page and "Valid until" in page


def test_another_learner_cannot_open_or_download_the_certificate(client, earned, make_user, login_as):
    _learner, serial = earned()
    login_as(make_user())
    for path in ("", "/certificate.pdf", "/badge.json", "/badge.jwt"):
        assert client.get(f"/certificates/{serial}{path}").status_code == 404


def test_an_admin_can_download_any_certificate(client, earned, make_user, login_as):
    _learner, serial = earned()
    login_as(make_user(roles=("admin",)))
    assert client.get(f"/certificates/{serial}/certificate.pdf").status_code == 200


def test_my_certificates_lists_downloads_and_the_share_link(client, earned):
    _learner, serial = earned()
    page = client.get("/my-certificates").get_data(as_text=True)
    for link in (f"/certificates/{serial}/certificate.pdf", f"/certificates/{serial}/badge.json",
                 f"/certificates/{serial}/badge.jwt", f"http://lms.test/verify/{serial}"):
        assert link in page


def test_my_certificates_without_any_says_how_to_earn_one(client, make_user, login_as):
    login_as(make_user())
    page = client.get("/my-certificates").get_data(as_text=True)
    assert "You have no certificate yet" in page and "/tracks" in page


def test_my_certificates_needs_a_signed_in_user(client):
    assert client.get("/my-certificates").status_code in (302, 401)
