"""My authority comparators without a database: who is in which comparator, and that
everything the page shows an LA user, together with every Compare and Overview score cell,
passes the disclosure auditor (data.privacy.auditor) on adversarial fixtures."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data.demo import build_demo
from data.demo.frames import score_frame
from data.pages.my_authority import (
    COMPARATORS,
    COVER,
    ENGLAND,
    GROUP,
    NEIGHBOURS,
    YOU,
    Neighbours,
    _comparator_table,
    comparator_sets,
    hidden_note,
    series,
    stand_in,
    stand_in_cover,
    stand_in_sets,
)
from data.privacy.auditor import audit
from data.privacy.disclosure import DisclosureRules
from data.privacy.narrowing import ENGLAND as ALL_GROUPS
from data.privacy.narrowing import fold_period
from data.privacy.scores_cube import protected_scores, whole_cover, whole_part
from data.privacy.views import (
    authority_targets,
    compare_figures,
    score_contributions,
    set_figures,
)

RULES = DisclosureRules()
PERIOD = "2010-Q1"


def rows(spec: list[tuple], roles: tuple[str, ...] = ("sw",)) -> pd.DataFrame:
    """(authority, supplier, region, la_type, respondents) -> SUS rows per role, with a
    mean that differs a little between authorities."""
    return pd.DataFrame(
        [
            {
                "authority_id": a,
                "supplier_id": s,
                "group": f"S{s}",
                "region": r,
                "la_type": t,
                "role": role,
                "period": PERIOD,
                "measure": "SUS",
                "n": n,
                "sum": (50.0 + a) * n,
                "sumsq": ((50.0 + a) ** 2 + 4) * n,
            }
            for a, s, r, t, n in spec
            for role in roles
        ]
    )


def members(data: pd.DataFrame, me: int, ids: frozenset) -> dict[str, np.ndarray]:
    """Each comparator's authorities as the product defines them (written here, not taken
    from the page, so the audit checks the page's figures against the definition); the
    stand-in for hidden neighbours is the page's own selection (its definition is tested
    against Compare's cells below), less the viewer."""
    la = data["authority_id"].to_numpy()
    supplier = data.loc[la == me, "supplier_id"].iloc[0]
    instead = {k: v & (la != me) for k, v in stand_in_sets(data, me, RULES).items()}
    return {
        GROUP: (data["supplier_id"] == supplier).to_numpy() & (la != me),
        NEIGHBOURS: np.isin(la, list(ids)) & (la != me),
        ENGLAND: la != me,
        **instead,
    }


def audit_my_authority(data: pd.DataFrame, me: int, ids: frozenset, compare=None):
    """My authority's comparators for ``me`` and every Compare / Overview score cell, for
    the LA user of ``me``, with every authority's figure as a further target."""
    table = _comparator_table(data, me, Neighbours(ids, "table"), RULES)
    figs = list(compare_figures(data, RULES) if compare is None else compare)
    figs += set_figures(table, data, members(data, me, ids), {me}, "my authority")
    report = audit(figs, score_contributions(data), RULES, own={me},
                   targets=authority_targets(data))  # fmt: skip
    return table.set_index("comparator"), report


def test_comparators_leave_the_authority_itself_out():
    data = rows([(1, 1, "R1", "T1", 10), (2, 1, "R1", "T1", 10), (3, 2, "R2", "T1", 10),
                 (4, 2, "R2", "T2", 10)])  # fmt: skip
    sets = comparator_sets(data, 1, frozenset({1, 3, 4}))
    la = data["authority_id"].to_numpy()
    got = {name: set(la[mask]) for name, mask in sets.items()}
    assert got == {GROUP: {1, 2}, NEIGHBOURS: {3, 4}, ENGLAND: {1, 2, 3, 4}}
    table = _comparator_table(data, 1, Neighbours(frozenset({3, 4}), "table"), RULES)
    # the neighbours are hidden (four authorities in all): the stand-in row follows them
    assert list(table["comparator"]) == [YOU, GROUP, NEIGHBOURS, stand_in("T1"), ENGLAND]
    assert series(table) == [*COMPARATORS, stand_in("T1")]  # charts: the others keep styles
    you = table.set_index("comparator").loc[YOU]
    assert not you["suppressed"] and you["n_las"] == 1 and you["mean"] == pytest.approx(51)


