"""My authority comparators without a database: who is in which comparator, and the guard
on the statistical-neighbours figure."""

from __future__ import annotations

import pandas as pd

from data.pages.my_authority import (
    ENGLAND,
    GROUP,
    NEIGHBOURS,
    YOU,
    _comparator_rows,
    _neighbour_guard,
)
from data.privacy.disclosure import DisclosureRules

RULES = DisclosureRules()


def rows(spec: list[tuple]) -> pd.DataFrame:
    """(authority, supplier, region, la_type, respondents) -> one SUS row each."""
    return pd.DataFrame(
        [
            {
                "authority_id": a,
                "supplier_id": s,
                "group": f"S{s}",
                "region": r,
                "la_type": t,
                "measure": "SUS",
                "n": n,
                "sum": 50.0 * n,
                "sumsq": 2600.0 * n,
            }
            for a, s, r, t, n in spec
        ]
    )


def test_comparators_leave_the_authority_itself_out():
    data = rows(
        [
            (1, 1, "R1", "T1", 10),
            (2, 1, "R1", "T1", 10),
            (3, 2, "R2", "T1", 10),
            (4, 2, "R2", "T2", 10),
        ]
    )
    stacked = _comparator_rows(data, 1, frozenset({3, 4}))
    members = stacked.groupby("comparator")["authority_id"].agg(set).to_dict()
    assert members == {YOU: {1}, GROUP: {2}, NEIGHBOURS: {3, 4}, ENGLAND: {2, 3, 4}}


def test_neighbours_inside_a_wider_figure_need_a_safe_difference():
    # Neighbours 2, 3, 4 are every type-T1 LA but one (5): T1 minus neighbours minus me = LA 5
    base = [
        (1, 1, "R1", "T1", 20),
        (2, 1, "R1", "T1", 20),
        (3, 2, "R2", "T1", 20),
        (4, 2, "R3", "T1", 20),
        (5, 3, "R3", "T1", 20),
    ]
    others = [(i, 3, f"R{i}", "T2", 20) for i in range(6, 12)]
    assert not _neighbour_guard(rows(base + others), frozenset({2, 3, 4}), 1, RULES)
    # Three more T1 authorities make that difference safe (and no region holds them all)
    more = [(i, 3, f"R{i}", "T1", 20) for i in range(12, 15)]
    assert _neighbour_guard(rows(base + others + more), frozenset({2, 3, 4}), 1, RULES)
