"""The protected source (data.privacy.cube): the three leak classes of issue 15 reproduced
on the previous per-view guard, and closed by the cube over every view of a fixture."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from data.privacy.auditor import audit, contributions_of, table_figures
from data.privacy.cube import (
    DIMS,
    LA_DIMS,
    AtomRule,
    build_cube,
    findings_listing,
)
from data.privacy.disclosure import DisclosureRules
from data.privacy.identifying import redact_names
from data.privacy.narrowing import ENGLAND, fold_period, guarded_cells, summed_cells
from data.privacy.views import themes_figures
from data.queries.filters import THEMES

RESPONDENTS = "respondents_raising"

RULES = DisclosureRules()
P = "2010-Q1"
M = ("findings", RESPONDENTS)
CELL = ("period", *DIMS)
# authority -> (group, region, LA type)
LAS = {
    1: ("A", "NE", "unitary"),
    **{a: ("B", "NE", "unitary") for a in (2, 3, 4, 5)},
    **{a: ("B", "NE", "county") for a in (6, 7, 8)},
    **{a: ("A", "SW", "county") for a in (9, 10)},
    **{a: ("A", "SW", "unitary") for a in (11, 12)},
    **{a: ("C", "SW", "county") for a in (13, 14)},
    **{a: ("C", "SW", "unitary") for a in (15, 16)},
}


def _findings() -> pd.DataFrame:
    """One row per finding (findings = 1)."""
    out = []

    def add(a, theme, k, resp):
        g, r, t = LAS[a]
        for i in range(k):
            share = resp // k + (1 if i < resp % k else 0)
            text = f"{theme} problem {a}.{i}"
            out.append((a, g, P, r, t, theme, "supplier", "general", "high", 1, share, text, ""))

    for a in LAS:
        for theme, k, resp in (("T1", 2, 8), ("T2", 1, 6), ("T3", 3, 10)):
            add(a, theme, k, resp)
    add(1, "T4", 4, 12)  # group A's T4: one authority
    for a in (9, 10, 11):
        add(a, "T5", 1, 4)
    for a in (13, 14, 15, 16, 2, 3, 4):
        add(a, "T5", 3, 10)
    cols = ["authority_id", "group", "period", "region", "la_type", "theme", "category",
            "workflow_area", "severity", "findings", RESPONDENTS, "description",
            "suggested_change"]  # fmt: skip
    return pd.DataFrame(out, columns=cols)


FINDINGS = _findings()
KEYS = ["authority_id", "group", "period", "region", "la_type", "theme", "category",
        "workflow_area", "severity"]  # fmt: skip
OLD_ROWS = fold_period(
    FINDINGS.groupby(KEYS, as_index=False)[list(M)].sum(), RULES, respondents_col=RESPONDENTS
)
OLD_DIMS = ("period", "supplier", "theme", "category", "workflow_area", "severity", "region",
            "la_type")  # fmt: skip


def _old_cells(rows, by):
    return summed_cells(rows, by, {"findings": "findings", RESPONDENTS: RESPONDENTS},
                        RESPONDENTS, skip_empty=False)  # fmt: skip


def old_counts(rows, by, f, totals=None):
    """The per-view narrowing guard the Themes page used before the protected source."""
    narrowing = f.narrowing(without=[*by, *(["supplier"] if "group" in by else [])])
    return guarded_cells(rows, by, narrowing, RULES, build=_old_cells, totals=totals,
                         respondents_col=RESPONDENTS, value_cols=M)  # fmt: skip


def old_listable(rows, f) -> bool:
    """The previous listing rule: the whole selection passes the guard."""
    cell = old_counts(rows, [], f)
    return bool(len(cell)) and not bool(cell["suppressed"].iloc[0])


def ThemeFilters(**values):  # noqa: N802 (reads like the old class)
    values = {("type" if k == "la_type" else k): v for k, v in values.items()}
    return THEMES.select(**values)


def _population(**attrs) -> set[int]:
    idx = {"group": 0, "region": 1, "la_type": 2}
    return {a for a, v in LAS.items() if all(v[idx[k]] == x for k, x in attrs.items())}


# ---- the leaks, reproduced on the per-view guard -------------------------------------------


def test_leak1_old_list_rows_attributable_to_one_authority():
    f = ThemeFilters(period=P, region="NE", la_type="unitary")
    assert old_listable(OLD_ROWS, f)  # the selection as a whole rests on 5 LAs
    # ... and the list shows each row's supplier group: group A there is one authority
    assert len(_population(group="A", region="NE", la_type="unitary")) == 1


def test_leak2_old_views_recover_a_suppressed_cell_by_subtraction():
    by_theme = ThemeFilters(period=P, group="A")
    t1 = old_counts(OLD_ROWS, ["theme"], by_theme, totals={"theme": "All"})
    t2 = old_counts(OLD_ROWS, ["group", "theme"], ThemeFilters(period=P),
                    totals={"group": ENGLAND})  # fmt: skip
    figs = table_figures(t1, OLD_ROWS, OLD_DIMS, ["theme"], by_theme.narrowing(), M, "by theme",
                         totals={"theme": "All"})  # fmt: skip
    figs += table_figures(t2, OLD_ROWS, OLD_DIMS, ["group", "theme"], {"period": P}, M,
                          "heatmap", totals={"group": ENGLAND})  # fmt: skip
    report = audit(figs, contributions_of(OLD_ROWS, OLD_DIMS, M, respondents=RESPONDENTS), RULES)
    assert {"inconsistent", "interval"} <= report.kinds(), report.summary()


def test_leak3_old_rows_linked_across_region_and_type_filters():
    listed_under = [
        ThemeFilters(period=P, region="NE"),
        ThemeFilters(period=P, la_type="unitary"),
        ThemeFilters(period=P, group="A"),
    ]
    assert all(old_listable(OLD_ROWS, f) for f in listed_under)
    # LA 1's rows appear under all three: the intersection is LA 1 alone
    assert _population(group="A", region="NE", la_type="unitary") == {1}


# ---- the cube closes them ------------------------------------------------------------------

CUBE = build_cube(FINDINGS, RULES)
VALUES = {d: sorted(FINDINGS[d].unique()) for d in ("group", "region", "la_type", "theme")}


def _selections():
    for combo in itertools.product(*[[None, *v] for v in VALUES.values()]):
        yield {"period": P, **dict(zip(VALUES, combo, strict=True))}


def cube_figures(own=frozenset()):
    """Every figure of every Themes chart, total and list for every filter combination."""
    return [f for sel in _selections() for f in themes_figures(CUBE, FINDINGS, sel, own)]


def test_every_atom_is_safe_for_every_viewer():
    rule = AtomRule(RULES)
    rows = CUBE.rows
    for atom in range(CUBE.n_atoms):
        part = rows.loc[rows["atom"] == atom]
        per_la = part.groupby("authority_id")[list(M)].sum().to_numpy(float)
        assert rule.safe(per_la) or CUBE.atom_size[atom] > len(part)


@pytest.mark.parametrize(
    "own", [frozenset(), pytest.param(frozenset({1}), marks=pytest.mark.slow), frozenset({9})]
)
def test_cube_views_together_pass_the_auditor(own):
    figs = cube_figures(own)
    contrib = contributions_of(FINDINGS, CELL, M, respondents=RESPONDENTS)
    finest = [f for f in _finest_targets()]
    report = audit(figs, contrib, RULES, own=own, targets=finest, exhaustive=True)
    assert report.ok, report.summary()
    assert report.checked > 0
    assert any(f.shown for f in figs)  # not vacuous: something is published


def _finest_targets():
    from data.privacy.auditor import Figure, cell_keys

    keys = cell_keys(FINDINGS, CELL)
    for la_attrs in itertools.product(*[sorted(FINDINGS[d].unique()) for d in LA_DIMS]):
        mask = np.ones(len(FINDINGS), dtype=bool)
        for d, v in zip(LA_DIMS, la_attrs, strict=True):
            mask &= (FINDINGS[d] == v).to_numpy()
        if mask.any():
            yield Figure(f"population {la_attrs}", frozenset(keys[mask]))


def test_same_cell_same_answer_in_every_view():
    figs = cube_figures()
    answers: dict = {}
    for f in figs:
        answers.setdefault(f.cells, set()).add(None if not f.shown else tuple(f.values.values()))
    assert all(len(a) == 1 for a in answers.values())


def test_listed_rows_anonymity_sets_hold_across_views():
    """Everything a row reveals in any view (the filters it is listed under, its group
    label) must still match at least min_las + 1 authorities with findings there."""
    revealed: dict[str, dict[str, set]] = {}
    for sel in _selections():
        listing = findings_listing(CUBE, FINDINGS, sel)
        for _, row in listing.source.iterrows():
            seen = revealed.setdefault(row["description"], {})
            for d in ("group", "region", "la_type"):
                if sel.get(d) is not None:
                    seen.setdefault(d, set()).add(sel[d])
    assert revealed, "the fixture must list something"
    for text, attrs in revealed.items():
        assert all(len(v) == 1 for v in attrs.values())
        match = FINDINGS
        for d, v in attrs.items():
            match = match.loc[match[d] == next(iter(v))]
        theme = FINDINGS.loc[FINDINGS["description"] == text, "theme"].iloc[0]
        authorities = set(match.loc[match["theme"] == theme, "authority_id"])
        assert len(authorities) >= RULES.min_las + 1, (text, attrs)


def test_leak1_closed_no_row_of_a_one_la_group_is_listed_with_its_group():
    listing = findings_listing(CUBE, FINDINGS, {"period": P, "region": "NE", "la_type": "unitary"})
    assert not (listing.source["authority_id"] == 1).any()
    assert "not listed" in listing.note(RULES) or listing.left_out == 0


def test_own_findings_listed_in_full_with_name():
    listing = findings_listing(
        CUBE, FINDINGS, {"period": P, "group": "A"}, own={1}, own_names={1: "Morbridge"}
    )
    mine = listing.rows.loc[listing.rows["authority"] == "Morbridge"]
    assert len(mine) == int((FINDINGS["authority_id"] == 1).sum())
    assert (listing.rows.loc[listing.rows["authority"] != "Morbridge", "authority"] == "").all()


def test_unknown_dimension_is_refused():
    with pytest.raises(ValueError, match="unknown dimension"):
        CUBE.table(["theme"], {"postcode": "NE1"})


def test_redaction_of_place_and_product_names():
    text = "In Morbridge the Paris ICS chronology (north-east team) loses work."
    out = redact_names(text, ["Morbridge", "North East"], "place")
    assert "Morbridge" not in out and "[redacted: place]" in out
    assert redact_names(out, ["Paris ICS"], "product").count("[redacted: product]") == 1
    with pytest.raises(ValueError, match="unknown redaction kind"):
        redact_names(text, ["x"], "colour")


def test_rows_read_next_to_a_pseudonym_elsewhere_keep_the_group_hidden_among_enough():
    """A viewer who reads a finding next to its pseudonym and group (requirements
    drill-down) learns the atom's regions and LA types from the Themes list: the group's
    authorities there must still be at least min_las + 1."""
    from data.pages.themes import _hides_pseudonym, group_places

    rows = group_places(FINDINGS.assign(supplier=FINDINGS["group"]))
    seen = set()
    for rules in (RULES, DisclosureRules(min_las=4)):
        for atom, dims in enumerate(CUBE.atom_dims):
            for group in sorted(dims["group"]):
                las = {a for a, (g, r, t) in LAS.items()
                       if g == group and r in dims["region"] and t in dims["la_type"]}  # fmt: skip
                hides = _hides_pseudonym(CUBE, rows, atom, group, rules)
                assert hides == (len(las) >= rules.min_las + 1)
                seen.add(hides)
    assert seen == {True, False}  # both outcomes occur


def test_unlinking_pseudonyms_drops_whole_atoms_never_single_rows():
    from data.pages.themes import _unlink_pseudonyms
    from data.privacy.cube import list_choice

    found = FINDINGS.assign(supplier=FINDINGS["group"])
    before = list_choice(CUBE, found, {"period": P})
    strict = DisclosureRules(min_las=4)  # needs 5 of a group: drops some atoms here
    after = _unlink_pseudonyms(CUBE, found, found, before, None, strict)
    atoms = CUBE.atom_of(found)
    assert after.listed.sum() < before.listed.sum()
    for atom in set(atoms[before.listed]):
        kept = after.listed[atoms == atom]
        assert kept.all() or not kept.any()  # counting what is left gives only atom totals
    assert after.left_out == int((~after.listed).sum())
