"""The code lists and instrument shipped with the product (data/reference/*.csv)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

REFERENCE_DIR = Path(__file__).parent

SUS_POSITIVE = ("SUS01", "SUS03", "SUS05", "SUS07", "SUS09")
SUS_NEGATIVE = ("SUS02", "SUS04", "SUS06", "SUS08", "SUS10")
SUS_ITEMS = tuple(sorted(SUS_POSITIVE + SUS_NEGATIVE))
SUS_BENCHMARK = 68.0
SUS_TOP = 100.0
# Sauro-Lewis curved grading scale for SUS means (lower bound -> grade), highest first.
SUS_GRADES = (
    (84.1, "A+"),
    (80.8, "A"),
    (78.9, "A−"),
    (77.2, "B+"),
    (74.1, "B"),
    (72.6, "B−"),
    (71.1, "C+"),
    (65.0, "C"),
    (62.7, "C−"),
    (51.7, "D"),
    (0.0, "F"),
)
# The columns of a findings sheet or findings.csv, in template order (docs/FILE-FORMAT.md).
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


def read_reference(name: str) -> list[dict[str, str]]:
    """Rows of one reference CSV as dicts."""
    with (REFERENCE_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# Severity codes, least severe first, as listed in severities.csv.
SEVERITIES = tuple(r["code"] for r in read_reference("severities"))
SEVERITY_WORDS = ", ".join(SEVERITIES[:-1]) + " or " + SEVERITIES[-1]  # "low, ... or critical"


def sus_grade(mean: float | None) -> str:
    """Sauro-Lewis letter grade of a SUS mean ('' when there is no mean)."""
    if mean is None or pd.isna(mean):
        return ""
    return next(grade for bound, grade in SUS_GRADES if mean >= bound)


def sus_letter_bands() -> tuple[tuple[float, float, str], ...]:
    """The grade scale merged to letters (F, D, C, B, A), lowest first, as (low, high, letter):
    each letter runs from its lowest grade's bound to the next letter's."""
    lows: dict[str, float] = {}
    for bound, grade in SUS_GRADES:  # highest first, so a letter ends on its lowest bound
        lows[grade[0]] = bound
    letters = sorted(lows, key=lows.get)
    highs = [lows[nxt] for nxt in letters[1:]] + [SUS_TOP]
    return tuple((lows[letter], high, letter) for letter, high in zip(letters, highs, strict=True))


@dataclass(frozen=True)
class InstrumentItem:
    version: int
    code: str
    theme: str
    polarity: str
    statement: str


@cache
def instrument(version: int = 1) -> tuple[InstrumentItem, ...]:
    """Items of one instrument version, in questionnaire order."""
    return tuple(
        InstrumentItem(int(r["version"]), r["code"], r["theme"], r["polarity"], r["statement"])
        for r in read_reference("instrument")
        if int(r["version"]) == version
    )


@cache
def instrument_versions() -> tuple[int, ...]:
    return tuple(sorted({int(r["version"]) for r in read_reference("instrument")}))


@cache
def code_names(name: str) -> dict[str, str]:
    """code -> display name for a reference list (themes, categories, ...)."""
    return {r["code"]: r["name"] for r in read_reference(name)}


def theme_names() -> dict[str, str]:
    return code_names("themes")


def region_names() -> list[str]:
    return list(code_names("regions").values())


def la_type_names() -> dict[str, str]:
    return code_names("la_types")


def respondent_roles() -> dict[str, str]:
    return code_names("respondent_roles")
