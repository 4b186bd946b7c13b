"""Text repeated across periods (data.privacy.linkage): a text safe in each period alone,
whose atoms in two periods intersect in one or two authorities, must not be listed twice."""

from __future__ import annotations

import pandas as pd

from data.privacy.cube import build_cube, findings_listing
from data.privacy.disclosure import DisclosureRules
from data.privacy.linkage import linked_atoms, normalise, without_atoms

RULES = DisclosureRules()
# authority -> (region, LA type)
LAS = {1: ("NE", "unitary"), 2: ("NE", "unitary"), 3: ("NE", "county"), 4: ("NE", "county"),
       5: ("NE", "county"), 6: ("SW", "unitary"), 7: ("SW", "unitary"), 8: ("SW", "unitary"),
       9: ("SW", "county"), 10: ("SW", "county"), 11: ("SW", "county")}  # fmt: skip
# in P1 too few unitary authorities report to split by LA type, so atoms split by region;
# in P2 every authority reports and atoms split by LA type
PERIODS = {"P1": [1, 2, 3, 4, 5, 6, 9, 10, 11], "P2": list(LAS)}
TEXT = {  # (period, authority) -> its first finding's text
    ("P1", 1): "Search is slow!!", ("P2", 1): "search  is slow",  # NE and unitary: {1, 2}
    ("P1", 3): "Forms time out", ("P2", 3): "forms time out.",  # NE and county: {3, 4, 5}
}  # fmt: skip


def findings() -> pd.DataFrame:
    out = []
    for period, las in PERIODS.items():
        for a in las:
            region, la_type = LAS[a]
            for i in range(2):
                text = TEXT.get((period, a)) if i == 0 else None
                out.append((period, "A", "T1", "c1", "w1", "high", region, la_type, a, 1, 5,
                            text or f"{period} note {a}.{i}", ""))  # fmt: skip
    cols = ["period", "group", "theme", "category", "workflow_area", "severity", "region",
            "la_type", "authority_id", "findings", "respondents_raising", "description",
            "suggested_change"]  # fmt: skip
    return pd.DataFrame(out, columns=cols)


FINDINGS = findings()
CUBE = build_cube(FINDINGS, RULES)


def _atom(period, **attrs):
    for a, dims in enumerate(CUBE.atom_dims):
        if dims["period"] == {period} and all(dims[k] == {v} for k, v in attrs.items()):
            return a
    raise AssertionError(f"no atom {period} {attrs}: {CUBE.atom_dims}")


def test_fixture_atoms_split_by_region_then_by_type():
    assert CUBE.n_atoms == 4
    _atom("P1", region="NE"), _atom("P2", la_type="unitary")


def test_each_period_alone_lists_the_text():
    for period in PERIODS:
        listing = findings_listing(CUBE, FINDINGS, {"period": period})
        texts = {normalise(t) for t in listing.rows["description"]}
        assert "search is slow" in texts


def test_text_whose_periods_intersect_in_two_authorities_is_listed_once():
    blocked = linked_atoms(CUBE, FINDINGS, RULES)
    assert blocked == {_atom("P1", region="NE")}
    seen = []
    for period in PERIODS:
        frame = FINDINGS.loc[FINDINGS["period"] == period].reset_index(drop=True)
        listing = findings_listing(CUBE, frame, {"period": period})
        choice = without_atoms(listing.choice, CUBE, listing.source, blocked)
        texts = [normalise(t) for t, ok in zip(listing.rows["description"], choice.listed,
                                               strict=True) if ok]  # fmt: skip
        seen += [(period, t) for t in texts if t == "search is slow"]
        if period == "P1":  # the whole NE atom goes, so counting rows gives nothing finer
            assert choice.left_out == 10
    assert seen == [("P2", "search is slow")]


def test_text_whose_periods_intersect_in_enough_authorities_stays():
    rows = FINDINGS.loc[~FINDINGS["description"].str.lower().str.startswith("search")]
    assert linked_atoms(CUBE, rows, RULES) == frozenset()


def _with(texts: dict[tuple[str, int], str]) -> pd.DataFrame:
    """The fixture without the "search" text, with ``texts`` for (period, authority)."""
    rows = FINDINGS.copy()
    for (period, la), text in texts.items():
        rows.loc[(rows["period"] == period) & (rows["authority_id"] == la), "description"] = text
    return rows.loc[~rows["description"].str.lower().str.startswith("search")]


def test_the_same_text_from_authorities_with_no_one_in_common_is_not_a_link():
    # a unitary and a county authority wrote the same words in P2: no common author
    assert linked_atoms(CUBE, _with({("P2", 6): "Lag", ("P2", 9): "lag"}), RULES) == set()


def test_a_third_authoritys_text_linking_two_other_atoms_is_found_too():
    # P1's SW atom {6, 9, 10, 11} and P2's unitary atom {1, 2, 6, 7, 8} share only 6
    rows = _with({("P1", 6): "Lag", ("P2", 6): "lag"})
    assert linked_atoms(CUBE, rows, RULES) == {_atom("P1", region="SW")}


def test_a_phrase_written_by_enough_authorities_is_not_a_key():
    # NE (P1) and unitary (P2) meet in {1, 2}; but three authorities wrote the words
    rows = _with({("P1", 1): "Too many clicks", ("P2", 6): "too many clicks"})
    assert linked_atoms(CUBE, rows, RULES) == {_atom("P1", region="NE")}
    rows = _with({("P1", 1): "Too many clicks", ("P2", 6): "too many clicks",
                  ("P2", 9): "Too many clicks."})  # fmt: skip
    assert linked_atoms(CUBE, rows, RULES) == set()
