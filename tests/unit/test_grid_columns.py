"""Grid column sizing seen at 390 px: headers whole ("Requirem…" and "Respond…" were cut
off beside their filter buttons), text wrapping, figures narrow."""

from __future__ import annotations

import pandas as pd
import pytest

from callbacks.chart_card import grid_columns
from layouts.components import header_width
from layouts.requirements import CANDIDATE_COLUMNS, FINDING_COLUMNS, LIST_COLUMNS, column_defs
from layouts.specifications import ITEM_COLUMNS


def test_header_width_fits_the_longest_word():
    assert header_width("Requirement") == header_width("Respondents affected") == 8 * 11 + 64
    assert header_width("95% CI low") == 8 * 3 + 64


@pytest.mark.parametrize(
    "headers", [CANDIDATE_COLUMNS, FINDING_COLUMNS, LIST_COLUMNS, ITEM_COLUMNS]
)
def test_requirement_grids_leave_room_for_every_header_word(headers):
    for col in column_defs(headers):
        assert col["minWidth"] >= header_width(col["headerName"]), col["headerName"]
        assert col["wrapText"] and col["autoHeight"]


def test_chart_tables_wrap_text_and_keep_figures_narrow():
    frame = pd.DataFrame(
        {
            "Compared with": [
                "Your authority",
                "Other London boroughs and authorities combined with them (in place of neighbours)",
            ],
            "Respondents": ["62", "c"],
            "Note": ["", "shown instead of your statistical neighbours, " * 3],
        }
    )
    cols = {c["field"]: c for c in grid_columns(frame)}
    assert all(c["wrapText"] and c["autoHeight"] for c in cols.values())
    assert cols["Compared with"]["flex"] and cols["Compared with"]["minWidth"] < 200
    assert cols["Note"]["minWidth"] > cols["Compared with"]["minWidth"]
    assert header_width("Respondents") <= cols["Respondents"]["width"] <= 200
    assert "flex" not in cols["Respondents"]
