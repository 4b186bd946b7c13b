"""Published "number of LAs" figures (data.privacy.la_counts): a combination that pins a
suppressed cell's LA count below MIN_LAS must be found; a protected one must come out clean."""

from __future__ import annotations

import time

import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from data.privacy import la_counts
from data.privacy.auditor import Figure, contributions_of
from data.privacy.cube import build_cube
from data.privacy.disclosure import DisclosureRules
from data.privacy.la_counts import audit_la_counts

RULES = DisclosureRules()
DIMS = ("group", "region", "theme")
M = ("findings", "respondents_raising")
REGION = {la: ("NE" if la <= 5 or la == 12 else "SW") for la in range(1, 13)}


def frame(rows: list[tuple]) -> pd.DataFrame:
    """(authority, group, region, theme, findings, respondents)."""
    return pd.DataFrame(rows, columns=["authority_id", *DIMS, *M])


def fig(rows, view, shown=True, *, las=True, find=True, **fixed) -> Figure:
    mask = pd.Series(True, index=rows.index)
    for k, v in fixed.items():
        mask &= rows[k] == v
    part = rows.loc[mask]
    cells = frozenset(part[list(DIMS)].astype(str).itertuples(index=False, name=None))
    values = {}
    if find:
        values.update({m: float(part[m].sum()) for m in M})
    if las:
        values["n_las"] = float(part["authority_id"].nunique())
    return Figure(view, cells, values if shown else None)


def possible(la, cell) -> bool:  # an authority's region is public
    return REGION[la] == cell[1]


def one_group(cell):  # an authority uses one supplier group
    return ("period", cell[0])


def run(rows, figures, **kw):
    contrib = contributions_of(rows, DIMS, M, respondents=M[1])
    return audit_la_counts(figures, contrib, RULES, possible=possible, **kw)


# region NE: group A has one LA, group B four
LEAKY = frame(
    [(1, "A", "NE", "T1", 2, 12)]
    + [(a, "B", "NE", "T1", 3, 20) for a in (2, 3, 4, 5)]
    + [(a, "B", "SW", "T1", 3, 20) for a in (6, 7, 8, 9)]
)


def test_region_count_minus_group_count_pins_a_suppressed_group_to_one_la():
    figures = [
        fig(LEAKY, "NE", region="NE", find=False),
        fig(LEAKY, "NE x B", region="NE", group="B", find=False),
        fig(LEAKY, "NE x A", False, region="NE", group="A"),
    ]
    report = run(LEAKY, figures, profile=one_group, findings=None)
    assert report.kinds() == {"la_count"}, report.summary()
    assert report.exposures[0].high == 1.0


def test_without_the_group_count_the_same_cell_is_not_pinned():
    figures = [
        fig(LEAKY, "NE", region="NE", find=False),
        fig(LEAKY, "NE x B", False, region="NE", group="B"),
        fig(LEAKY, "NE x A", False, region="NE", group="A"),
    ]
    report = run(LEAKY, figures, profile=one_group, findings=None)
    assert report.ok, report.summary()
    assert report.checked == 1


def test_a_published_findings_total_bounds_the_count_of_authorities():
    # NE has 14 findings, B in NE 12: A in NE has 2 findings, so at most 2 authorities
    figures = [
        fig(LEAKY, "NE", region="NE", las=False),
        fig(LEAKY, "NE x B", region="NE", group="B", las=False),
        fig(LEAKY, "NE x A", False, region="NE", group="A"),
    ]
    report = run(LEAKY, figures)
    assert "la_count" in report.kinds(), report.summary()


# region N2 holds two participating authorities: 10 raised T1 and T2, 11 only T1
SMALL_ZONE = frame(
    [(10, "A", "N2", "T1", 2, 12), (10, "A", "N2", "T2", 1, 12), (11, "A", "N2", "T1", 3, 12)]
)


def small_zone_run(figures):
    where = {10: "N2", 11: "N2"}
    contrib = contributions_of(SMALL_ZONE, DIMS, M, respondents=M[1])
    return la_counts.la_count_audit(
        figures, contrib, RULES, possible=lambda la, c: where[la] == c[1]
    )


def test_a_cell_small_by_who_takes_part_alone_is_no_exposure():
    # N2 x T2 can hold at most two authorities whatever is published (N2 has two): the
    # published region count (2) and T1 (2) say nothing more about it
    audit = small_zone_run([
        fig(SMALL_ZONE, "N2", region="N2", find=False),
        fig(SMALL_ZONE, "N2 x T1", region="N2", theme="T1", find=False),
        fig(SMALL_ZONE, "N2 x T2", False, region="N2", theme="T2"),
    ])  # fmt: skip
    assert audit.report.ok, audit.report.summary()
    assert audit.report.checked == 1 and audit.small_by_reference == 1


