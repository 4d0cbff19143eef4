"""A certificate as a printable PDF (A4 landscape) with a QR code of its verification page.

Chinese is set in reportlab's built-in CID font STSong-Light: PDF readers ship it (Adobe's Asian font pack,
poppler's substitutes), so no font file has to be installed or embedded. Latin text uses the standard Helvetica.
The QR code is drawn as vector squares from segno's module matrix: sharp at any zoom, no image library needed.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable

import segno
from flask_babel import force_locale
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from lms.certificates.badges import verification_url
from lms.certificates.models import Certificate
from lms.core.i18n import LOCALES, _, text

CJK_FONT = "STSong-Light"
INK = HexColor("#1f2328")
MUTED = HexColor("#57606a")
ACCENT = HexColor("#16324f")
MAX_COURSES_LISTED = 8

_fonts_registered = False


def _register_fonts() -> None:
    global _fonts_registered
    if not _fonts_registered:
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
        _fonts_registered = True


def _font(value: str, bold: bool = False) -> str:
    try:
        value.encode("cp1252")
    except UnicodeEncodeError:
        return CJK_FONT  # also has Latin letters, so mixed text stays in one font
    return "Helvetica-Bold" if bold else "Helvetica"


class _Page:
    def __init__(self, canvas: Canvas, width: float, height: float) -> None:
        self.canvas, self.width, self.height = canvas, width, height

    def centred(self, value: str, y: float, size: float, bold: bool = False, colour=INK,
                max_width: float | None = None) -> None:
        """One centred line, made smaller until it fits ``max_width``."""
        font = _font(value, bold)
        max_width = max_width or self.width - 160
        while size > 8 and pdfmetrics.stringWidth(value, font, size) > max_width:
            size -= 0.5
        self.canvas.setFillColor(colour)
        self.canvas.setFont(font, size)
        self.canvas.drawCentredString(self.width / 2, y, value)

    def left(self, value: str, x: float, y: float, size: float, bold: bool = False, colour=INK,
             max_width: float = 400) -> None:
        font = _font(value, bold)
        while size > 7 and pdfmetrics.stringWidth(value, font, size) > max_width:
            size -= 0.5
        self.canvas.setFillColor(colour)
        self.canvas.setFont(font, size)
        self.canvas.drawString(x, y, value)

    def right(self, value: str, x: float, y: float, size: float, colour=INK) -> None:
        self.canvas.setFillColor(colour)
        self.canvas.setFont(_font(value), size)
        self.canvas.drawRightString(x, y, value)


def _draw_qr(canvas: Canvas, data: str, x: float, y: float, size: float) -> None:
    """A QR code of ``data`` as filled squares, bottom-left corner at (x, y), ``size`` points wide."""
    code = segno.make(data, error="m", micro=False)
    rows = [list(row) for row in code.matrix_iter(scale=1, border=2)]
    module = size / len(rows)
    canvas.setFillColor(INK)
    for row_index, row in enumerate(rows):
        top = y + size - (row_index + 1) * module
        column = 0
        while column < len(row):  # one rectangle per run of dark modules keeps the file small
            if row[column]:
                start = column
                while column < len(row) and row[column]:
                    column += 1
                canvas.rect(x + start * module, top, (column - start) * module, module, stroke=0, fill=1)
            else:
                column += 1


def render_pdf(certificate: Certificate) -> bytes:
    """The certificate as a one-page A4 landscape PDF, labelled in the learner's language, titled in it and English."""
    _register_fonts()
    buffer = io.BytesIO()
    width, height = landscape(A4)
    canvas = Canvas(buffer, pagesize=(width, height), pageCompression=1)
    language = certificate.language or "en"
    title = text(certificate.track_title, language)
    title_en = text(certificate.track_title, "en")
    url = verification_url(certificate.serial)
    canvas.setTitle(f"{title_en} — {certificate.learner_name}")
    canvas.setAuthor(certificate.issuer_name)
    canvas.setSubject(f"Certificate {certificate.serial}")
    page = _Page(canvas, width, height)

    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(3)
    canvas.rect(24, 24, width - 48, height - 48)
    canvas.setLineWidth(0.75)
    canvas.rect(32, 32, width - 64, height - 64)

    with force_locale(LOCALES.get(language, "en")):
        labels = {
            "heading": _("Certificate"),
            "certifies": _("This certifies that"),
            "completed": _("has completed the curriculum track"),
            "courses": _("Courses"),
            "issued": _("Issued on %(date)s", date=certificate.issued_at.date().isoformat()),
            "valid": (_("Valid until %(date)s", date=certificate.expires_at.date().isoformat())
                      if certificate.expires_at else _("Does not expire")),
            "serial": _("Serial number"),
            "check": _("Check this certificate at"),
            "more": _("and %(count)d more", count=max(0, len(certificate.courses) - MAX_COURSES_LISTED)),
        }

    page.centred(certificate.issuer_name, height - 70, 13, colour=MUTED)
    page.centred(labels["heading"], height - 112, 30, bold=True, colour=ACCENT)
    page.centred(labels["certifies"], height - 150, 13, colour=MUTED)
    page.centred(certificate.learner_name, height - 190, 28, bold=True)
    page.centred(labels["completed"], height - 222, 13, colour=MUTED)
    page.centred(title, height - 256, 20, bold=True, colour=ACCENT)
    y = height - 280
    if title_en != title:
        page.centred(title_en, y, 13, colour=ACCENT)
        y -= 24
    else:
        y -= 6

    courses = certificate.courses[:MAX_COURSES_LISTED]
    if courses:
        page.left(labels["courses"], 90, y, 11, bold=True, colour=MUTED)
        y -= 16
        for course in courses:
            name = text(course["title"], language)
            canvas.setFillColor(ACCENT)
            canvas.circle(93, y + 3.5, 1.6, stroke=0, fill=1)  # drawn: STSong-Light has no bullet glyph
            page.left(name, 102, y, 10.5, max_width=width - 340)
            if course.get("score") is not None:
                page.right(f"{course['score']}%", width - 250, y, 10.5)
            y -= 15
        if len(certificate.courses) > MAX_COURSES_LISTED:
            page.left(labels["more"], 102, y, 10, colour=MUTED)

    page.left(labels["issued"], 90, 110, 12)
    page.left(labels["valid"], 90, 92, 12)
    page.left(labels["serial"], 90, 70, 10, colour=MUTED)
    page.left(certificate.serial, 90, 54, 14, bold=True)

    qr_size = 104
    qr_x, qr_y = width - 60 - qr_size, 56
    _draw_qr(canvas, url, qr_x, qr_y, qr_size)
    page.right(labels["check"], qr_x - 12, 78, 9, colour=MUTED)
    page.right(url, qr_x - 12, 64, 9)

    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def pdf_filename(certificate: Certificate) -> str:
    return f"certificate-{certificate.track_slug}-{certificate.serial}.pdf"


def zip_of_pdfs(certificates: Iterable[Certificate]) -> bytes:
    """Every certificate's PDF in one ZIP file, named by track and serial."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for certificate in certificates:
            archive.writestr(pdf_filename(certificate), render_pdf(certificate))
    return buffer.getvalue()
