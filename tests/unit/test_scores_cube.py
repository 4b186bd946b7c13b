"""The protected score source (data.privacy.scores_cube) behind Compare and Overview: every
view of a fixture (role, region and LA type filters, by group with England) audited
together on respondents and score sums, plus random data (slow)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data.privacy.auditor import Figure, audit, contributions_of
from data.privacy.disclosure import DisclosureRules
from data.privacy.narrowing import ENGLAND
from data.privacy.scores_cube import protected_scores

RULES = DisclosureRules()
CELL = ("group", "role", "region", "la_type")
FILTERS = ("role", "region", "la_type")


def score_rows(spec: list[tuple]) -> pd.DataFrame:
    """(authority, group, region, la_type, role, n, mean) -> summary rows of one period."""
    out = []
    for a, g, r, t, role, n, mean in spec:
        out.append({"authority_id": a, "group": g, "region": r, "la_type": t, "role": role,
                    "period": "2010-Q1", "measure": "SUS", "n": n, "sum": n * mean,
                    "sumsq": n * mean * mean + n})  # fmt: skip
    return pd.DataFrame(out)


SPEC = [
    *[(a, "A", "NE", "unitary", "sw", 12, 60 + a) for a in range(1, 6)],
    *[(a, "B", "SW", "county", "sw", 12, 50 + a) for a in range(6, 11)],
    (11, "B", "NE", "unitary", "sw", 12, 40),  # one B authority in the NE
    *[(a, "A", "NE", "unitary", "manager", 3, 70) for a in (1, 2)],
]


def views(rows: pd.DataFrame):
    values = {d: sorted(rows[d].unique()) for d in FILTERS}
    keys = pd.Series(list(rows[list(CELL)].itertuples(index=False, name=None)), index=rows.index)
    for combo in itertools.product(*[[None, *v] for v in values.values()]):
        narrowing = {d: v for d, v in zip(FILTERS, combo, strict=True) if v is not None}
        table = protected_scores(rows, ["group"], narrowing, RULES, totals={"group": ENGLAND})
        base = np.ones(len(rows), dtype=bool)
        for d, v in narrowing.items():
            base &= (rows[d] == v).to_numpy()
        for r in table.itertuples(index=False):
            mask = base if r.group == ENGLAND else base & (rows["group"] == r.group).to_numpy()
            cells = frozenset(keys[mask])
            if not cells:
                continue
            shown = None if r.suppressed else {"n": float(r.n), "sum": float(r.mean * r.n)}
            yield Figure(f"{narrowing} {r.group}", cells, shown)


def _audit(rows, own=frozenset()):
    figs = list(views(rows))
    contrib = contributions_of(rows, CELL, ("n", "sum"), respondents="n")
    return figs, audit(figs, contrib, RULES, own=own)


@pytest.mark.parametrize("own", [frozenset(), frozenset({11}), frozenset({1})])
def test_every_compare_view_of_the_fixture_passes_the_auditor(own):
    figs, report = _audit(score_rows(SPEC), own)
    assert report.ok, report.summary()
    assert any(f.shown for f in figs) and report.checked > 0


def test_published_cells_are_true_pooled_scores_and_one_authority_is_never_alone():
    rows = score_rows(SPEC)
    table = protected_scores(rows, ["group"], {}, RULES, totals={"group": ENGLAND})
    table = table.set_index("group")
    assert table.loc[ENGLAND, "n"] == rows["n"].sum()
    assert table.loc[ENGLAND, "mean"] == pytest.approx(rows["sum"].sum() / rows["n"].sum())
    ne_b = protected_scores(rows, ["group"], {"region": "NE"}, RULES).set_index("group")
    assert ne_b.loc["B", "suppressed"] and pd.isna(ne_b.loc["B", "mean"])


def test_unknown_dimension_is_refused():
    with pytest.raises(ValueError, match="unknown score dimension"):
        protected_scores(score_rows(SPEC), ["group"], {"postcode": "NE1"}, RULES)


@st.composite
def random_rows(draw):
    n_las = draw(st.integers(3, 12))
    spec = []
    for a in range(1, n_las + 1):
        g, r = draw(st.sampled_from("ABC")), draw(st.sampled_from(["NE", "SW"]))
        t = draw(st.sampled_from(["unitary", "county"]))
        for role in draw(st.sets(st.sampled_from(["sw", "manager"]), min_size=1)):
            spec.append((a, g, r, t, role, draw(st.integers(1, 30)), draw(st.integers(20, 90))))
    return score_rows(spec)


@pytest.mark.slow
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_rows(), st.booleans())
def test_property_random_compare_views_pass_the_auditor(rows, as_la):
    own = frozenset({int(rows["authority_id"].iloc[0])}) if as_la else frozenset()
    _figs, report = _audit(rows, own)
    assert report.ok, report.summary()


def test_answers_are_memoised_on_the_rows_content_and_follow_a_change():
    rows = score_rows(SPEC).assign(measure_type="sus")
    first = protected_scores(rows, ["group"], {}, RULES).set_index("group")
    wider = rows.assign(sumsq=rows["sumsq"] + 50 * rows["n"])  # same means, wider spread
    second = protected_scores(wider, ["group"], {}, RULES).set_index("group")
    assert first.loc["A", "mean"] == pytest.approx(second.loc["A", "mean"])
    assert second.loc["A", "sd"] > first.loc["A", "sd"]


def test_warm_up_builds_every_partition_so_requests_build_none(monkeypatch):
    from data.privacy import scores_cube

    rows = score_rows(SPEC).assign(period="2099-Q1", measure_type="sus")
    assert scores_cube.warm_partitions(rows, RULES) == 1

    def no_build(*_args, **_kwargs):
        raise AssertionError("a request built atoms after the warm-up")

    monkeypatch.setattr(scores_cube, "build_cube", no_build)
    table = protected_scores(rows, ["group"], {"region": "NE"}, RULES, totals={"group": ENGLAND})
    assert len(table) and scores_cube.spread_bands(rows, RULES)["group"].tolist()
