"""Check a read submission against the rules of PRODUCT.md §3 and collect every problem.

Validation never stops at the first problem: the uploader gets the whole list, in
plain English, with sheet, row and column, so one round of fixes is enough."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from data.codes import SEVERITIES
from data.ingest.catalogue import Catalogue
from data.ingest.periods import parse_period, period_end, period_start
from data.ingest.read import RawSubmission
from data.ingest.report import Report
from data.redaction import redact

ABOUT_FIELDS = ("authority_code", "product", "period", "instrument_version", "survey_closed")
RESPONSE_FIXED = ("respondent_ref", "role", "service_area", "years_experience_band")
FINDING_COLUMNS = (
    "finding_ref",
    "theme",
    "category",
    "workflow_area",
    "severity",
    "respondents_raising",
    "description",
    "suggested_change",
)
OPTIONAL_FINDING = {"suggested_change"}


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


def _parse_date(text: str) -> date | None:
    text = text.strip()[:10]
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return pd.to_datetime(text, format=fmt).date()
        except (ValueError, TypeError):
            continue
    return None


def _columns(
    table: pd.DataFrame,
    sheet: str,
    required: tuple[str, ...],
    optional: set[str],
    report: Report,
    *,
    allowed_extra: set[str] = frozenset(),
    item_codes: set[str] = frozenset(),
) -> dict[str, str]:
    """Map canonical column names to the header as written; report missing/unknown/duplicated."""
    mapping: dict[str, str] = {}
    seen = Counter()
    for header in table.columns:
        key = str(header).strip()
        canon = key.upper() if key.upper() in item_codes else key.lower().replace(" ", "_")
        seen[canon] += 1
        if seen[canon] == 2:
            report.add(sheet, 1, key, key, f"column '{key}' appears more than once")
        if canon in required or canon in optional or canon in allowed_extra:
            mapping.setdefault(canon, header)
        elif seen[canon] == 1:
            expected = "an item code of this instrument version" if item_codes else "a known column"
            report.add(sheet, 1, key, key, f"unknown column '{key}' (expected {expected})")
    for col in required:
        if col not in mapping:
            report.add(sheet, 1, col, "", f"required column '{col}' is missing")
    return mapping


def _about(
    raw: RawSubmission, cat: Catalogue, allowed: frozenset[int] | None, report: Report, today: date
) -> dict | None:
    about = raw.about
    out: dict = {}
    for key in ABOUT_FIELDS:
        if not about.get(key, "").strip():
            report.add("About", raw.about_rows.get(key), "value", "", f"'{key}' is missing")
    code = about.get("authority_code", "").strip().upper()
    if code:
        found = cat.authorities.get(code)
        if found is None:
            report.add(
                "About",
                raw.about_rows.get("authority_code"),
                "value",
                code,
                f"authority code {code} is not an authority known to the service",
            )
        elif allowed is not None and found[0] not in allowed:
            report.add(
                "About",
                raw.about_rows.get("authority_code"),
                "value",
                code,
                f"you can only upload results for your own authority, not {code}",
            )
        else:
            out["authority_id"], out["authority_name"] = found
    period_text = about.get("period", "").strip()
    if period_text:
        period = parse_period(period_text)
        if period is None:
            report.add(
                "About",
                raw.about_rows.get("period"),
                "value",
                period_text,
                f"period '{period_text}' is not a quarter written like 2010-Q1",
            )
        elif period_start(period) > today:
            report.add(
                "About",
                raw.about_rows.get("period"),
                "value",
                period_text,
                f"period {period} is in the future",
            )
        else:
            out["period"] = period
    version_text = about.get("instrument_version", "").strip()
    if version_text:
        try:
            version = int(float(version_text))
        except ValueError:
            version = None
        if version not in cat.items:
            report.add(
                "About",
                raw.about_rows.get("instrument_version"),
                "value",
                version_text,
                f"instrument version '{version_text}' is not one the service knows "
                f"(known: {', '.join(map(str, sorted(cat.items)))})",
            )
        else:
            out["instrument_version"] = version
    closed_text = about.get("survey_closed", "").strip()
    if closed_text:
        closed = _parse_date(closed_text)
        if closed is None:
            report.add(
                "About",
                raw.about_rows.get("survey_closed"),
                "value",
                closed_text,
                f"'{closed_text}' is not a date (write it like 2010-03-31)",
            )
        elif closed > today:
            report.add(
                "About",
                raw.about_rows.get("survey_closed"),
                "value",
                closed_text,
                "the survey closing date is in the future",
            )
        out["survey_closed"] = closed
    product_text = about.get("product", "").strip()
    if product_text:
        product = cat.products.get(product_text.lower())
        if product is None:
            report.add(
                "About",
                raw.about_rows.get("product"),
                "value",
                product_text,
                f"product '{product_text}' is not a product known to the service",
            )
        else:
            out.update(
                product_id=product.id, product_name=product.name, supplier_id=product.supplier_id
            )
    if {"product_id", "authority_id", "period"} <= out.keys():
        in_use = cat.product_in_use(out["authority_id"], period_end(out["period"]))
        if in_use != out["product_id"]:
            used = cat.product_name(in_use) if in_use else "no recorded product"
            report.add(
                "About",
                raw.about_rows.get("product"),
                "value",
                product_text,
                f"{out['authority_name']} did not use {out['product_name']} in "
                f"{out['period']} according to the service's records (it used {used}); "
                "an administrator can record the change of supplier",
            )
    return out if report.ok else None


def _redact_cell(text: str, sheet: str, row: int, column: str, out: list[RedactedText]) -> str:
    result = redact(text)
    if result.changed:
        kinds = tuple(sorted({r.kind for r in result.redactions}))
        out.append(RedactedText(sheet, row, column, text, result.text, kinds))
    return result.text


_RATINGS = {str(v): float(v) for v in range(1, 6)} | {f"{v}.0": float(v) for v in range(1, 6)}


def _rating_problem(value: str) -> str:
    try:
        float(value)
    except ValueError:
        return f"{value} is not a number"
    return f"{value} is not a rating from 1 to 5"


def _responses(raw, cat, version, report, redactions):
    """Check respondents cell by cell in plain Python over one array (files hold up to
    100 x 40 cells; per-column pandas calls cost more than the checks themselves)."""
    table = raw.responses
    item_codes = sorted(cat.items[version])
    cols = _columns(
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
    if not all(c in cols for c in RESPONSE_FIXED):
        return None
    position = {header: i for i, header in reversed(list(enumerate(table.columns)))}
    cells = [[str(v).strip() for v in row] for row in table.to_numpy().tolist()]
    rows = [int(r) for r in table.index]
    idx = {key: position[header] for key, header in cols.items()}
    item_pos = [(code, idx[code]) for code in item_codes if code in idx]
    ref_counts = Counter(r[idx["respondent_ref"]] for r in cells)
    expected_roles = ", ".join(sorted(cat.roles))
    expected_bands = ", ".join(sorted(cat.experience_bands))
    nan = float("nan")
    records, matrix = [], []
    for row, r in zip(rows, cells, strict=True):
        ref = r[idx["respondent_ref"]]
        if not ref:
            report.add("Responses", row, "respondent_ref", "", "respondent_ref is blank")
        elif ref_counts[ref] > 1:
            report.add(
                "Responses",
                row,
                "respondent_ref",
                ref,
                f"respondent_ref '{ref}' is used more than once",
            )
        shown_role = r[idx["role"]]
        role = shown_role.lower().replace(" ", "_")
        if role not in cat.roles:
            report.add(
                "Responses",
                row,
                "role",
                shown_role,
                f"'{shown_role}' is not a role (expected one of {expected_roles})",
            )
        band = r[idx["years_experience_band"]]
        if band not in cat.experience_bands:
            report.add(
                "Responses",
                row,
                "years_experience_band",
                band,
                f"'{band}' is not an experience band (expected one of {expected_bands})",
            )
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
        comment = r[idx["comment"]] if "comment" in idx else ""
        if comment:
            comment = _redact_cell(comment, "Responses", row, "comment", redactions)
        records.append((ref, role, r[idx["service_area"]][:80], band, comment or None))
    respondents = pd.DataFrame(
        records, columns=["respondent_ref", "role", "service_area", "experience_band", "comment"]
    )
    frame = pd.DataFrame(matrix, columns=[c for c, _ in item_pos], dtype="float64")
    return respondents, frame.reindex(columns=item_codes)


def _findings(raw, cat, report, redactions):
    table = raw.findings
    cols = _columns(
        table,
        "Findings",
        tuple(c for c in FINDING_COLUMNS if c not in OPTIONAL_FINDING),
        OPTIONAL_FINDING,
        report,
    )
    if any(c not in cols for c in FINDING_COLUMNS if c not in OPTIONAL_FINDING):
        return None
    refs = Counter(table[cols["finding_ref"]].str.strip()) if not table.empty else Counter()
    checks = {
        "theme": (cat.themes, str.upper, "a theme code"),
        "category": (frozenset(cat.categories), str.lower, "practice, technical or supplier"),
        "workflow_area": (cat.workflow_areas, str.lower, "a workflow area code"),
        "severity": (frozenset(SEVERITIES), str.lower, "low, medium, high or critical"),
    }
    records = []
    for row, rec in table.iterrows():
        ref = rec[cols["finding_ref"]].strip()
        if not ref:
            report.add("Findings", row, "finding_ref", "", "finding_ref is blank")
        elif refs[ref] > 1:
            report.add(
                "Findings", row, "finding_ref", ref, f"finding_ref '{ref}' is used more than once"
            )
        out = {"finding_ref": ref}
        for col, (allowed, norm, expected) in checks.items():
            value = norm(
                rec[cols[col]].strip().replace(" ", "_" if col == "workflow_area" else " ")
            )
            if value not in allowed:
                report.add(
                    "Findings",
                    row,
                    col,
                    rec[cols[col]],
                    f"'{rec[cols[col]]}' is not a valid {col.replace('_', ' ')} "
                    f"(expected {expected})",
                )
            out[col] = value
        count_text = rec[cols["respondents_raising"]].strip()
        try:
            count = float(count_text)
            if not count.is_integer() or count < 0:
                raise ValueError
            out["respondents_raising"] = int(count)
        except ValueError:
            report.add(
                "Findings",
                row,
                "respondents_raising",
                count_text,
                f"'{count_text}' is not a whole number of respondents",
            )
        description = rec[cols["description"]].strip()
        if not description:
            report.add("Findings", row, "description", "", "description is blank")
        out["description"] = _redact_cell(description, "Findings", row, "description", redactions)
        change = rec[cols["suggested_change"]].strip() if "suggested_change" in cols else ""
        out["suggested_change"] = _redact_cell(
            change, "Findings", row, "suggested_change", redactions
        )
        records.append(out)
    return pd.DataFrame(records, columns=list(FINDING_COLUMNS))


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
    about = _about(raw, cat, allowed_authorities, report, today)
    version = about["instrument_version"] if about else None
    if version is None:
        version = max(cat.items) if cat.items else 1
    redactions: list[RedactedText] = []
    responses = _responses(raw, cat, version, report, redactions) if version in cat.items else None
    findings = _findings(raw, cat, report, redactions)
    if not report.ok or about is None or responses is None or findings is None:
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
        redactions=redactions,
    )
