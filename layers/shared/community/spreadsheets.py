"""CSV for spreadsheets: RFC 4180 quoting, and no cell a spreadsheet would run as a formula.

Members choose their names, and a name such as `=HYPERLINK("http://evil","Click")` in an
exported attendee list would be a live formula in Excel, LibreOffice or Google Sheets (OWASP:
CSV injection). A cell that starts with a character those programs read as the start of a
formula (=, +, -, @, TAB, CR) gets a leading apostrophe, which they show as text."""

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel reads a CSV without a byte order mark in the locale's code page, so names in other
# scripts (and emoji) come out garbled; with it, as UTF-8. Python reads it with "utf-8-sig".
BOM = "\ufeff"


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """RFC 4180: comma-separated, CRLF line ends, a field quoted when it holds a comma, a
    quote (doubled) or a line break; every cell neutralised (safe_cell); UTF-8 with a BOM."""
    out = io.StringIO()
    writer = csv.writer(out, dialect="excel", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return (BOM + out.getvalue()).encode()
