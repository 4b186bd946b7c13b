"""Check a read submission against the rules of PRODUCT.md §3 and collect every problem.

Validation never stops at the first problem: the uploader gets the whole list, in
plain English, with sheet, row and column, so one round of fixes is enough."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from data.ingest.about import check_about, parse_date
from data.ingest.catalogue import Catalogue
from data.ingest.read import RawSubmission
from data.ingest.report import Report
from data.privacy.redaction import RedactionResult, redact
from data.reference.codes import (
    FINDING_COLUMNS,
    SEVERITIES,
    code_names,
    respondent_roles,
)

RESPONSE_FIXED = ("respondent_ref", "role", "service_area", "years_experience_band")
OPTIONAL_FINDING = {"suggested_change"}
COLUMN_ALIASES = {"experience_band": "years_experience_band", "ref": "respondent_ref"}
# Lengths the database holds (and a generous cap on free text, so one cell cannot
# swamp the redaction report or the pages that show findings).
MAX_REF, MAX_SERVICE_AREA, MAX_TEXT = 64, 80, 8000


@dataclass(frozen=True)
class RedactedText:
    sheet: str
    row: int
    column: str
    before: str
    after: str
    kinds: tuple[str, ...]


@dataclass
class ValidSubmission:
    authority_id: int
    authority_name: str
    product_id: int
    product_name: str
    supplier_id: int
    period: str
    instrument_version: int
    survey_closed: date | None
    respondents: pd.DataFrame  # respondent_ref, role, service_area, experience_band, comment
    ratings: pd.DataFrame  # one float column per item code, NaN = blank
    findings: pd.DataFrame  # normalised codes, redacted text
    item_ids: dict[str, int]
    file_hash: str
    source_name: str
    redactions: list[RedactedText] = field(default_factory=list)


MAX_RESPONDENTS_RAISING = 100_000


def _norm(text: str) -> str:
    """Codes compare case-insensitively with runs of spaces read as one underscore."""
    return "_".join(text.lower().split())


def _lookup(codes: frozenset[str] | set[str], names: dict[str, str] | None = None) -> dict:
    """Normalised code or display name -> code."""
    table = {_norm(c): c for c in codes}
    for code, name in (names or {}).items():
        if code in codes:
            table.setdefault(_norm(name), code)
    return table


def _rows(table: pd.DataFrame) -> tuple[list[int], list[list[str]]]:
    strip = str.strip
    cells = [list(map(strip, map(str, row))) for row in table.to_numpy().tolist()]
    return [int(r) for r in table.index], cells


def _columns(
    table: pd.DataFrame,
    sheet: str,
    required: tuple[str, ...],
    optional: set[str],
    report: Report,
    *,
    item_codes: set[str] = frozenset(),
) -> dict[str, int]:
    """Map canonical column names to positions; report missing, unknown and duplicated ones."""
    header_row = table.attrs.get("header_row", 1)
    mapping: dict[str, int] = {}
    seen: Counter = Counter()
    expected = ", ".join([*(c for c in required if c not in item_codes), *sorted(optional)])
    for position, header in enumerate(table.columns):
        key = str(header).strip()
        canon = key.upper() if key.upper() in item_codes else _norm(key)
        canon = COLUMN_ALIASES.get(canon, canon)
        seen[canon] += 1
        if seen[canon] == 2:
            report.add(sheet, header_row, key, key, f"column '{key}' appears more than once")
        if canon in required or canon in optional:
            mapping.setdefault(canon, position)
        elif seen[canon] == 1:
            if item_codes and _ITEM_LIKE.match(key):
                why = "it is not an item code of this instrument version"
            else:
                why = f"expected {expected}" + (" and the item codes" if item_codes else "")
            report.add(sheet, header_row, key, key, f"unknown column '{key}' ({why})")
    for col in required:
        if col not in mapping:
            report.add(
                sheet, header_row, col, "", f"this required column is missing (heading '{col}')"
            )
    return mapping


@dataclass
class _Redactor:
    """Redacts free text cell by cell and lists what changed. `redact` depends on the text
    alone, so a text seen before in this file (service areas repeat on most rows) reuses
    its result."""

    found: list[RedactedText] = field(default_factory=list)
    seen: dict[str, RedactionResult] = field(default_factory=dict)

    def cell(self, text: str, sheet: str, row: int, column: str) -> str:
        result = self.seen.get(text)
        if result is None:
            result = self.seen[text] = redact(text)
        if result.changed:
            kinds = tuple(sorted({r.kind for r in result.redactions}))
            self.found.append(RedactedText(sheet, row, column, text, result.text, kinds))
        return result.text


def _free_text(
    text: str, sheet: str, row: int, column: str, limit: int, report: Report, out: _Redactor
) -> str:
    if len(text) > limit:
        report.add(
            sheet, row, column, text, f"{len(text):,} characters, more than the {limit:,} allowed"
        )
        return ""
    return out.cell(text, sheet, row, column) if text else ""


def _check_ref(ref: str, counts: Counter, sheet: str, row: int, column: str, report: Report):
    if not ref:
        report.add(sheet, row, column, "", "blank — give every row its own reference")
    elif len(ref) > MAX_REF:
        report.add(sheet, row, column, ref, f"longer than {MAX_REF} characters")
    elif counts[ref] > 1:
        report.add(
            sheet, row, column, ref, f"'{ref}' is used on more than one row; each needs its own"
        )


_ITEM_LIKE = re.compile(r"^[A-Za-z]{3}[0-9]{2}$")
_EMAIL_REF = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
_NAME_REF = re.compile(
    # Jo Smith, Dr Jo-Ann O'Neil
    r"^(?:(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+)?(?:O')?[A-Z][a-z]+(?:[ \-](?:O')?[A-Z][a-z]+)+$"
    r"|^[A-Z][a-z]+,\s*[A-Z][a-z]+$"  # Smith, Jo
    r"|^[a-z]{2,}\.[a-z]{2,}$",  # jo.smith (an e-mail user name)
)


def _personal_ref(ref: str) -> str | None:
    """'email' or 'name' when a respondent reference looks like one (it must be opaque)."""
    if _EMAIL_REF.search(ref):
        return "email"
    if _NAME_REF.match(ref):
        return "name"
    return None


def _opaque_refs(cells, rows, position: int, redactions: _Redactor) -> None:
    """Replace references that look like a person's name or e-mail address by an opaque
    'respondent-ROW' in place, and list each in the redactions (so the uploader sees it)."""
    taken = {r[position] for r in cells}
    for row, r in zip(rows, cells, strict=True):
        ref = r[position]
        kind = _personal_ref(ref) if ref else None
        if kind is None:
            continue
        new, n = f"respondent-{row}", 1
        while new in taken:
            n += 1
            new = f"respondent-{row}-{n}"
        taken.add(new)
        r[position] = new
        redactions.found.append(RedactedText("Responses", row, "respondent_ref", ref, new, (kind,)))


_RATINGS = {str(v): float(v) for v in range(1, 6)} | {f"{v}.0": float(v) for v in range(1, 6)}


def _rating_problem(value: str) -> str:
    try:
        float(value)
    except ValueError:
        return f"'{value}' is not a number: a rating is a whole number 1–5, or blank"
    return f"{value} is not a rating (allowed 1–5, or blank)"


def _choose(shown: str, what: str, expected: str) -> str:
    """'blank — choose one of: …' or "'x' is not a theme — choose one of: …"."""
    if not shown:
        return f"blank — choose one of: {expected}"
    return f"'{shown}' is not a {what} — choose one of: {expected}"


def _band_problem(band: str, expected: str) -> str:
    message = _choose(band, "years-of-experience band", expected)
    if parse_date(band) is not None:
        message += "; Excel may have turned the band into a date: format the column as Text"
    return message


def _responses(raw, cat, version, report, redactions):
    """Check respondents cell by cell in plain Python over one array (files hold up to
    100 x 40 cells; per-column pandas calls cost more than the checks themselves)."""
    table = raw.responses
    if not len(table.columns):
        report.add("Responses", None, "", "", "the Responses sheet is empty")
        return None
    item_codes = sorted(cat.items[version])
    idx = _columns(
        table,
        "Responses",
        RESPONSE_FIXED + tuple(item_codes),
        {"comment"},
        report,
        item_codes=set(item_codes),
    )
    if table.empty:
        report.add("Responses", None, "", "", "there are no respondents")
        return None
    if not all(c in idx for c in RESPONSE_FIXED):
        return None
    rows, cells = _rows(table)
    item_pos = [(code, idx[code]) for code in item_codes if code in idx]
    ref_counts = Counter(r[idx["respondent_ref"]] for r in cells)
    _opaque_refs(cells, rows, idx["respondent_ref"], redactions)
    roles = _lookup(cat.roles, respondent_roles())
    bands = {"".join(b.split()): b for b in cat.experience_bands}
    role_names = respondent_roles()
    expected_roles = ", ".join(role_names[r] for r in role_names if r in cat.roles)
    expected_bands = ", ".join(
        b for b in code_names("experience_bands") if b in cat.experience_bands
    )
    nan = float("nan")
    positions = [i for _, i in item_pos]
    rating = (_RATINGS | {"": nan}).get  # None for anything else
    records, matrix = [], []
    for row, r in zip(rows, cells, strict=True):
        ref = r[idx["respondent_ref"]]
        _check_ref(ref, ref_counts, "Responses", row, "respondent_ref", report)
        shown_role = r[idx["role"]]
        role = roles.get(_norm(shown_role))
        if role is None:
            problem = _choose(shown_role, "role", expected_roles)
            report.add("Responses", row, "role", shown_role, problem)
        shown_band = r[idx["years_experience_band"]]
        band = bands.get("".join(shown_band.split()))
        if band is None:
            report.add(
                "Responses",
                row,
                "years_experience_band",
                shown_band,
                _band_problem(shown_band, expected_bands),
            )
        values = [rating(r[i]) for i in positions]
        if None in values:  # a cell that is not 1-5 or blank: report each one, in order
            values = []
            for code, i in item_pos:
                cell = r[i]
                value = _RATINGS.get(cell)
                if value is None:
                    if cell:
                        report.add("Responses", row, code, cell, _rating_problem(cell))
                    value = nan
                values.append(value)
        matrix.append(values)
        area = _free_text(
            r[idx["service_area"]],
            "Responses",
            row,
            "service_area",
            MAX_SERVICE_AREA,
            report,
            redactions,
        )
        comment = r[idx["comment"]] if "comment" in idx else ""
        comment = _free_text(comment, "Responses", row, "comment", MAX_TEXT, report, redactions)
        records.append((ref, role, area[:MAX_SERVICE_AREA], band, comment or None))
    respondents = pd.DataFrame(
        records, columns=["respondent_ref", "role", "service_area", "experience_band", "comment"]
    )
    values = np.array(matrix, dtype="float64").reshape(len(matrix), len(item_pos))
    frame = pd.DataFrame(values, columns=[c for c, _ in item_pos])
    return respondents, frame.reindex(columns=item_codes)


def _count(text: str, row: int, report: Report) -> int | None:
    column = "respondents_raising"
    if not text:
        why = "blank — write how many respondents raised it (0 if not known)"
        report.add("Findings", row, column, "", why)
        return None
    try:
        count = float(text)
        if not count.is_integer() or not 0 <= count <= MAX_RESPONDENTS_RAISING:
            raise ValueError
    except (ValueError, OverflowError):
        report.add("Findings", row, column, text, f"'{text}' is not a whole number of respondents")
        return None
    return int(count)


def _code_checks(cat: Catalogue) -> dict[str, tuple[dict[str, str], str]]:
    """Per coded column: (accepted code or name -> code, the choices by name)."""

    def by_name(codes, table: str) -> tuple[dict[str, str], str]:
        names = code_names(table)  # in the reference list's order
        shown = [names[c] for c in names if c in codes] + sorted(c for c in codes if c not in names)
        return _lookup(codes, names), ", ".join(shown)

    return {
        "theme": by_name(cat.themes, "themes"),
        "category": by_name(cat.categories, "categories"),
        "workflow_area": by_name(cat.workflow_areas, "workflow_areas"),
        "severity": (_lookup(frozenset(SEVERITIES)), ", ".join(SEVERITIES)),
    }


def _plausible_count(count: int | None, row: int, n_respondents: int, report: Report) -> None:
    if count is not None and n_respondents and count > n_respondents:
        report.add(
            "Findings",
            row,
            "respondents_raising",
            count,
            f"{count} respondents raised it, but the file has only {n_respondents} "
            "respondents: a finding cannot be raised by more people than answered",
        )


def _repeats(out: dict, row: int, first_rows: dict, report: Report) -> None:
    """Warn when a finding repeats an earlier row's theme, category, area and description."""
    if not out["description"] or None in (out["theme"], out["category"], out["workflow_area"]):
        return
    key = (out["theme"], out["category"], out["workflow_area"], _norm(out["description"]))
    first = first_rows.setdefault(key, row)
    if first != row:
        report.warn(
            "Findings",
            row,
            "description",
            out["description"],
            f"repeats the finding in row {first} (same theme, category, workflow area and "
            "description): remove one, or confirm they are separate findings",
        )


