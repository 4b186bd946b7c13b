"""Property tests: random filter sets for every role on the demo data, audited together.

Each example draws a viewer (a coordinator, or an LA user / NLAR representative, who knows
their own authority's figures) and several Themes selections; every chart, total and list
of all of them is handed to the auditor at once, with every LA population cell (group x
region x LA type) as a further target. Marked slow: a few seconds per example."""

from __future__ import annotations

from functools import lru_cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data.demo import build_demo
from data.demo.frames import finding_frame
from data.privacy.auditor import (
    Figure,
    audit,
    cell_keys,
    contributions_of,
)
from data.privacy.cube import DIMS, FINDING_DIMS, LA_DIMS, build_cube
from data.privacy.disclosure import DisclosureRules
from data.privacy.views import themes_figures

pytestmark = pytest.mark.slow
RULES = DisclosureRules()
M = ("findings", "respondents_raising")
CELL = ("period", *DIMS)
PERIOD = "2010-Q1"


@lru_cache(maxsize=1)
def demo():
    frame = finding_frame(build_demo(n_authorities=150))
    frame = frame.loc[frame["period"] == PERIOD].reset_index(drop=True)
    return frame, build_cube(frame, RULES)


def _values(dim: str) -> list:
    return sorted(demo()[0][dim].unique())


@st.composite
def selection(draw):
    sel = {"period": PERIOD}
    for dim in ("group", "region", "la_type", *FINDING_DIMS):
        if draw(st.booleans()):
            sel[dim] = draw(st.sampled_from(_values(dim)))
    return sel


@st.composite
def viewer(draw):
    role = draw(st.sampled_from(["coordinator", "la_user", "nlar_rep"]))
    if role == "coordinator":
        return role, frozenset()
    return role, frozenset({draw(st.sampled_from(_values("authority_id")))})


def _population_targets(frame):
    keys = cell_keys(frame, CELL)
    for attrs, part in frame.groupby(list(LA_DIMS)):
        yield Figure(f"population {attrs}", frozenset(keys[part.index]))


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(who=viewer(), selections=st.lists(selection(), min_size=1, max_size=4))
def test_random_views_of_every_role_pass_the_auditor(who, selections):
    frame, cube = demo()
    _role, own = who
    views = [{"period": PERIOD}, *selections]
    figs = [f for sel in views for f in themes_figures(cube, frame, sel, own)]
    contrib = contributions_of(frame, CELL, M, respondents="respondents_raising")
    report = audit(
        figs, contrib, RULES, own=own, targets=_population_targets(frame), exhaustive=False
    )
    assert report.ok, report.summary()


def test_demo_cube_publishes_the_headline_views():
    """Not vacuous: England by theme is published in full on the demo data."""
    _frame, cube = demo()
    table = cube.table(["theme"], {"period": PERIOD}, totals={"theme": "All themes"})
    assert not table["suppressed"].any()
