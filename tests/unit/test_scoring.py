"""Scores against hand-computed examples (SCORING.md)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from data.reference.codes import SUS_ITEMS, instrument
from data.scores.scoring import item_scores, summarise, sus_scores, theme_scores

ITEMS = instrument(1)


def _frame(rows: list[dict[str, float | None]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=[i.code for i in ITEMS], dtype="float64")


def test_item_score_positive_and_negative():
    df = _frame([{"NAV01": 4, "SUS02": 4}])
    scores = item_scores(df, ITEMS)
    assert scores.loc[0, "NAV01"] == 75.0  # (4 - 1) * 25
    assert scores.loc[0, "SUS02"] == 25.0  # (5 - 4) * 25, negative item
    assert math.isnan(scores.loc[0, "NAV02"])  # blank stays blank


def test_sus_standard_method():
    # Positive items all 4 -> 3 each (15); negative items all 2 -> 3 each (15); 30 * 2.5 = 75
    row = {c: (4 if int(c[-2:]) % 2 else 2) for c in SUS_ITEMS}
    assert sus_scores(_frame([row])).iloc[0] == 75.0
    # Best possible answers give 100, worst give 0
    best = {c: (5 if int(c[-2:]) % 2 else 1) for c in SUS_ITEMS}
    worst = {c: (1 if int(c[-2:]) % 2 else 5) for c in SUS_ITEMS}
    assert sus_scores(_frame([best, worst])).tolist() == [100.0, 0.0]


def test_sus_needs_all_ten_items():
    row = {c: 3 for c in SUS_ITEMS}
    row["SUS07"] = None
    assert math.isnan(sus_scores(_frame([row])).iloc[0])


def test_theme_score_is_mean_of_answered_items():
    # NAV items: 5 -> 100, 2 -> 25, blank -> left out: theme = 62.5
    df = _frame([{"NAV01": 5, "NAV02": 2, "NAV03": None}])
    themes = theme_scores(item_scores(df, ITEMS), ITEMS)
    assert themes.loc[0, "NAV"] == pytest.approx(62.5)
    assert math.isnan(themes.loc[0, "SPD"])  # no SPD item answered


def test_summarise_counts_sums_and_histograms_per_role():
    df = _frame([{"NAV01": 5, "NAV02": 3}, {"NAV01": 1}, {"NAV01": 5}])
    roles = pd.Series(["social_worker", "social_worker", "team_manager"])
    out = summarise(df, roles, ITEMS).set_index(["role", "measure_type", "measure_code"])
    sw_nav01 = out.loc[("social_worker", "item", "NAV01")]
    assert (sw_nav01.n, sw_nav01.total, sw_nav01.total_sq) == (2, 100.0, 10000.0)
    assert [sw_nav01[f"h{i}"] for i in range(1, 6)] == [1, 0, 0, 0, 1]
    # theme NAV for social workers: respondent 1 = (100 + 50) / 2 = 75, respondent 2 = 0
    sw_nav = out.loc[("social_worker", "theme", "NAV")]
    assert (sw_nav.n, sw_nav.total, sw_nav.total_sq) == (2, 75.0, 5625.0)
    assert out.loc[("team_manager", "theme", "NAV")].total == 100.0
    # nobody answered all SUS items: no SUS rows at all
    assert "sus" not in out.index.get_level_values("measure_type")
