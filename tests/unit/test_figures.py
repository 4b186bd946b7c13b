"""Figures built as plain dicts never share the house template with one another: plotly keeps,
and may change, the dicts it is given (a shared one once broke every later chart)."""

from __future__ import annotations

import pytest

from layouts.charts.figures import plain_figure, template


def test_plain_figures_get_their_own_copy_of_the_template():
    first = plain_figure([{"type": "bar", "x": ["a"], "y": [1]}], {"height": 300})
    first["layout"]["template"]["layout"]["plot_bgcolor"] = "red"
    second = plain_figure([], {})
    assert second["layout"]["template"]["layout"]["plot_bgcolor"] == "white"
    assert template().layout.plot_bgcolor == "white"


def test_plain_figure_sets_the_house_look_over_the_callers_layout():
    figure = plain_figure([], {"template": {"layout": {"plot_bgcolor": "#E5ECF6"}}, "height": 300})
    assert figure["layout"]["template"]["layout"]["plot_bgcolor"] == "white"
    assert figure["layout"]["height"] == 300 and figure["layout"]["margin"]["l"] == 10


def test_heatmap_labels_every_cell_in_a_colour_that_contrasts_with_it():
    import pandas as pd

    from layouts.charts.figures import BLACK_TEXT, WHITE_TEXT, labelled_heatmap

    table = pd.DataFrame(
        {"group": ["A", "A", "B", "B"], "theme": ["T1", "T2", "T1", "T2"],
         "mean": [80.0, 20.0, None, 55.0], "suppressed": [False, False, True, False]}
    )  # fmt: skip
    fig = labelled_heatmap(table, "group", "theme")
    assert not fig.layout.annotations  # cell text, not one annotation per cell
    by_colour = {t.textfont.color: t for t in fig.data}
    assert set(by_colour) == {WHITE_TEXT, BLACK_TEXT}
    white, black = by_colour[WHITE_TEXT], by_colour[BLACK_TEXT]
    # dark cells (80, 55) carry white labels; the light one (20) and 'c' black ones
    assert [list(r) for r in white.text] == [["80", ""], ["", "55"]]
    assert [list(r) for r in black.text] == [["", "20"], ["c", ""]]
    # each cell is filled by one trace only, and one colour bar is drawn
    filled = [[[v is not None for v in r] for r in t.z] for t in (white, black)]
    assert filled == [[[True, False], [False, True]], [[False, True], [False, False]]]
    assert white.z[0][0] == pytest.approx(80.0) and black.z[0][1] == pytest.approx(20.0)
    assert [t.showscale for t in (white, black)] == [False, True]
    assert white.texttemplate == black.texttemplate == "%{text}"


def test_charts_reserve_room_for_their_longest_label():
    import pandas as pd

    from layouts.charts.figures import mean_bars

    def bars(label):
        table = pd.DataFrame(
            {"group": [label, "B"], "mean": [50.0, 60.0], "ci_low": [45.0, 55.0],
             "ci_high": [55.0, 65.0], "suppressed": [False, False]}
        )  # fmt: skip
        return mean_bars(table, "group").layout.margin

    short, long = bars("A"), bars("All groups (England) and a much longer name")
    assert long.l > short.l + 200
    assert short.b == long.b > 40  # the x axis title and its tick labels