def test_published_findings_pinning_a_small_cell_lower_still_is_an_exposure():
    # N2 has 6 findings and T1 5: T2 has one finding, so one authority, below the two that
    # who takes part allows
    audit = small_zone_run([
        fig(SMALL_ZONE, "N2", region="N2", las=False),
        fig(SMALL_ZONE, "N2 x T1", region="N2", theme="T1", las=False),
        fig(SMALL_ZONE, "N2 x T2", False, region="N2", theme="T2"),
    ])  # fmt: skip
    assert audit.report.kinds() == {"la_count"}, audit.report.summary()
    assert audit.report.exposures[0].high == 1.0


def test_the_viewers_own_authority_is_subtracted():
    # the viewer is LA 2: NE's count of 5 leaves 4 others; B's count of 4 leaves 3
    figures = [
        fig(LEAKY, "NE", region="NE", find=False),
        fig(LEAKY, "NE x B", region="NE", group="B", find=False),
        fig(LEAKY, "NE x A", False, region="NE", group="A"),
    ]
    report = run(LEAKY, figures, profile=one_group, findings=None, own={2})
    assert report.kinds() == {"la_count"}, report.summary()


def cube_figures():
    """Four cube tables of a fixture where group A has one authority (in NE)."""
    rows = frame(
        [(a, "B", REGION[a], t, 2 + a % 3, 10 + a) for a in range(1, 12) for t in ("T1", "T2")]
        + [(12, "A", "NE", "T1", 1, 11)]
    ).assign(period="P", category="c", workflow_area="w", severity="low", la_type="u")
    cube = build_cube(rows, RULES)
    figures = []
    for by, filt in ((["group"], {}), (["theme"], {"region": "NE"}), (["region"], {}),
                     (["group", "theme"], {"region": "NE"})):  # fmt: skip
        t = cube.table(by, filt)
        for rec in t.to_dict("records"):
            sel = {**filt, **{d: rec[d] for d in by}}
            shown = not rec["suppressed"]
            f = fig(rows, f"{by} {filt} {rec}", shown, las=not rec["n_las_suppressed"], **sel)
            if shown and not rec["n_las_suppressed"]:
                assert f.values["n_las"] == rec["n_las"]  # the auditor reads the cube's count
            figures.append(f)
    return rows, figures


def test_cube_counts_pass_when_nothing_is_known_of_who_uses_which_group():
    rows, figures = cube_figures()
    started = time.perf_counter()
    report = run(rows, figures)
    assert report.ok, report.summary()
    assert report.checked >= 1
    assert time.perf_counter() - started < 30


def test_cube_counts_pass_knowing_each_authority_uses_one_group():
    # NE's 6 LAs minus B-in-NE x T2's 5 would leave group A at most 1 LA in NE: the cube
    # withholds NE's count (its only part in group A is an atom pooled with group B)
    rows, figures = cube_figures()
    report = run(rows, figures, profile=one_group)
    assert report.ok, report.summary()
    assert report.checked >= 1
    withheld = [f.view for f in figures if f.shown and "n_las" not in f.values]
    assert any("'region': 'NE'" in v and "['region']" in v for v in withheld), withheld


# -- the cube's count rule on other shapes (data.privacy.count_rule) ------------------------
TYPED = ("group", "region", "la_type", "theme")
VIEWS = (
    (["group"], {}), (["region"], {}), (["la_type"], {}), (["theme"], {}),
    (["la_type"], {"region": "NE"}), (["theme"], {"region": "NE"}),
    (["group", "theme"], {"region": "NE"}), (["theme"], {"region": "NE", "la_type": "u"}),
    (["group", "la_type"], {"region": "NE"}), (["region", "la_type"], {}),
)  # fmt: skip


def typed_frame(las: dict[int, tuple], themes: dict[int, tuple]) -> pd.DataFrame:
    """Authority -> (group, region, LA type); authority -> its themes. Findings and
    respondents vary a little per authority so that no two authorities dominate an atom."""
    rows = [(la, *las[la], t, 2 + la % 2, 10 + la % 3) for la in sorted(las) for t in themes[la]]
    frame = pd.DataFrame(rows, columns=["authority_id", *TYPED, *M])
    return frame.assign(period="P", category="c", workflow_area="w", severity="low")