def _findings(raw, cat, report, redactions, n_respondents: int = 0):
    table = raw.findings
    columns = pd.Index(FINDING_COLUMNS)
    if not len(table.columns):  # an untouched, empty Findings sheet: no findings
        return pd.DataFrame(columns=columns)
    required = tuple(c for c in FINDING_COLUMNS if c not in OPTIONAL_FINDING)
    idx = _columns(table, "Findings", required, OPTIONAL_FINDING, report)
    if any(c not in idx for c in required):
        return None
    rows, cells = _rows(table)
    refs = Counter(r[idx["finding_ref"]] for r in cells)
    checks = _code_checks(cat)
    records = []
    first_rows: dict[tuple, int] = {}
    for row, r in zip(rows, cells, strict=True):
        ref = r[idx["finding_ref"]]
        _check_ref(ref, refs, "Findings", row, "finding_ref", report)
        out = {"finding_ref": ref}
        for col, (allowed, expected) in checks.items():
            shown = r[idx[col]]
            code = allowed.get(_norm(shown))
            if code is None:
                what = col.replace("_", " ")
                report.add("Findings", row, col, shown, _choose(shown, what, expected))
            out[col] = code
        out["respondents_raising"] = _count(r[idx["respondents_raising"]], row, report)
        _plausible_count(out["respondents_raising"], row, n_respondents, report)
        description = r[idx["description"]]
        if not description:
            report.add("Findings", row, "description", "", "blank — describe the problem found")
        out["description"] = _free_text(
            description, "Findings", row, "description", MAX_TEXT, report, redactions
        )
        change = r[idx["suggested_change"]] if "suggested_change" in idx else ""
        out["suggested_change"] = _free_text(
            change, "Findings", row, "suggested_change", MAX_TEXT, report, redactions
        )
        _repeats(out, row, first_rows, report)
        records.append(out)
    return pd.DataFrame(records, columns=columns)


