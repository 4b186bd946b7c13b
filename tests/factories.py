"""Build submission files and reference rows for tests."""

from __future__ import annotations

import csv
import io
import random
from datetime import date

from sqlalchemy.orm import Session

from data.ingest.periods import parse_period, period_end
from data.reference.codes import FINDING_COLUMNS, instrument
from data.reference.seed import load_authorities, load_product_use

AUTHORITIES_CSV = """code,name,region,la_type,size_band
E09000901,Testbury,London,london_borough,small
E06000901,Fenwick,South East,unitary,medium
E10000901,Marlowshire,South West,county,large
"""
PRODUCT_USE_CSV = """authority_code,product,start_date,end_date
E09000901,CareFirst,2005-01-01,
E06000901,CareFirst,2005-01-01,2009-12-31
E06000901,frameworki,2010-01-01,
E10000901,PROTOCOL ICS,2005-01-01,
"""


def load_reference(session: Session) -> None:
    load_authorities(session, AUTHORITIES_CSV, rng=random.Random(1))
    load_product_use(session, PRODUCT_USE_CSV)


def csv_file(rows: list[list[object]]) -> bytes:
    """Rows as an uploaded CSV file would hold them (plain UTF-8, no formula guard)."""
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode("utf-8")


def about_file(code: str, product: str, period: str, closed: date) -> bytes:
    """about.csv for instrument version 1."""
    return csv_file(
        [
            ["field", "value"],
            ["authority_code", code],
            ["product", product],
            ["period", period],
            ["instrument_version", 1],
            ["survey_closed", closed.isoformat()],
        ]
    )


def submission_files(
    code: str = "E09000901",
    product: str = "CareFirst",
    period: str = "2010-Q1",
    *,
    respondents: int = 12,
    seed: int = 1,
    comment: str = "",
    finding_text: str = "Chronology cannot be filtered by event type",
    prefix: str = "",
    closed: date | None = None,
) -> list[tuple[str, bytes]]:
    """A valid CSV set; `seed` changes the ratings (and so the file hash). The survey closes
    at the end of the period unless `closed` says otherwise."""
    rng = random.Random(seed)
    if closed is None:
        parsed = parse_period(period)
        closed = min(period_end(parsed), date.today()) if parsed else date(2010, 3, 31)
    codes = [i.code for i in instrument(1)]
    about = about_file(code, product, period, closed)
    header = ["respondent_ref", "role", "service_area", "years_experience_band", *codes, "comment"]
    rows = [header]
    for i in range(respondents):
        role = "team_manager" if i % 4 == 0 else "social_worker"
        ratings = [rng.randint(1, 5) if rng.random() > 0.05 else "" for _ in codes]
        rows.append(
            [f"R{i + 1:03d}", role, "assessment", "3-5", *ratings, comment if i == 0 else ""]
        )
    findings = csv_file(
        [
            list(FINDING_COLUMNS),
            [
                "F1",
                "NAR",
                "supplier",
                "core_assessment",
                "high",
                min(5, respondents),
                finding_text,
                "Add a filter by event type",
            ],
            [
                "F2",
                "SPD",
                "technical",
                "general",
                "medium",
                min(3, respondents),
                "Screens slow at month end",
                "",
            ],
        ]
    )
    return [
        (f"{prefix}about.csv", about),
        (f"{prefix}responses.csv", csv_file(rows)),
        (f"{prefix}findings.csv", findings),
    ]
