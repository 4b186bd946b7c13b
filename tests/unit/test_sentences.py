"""Compare's summary sentence: grammar and logic for none, one, two and many groups, and
England named only when the figures are England's."""

from __future__ import annotations

from layouts.charts.sentences import group_range


def test_no_group():
    assert "too few authorities" in group_range("2010-Q2", "SUS", [], overall=55)


def test_one_group_is_not_a_range():
    text = group_range("2010-Q2", "SUS", [("Corelogic", 56.2)], overall=55.0)
    assert text == (
        "For 2010-Q2, only Corelogic has enough authorities to be shown: its mean SUS was 56; "
        "England's mean was 55."
    )
    assert "ranged" not in text and "1 groups" not in text


def test_two_groups_named_high_then_low_or_both():
    assert group_range("Q", "SUS", [("A", 50.0), ("B", 61.0)]) == (
        "For Q, mean SUS was 61 for B and 50 for A."
    )
    assert group_range("Q", "SUS", [("A", 50.2), ("B", 49.9)]) == (
        "For Q, mean SUS was 50 for both A and B."
    )


def test_many_groups_range_and_region_filter_never_says_england():
    groups = [("A", 40.0), ("B", 52.0), ("C", 63.4)]
    text = group_range("London", "SUS", groups, overall=51.0, whole_country=False)
    assert text == (
        "For London, mean SUS ranged from 40 (A) to 63 (C) across the 3 groups shown; "
        "the mean of all groups in this selection was 51."
    )
    assert "England" not in text
    same = group_range("Q", "SUS", [("A", 50.0), ("B", 50.1), ("C", 49.8)])
    assert same == "For Q, mean SUS was 50 in all 3 groups shown."
