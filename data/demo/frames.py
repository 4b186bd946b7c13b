"""The demo dataset's findings and score summaries as frames, without a database (for the
disclosure auditor's property tests and the disclosure benchmark)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from data.demo.generate import DemoData
from data.reference.codes import instrument
from data.scores.scoring import summary_rows

FRAME_COLUMNS = [
    "authority_id", "authority", "pseudonym", "period", "group", "region", "la_type", "theme",
    "category", "workflow_area", "severity", "findings", "respondents_raising", "description",
    "suggested_change",
]  # fmt: skip


def finding_frame(data: DemoData) -> pd.DataFrame:
    """One row per finding of every demo submission (``findings`` = 1), authorities numbered
    from 1 in the order of ``data.authorities``."""
    ids = {a.code: i + 1 for i, a in enumerate(data.authorities)}
    rows = [
        (
            ids[s.authority.code],
            s.authority.name,
            f"LA-{ids[s.authority.code]:04d}",
            s.period,
            s.product,
            s.authority.region,
            s.authority.la_type,
            f.theme,
            f.category,
            f.workflow_area,
            f.severity,
            1,
            f.respondents_raising,
            f.description,
            f.suggested_change,
        )  # fmt: skip
        for s in data.submissions
        for f in s.findings
    ]
    return pd.DataFrame(rows, columns=FRAME_COLUMNS)


SCORE_COLUMNS = ["authority_id", "supplier_id", "group", "period", "region", "la_type",
                 "size_band", "role", "measure_type", "measure", "n", "sum", "sumsq"]  # fmt: skip


def score_frame(data: DemoData) -> pd.DataFrame:
    """Theme and SUS summary rows (one per submission, role and measure) of every demo
    submission, scored as ingest scores them; authorities numbered as in
    :func:`finding_frame`, supplier ids numbered by product name. Groups are not folded
    (data.privacy.narrowing.fold_period does that, as the pages' rows are)."""
    ids = {a.code: i + 1 for i, a in enumerate(data.authorities)}
    suppliers = {p: i + 1 for i, p in enumerate(sorted({s.product for s in data.submissions}))}
    items = instrument(data.instrument.version)
    out = []
    for s in data.submissions:
        r = s.responses.ratings.astype(float)
        ratings = pd.DataFrame(np.where(r == 0, np.nan, r), columns=list(data.instrument.codes))
        a = s.authority
        for role, kind, code, n, total, total_sq, *_hist in summary_rows(
            ratings, pd.Series(s.responses.roles), items
        ):
            if kind in ("theme", "sus"):
                where = (ids[a.code], suppliers[s.product], s.product, s.period, a.region)
                out.append((*where, a.la_type, a.size_band, role, kind, code, n, total, total_sq))
    return pd.DataFrame(out, columns=SCORE_COLUMNS)