# A group of four (the viewer's and three more, too even to stand alone: two of the three
# others would hold 2/3 of it) is pooled with a group of two; Compare shows neither, but
# shows England, the third group and the North East (the pooled two groups). Before, My
# authority showed "other authorities in your group" (three authorities, 36 respondents:
# enough on its own), so the viewer got its group's total and North East minus it: the
# group of two.
POOLED = [
    *[(a, 1, "NE", "unitary", 12) for a in (1, 2, 3, 4)],
    *[(a, 2, "NE", "unitary", 12) for a in (5, 6)],
    *[(a, 3, "SW", "county", 12) for a in range(7, 13)],
]

# Two groups of five, each shown on Compare; the viewer's neighbours are both groups but
# the viewer and one authority (3). Before, no single wider figure held all the neighbours,
# so they were shown, and group 1 + group 2 - neighbours - own = authority 3.
STRADDLING = [
    *[(a, 1, "NE", "unitary", 12) for a in range(1, 6)],
    *[(a, 2, "SW", "county", 12) for a in range(6, 11)],
    *[(a, 3, "NW", "metropolitan_district", 12) for a in range(11, 16)],
]


def test_group_comparator_follows_compare_and_the_pooled_group_cannot_be_recovered():
    data = rows(POOLED)
    compare = protected_scores(data, ["group"], {}, RULES, totals={"group": ALL_GROUPS})
    compare = compare.set_index("group")
    assert compare.loc["S1", "suppressed"] and not compare.loc["S3", "suppressed"]
    table, report = audit_my_authority(data, 1, frozenset())
    assert report.ok, report.summary()
    assert table.loc[GROUP, "suppressed"] and pd.isna(table.loc[GROUP, "mean"])
    assert not table.loc[ENGLAND, "suppressed"]
    assert table.loc[ENGLAND, "n_las"] == 11  # England without the viewer
    assert not table.loc[YOU, "suppressed"]


def test_neighbours_shown_only_as_whole_atoms():
    data = rows(STRADDLING)
    table, report = audit_my_authority(data, 1, frozenset({2, 4, 5, *range(6, 11)}))
    assert report.ok, report.summary()
    assert table.loc[NEIGHBOURS, "suppressed"]
    assert not table.loc[GROUP, "suppressed"]  # group 1 is shown on Compare too
    # neighbours that are whole groups (with the viewer's own) are shown
    whole, report = audit_my_authority(data, 1, frozenset(range(2, 11)))
    assert report.ok, report.summary()
    assert not whole.loc[NEIGHBOURS, "suppressed"]
    assert list(whole.index) == list(COMPARATORS)  # no stand-in where they are shown
    assert whole.loc[NEIGHBOURS, "n_las"] == 9
    others = data.loc[data["authority_id"].between(2, 10)]
    assert whole.loc[NEIGHBOURS, "mean"] == pytest.approx(others["sum"].sum() / others["n"].sum())


def test_comparator_of_three_with_the_viewer_is_c_with_a_reason():
    # the viewer's group has three authorities: two others (fewer than MIN_LAS)
    data = rows([*[(a, 1, "NE", "unitary", 20) for a in (1, 2, 3)],
                 *[(a, 2, "SW", "county", 12) for a in range(4, 10)]])  # fmt: skip
    table, report = audit_my_authority(data, 1, frozenset({2, 3}))
    assert report.ok, report.summary()
    for name in (GROUP, NEIGHBOURS):
        assert table.loc[name, "suppressed"] and pd.isna(table.loc[name, "n"])
    assert "fewer than 3 authorities" in table.loc[GROUP, "reason"]
    assert "publishes together" in table.loc[NEIGHBOURS, "reason"]
    note = hidden_note(table.reset_index())
    assert note.startswith("Other authorities in your supplier group are shown as c where")
    assert "Your statistical neighbours are shown as c" in note


def test_a_group_of_one_says_there_is_no_other_authority():
    data = rows([(1, 1, "NE", "unitary", 20), *[(a, 2, "SW", "county", 12)
                                                for a in range(2, 8)]])  # fmt: skip
    table = _comparator_table(data, 1, Neighbours(frozenset(), "table"), RULES)
    assert hidden_note(table) == (
        "No other authority in your supplier group has results. "
        "None of your statistical neighbours has results."
    )
    assert hidden_note(table.loc[table["comparator"].isin([YOU, ENGLAND])]) == ""


