"""Builders for upload files used by the validation, template, property and page tests
(no tests here): start from a valid submission as tables, change one thing, write it out
as CSV (any encoding or separator), a zip of CSVs, or an .xlsx workbook."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from datetime import date

from tests.factories import submission_files

Tables = dict[str, list[list[object]]]
SHEETS = ("About", "Responses", "Findings")
TODAY = date(2011, 6, 30)  # every check runs "on" this day, so periods stay valid


def base_tables(respondents: int = 14, **kwargs) -> Tables:
    """A valid submission (Testbury, CareFirst, 2010-Q1) as lists of rows, header first."""
    files = submission_files(respondents=respondents, **kwargs)
    return {
        sheet: [list(r) for r in csv.reader(io.StringIO(content.decode("utf-8")))]
        for sheet, (_name, content) in zip(SHEETS, files, strict=True)
    }


def copy(tables: Tables) -> Tables:
    return {sheet: [list(r) for r in rows] for sheet, rows in tables.items()}


def set_cell(tables: Tables, sheet: str, row: int, column: str, value: object) -> Tables:
    """Change one cell: `row` is the spreadsheet row (1 = header), `column` a heading."""
    out = copy(tables)
    col = out[sheet][0].index(column)
    out[sheet][row - 1][col] = value
    return out


def set_about(tables: Tables, field: str, value: object) -> Tables:
    out = copy(tables)
    for row in out["About"]:
        if row[0] == field:
            row[1] = value
    return out


def csv_bytes(rows: list[list[object]], encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode(encoding)


def to_csv(
    tables: Tables, encoding: str = "utf-8", delimiter: str = ",", prefix: str = ""
) -> list[tuple[str, bytes]]:
    return [
        (f"{prefix}{sheet.lower()}.csv", csv_bytes(tables[sheet], encoding, delimiter))
        for sheet in SHEETS
        if sheet in tables
    ]


def to_zip(files: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in files:
            zf.writestr(name, content)
    return buf.getvalue()


def _typed(value: object) -> object:
    """Numbers as numbers, as someone typing into Excel would get them (and no characters
    a worksheet cannot hold)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str) and value.isdigit() and value.isascii() and len(value) < 6:
        return int(value)
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def to_xlsx(tables: Tables, edit: Callable | None = None) -> bytes:
    """A workbook with one sheet per table; `edit(workbook)` may change it before saving."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for sheet, rows in tables.items():
        ws = wb.create_sheet(sheet)
        for row in rows:
            ws.append([_typed(v) for v in row])
    if edit is not None:
        edit(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def patch_zip(content: bytes, changes: dict[str, bytes | Callable[[bytes], bytes]]) -> bytes:
    """Rewrite members of a zip (an .xlsx): a new value, or a function of the old one."""
    src = zipfile.ZipFile(io.BytesIO(content))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            change = changes.get(info.filename)
            if change is not None:
                data = change(data) if callable(change) else change
            out.writestr(info.filename, data)
    return buf.getvalue()


def sheet_part(content: bytes, sheet: str) -> str:
    """The zip member holding a sheet of a workbook written by to_xlsx."""
    return f"xl/worksheets/sheet{list(SHEETS).index(sheet) + 1}.xml"


def valid_xlsx(**kwargs) -> bytes:
    return to_xlsx(base_tables(**kwargs))
