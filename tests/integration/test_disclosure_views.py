"""Every Themes view, for every role, reads from the protected source (data.privacy.cube),
and all of them together pass the auditor: each chart's table alternative equals the cube's
table for the same selection, summary sentences quote only published figures, lists show
only the viewer's own rows and rows of atoms inside the selection, and a forged filter
value gets the answer for "all". My authority's comparators, for each LA user, read from
the protected score source and pass the auditor together with every Compare and Overview
score cell."""

from __future__ import annotations

import itertools
import re
import time

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select

from data.pages import my_authority as ma
from data.pages.themes import RESPONDENTS, cube_filters, finding_cube, finding_rows
from data.privacy.auditor import audit, contributions_of, table_figures
from data.privacy.cube import DIMS
from data.privacy.disclosure import DisclosureRules
from data.privacy.narrowing import ENGLAND
from data.privacy.views import (
    authority_targets,
    compare_figures,
    score_contributions,
    set_figures,
)
from data.queries.filter_options import period_rows
from data.queries.filters import THEMES as SPEC
from data.store.db import make_engine, make_sessionmaker, session_scope
from data.store.models import Authority
from tests.integration import test_analysis_pages as pages
from tests.integration.test_analysis_pages import MY, PERIODS, THEMES, chart, findings, rows_of

analysis_db, analysis_app, as_ = pages.analysis_db, pages.analysis_app, pages.as_  # fixtures

RULES = DisclosureRules()
MEASURES = ("findings", RESPONDENTS)
PERIOD = "2010-Q2"
CHARTS = {
    "themes-by-theme": (["theme"], {"theme": "All themes"}),
    "themes-by-group": (["group", "theme"], {"group": ENGLAND}),
    "themes-by-area": (["workflow_area", "severity"], {"severity": "All severities"}),
}
FILTERS = {  # control -> values tried (one or two filters at a time)
    "themes-region": ["London", "South West", "North East"],
    "themes-la-type": ["unitary", "county"],
    "themes-group": ["OLM", "Corelogic", "Esprit"],
    "themes-theme": ["NAV", "SPD"],
}
KEYS = {"themes-region": "region", "themes-la-type": "type", "themes-group": "group",
        "themes-theme": "theme"}  # fmt: skip


def _selections():
    yield {}
    for control, values in FILTERS.items():
        for v in values:
            yield {control: v}
    yield {"themes-region": "London", "themes-la-type": "london_borough"}
    yield {"themes-region": "South West", "themes-group": "Corelogic"}


def _values(sel: dict) -> list:
    return [PERIOD if f == "themes-period" else sel.get(f, "all") for f in THEMES]


def _findings_column(table: list[dict]) -> list[str]:
    return sorted(str(r["Findings"]) for r in table)


@pytest.mark.parametrize("user", ["coord", "la", "nlar"])
def test_every_themes_view_reads_the_cube_and_all_pass_the_auditor(as_, analysis_db, user):
    client = as_(user)
    sessions = make_sessionmaker(make_engine(analysis_db))
    with session_scope(sessions) as s:
        cube = finding_cube(s, RULES)
        rows = finding_rows(s, None, RULES)
        own_ids = set()
        if user != "coord":
            name = {"la": "Ashby", "nlar": "Dunmore"}[user]
            own_ids = set(s.scalars(select(Authority.id).where(Authority.name == name)))
    raw = rows.assign(group=rows["group"].astype(str))
    raw = raw.loc[raw["period"].astype(str) == PERIOD]
    figs = []
    for sel in _selections():
        selection = SPEC.select(period=PERIOD, **{KEYS[k]: v for k, v in sel.items()})
        wanted = cube_filters(selection)
        for prefix, (by, totals) in CHARTS.items():
            out = chart(client, prefix, _values(sel), THEMES)
            shown = rows_of(out, prefix)
            group = selection.get("group")
            folded = group is not None and "group" not in by and (
                set(raw.loc[raw["supplier"] == group, "group"]) != {group})  # fmt: skip
            narrowed = {k: v for k, v in wanted.items() if not (folded and k == "group")}
            expected = cube.table(by, narrowed, totals=totals)
            if folded:  # a group folded into "Other suppliers": every figure c
                expected = expected.assign(suppressed=True)
            pairs = zip(expected["findings"], expected["suppressed"], strict=True)
            want = sorted("c" if s else str(int(f)) for f, s in pairs)
            assert _findings_column(shown) == want, (prefix, sel)
            published = {int(f) for f, s in zip(expected["findings"], expected["suppressed"],
                         strict=True) if not s}  # fmt: skip
            summary = out[f"{prefix}-summary"]["children"]
            quoted = {int(n) for n in re.findall(r"\((\d+)(?: of (\d+))?\)", summary)[0] if n} if (
                re.search(r"\((\d+)", summary)) else set()  # fmt: skip
            assert quoted <= published, (prefix, sel, summary)
            figs += table_figures(expected, raw, ("period", *DIMS), by, wanted, MEASURES,
                                  f"{prefix} {sel}", totals=totals)  # fmt: skip
        listed = findings(client, _values(sel))["themes-list"]["rowData"]
        others = [r for r in listed if not r["authority"]]
        assert len(others) <= len(listed)
    contrib = contributions_of(raw, ("period", *DIMS), ("findings", RESPONDENTS),
                               respondents=RESPONDENTS)  # fmt: skip
    report = audit(figs, contrib, RULES, own=own_ids)
    assert report.ok, report.summary()