def validate(
    raw: RawSubmission,
    cat: Catalogue,
    *,
    allowed_authorities: frozenset[int] | None,
    report: Report,
    today: date | None = None,
) -> ValidSubmission | None:
    """Validate and redact; return the clean submission, or None with `report` filled in."""
    today = today or date.today()
    about = check_about(raw, cat, allowed_authorities, report, today)
    version = about.get("instrument_version")
    if version is None:
        version = max(cat.items) if cat.items else 1
    redactions = _Redactor()
    responses = _responses(raw, cat, version, report, redactions) if version in cat.items else None
    n_respondents = len(responses[0]) if responses is not None else 0
    findings = _findings(raw, cat, report, redactions, n_respondents)
    if not report.ok or responses is None or findings is None:
        return None
    respondents, ratings = responses
    return ValidSubmission(
        authority_id=about["authority_id"],
        authority_name=about["authority_name"],
        product_id=about["product_id"],
        product_name=about["product_name"],
        supplier_id=about["supplier_id"],
        period=about["period"],
        instrument_version=version,
        survey_closed=about.get("survey_closed"),
        respondents=respondents,
        ratings=ratings,
        findings=findings,
        item_ids=cat.items[version],
        file_hash=raw.file_hash,
        source_name=raw.source_name,
        redactions=redactions.found,
    )
