"""The ranking rule and the supplier-specific / cross-supplier labels (pure, no database)."""

from __future__ import annotations

import pandas as pd
import pytest

from data.requirements.ranking import (
    CROSS_SUPPLIER,
    RULE,
    SEVERAL,
    SUPPLIER_SPECIFIC,
    RankingRule,
    cross_supplier_minimum,
    label,
    rank_candidates,
    respondents_affected,
    severity_weights,
)


def frame(rows):
    cols = [
        "finding_id",
        "cluster_id",
        "authority_id",
        "supplier_id",
        "period",
        "severity",
        "respondents_raising",
    ]
    f = pd.DataFrame(rows, columns=cols)
    return f.assign(theme="NAR", workflow_area="general")


def test_severity_weights_come_from_the_reference_list():
    assert severity_weights() == {"low": 1.0, "medium": 2.0, "high": 3.0, "critical": 4.0}


@pytest.mark.parametrize(
    "groups, with_data, expected",
    [
        (1, 11, SUPPLIER_SPECIFIC),
        (2, 11, SEVERAL),
        (5, 11, SEVERAL),
        (6, 11, CROSS_SUPPLIER),  # half of 11 rounded up
        (3, 4, CROSS_SUPPLIER),
        (2, 4, SEVERAL),  # half, but fewer than 3 groups
        (2, 2, SEVERAL),
        (3, 3, CROSS_SUPPLIER),
    ],
)
def test_labels(groups, with_data, expected):
    assert label(groups, with_data) == expected


def test_cross_supplier_minimum_is_half_and_at_least_three():
    assert [cross_supplier_minimum(g) for g in (1, 4, 6, 7, 11, 20)] == [3, 3, 3, 4, 6, 10]


def test_respondents_affected_counts_each_la_once_across_periods():
    f = frame(
        [
            (1, "A", 1, 10, "2010-Q1", "low", 4),
            (2, "A", 1, 10, "2010-Q1", "low", 3),  # same LA and period: 7 in all
            (3, "A", 1, 10, "2010-Q2", "low", 5),  # same LA, later period: max(7, 5)
            (4, "A", 2, 10, "2010-Q1", "low", 6),
        ]
    )
    assert respondents_affected(f) == 13
    assert respondents_affected(f, "cluster_id").to_dict() == {"A": 13}


def test_score_follows_the_stated_rule_and_orders_candidates():
    f = frame(
        [
            # A: 2 LAs, 2 groups, severities high + critical, 10 respondents
            (1, "A", 1, 10, "2010-Q1", "high", 4),
            (2, "A", 2, 20, "2010-Q1", "critical", 6),
            # B: 3 LAs, 1 group, low, 30 respondents
            (3, "B", 3, 10, "2010-Q1", "low", 10),
            (4, "B", 4, 10, "2010-Q1", "low", 10),
            (5, "B", 5, 10, "2010-Q1", "low", 10),
            # C: a lone finding
            (6, "C", 6, 30, "2010-Q1", "medium", 1),
        ]
    )
    ranked = rank_candidates(f, groups_with_data=3)
    by = ranked.set_index("cluster_id")
    assert by.loc["A", "score"] == pytest.approx(3 * 2 + 5 * 2 + 2 * 3.5 + 0.1 * 10)
    assert by.loc["B", "score"] == pytest.approx(3 * 3 + 5 * 1 + 2 * 1.0 + 0.1 * 30)
    assert by.loc["C", "score"] == pytest.approx(3 + 5 + 2 * 2 + 0.1)
    assert ranked["cluster_id"].tolist() == ["A", "B", "C"]
    assert ranked["rank"].tolist() == [1, 2, 3]
    assert by.loc["B", "label"] == SUPPLIER_SPECIFIC
    assert by.loc["A", "label"] == SEVERAL


def test_weights_change_the_order():
    f = frame(
        [
            (1, "wide", 1, 10, "2010-Q1", "low", 1),
            (2, "wide", 2, 20, "2010-Q1", "low", 1),
            (3, "deep", 3, 10, "2010-Q1", "critical", 20),
        ]
    )
    assert rank_candidates(f, 2)["cluster_id"].tolist() == ["wide", "deep"]
    heavy = RankingRule(las=1, groups=1, severity=1, respondents=1)
    assert rank_candidates(f, 2, heavy)["cluster_id"].tolist() == ["deep", "wide"]


def test_ties_break_by_candidate_id_and_unclustered_findings_are_ignored():
    f = frame(
        [
            (1, "C-2", 1, 10, "2010-Q1", "low", 1),
            (2, "C-1", 2, 10, "2010-Q1", "low", 1),
            (3, None, 3, 10, "2010-Q1", "low", 1),
        ]
    )
    assert rank_candidates(f, 1)["cluster_id"].tolist() == ["C-1", "C-2"]


def test_rule_is_described_with_its_weights():
    text = RULE.describe()
    for w in ("3 × authorities", "5 × supplier groups", "2 × average severity", "0.1 ×"):
        assert w in text
    assert [r["Weight"] for r in RULE.weights()] == ["3", "5", "2", "0.1"]
