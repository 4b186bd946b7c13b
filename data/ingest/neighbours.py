"""Load a statistical-neighbours table (authority_code, neighbour_code, rank) from CSV.

All or nothing: the file is checked in full and any problem is reported with its row;
a valid file replaces the neighbours of every authority it lists."""

from __future__ import annotations

import csv
import io
from collections import Counter

import pandas as pd
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from data.ingest.read import decode_text
from data.ingest.report import Report
from data.privacy.access import Viewer, require_admin
from data.store import audit
from data.store.models import Authority, StatisticalNeighbour
from data.store.versioning import bump_data_version

COLUMNS = ("authority_code", "neighbour_code", "rank")
MAX_BYTES = 1024 * 1024
SHEET = "Neighbours"


def _rows(content: bytes, report: Report) -> list[tuple[int, dict[str, str]]]:
    if not content:
        report.add("File", None, "", "", "the file is empty")
        return []
    if len(content) > MAX_BYTES:
        report.add("File", None, "", "", "the file is larger than 1 MB")
        return []
    if content.startswith(b"PK") or b"\x00" in content:
        report.add("File", None, "", "", "the file is not a CSV text file")
        return []
    try:
        reader = csv.reader(io.StringIO(decode_text(content), newline=""))
        lines = [(n, row) for n, row in enumerate(reader, start=1) if any(c.strip() for c in row)]
    except csv.Error as exc:
        report.add("File", None, "", "", f"the file is not a well-formed CSV file ({exc})")
        return []
    if not lines:
        report.add("File", None, "", "", "the file is empty")
        return []
    header = ["_".join(c.strip().lower().split()) for c in lines[0][1]]
    for col in COLUMNS:
        if col not in header:
            report.add(SHEET, lines[0][0], col, "", f"required column '{col}' is missing")
    if not report.ok:
        return []
    pos = {col: header.index(col) for col in COLUMNS}
    return [
        (n, {c: (row[i].strip() if i < len(row) else "") for c, i in pos.items()})
        for n, row in lines[1:]
    ]


def load_neighbours(session: Session, viewer: Viewer, content: bytes) -> tuple[int, Report]:
    """Check and store the table; returns (rows stored, report). Nothing stored on problems."""
    require_admin(viewer)
    report = Report()
    rows = _rows(content, report)
    if not report.ok:
        return 0, report
    if not rows:
        report.add(SHEET, None, "", "", "the file has no rows under its headings")
        return 0, report
    ids = {c.upper(): i for c, i in session.execute(select(Authority.code, Authority.id))}
    pairs = Counter((r["authority_code"].upper(), r["neighbour_code"].upper()) for _, r in rows)
    records = []
    for n, r in rows:
        a, b = r["authority_code"].upper(), r["neighbour_code"].upper()
        for col, code in (("authority_code", a), ("neighbour_code", b)):
            if code not in ids:
                report.add(
                    SHEET, n, col, code, f"{code or 'a blank code'} is not a known authority"
                )
        if a and a == b:
            report.add(SHEET, n, "neighbour_code", b, "an authority cannot be its own neighbour")
        elif pairs[(a, b)] > 1:
            report.add(SHEET, n, "neighbour_code", b, f"{a} lists {b} more than once")
        try:
            rank = int(r["rank"])
            if not 1 <= rank <= 1000:
                raise ValueError
        except ValueError:
            report.add(SHEET, n, "rank", r["rank"], f"'{r['rank']}' is not a whole number from 1")
            continue
        if a in ids and b in ids:
            records.append({"authority_id": ids[a], "neighbour_id": ids[b], "rank": rank})
    if not report.ok:
        return 0, report
    listed = {r["authority_id"] for r in records}
    session.execute(
        delete(StatisticalNeighbour).where(StatisticalNeighbour.authority_id.in_(listed))
    )
    session.execute(StatisticalNeighbour.__table__.insert(), records)
    audit.record(
        session,
        viewer.user_id,
        "neighbours_loaded",
        f"{len(listed)} authorities",
        f"{len(records)} neighbour rows",
    )
    bump_data_version(session)  # My authority's cached comparisons use the neighbours
    return len(records), report


def neighbour_counts(session: Session, viewer: Viewer) -> pd.DataFrame:
    """How many neighbours each authority has on record."""
    require_admin(viewer)
    rows = session.execute(
        select(Authority.code, Authority.name, func.count(StatisticalNeighbour.neighbour_id))
        .join(StatisticalNeighbour, StatisticalNeighbour.authority_id == Authority.id)
        .group_by(Authority.code, Authority.name)
        .order_by(Authority.name)
    ).all()
    return pd.DataFrame(rows, columns=["code", "authority", "neighbours"])
