"""Tables to files: CSV (UTF-8 with a byte-order mark, so Excel opens Chinese text correctly) and XLSX."""

from __future__ import annotations

import csv
import io
from typing import Iterable, Iterator

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(value):
    """A cell a spreadsheet will not run: text starting like a formula gets a leading apostrophe (CSV injection).
    Numbers are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return "" if value is None else value


def csv_chunks(headers: list[str], rows: Iterable[list]) -> Iterator[str]:
    """The table as CSV text in pieces (to stream a long export)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow([_safe(value) for value in headers])
    for count, row in enumerate(rows, start=1):
        writer.writerow([_safe(value) for value in row])
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def xlsx_bytes(headers: list[str], rows: Iterable[list], sheet_title: str = "Report") -> bytes:
    """The table as an .xlsx workbook with one sheet (written in openpyxl's streaming mode)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    # Sheet titles may not hold []:*?/\ and have at most 31 characters.
    title = "".join(ch for ch in sheet_title if ch not in "[]:*?/\\")[:31] or "Report"
    sheet = workbook.create_sheet(title)
    sheet.append([_safe(value) for value in headers])
    for row in rows:
        sheet.append([_safe(value) for value in row])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def filename_safe(text: str) -> str:
    """An ASCII file name part (the Content-Disposition header also carries the UTF-8 name)."""
    cleaned = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "-" for ch in text).strip("-")
    return "-".join(part for part in cleaned.split("-") if part)[:60] or "report"
