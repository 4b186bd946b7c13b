"""The pages draw charts with plotly.js's "cartesian" partial bundle (dashboard/assets), which
dcc.Graph uses instead of loading the full 4.8 MB bundle: it must be the plotly.js version the
installed plotly package writes figures for, and hold every trace type the charts use."""

from __future__ import annotations

import re
from pathlib import Path

import plotly

from layouts.charts.figures import TRACE_TYPES

ASSET = Path(__file__).resolve().parents[2] / "dashboard" / "assets" / "plotly-cartesian.min.js"
FULL = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def version(path: Path) -> str:
    head = path.read_text(encoding="utf-8", errors="ignore")[:400]
    return re.search(r"plotly\.js (?:\([^)]*\) )?v([0-9][0-9.]*)", head).group(1)


def test_the_partial_bundle_matches_the_installed_plotly():
    assert "cartesian" in ASSET.read_text(encoding="utf-8", errors="ignore")[:200]
    assert version(ASSET) == version(FULL), "run scripts/update-plotly-bundle"


def test_the_partial_bundle_registers_every_trace_type_the_charts_draw():
    text = ASSET.read_text(encoding="utf-8", errors="ignore")
    for kind in TRACE_TYPES:  # each trace module declares name:"<type>"
        assert re.search(rf'name:"{kind}"', text), kind