def test_forged_filter_values_get_the_answer_for_all(as_):
    client = as_("coord")
    plain = chart(client, "themes-by-theme", _values({}), THEMES)
    for forged in ("Nowhere", "<script>", "London' OR 1=1 --", ["London", "South West"]):
        out = chart(client, "themes-by-theme", _values({"themes-region": forged}), THEMES)
        assert rows_of(out, "themes-by-theme") == rows_of(plain, "themes-by-theme")


def test_findings_list_rows_of_others_never_carry_a_name(as_):
    for user, sel in itertools.product(["coord", "la", "nlar"], _selections()):
        listed = findings(as_(user), _values(sel))["themes-list"]["rowData"]
        names = {"la": {"Ashby", ""}, "nlar": {"Dunmore", ""}, "coord": {""}}[user]
        assert {r["authority"] for r in listed} <= names


# --- My authority ---------------------------------------------------------------------------

MY_USERS = {"la": "Ashby", "la2": "Bexford", "la_b": "Fernshire", "nlar": "Dunmore"}


def _members(rows: pd.DataFrame, me: int, neighbour_ids: frozenset) -> dict[str, np.ndarray]:
    """Each comparator's other authorities as the product defines them (per period, "your
    group" is the supplier the LA used then), written here rather than taken from the page;
    the stand-in for hidden neighbours is the page's selection (tested against Compare in
    tests/unit/test_my_authority.py), less the viewer."""
    la = rows["authority_id"].to_numpy()
    period = rows["period"].astype(str).to_numpy()
    supplier = rows["supplier_id"].to_numpy()
    own_supplier = {p: s for p, s, a in zip(period, supplier, la, strict=True) if a == me}
    in_group = np.array([own_supplier.get(p) == s for p, s in zip(period, supplier,
                                                                  strict=True)])  # fmt: skip
    return {
        ma.GROUP: in_group & (la != me),
        ma.NEIGHBOURS: np.isin(la, list(neighbour_ids)) & (la != me),
        ma.ENGLAND: la != me,
        **{k: v & (la != me) for k, v in ma.stand_in_sets(rows, me, RULES).items()},
    }


def _shown(rows: list[dict]) -> list[tuple]:
    return sorted((r["Compared with"], r["Authorities"], r["Mean"] == "c") for r in rows)


def _expected(table: pd.DataFrame) -> list[tuple]:
    return sorted(
        (c, "c" if s or w else str(int(n)), bool(s))
        for c, n, s, w in zip(
            table["comparator"],
            table["n_las"],
            table["suppressed"],
            table["n_las_suppressed"],
            strict=True,
        )
    )


AUDITED = ("SUS", "NAV")  # every measure is its own partition: the slow test audits all


@pytest.fixture(scope="module")
def score_rows(analysis_db) -> pd.DataFrame:
    with session_scope(make_sessionmaker(make_engine(analysis_db))) as s:
        rows = period_rows(s, PERIODS, RULES)
    return rows.loc[rows["measure"] != "GEN"].reset_index(drop=True)


@pytest.fixture(scope="module")
def compare_figs(score_rows) -> list:
    """Every Compare / Overview score cell of the audited measures (the same for every
    viewer)."""
    return compare_figures(score_rows.loc[score_rows["measure"].isin(AUDITED)], RULES)


def _my_authority(analysis_db, score_rows, user):
    with session_scope(make_sessionmaker(make_engine(analysis_db))) as s:
        me = s.scalar(select(Authority.id).where(Authority.name == MY_USERS[user]))
        hood = ma.neighbours(s, me)
        periods = ma.own_periods(s, me)
    rows = score_rows.loc[score_rows["period"].isin(periods)].reset_index(drop=True)
    return me, hood, periods, rows, ma._comparator_table(rows, me, hood, RULES)