def test_role_narrowed_compare_cells_and_comparators_pass_together():
    # two roles: Compare narrows by role, My authority pools them; the viewer in each group
    data = rows(STRADDLING, roles=("sw", "manager"))
    for me in (1, 6, 11):
        _table, report = audit_my_authority(data, me, frozenset(range(1, 11)))
        assert report.ok, (me, report.summary())


@lru_cache(maxsize=1)
def demo_sus():
    """The demo's SUS rows of one period (60 authorities, groups folded as the pages fold
    them) and every Compare / Overview cell of them."""
    rows = fold_period(score_frame(build_demo(n_authorities=60)), RULES)
    rows = rows.loc[(rows["period"] == "2010-Q1") & (rows["measure"] == "SUS")]
    rows = rows.reset_index(drop=True)
    return rows, compare_figures(rows, RULES)


@st.composite
def viewer_and_neighbours(draw):
    rows, _ = demo_sus()
    las = rows.drop_duplicates("authority_id").set_index("authority_id")
    me = draw(st.sampled_from(sorted(las.index)))
    kind = draw(st.sampled_from(["default", "random", "group but one"]))
    if kind == "default":  # same LA type and size band
        same = las.loc[(las["la_type"] == las.loc[me, "la_type"])
                       & (las["size_band"] == las.loc[me, "size_band"])]  # fmt: skip
        ids = set(same.index)
    elif kind == "random":
        ids = set(draw(st.lists(st.sampled_from(sorted(las.index)), min_size=3, max_size=12)))
    else:  # the viewer's group but one authority: the old guard's blind spot
        group = sorted(las.index[las["supplier_id"] == las.loc[me, "supplier_id"]])
        ids = set(group) - {draw(st.sampled_from(group))}
    return me, frozenset(ids - {me})


@pytest.mark.slow
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(viewer_and_neighbours())
def test_property_demo_comparators_pass_the_auditor_with_compare(who):
    rows, compare = demo_sus()
    me, ids = who
    _table, report = audit_my_authority(rows, me, ids, compare)
    assert report.ok, report.summary()


@pytest.mark.slow
def test_demo_county_gets_a_stand_in_and_passes_the_auditor_with_compare():
    # on the demo every group pools its counties with other types (too few per group, role
    # and band): a county's stand-in is counties with what the site can only show with them
    rows, compare = demo_sus()
    las = rows.drop_duplicates("authority_id").set_index("authority_id")
    me = int(las.index[las["la_type"] == "county"][0])
    same = las.loc[(las["la_type"] == "county") & (las["size_band"] == las.loc[me, "size_band"])]
    table, report = audit_my_authority(rows, me, frozenset(same.index) - {me}, compare)
    assert report.ok, report.summary()
    assert table.loc[NEIGHBOURS, "suppressed"]
    cover = table.loc[stand_in_cover("county")]
    assert not cover["suppressed"] and cover["n"] < table.loc[ENGLAND, "n"]
    # its authority count may be withheld by the count rule (data/privacy/count_rule.py),
    # as on Compare; where shown, it holds every other county
    if cover["n_las_suppressed"]:
        assert pd.isna(cover["n_las"])
    else:
        assert cover["n_las"] >= (las["la_type"] == "county").sum() - 1


def _compare_cell(data: pd.DataFrame, group: str, **narrowing) -> pd.Series:
    """Compare's cell of ``group`` (or England) under an LA type / region narrowing."""
    table = protected_scores(data, ["group"], narrowing, RULES, totals={"group": ALL_GROUPS})
    return table.set_index("group").loc[group]