def typed_figures(rows: pd.DataFrame, *, raw: bool = False) -> list[Figure]:
    """Every cell of :data:`VIEWS` as the cube publishes it (``raw``: with every published
    cell's true LA count, as before the count rule). A figure covers the non-empty finest
    cells only: a table lists no row for an empty cell, so a viewer knows which are empty."""
    cube = build_cube(rows, RULES)
    keys = rows[list(TYPED)].astype(str).itertuples(index=False, name=None)
    cells = pd.Series(list(keys), index=rows.index)
    out = []
    for by, filt in VIEWS:
        for rec in cube.table(by, filt).to_dict("records"):
            sel = {**filt, **{d: rec[d] for d in by}}
            mask = pd.Series(True, index=rows.index)
            for k, v in sel.items():
                mask &= rows[k].astype(str) == str(v)
            values = None
            if not rec["suppressed"]:
                values = {m: float(rec[m]) for m in M}
                if raw or not rec["n_las_suppressed"]:
                    values["n_las"] = float(rows.loc[mask, "authority_id"].nunique())
            out.append(Figure(f"{by} {filt} {sel}", frozenset(cells[mask]), values))
    return out


def typed_run(rows: pd.DataFrame, figures: list[Figure], **kw):
    where = rows.groupby("authority_id")[["region", "la_type"]].first()
    where = {la: (r.region, r.la_type) for la, r in where.iterrows()}

    def known(la, cell) -> bool:  # an authority's region and LA type are public
        return where[la] == (cell[1], cell[2])

    contrib = contributions_of(rows, TYPED, M, respondents=M[1])
    return audit_la_counts(figures, contrib, RULES, possible=known, profile=one_group, **kw)


# group A: two unitary authorities in NE, pooled with group B's unitary ones there on T1;
# group B's four NE unitary authorities also have a T2 atom of their own
TWO_IN_NE = typed_frame(
    {21: ("A", "NE", "u"), 22: ("A", "NE", "u"),
     **{la: ("B", "NE", "u") for la in range(23, 27)},
     **{la: ("B", "NE", "m") for la in range(27, 32)},
     **{la: ("B", "SW", "u") for la in range(32, 38)},
     **{la: ("B", "SW", "m") for la in range(38, 43)}},
    {21: ("T1",), 22: ("T1",), **{la: ("T1", "T2") for la in range(23, 43)}},
)  # fmt: skip


def test_raw_counts_of_the_second_fixture_pin_the_two_authority_group():
    # the fixture is adversarial: publishing every published cell's LA count leaks
    report = typed_run(TWO_IN_NE, typed_figures(TWO_IN_NE, raw=True))
    assert "la_count" in report.kinds(), report.summary()


def test_the_count_rule_closes_the_second_fixture_and_withholds_only_some_counts():
    figures = typed_figures(TWO_IN_NE)
    report = typed_run(TWO_IN_NE, figures)
    assert report.ok, report.summary()
    assert report.checked >= 1
    shown = [f for f in figures if f.shown]
    withheld = [f for f in shown if "n_las" not in f.values]
    assert withheld and len(withheld) < len(shown)


def test_the_count_rule_holds_for_an_authority_that_subtracts_its_own():
    # a viewer among group B's NE unitary authorities knows it is one of them
    report = typed_run(TWO_IN_NE, typed_figures(TWO_IN_NE), own={23})
    assert report.ok, report.summary()


def test_a_withheld_count_reads_c_and_the_other_figures_stay():
    cube = build_cube(TWO_IN_NE, RULES)
    tables = [cube.table(by, filt) for by, filt in VIEWS]
    table = next(t for t in tables if (t["n_las_suppressed"] & ~t["suppressed"]).any())
    withheld = table.loc[table["n_las_suppressed"] & ~table["suppressed"]]
    assert withheld["n_las"].isna().all()
    assert withheld["findings"].notna().all() and withheld["respondents_raising"].notna().all()
    from layouts.charts.tables import format_table

    shown = format_table(table, ["findings", "n_las", "respondents_raising"], decimals=0)
    assert set(shown.loc[withheld.index, "n_las"]) == {"c"}
    assert "n_las_suppressed" not in shown


def without_counts(figures: list[Figure]) -> list[Figure]:
    return [f if not f.shown else Figure(f.view, f.cells, {k: v for k, v in f.values.items()
            if k != "n_las"}) for f in figures]  # fmt: skip


