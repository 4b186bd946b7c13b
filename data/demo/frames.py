"""The demo dataset's findings as one frame, without a database (for the disclosure
auditor's property tests and the disclosure benchmark)."""

from __future__ import annotations

import pandas as pd

from data.demo.generate import DemoData

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
