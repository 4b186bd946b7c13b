"""Workbooks and zip archives, opened defensively.

Zip archives are checked for bombs before anything is expanded; every XML part is scanned
for entity declarations (billion laughs, external entities) and foreign encodings before
openpyxl parses it; the workbook is opened read-only with formulas read as their saved
values, never evaluated; sizes, rows and columns are capped."""

from __future__ import annotations

import io
import logging
import re
import zipfile
import zlib

import pandas as pd

from data.ingest.report import Report
from data.ingest.tables import (
    MAX_COLS,
    MAX_ROWS,
    RESAVE,
    SHEETS,
    Refused,
    cell_text,
    column_letter,
    table_from_rows,
)

log = logging.getLogger(__name__)

MAX_UNCOMPRESSED = 50 * 1024 * 1024  # a real survey workbook expands to well under 5 MB
MAX_RATIO = 100  # expansion ratio of one part (above 1 MB) that marks a zip bomb
MAX_MEMBERS = 1000
CHUNK = 64 * 1024
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and password-protected .xlsx
NOT_UTF8 = "uses an XML text encoding other than UTF-8; " + RESAVE

_DTD = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")
_DECLARED = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']+)", re.IGNORECASE)
_UTF8 = {b"utf-8", b"utf8", b"us-ascii", b"ascii"}

# What reading a damaged zip member can raise (bad headers, CRC, deflate data, methods).
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,
    RuntimeError,
)


# --- zip archives (workbooks are zips) ----------------------------------------------------


def open_zip(name: str, content: bytes, what: str) -> zipfile.ZipFile:
    try:
        zf = zipfile.ZipFile(io.BytesIO(content))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise Refused(name, f"'{name}' is damaged and cannot be opened as {what}") from exc
    if len(infos) > MAX_MEMBERS:
        raise Refused(name, f"'{name}' holds more than {MAX_MEMBERS} parts; refused")
    total = sum(info.file_size for info in infos)
    if total > MAX_UNCOMPRESSED:
        raise Refused(
            name,
            f"'{name}' would expand to more than {MAX_UNCOMPRESSED // (1024 * 1024)} MB "
            "(a 'zip bomb'); refused",
        )
    for info in infos:
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise Refused(
                name, f"'{name}' is compressed suspiciously tightly (a 'zip bomb'); refused"
            )
        if info.flag_bits & 0x1:
            raise Refused(name, f"'{name}' is encrypted; remove the password and upload it again")
    return zf


def _scan_parts(name: str, zf: zipfile.ZipFile) -> bool:
    """Refuse XML parts with DTDs/entities or non-UTF-8 text; say whether formulas occur."""
    try:
        return _scan_members(name, zf)
    except ZIP_ERRORS as exc:
        raise Refused(
            name, f"'{name}' is damaged and cannot be opened as an Excel workbook"
        ) from exc


def _scan_members(name: str, zf: zipfile.ZipFile) -> bool:
    formulas = False
    for info in zf.infolist():
        if info.is_dir():
            continue
        with zf.open(info) as fh:
            head = fh.read(CHUNK)
            if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head[:4] in (
                b"<\x00?\x00",
                b"\x00<\x00?",
            ):
                raise Refused(
                    name, f"'{name}' uses an XML text encoding other than UTF-8; {RESAVE}"
                )
            stripped = head.removeprefix(b"\xef\xbb\xbf").lstrip()
            if not stripped.startswith(b"<"):
                continue  # not XML (an image, a binary part): never parsed as XML here
            declared = _DECLARED.match(stripped)
            if declared and declared.group(1).strip().lower() not in _UTF8:
                raise Refused(
                    name, f"'{name}' uses an XML text encoding other than UTF-8; {RESAVE}"
                )
            sheet_part = info.filename.startswith("xl/worksheets/")
            tail = b""
            chunk = head
            while chunk:
                window = tail + chunk
                if _DTD.search(window):
                    raise Refused(
                        name,
                        f"'{name}' contains XML entity declarations, which are not allowed "
                        "(they can be used to attack the service); refused",
                    )
                if sheet_part and not formulas and _FORMULA.search(window):
                    formulas = True
                tail = window[-32:]
                chunk = fh.read(CHUNK)
    return formulas


# --- workbooks --------------------------------------------------------------------------


