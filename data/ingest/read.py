"""Turn uploaded bytes (one .xlsx, a .zip of the CSVs, or the three CSV files) into plain
string tables.

Nothing here trusts the file: sizes, rows and columns are capped, workbooks and zips are
opened defensively (data.ingest.workbook), and every failure becomes a Report entry
instead of an exception trace."""

from __future__ import annotations

import csv
import hashlib
import io
import logging
from dataclasses import dataclass

import pandas as pd

from data.ingest.report import Report
from data.ingest.tables import (
    MAX_COLS,
    MAX_ROWS,
    RESAVE,
    SHEETS,
    Refused,
    column_letter,
    control_free,
    table_from_rows,
)
from data.ingest.workbook import OLE2, csv_members, read_xlsx

log = logging.getLogger(__name__)

WORKBOOK_EXT = (".xlsx", ".xlsm")

__all__ = [
    "SHEETS",
    "RawSubmission",
    "Refused",
    "column_letter",
    "decode_text",
    "read_files",
    "read_submission",
]


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


def _describe_binary(content: bytes) -> str | None:
    if content.startswith(b"PK"):
        return "an Excel workbook or zip archive"
    if content.startswith(OLE2):
        return "an older Excel (.xls) workbook"
    if content.startswith(b"%PDF"):
        return "a PDF document"
    return None


def decode_text(content: bytes) -> str:
    """UTF-8 (with or without BOM) or UTF-16 with BOM; else Windows-1252 as Excel writes it."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


# --- CSV --------------------------------------------------------------------------------


def _delimiter(text: str) -> str:
    """The separator of the heading line: ',' normally, ';' or tab from some Excel locales."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv(name: str, content: bytes, sheet: str, report: Report) -> pd.DataFrame:
    if not content.startswith((b"\xff\xfe", b"\xfe\xff")):
        what = _describe_binary(content)
        if what is not None:
            raise Refused(name, f"'{name}' is called .csv but is {what}")
        if b"\x00" in content:
            raise Refused(name, f"'{name}' is called .csv but is not a text file")
    try:
        text = decode_text(content)
    except UnicodeDecodeError as exc:
        raise Refused(name, f"'{name}' is not readable text") from exc
    rows: list[list[str]] = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text)):
            if len(rows) >= MAX_ROWS:
                raise Refused(name, f"'{name}' has more than {MAX_ROWS:,} rows; refused")
            if len(row) > MAX_COLS and any(v.strip() for v in row[MAX_COLS:]):
                raise Refused(name, f"'{name}' has more than {MAX_COLS} columns; refused")
            rows.append(row[:MAX_COLS])
    except csv.Error as exc:
        raise Refused(name, f"'{name}' is not a well-formed CSV file ({exc})") from exc
    return table_from_rows(
        rows, sheet, report, strict=sheet != "About", plain_text=control_free(text)
    )


def _sheet_for_csv(name: str) -> str | None:
    lower = name.lower().replace("\\", "/").rsplit("/", 1)[-1]
    for sheet in SHEETS:
        if lower.endswith(f"{sheet.lower()}.csv"):
            return sheet
    return None


# --- entry points -----------------------------------------------------------------------


def _file_problems(report: Report) -> bool:
    return any(p.sheet == "File" for p in report.problems)


def _read_csv_set(files: list[tuple[str, bytes]], report: Report) -> dict[str, pd.DataFrame]:
    tables: dict[str, pd.DataFrame] = {}
    for name, content in files:
        sheet = _sheet_for_csv(name)
        if sheet is None:
            report.add(
                "File",
                None,
                "",
                name,
                f"'{name}': a CSV file name must end in about.csv, responses.csv or findings.csv",
            )
            continue
        if sheet in tables:
            report.add("File", None, "", name, f"two files were given for the {sheet} table")
            continue
        try:
            tables[sheet] = _read_csv(name, content, sheet, report)
        except Refused as exc:
            report.refuse_file(exc.name, exc.message, exc.sheet)
    if not _file_problems(report):
        for sheet in SHEETS:
            if sheet not in tables:
                report.add(
                    sheet,
                    None,
                    "",
                    "",
                    f"no {sheet} file was uploaded (a CSV file whose name ends in "
                    f"{sheet.lower()}.csv)",
                )
    return tables


def read_files(files: list[tuple[str, bytes]], report: Report) -> dict[str, pd.DataFrame] | None:
    """Read one workbook, one zip of CSVs or a set of CSVs into {sheet: table}.

    Problems go to `report`; None means nothing could be read at all."""
    if not files:
        report.refuse_file("", "no file was uploaded")
        return None
    for name, content in files:
        if not content:
            report.refuse_file(
                name, f"'{name}' is empty (0 bytes): choose the saved file and upload it again"
            )
    if not report.ok:
        return None
    lower = [name.lower() for name, _ in files]
    try:
        if any(n.endswith(WORKBOOK_EXT) for n in lower):
            if len(files) > 1:
                report.add(
                    "File",
                    None,
                    "",
                    ", ".join(n for n, _ in files),
                    "upload either one Excel workbook or the three CSV files, not both",
                )
                return None
            return read_xlsx(files[0][0], files[0][1], report)
        if len(files) == 1 and lower[0].endswith(".zip"):
            files = csv_members(files[0][0], files[0][1])
            lower = [name.lower() for name, _ in files]
    except Refused as exc:
        report.refuse_file(exc.name, exc.message, exc.sheet)
        return None
    for name, low in zip([n for n, _ in files], lower, strict=True):
        if low.endswith(".xls"):
            report.refuse_file(
                name,
                f"'{name}' is an Excel 97-2003 workbook, which cannot be read; "
                "save it as an Excel Workbook (.xlsx)",
            )
        elif not low.endswith(".csv"):
            report.refuse_file(
                name,
                f"'{name}' is not a file the service reads: upload one .xlsx workbook, or the "
                "three CSV files (…about.csv, …responses.csv, …findings.csv)",
            )
    if not report.ok:
        return None
    return _read_csv_set(files, report)


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
    """Read uploaded files into a RawSubmission, or None with the problems in `report`.

    Cell-level reading problems (formulas without a saved value) are reported and the
    tables still returned, so validation can list everything else in the same round."""
    try:
        tables = read_files(files, report)
    except Refused as exc:
        report.refuse_file(exc.name, exc.message, exc.sheet)
        return None
    except Exception:  # a reader bug must still end in a report, never a trace
        log.exception("unexpected failure reading %s", [n for n, _ in files])
        report.refuse_file("", "the file could not be read: it may be damaged; " + RESAVE)
        return None
    if tables is None or _file_problems(report):
        return None
    if any(sheet not in tables for sheet in SHEETS):
        return None
    about, about_rows = _about_fields(tables["About"])
    hashed = files
    if len(files) == 1 and files[0][0].lower().endswith(".zip"):
        hashed = csv_members(*files[0])  # the same CSVs zipped or not are the same upload
    return RawSubmission(
        about=about,
        about_rows=about_rows,
        responses=tables["Responses"],
        findings=tables["Findings"],
        file_hash=content_hash(hashed),
        source_name=", ".join(name for name, _ in files)[:255],
    )
