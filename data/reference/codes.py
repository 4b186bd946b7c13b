"""The code lists and instrument shipped with the product (data/reference/*.csv)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

REFERENCE_DIR = Path(__file__).parent

SUS_POSITIVE = ("SUS01", "SUS03", "SUS05", "SUS07", "SUS09")
SUS_NEGATIVE = ("SUS02", "SUS04", "SUS06", "SUS08", "SUS10")
SUS_ITEMS = tuple(sorted(SUS_POSITIVE + SUS_NEGATIVE))
SUS_BENCHMARK = 68.0
SEVERITIES = ("low", "medium", "high", "critical")


def read_reference(name: str) -> list[dict[str, str]]:
    """Rows of one reference CSV as dicts."""
    with (REFERENCE_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


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