def _audit_my_authority(rows, table, me, hood, compare):
    start = time.perf_counter()
    figs = [*compare, *set_figures(table, rows, _members(rows, me, hood.ids), {me}, "my")]
    report = audit(figs, score_contributions(rows), RULES, own={me},
                   targets=authority_targets(rows), exhaustive=False)  # fmt: skip
    assert report.ok, report.summary()
    assert report.checked > 0
    print(f"{me}: {len(figs)} figures, {report.checked} targets, "
          f"{time.perf_counter() - start:.1f} s")  # fmt: skip


@pytest.mark.parametrize("user", list(MY_USERS))
def test_my_authority_reads_the_score_cube_and_passes_the_auditor_with_compare(
    as_, analysis_db, score_rows, compare_figs, user
):
    client = as_(user)
    me, hood, periods, rows, table = _my_authority(analysis_db, score_rows, user)
    assert (~table["suppressed"]).sum() > (table["comparator"] == ma.YOU).sum()  # not vacuous
    # the neighbours are hidden, so each period and measure has the stand-in's row too
    instead = table.loc[~table["comparator"].isin(ma.COMPARATORS)]
    hidden = table.loc[(table["comparator"] == ma.NEIGHBOURS) & table["suppressed"]]
    assert len(instead) == len(hidden) > 0
    if user == "la_b":  # a county: no part of the counties apart, so counties with the rest
        cover = instead.loc[instead["comparator"] == ma.stand_in_cover("county")]
        assert len(cover) and not cover["suppressed"].any()
    for period in periods:  # the profile chart's table alternative, as the page shows it
        out = chart(client, "my-authority-profile", [period, "SUS"], MY)
        want = table.loc[table["period"] == period]
        assert _shown(rows_of(out, "my-authority-profile")) == _expected(want), period
    for measure in AUDITED:  # the trend chart's, over every period
        out = chart(client, "my-authority-trend", [periods[-1], measure], MY)
        want = table.loc[table["measure"] == measure]
        assert _shown(rows_of(out, "my-authority-trend")) == _expected(want), measure
    audited = rows["measure"].isin(AUDITED).to_numpy()
    part = rows.loc[audited].reset_index(drop=True)
    _audit_my_authority(part, table.loc[table["measure"].isin(AUDITED)], me, hood, compare_figs)


@pytest.mark.slow
def test_my_authority_and_compare_pass_the_auditor_on_every_measure(analysis_db, score_rows):
    me, hood, _periods, rows, table = _my_authority(analysis_db, score_rows, "la")
    _audit_my_authority(rows, table, me, hood, compare_figures(rows, RULES))


COMPARE_VALUES = ["2010-Q2", "all", "all", "all", "SUS"]


@pytest.mark.parametrize("user", ["coord", "la", "nlar"])
def test_compare_spread_reads_the_protected_bands(as_, analysis_db, user):
    """The spread chart's table is data.privacy.scores_cube.spread_bands for every role:
    the same bands, figures or c, whoever asks (no band depends on the viewer)."""
    from data.privacy.scores_cube import spread_bands
    from data.queries.filter_options import measure_rows

    out = chart(as_(user), "compare-spread", COMPARE_VALUES, pages.COMPARE)
    none = "too few authorities for bands"
    shown = [r for r in rows_of(out, "compare-spread") if r["Band"] != none]
    with session_scope(make_sessionmaker(make_engine(analysis_db))) as s:
        bands = spread_bands(measure_rows(s, (PERIOD,), "SUS", RULES), RULES)
    bands = bands.loc[bands["position"] >= 0]
    want = sorted("c" if sup else f"{m:.1f}" for m, sup in zip(bands["mean"], bands["suppressed"],
                  strict=True))  # fmt: skip
    assert sorted(r["Mean"] for r in shown) == want
    assert all(r["Authorities"] == "c" or int(r["Authorities"]) >= RULES.min_las + 2 for r in shown)


def test_nlar_breakdown_never_hides_exactly_one_authority(as_):
    """Group minus shown rows must not be one hidden authority (secondary suppression)."""
    out = chart(as_("nlar"), "compare-breakdown", COMPARE_VALUES, pages.COMPARE)
    rows = rows_of(out, "compare-breakdown")
    hidden = [r for r in rows if r["Mean"] == "c"]
    assert rows and len(hidden) != 1