def _sheet_rows(ws, name: str, sheet: str) -> list[tuple]:
    ws.reset_dimensions()  # never trust the declared size (A1:XFD1048576 would be huge)
    rows: list[tuple] = []
    for row in ws.iter_rows(min_row=1, min_col=1, max_col=MAX_COLS + 1, values_only=True):
        if len(rows) >= MAX_ROWS:
            raise Refused(name, f"the {sheet} sheet has more than {MAX_ROWS:,} rows; refused")
        if row and row[-1] is not None and len(row) > MAX_COLS:
            raise Refused(name, f"the {sheet} sheet has more than {MAX_COLS} columns; refused")
        rows.append(row[:MAX_COLS])
    return rows


def _formula_text(value: object) -> str | None:
    text = getattr(value, "text", value)  # ArrayFormula objects carry .text
    if isinstance(text, str) and text.startswith("="):
        return text
    return None


def _unsaved_formulas(
    sheet: str, values: list[tuple], formulas: list[tuple], report: Report
) -> None:
    """Formula cells whose saved value is missing (openpyxl-written, never opened in Excel)."""
    header: list[str] = []
    for row in values:
        cells = [cell_text(v) for v in row]
        if any(cells):
            header = cells
            break
    for number, (vrow, frow) in enumerate(zip(values, formulas, strict=False), start=1):
        for i, (value, formula) in enumerate(zip(vrow, frow, strict=False)):
            text = _formula_text(formula)
            if text is not None and value is None:
                column = header[i] if i < len(header) and header[i] else column_letter(i + 1)
                report.add(
                    sheet,
                    number,
                    column,
                    text,
                    f"the cell holds a formula ({text}) with no saved result; formulas are "
                    "never worked out here, so type the value in, or open the file in Excel "
                    "and save it again",
                )


def read_xlsx(name: str, content: bytes, report: Report) -> dict[str, pd.DataFrame]:
    from openpyxl import load_workbook

    if content.startswith(OLE2):
        raise Refused(
            name,
            f"'{name}' is an older Excel 97-2003 workbook or is password-protected; "
            "remove any password and save it as an Excel Workbook (.xlsx)",
        )
    if not content.startswith(b"PK"):
        raise Refused(name, f"'{name}' is called .xlsx but is not an Excel workbook")
    zf = open_zip(name, content, "an Excel workbook")
    if "[Content_Types].xml" not in zf.namelist():
        raise Refused(name, f"'{name}' is a zip archive, not an Excel workbook")
    has_formulas = _scan_parts(name, zf)
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        wbf = (
            load_workbook(io.BytesIO(content), read_only=True, data_only=False)
            if has_formulas
            else None
        )
        names = {sheet.strip().lower(): sheet for sheet in wb.sheetnames}
        tables: dict[str, pd.DataFrame] = {}
        missing = []
        for sheet in SHEETS:
            actual = names.get(sheet.lower())
            if actual is None:
                missing.append(sheet)
                continue
            rows = _sheet_rows(wb[actual], name, sheet)
            if wbf is not None:
                _unsaved_formulas(sheet, rows, _sheet_rows(wbf[actual], name, sheet), report)
            tables[sheet] = table_from_rows(rows, sheet, report, strict=sheet != "About")
        wb.close()
        if wbf is not None:
            wbf.close()
    except Refused:
        raise
    except Exception as exc:  # openpyxl raises many types for damaged parts
        log.info("workbook %s unreadable: %r", name, exc)
        raise Refused(name, f"'{name}' is damaged and cannot be read; {RESAVE}") from exc
    for sheet in missing:
        report.add(
            sheet,
            None,
            "",
            "",
            f"the workbook has no sheet called '{sheet}' "
            f"(it has: {', '.join(wb.sheetnames) or 'no sheets'})",
        )
    return tables


def csv_members(name: str, content: bytes) -> list[tuple[str, bytes]]:
    """The CSV files inside an uploaded .zip (the CSV template comes as one)."""
    zf = open_zip(name, content, "a zip archive")
    members = []
    for info in zf.infolist():
        base = info.filename.replace("\\", "/").rsplit("/", 1)[-1]
        if info.is_dir() or info.filename.startswith("__MACOSX/") or base.startswith("."):
            continue
        if base.lower().endswith(".csv"):
            try:
                members.append((base, zf.read(info)))
            except ZIP_ERRORS as exc:
                raise Refused(name, f"'{name}' is damaged and cannot be opened") from exc
    if not members:
        raise Refused(name, f"'{name}' holds no CSV files")
    return members
