"""Reporting periods are calendar quarters written YYYY-Qn."""

from __future__ import annotations

import re
from datetime import date

PERIOD_RE = re.compile(r"^(\d{4})\s*[-/ ]?\s*Q([1-4])$", re.IGNORECASE)
QUARTER_FIRST_RE = re.compile(r"^Q([1-4])\s*[-/ ]?\s*(\d{4})$", re.IGNORECASE)


def parse_period(text: str) -> str | None:
    """Normalised 'YYYY-Qn' (also read from '2010 Q1' or 'Q1 2010'), or None."""
    text = text.strip()
    if match := PERIOD_RE.match(text):
        return f"{match.group(1)}-Q{match.group(2)}"
    if match := QUARTER_FIRST_RE.match(text):
        return f"{match.group(2)}-Q{match.group(1)}"
    return None


def period_start(period: str) -> date:
    year, quarter = int(period[:4]), int(period[-1])
    return date(year, 3 * quarter - 2, 1)


def period_end(period: str) -> date:
    year, quarter = int(period[:4]), int(period[-1])
    month = 3 * quarter
    day = 31 if month in (3, 12) else 30
    return date(year, month, day)


def previous_period(period: str) -> str:
    year, quarter = int(period[:4]), int(period[-1])
    return f"{year - 1}-Q4" if quarter == 1 else f"{year}-Q{quarter - 1}"