def test_stand_in_is_compares_la_type_cell_where_compare_shows_it():
    # the neighbours (one pooled unitary, one county) are hidden; Compare shows England for
    # unitary authorities (the pooled groups 1 and 2), so the stand-in is all of them less
    # the viewer: the viewer adding its own figures back gets Compare's figure exactly
    data = rows(POOLED)
    table, report = audit_my_authority(data, 1, frozenset({2, 7}))
    assert report.ok, report.summary()
    assert table.loc[NEIGHBOURS, "suppressed"]
    name = stand_in("unitary")
    assert name == "Other unitary authorities (in place of neighbours)"
    instead, own = table.loc[name], table.loc[YOU]
    cell = _compare_cell(data, ALL_GROUPS, la_type="unitary")
    assert not cell["suppressed"] and not instead["suppressed"]
    assert instead["n_las"] == 5 and instead["n"] + own["n"] == cell["n"]
    pooled = (instead["mean"] * instead["n"] + own["mean"] * own["n"]) / cell["n"]
    assert pooled == pytest.approx(cell["mean"])
    assert instead["reason"].startswith("shown instead of your statistical neighbours")
    note = hidden_note(table.reset_index())
    assert "Your statistical neighbours can't be shown on their own" in note
    assert "shown instead: other unitary authorities" in note


# Group 1: six unitary authorities and six counties, each type an atom of its own; group 2:
# two unitary authorities, too few to split from its five counties. Compare shows group 1's
# unitary authorities but not England's (group 2's two are mixed with its counties).
PARTIAL = [
    *[(a, 1, "NE", "unitary", 12) for a in range(1, 7)],
    *[(a, 1, "SW", "county", 12) for a in range(7, 13)],
    *[(a, 2, "NE", "unitary", 12) for a in (13, 14)],
    *[(a, 2, "SW", "county", 12) for a in range(15, 20)],
]


def test_stand_in_is_the_publishable_part_of_the_la_type_and_passes_the_auditor():
    data = rows(PARTIAL)
    assert _compare_cell(data, ALL_GROUPS, la_type="unitary")["suppressed"]
    group_1 = _compare_cell(data, "S1", la_type="unitary")
    assert not group_1["suppressed"]
    table, report = audit_my_authority(data, 13, frozenset({14, 1, 2}))
    assert report.ok, report.summary()
    instead = table.loc[stand_in("unitary")]
    assert not instead["suppressed"]
    # its count (group 1's six) would leave group 2's two unitary authorities, pooled with
    # its counties, pinned below MIN_LAS against the unitary authorities taking part
    # (data.privacy.count_rule, rule 3): withheld, here and on Compare alike
    assert instead["n_las_suppressed"] and pd.isna(instead["n_las"])
    assert group_1["n_las_suppressed"] and pd.isna(group_1["n_las"])
    assert instead["n"] == group_1["n"] and instead["mean"] == pytest.approx(group_1["mean"])
    for me in (1, 7, 15):  # a viewer inside the shown part, a county in each group
        table, report = audit_my_authority(data, me, frozenset({2, 13, 15}))
        assert report.ok, (me, report.summary())
    county = table.loc[stand_in("county")]  # viewer 15: group 1's six counties
    assert county["n_las"] == 6 and stand_in("county").startswith("Other counties (")


def test_whole_part_is_the_union_of_the_atoms_inside_a_selection():
    # PARTIAL: the unitary selection is group 1's six (their own atom) and group 2's two
    # (pooled with its counties); only group 1's six are its publishable part
    data = rows(PARTIAL)
    unitary = (data["la_type"] == "unitary").to_numpy()
    part = whole_part(data, unitary, RULES)
    assert set(data.loc[part, "authority_id"]) == set(range(1, 7))
    assert not (part & ~unitary).any()
    # a selection that is itself whole atoms is all of its own publishable part
    group_1 = (data["supplier_id"] == 1).to_numpy()
    assert (whole_part(data, group_1, RULES) == group_1).all()


# Counties too few in every group to be an atom of their own (the demo's case): group 1 pools
# its two counties with six unitary authorities, group 2 its two with six metropolitan
# districts; group 3 is six unitary authorities alone. Compare shows c for England's
# counties and no part of them apart from other types, but shows each group.
COUNTIES = [
    *[(a, 1, "NE", "unitary", 12) for a in range(1, 7)],
    *[(a, 1, "SW", "county", 12) for a in (7, 8)],
    *[(a, 2, "NW", "metropolitan_district", 12) for a in range(9, 15)],
    *[(a, 2, "SW", "county", 12) for a in (15, 16)],
    *[(a, 3, "NE", "unitary", 12) for a in range(17, 23)],
]


