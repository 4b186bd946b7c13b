"""The one CSV writer behind every download and export: chart and findings tables, the
specification, the upload problem report, submission and template files, clustered findings.

Cells a spreadsheet would run as a formula are neutralised (OWASP "CSV injection"): text
starting with =, +, -, @, a tab or a carriage return gets a leading apostrophe, so Excel,
LibreOffice and Sheets show it as text. Numbers, and text that is just a number such as
"-3" or "+4.5", are written as they are. Missing values (None, NaN, NA) are empty cells.
"""

from __future__ import annotations

import csv
import io
import numbers
import re
from collections.abc import Iterable, Sequence

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
LINE_END = "\r\n"  # RFC 4180

Table = pd.DataFrame | Iterable[Sequence[object]]


def _missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # list-like cells are not missing values
        return False


def safe_cell(value: object) -> object:
    """`value` as it is written: '' when missing, "'" + text when a spreadsheet would take
    the text for a formula, otherwise unchanged."""
    if value is None or _missing(value):
        return ""
    if isinstance(value, numbers.Number):
        return value
    text = value if isinstance(value, str) else str(value)
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return value


def _rows(table: Table) -> Iterable[Sequence[object]]:
    if isinstance(table, pd.DataFrame):
        yield list(table.columns)
        yield from table.itertuples(index=False, name=None)
    else:
        yield from table


def csv_text(table: Table, comments: Iterable[str] = ()) -> str:
    """CSV text: a '# ' line per comment (filters, data version, suppression key), then
    the table (a DataFrame with its column names as the header row, or rows of cells)."""
    buf = io.StringIO()
    for line in comments:
        buf.write("# " + " ".join(str(line).splitlines()) + LINE_END)
    writer = csv.writer(buf, lineterminator=LINE_END)
    writer.writerows([safe_cell(v) for v in row] for row in _rows(table))
    return buf.getvalue()


def csv_bytes(table: Table, comments: Iterable[str] = ()) -> bytes:
    """:func:`csv_text` as UTF-8 with a byte-order mark, which makes Excel read it as UTF-8."""
    return csv_text(table, comments).encode("utf-8-sig")