@pytest.mark.slow  # two MILP audits per example: about 4 s each on a shared machine
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])  # fmt: skip
@given(
    st.lists(
        st.tuples(
            st.sampled_from("AAB C".replace(" ", "")),  # group (A twice as likely)
            st.sampled_from(["NE", "SW"]),
            st.sampled_from(["u", "m"]),
            st.sets(st.sampled_from(["T1", "T2", "T3"]), min_size=1),
        ),
        min_size=8,
        max_size=16,
    )
)
def test_random_fixtures_publish_no_pinning_count(las):
    rows = typed_frame(
        {i + 1: la[:3] for i, la in enumerate(las)},
        {i + 1: tuple(sorted(la[3])) for i, la in enumerate(las)},
    )
    figures = typed_figures(rows)
    report = typed_run(rows, figures, time_limit=5.0)
    # a region x LA type with fewer than min_las authorities pins its cells whatever is
    # published (the auditor knows who takes part): only what the counts add is the cube's
    public = typed_run(rows, without_counts(figures), time_limit=5.0)
    known = {e.cells for e in public.exposures if e.kind == "la_count"}
    added = [e for e in report.exposures if e.kind == "la_count" and e.cells not in known]
    assert not added, report.summary()
    assert "inconsistent" not in report.kinds(), report.summary()


# -- the fast path (witnesses of safety) gives the plain maximisation's answers ------------

AUTHORITIES = st.lists(
    st.tuples(st.sampled_from("AB"), st.sampled_from(["T1", "T2", "T3"]), st.integers(1, 3)),
    min_size=1,
    max_size=3,
)


@st.composite
def fixtures(draw):
    """Up to six authorities of two regions, each with findings in a few (group, theme)
    cells, and every subcube of group x region x theme as a figure: shown (with or without
    its LA count or findings) or suppressed at random."""
    rows = []
    for la in range(1, draw(st.integers(2, 6)) + 1):
        region = draw(st.sampled_from(["NE", "SW"]))
        for group, theme, n in draw(AUTHORITIES):
            rows.append((la, group, region, theme, n, 5 * n))
    data = frame(rows).drop_duplicates(["authority_id", *DIMS])
    figures = []
    for by in [(), ("group",), ("region",), ("theme",), ("group", "region"),
               ("group", "theme"), ("region", "theme"), DIMS]:  # fmt: skip
        for values in data[list(by)].drop_duplicates().itertuples(index=False, name=None):
            sel = dict(zip(by, values, strict=True))
            shown = draw(st.booleans())
            figures.append(fig(data, f"{sel}", shown, las=draw(st.booleans()),
                               find=draw(st.booleans()), **sel))  # fmt: skip
    return data, figures


def region_of(rows):
    where = dict(zip(rows["authority_id"], rows["region"], strict=False))
    return lambda la, cell: where[la] == cell[1]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fixtures(), st.booleans(), st.booleans(), st.integers(0, 3))
def test_the_fast_path_finds_exactly_the_maximisations_exposures(case, regions, groups, own):
    rows, figures = case
    contrib = contributions_of(rows, DIMS, M, respondents=M[1])
    kw = dict(possible=region_of(rows) if regions else None,
              profile=one_group if groups else None, own={own})  # fmt: skip
    fast = audit_la_counts(figures, contrib, RULES, **kw)
    exact = audit_la_counts(figures, contrib, RULES, fast=False, **kw)
    assert fast.checked == exact.checked
    assert [(e.kind, e.cells, e.high) for e in fast.exposures] == [
        (e.kind, e.cells, e.high) for e in exact.exposures
    ]


def test_the_fast_path_settles_safe_targets_by_witness(monkeypatch):
    """On the cube fixture every target is safe and the witness proves it, so the whole
    model is never maximised; on the leaky fixture the maximisation still runs and reports."""
    calls = []
    original = la_counts._Solver.max_count

    def counted(self, cells):
        calls.append(cells)
        return original(self, cells)

    monkeypatch.setattr(la_counts._Solver, "max_count", counted)
    rows, figures = cube_figures()
    report = run(rows, figures)
    assert report.ok and report.checked >= 1, report.summary()
    assert calls == []
    leaky = [
        fig(LEAKY, "NE", region="NE", find=False),
        fig(LEAKY, "NE x B", region="NE", group="B", find=False),
        fig(LEAKY, "NE x A", False, region="NE", group="A"),
    ]
    report = run(LEAKY, leaky, profile=one_group, findings=None)
    assert report.kinds() == {"la_count"} and len(calls) == 1, report.summary()
