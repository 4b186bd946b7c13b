"""Figures built as plain dicts never share the house template with one another: plotly keeps,
and may change, the dicts it is given (a shared one once broke every later chart)."""

from __future__ import annotations

from callbacks.figures import plain_figure, template


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
