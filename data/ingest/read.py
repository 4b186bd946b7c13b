"""Turn uploaded bytes (one .xlsx, or three CSV files) into plain string tables.

Nothing here trusts the file: sizes are capped, the workbook is opened read-only
with formulas read as cached values (never evaluated), and every failure becomes a
Report entry instead of an exception trace."""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass

import pandas as pd

from data.ingest.report import Report

SHEETS = ("About", "Responses", "Findings")
MAX_UNCOMPRESSED = 200 * 1024 * 1024  # zip-bomb guard for workbooks
MAX_ROWS = 20_000


@dataclass
class RawSubmission:
    about: dict[str, str]
    about_rows: dict[str, int]  # field -> spreadsheet row, for messages
    responses: pd.DataFrame  # all str, header normalised, original row numbers in index
    findings: pd.DataFrame
    file_hash: str
    source_name: str


def content_hash(files: list[tuple[str, bytes]]) -> str:
    """Hash of the file contents (order-independent for CSV sets)."""
    digest = hashlib.sha256()
    for _name, content in sorted(files, key=lambda f: hashlib.sha256(f[1]).hexdigest()):
        digest.update(hashlib.sha256(content).digest())
    return digest.hexdigest()


def decode_text(content: bytes) -> str:
    """UTF-8 (with or without BOM), falling back to Windows-1252 as Excel writes it."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def _table_from_rows(rows: list[list[object]]) -> pd.DataFrame:
    """First non-blank row is the header; blank rows dropped; row numbers kept in the index."""
    cleaned: list[tuple[int, list[str]]] = []
    for number, row in enumerate(rows, start=1):
        cells = ["" if v is None else str(v).strip() for v in row]
        if any(cells):
            cleaned.append((number, cells))
    if not cleaned:
        return pd.DataFrame()
    header_row, header = cleaned[0]
    width = len(header)
    while width and not header[width - 1]:
        width -= 1
    header = header[:width]
    body = [(n, (cells + [""] * width)[:width]) for n, cells in cleaned[1:]]
    frame = pd.DataFrame([c for _, c in body], columns=header, dtype="object")
    frame.index = [n for n, _ in body]
    frame.attrs["header_row"] = header_row
    return frame


def _format_cell(value: object) -> object:
    # Whole floats from Excel (3.0) become "3"; dates become ISO text.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:10] if text.endswith("T00:00:00") else text
    return value


def _read_xlsx(content: bytes, report: Report) -> dict[str, pd.DataFrame] | None:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            total = sum(info.file_size for info in zf.infolist())
            if total > MAX_UNCOMPRESSED:
                report.add(
                    "File", None, "", "", "the workbook expands to more than 200 MB; refused"
                )
                return None
            for info in zf.infolist():
                if info.filename.endswith(".xml"):
                    head = zf.read(info.filename)[:4096].upper()
                    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                        report.add(
                            "File",
                            None,
                            "",
                            "",
                            "the workbook contains XML entity "
                            "declarations, which are not allowed; refused",
                        )
                        return None
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        report.add("File", None, "", "", f"the workbook could not be opened ({type(exc).__name__})")
        return None
    except Exception as exc:  # openpyxl raises many types for corrupt files
        report.add("File", None, "", "", f"the workbook is damaged ({type(exc).__name__})")
        return None
    names = {name.strip().lower(): name for name in wb.sheetnames}
    tables: dict[str, pd.DataFrame] = {}
    for sheet in SHEETS:
        actual = names.get(sheet.lower())
        if actual is None:
            report.add(sheet, None, "", "", f"the workbook has no sheet called '{sheet}'")
            continue
        rows = []
        for row in wb[actual].iter_rows(values_only=True):
            rows.append([_format_cell(v) for v in row])
            if len(rows) > MAX_ROWS:
                report.add(sheet, None, "", "", f"more than {MAX_ROWS} rows; refused")
                break
        tables[sheet] = _table_from_rows(rows)
    wb.close()
    return tables


def _read_csv(content: bytes) -> pd.DataFrame:
    import csv

    text = decode_text(content)
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))
    return _table_from_rows(rows)


def _sheet_for_csv(name: str) -> str | None:
    lower = name.lower().rsplit("/", 1)[-1]
    for sheet in SHEETS:
        if lower.endswith(f"{sheet.lower()}.csv"):
            return sheet
    return None


def read_files(files: list[tuple[str, bytes]], report: Report) -> dict[str, pd.DataFrame] | None:
    """Read one workbook or a set of CSVs into {sheet: table}; problems go to `report`."""
    if not files:
        report.add("File", None, "", "", "no file was uploaded")
        return None
    for name, content in files:
        if not content:
            report.add("File", None, "", name, f"'{name}' is empty")
    if not report.ok:
        return None
    if len(files) == 1 and files[0][0].lower().endswith((".xlsx", ".xlsm")):
        if not files[0][1].startswith(b"PK"):
            report.add(
                "File",
                None,
                "",
                files[0][0],
                "the file is called .xlsx but is not an Excel workbook",
            )
            return None
        return _read_xlsx(files[0][1], report)
    tables: dict[str, pd.DataFrame] = {}
    for name, content in files:
        sheet = _sheet_for_csv(name)
        if not name.lower().endswith(".csv"):
            report.add(
                "File",
                None,
                "",
                name,
                "upload one .xlsx workbook, or the three CSV files "
                "(…about.csv, …responses.csv, …findings.csv)",
            )
            continue
        if sheet is None:
            report.add(
                "File",
                None,
                "",
                name,
                "a CSV file name must end in about.csv, responses.csv or findings.csv",
            )
            continue
        if content.startswith(b"PK") or b"\x00" in content[:1024]:
            report.add("File", None, "", name, f"'{name}' is called .csv but is not a text file")
            continue
        if sheet in tables:
            report.add("File", None, "", name, f"two files were given for the {sheet} table")
            continue
        tables[sheet] = _read_csv(content)
    for sheet in SHEETS:
        if sheet not in tables and report.ok:
            report.add(sheet, None, "", "", f"the {sheet} file is missing")
    return tables if report.ok else None


def _about_fields(table: pd.DataFrame) -> tuple[dict[str, str], dict[str, int]]:
    """About is 'field,value' rows; a sheet without that header row is read the same way."""
    if table.empty and not len(table.columns):
        return {}, {}
    header = [str(c).strip().lower() for c in table.columns]
    rows: list[tuple[int, list[str]]] = [
        (int(n), [str(v) for v in r])
        for n, r in zip(table.index, table.to_numpy().tolist(), strict=True)
    ]
    if header[:2] != ["field", "value"]:
        rows.insert(0, (table.attrs.get("header_row", 1), [str(c) for c in table.columns]))
    about: dict[str, str] = {}
    numbers: dict[str, int] = {}
    for number, cells in rows:
        if len(cells) < 2 or not cells[0].strip():
            continue
        key = cells[0].strip().lower().replace(" ", "_")
        about.setdefault(key, cells[1].strip())
        numbers.setdefault(key, number)
    return about, numbers


def read_submission(files: list[tuple[str, bytes]], report: Report) -> RawSubmission | None:
    """Read uploaded files into a RawSubmission, or None with the problems in `report`."""
    tables = read_files(files, report)
    if tables is None or not report.ok:
        return None
    about, about_rows = _about_fields(tables.get("About", pd.DataFrame()))
    return RawSubmission(
        about=about,
        about_rows=about_rows,
        responses=tables.get("Responses", pd.DataFrame()),
        findings=tables.get("Findings", pd.DataFrame()),
        file_hash=content_hash(files),
        source_name=", ".join(name for name, _ in files)[:255],
    )