def test_county_with_no_part_apart_gets_counties_with_what_they_share_atoms_with():
    data = rows(COUNTIES)
    county = (data["la_type"] == "county").to_numpy()
    assert not whole_part(data, county, RULES).any()  # the first candidate is empty
    assert _compare_cell(data, ALL_GROUPS, la_type="county")["suppressed"]
    table, report = audit_my_authority(data, 7, frozenset({8, 15, 16}))
    assert report.ok, report.summary()
    assert table.loc[NEIGHBOURS, "suppressed"]
    name = stand_in_cover("county")
    assert name == "Other counties and authorities combined with them (in place of neighbours)"
    assert stand_in("county") not in table.index  # one stand-in row: the one that is shown
    cover = table.loc[name]
    # the smallest union of whole atoms holding every county: groups 1 and 2, so it is
    # Compare's two group cells added up, less the viewer's own figures
    s1, s2 = _compare_cell(data, "S1"), _compare_cell(data, "S2")
    assert not cover["suppressed"] and cover["n_las"] == 15
    assert cover["n"] + table.loc[YOU, "n"] == s1["n"] + s2["n"]
    total = cover["mean"] * cover["n"] + table.loc[YOU, "mean"] * table.loc[YOU, "n"]
    assert total == pytest.approx(s1["mean"] * s1["n"] + s2["mean"] * s2["n"])
    assert cover["reason"].startswith(
        "shown instead of your statistical neighbours, as none of the other counties can be "
        "shown apart from other types of authority: all of them, together with"
    )
    assert COVER not in cover["reason"]
    note = hidden_note(table.reset_index())
    assert "shown instead: other counties and authorities combined with them (counties" in note
    # the same rule for every type, and every viewer passes the auditor
    seen = {}
    for me in (1, 9, 15, 17):
        seen[me], report = audit_my_authority(data, me, frozenset({8, 15, 16}))
        assert report.ok, (me, report.summary())
    # viewer 1 (pooled with counties): its type's part, group 3's six unitary authorities
    assert seen[1].loc[stand_in("unitary"), "n_las"] == 6
    assert stand_in_cover("unitary") not in seen[1].index
    # viewer 17: that part less itself is its own supplier group, already shown, so the next
    # candidate: every unitary authority with the counties the site shows with them
    assert stand_in("unitary") not in seen[17].index
    cover17 = seen[17].loc[stand_in_cover("unitary")]
    assert not cover17["suppressed"]
    # its 13 authorities include group 1's two SW counties, pooled in atoms with unitary
    # authorities: the count rule withholds the count (Compare would too)
    assert cover17["n_las_suppressed"] and pd.isna(cover17["n_las"])
    assert seen[17].loc[GROUP, "n_las"] == 5


def test_a_stand_in_that_repeats_england_or_the_group_is_not_offered():
    # groups 1 and 2 only: every authority shares an atom with a county, so "counties with
    # what the site can only show with them" is England, which the page shows anyway
    data = rows(COUNTIES[:16])
    table, report = audit_my_authority(data, 7, frozenset({8, 15, 16}))
    assert report.ok, report.summary()
    assert stand_in_cover("county") not in table.index
    hidden = table.loc[stand_in("county")]
    assert hidden["suppressed"] and pd.isna(hidden["mean"])
    assert hidden["reason"].endswith("is all of England, shown already")
    # nor one that would be the viewer's supplier group again: only group 1 has counties
    data = rows([*COUNTIES[:8], *[(a, 2, "NW", "metropolitan_district", 12)
                                  for a in range(9, 15)], *COUNTIES[16:]])  # fmt: skip
    table, report = audit_my_authority(data, 7, frozenset({8}))
    assert report.ok, report.summary()
    assert not table.loc[GROUP, "suppressed"] and stand_in_cover("county") not in table.index
    assert table.loc[stand_in("county"), "reason"].endswith("is your supplier group, shown already")


def test_whole_cover_is_the_union_of_the_atoms_touching_a_selection():
    data = rows(COUNTIES)
    county = (data["la_type"] == "county").to_numpy()
    cover = whole_cover(data, county, RULES)
    assert set(data.loc[cover, "authority_id"]) == set(range(1, 17))
    group_3 = (data["supplier_id"] == 3).to_numpy()
    assert (whole_cover(data, group_3, RULES) == group_3).all()  # already whole atoms
    with pytest.raises(ValueError, match="mask has"):
        whole_cover(data, county[:-1], RULES)
