"""Plain string tables from spreadsheet rows, shared by the CSV and workbook readers."""

from __future__ import annotations

import re

import pandas as pd

from data.ingest.report import Report

SHEETS = ("About", "Responses", "Findings")
MAX_ROWS = 20_000
MAX_COLS = 150
RESAVE = "open it in Excel and save it again as an Excel Workbook (.xlsx)"

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Refused(Exception):
    """A file-level problem: the file is not read any further."""

    def __init__(self, name: str, message: str, sheet: str = "File") -> None:
        super().__init__(message)
        self.name, self.message, self.sheet = name, message, sheet


def column_letter(index: int) -> str:
    """1 -> A, 27 -> AA (how spreadsheet users name columns)."""
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_text(value: object) -> str:
    """Whole floats from Excel (3.0) become '3'; dates ISO text; control characters go."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif hasattr(value, "isoformat"):
        text = value.isoformat()
        value = text[:10] if text.endswith("T00:00:00") else text
    return _CONTROL.sub("", str(value)).strip()


def control_free(text: str) -> bool:
    """True if `text` holds none of the control characters `cell_text` removes."""
    return _CONTROL.search(text) is None


def table_from_rows(
    rows: list[list[object]],
    sheet: str,
    report: Report,
    *,
    strict: bool = True,
    plain_text: bool = False,
) -> pd.DataFrame:
    """First non-blank row is the header; blank rows dropped; row numbers kept in the index.

    With `strict`, a value under no heading is reported rather than silently dropped.
    `plain_text` says every value is a str without control characters (a CSV whose text
    passed `control_free`): `cell_text` would then only strip it, so that is all we do."""
    cleaned: list[tuple[int, list[str]]] = []
    strip = str.strip
    for number, row in enumerate(rows, start=1):
        cells = list(map(strip, row)) if plain_text else [cell_text(v) for v in row]
        if any(cells):
            cleaned.append((number, cells))
    if not cleaned:
        return pd.DataFrame()
    header_row, header = cleaned[0]
    width = len(header)
    while width and not header[width - 1]:
        width -= 1
    header = header[:width]
    body = [(n, (cells + [""] * width)) for n, cells in cleaned[1:]]
    if strict:
        for n, cells in body:
            extra = next((i for i in range(width, len(cells)) if cells[i]), None)
            if extra is not None:
                report.add(
                    sheet,
                    n,
                    column_letter(extra + 1),
                    cells[extra],
                    "there is a value beyond the last column heading "
                    "(give the column a heading, or remove the value)",
                )
    keep = []
    for i, name in enumerate(header):
        if name:
            keep.append(i)
        elif strict and any(cells[i] for _, cells in body):
            report.add(
                sheet, header_row, column_letter(i + 1), "", "this column has values but no heading"
            )
    frame = pd.DataFrame(
        [[cells[i] for i in keep] for _, cells in body],
        columns=[header[i] for i in keep],
        dtype="object",
    )
    frame.index = [n for n, _ in body]
    frame.attrs["header_row"] = header_row
    return frame
