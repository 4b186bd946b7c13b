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

    from layouts.charts.figures import BLACK_TEXT, SEQUENTIAL, WHITE_TEXT, labelled_heatmap

    table = pd.DataFrame(
        {"group": ["A", "A", "B", "B"], "theme": ["T1", "T2", "T1", "T2"],
         "mean": [80.0, 20.0, None, 55.0], "suppressed": [False, False, True, False]}
    )  # fmt: skip
    fig = labelled_heatmap(table, "group", "theme")
    assert not fig.layout.annotations  # cell text, not one annotation per cell
    white, black, suppressed = fig.data
    assert (white.textfont.color, black.textfont.color) == (WHITE_TEXT, BLACK_TEXT)
    # dark cells (80, 55) carry white labels, the light one (20) black ones; 'c' has its own
    # grey fill outside the colour scale, so it never looks like a low score or a zero
    assert [list(r) for r in white.text] == [["80", ""], ["", "55"]]
    assert [list(r) for r in black.text] == [["", "20"], ["", ""]]
    assert [list(r) for r in suppressed.text] == [["", ""], ["c", ""]]
    assert suppressed.colorscale[0][1] != SEQUENTIAL[0][1] and not suppressed.showscale
    # each cell is filled by one trace only, and one colour bar is drawn
    filled = [[[v is not None for v in r] for r in t.z] for t in fig.data]
    assert filled == [
        [[True, False], [False, True]],
        [[False, True], [False, False]],
        [[False, False], [True, False]],
    ]
    assert white.z[0][0] == pytest.approx(80.0) and black.z[0][1] == pytest.approx(20.0)
    assert [t.showscale for t in (white, black)] == [False, True]
    assert white.texttemplate == black.texttemplate == "%{text}"


def test_count_heatmap_keeps_totals_out_of_the_scale_and_shows_zero_apart_from_c():
    import pandas as pd

    from layouts.charts.figures import TOTAL_FILL, count_heatmap

    table = pd.DataFrame(
        {"group": ["A", "A", "B", "All groups (England)", "All groups (England)"],
         "theme": ["T1", "All themes", "T2", "T1", "All themes"],
         "findings": [10, 12, 2, 500, 900], "suppressed": [False, False, True, False, False]}
    )  # fmt: skip
    fig = count_heatmap(table, "group", "theme")
    text = {}
    for t in fig.data:
        for y, row in zip(t.y, t.text, strict=True):
            for x, label in zip(t.x, row, strict=True):
                if label:
                    text[(y, x)] = (label, t.colorscale[0][1])
    # the body's largest count (10) sets the scale, not the totals (500, 900)
    assert fig.data[1].colorbar.ticktext[-1] == "over 6"
    assert text[("All groups (England)", "All themes")] == ("900", TOTAL_FILL)
    assert text[("A", "All themes")][1] == TOTAL_FILL
    # a combination with no findings reads 0, on the scale; a suppressed one reads c
    assert text[("A", "T2")][0] == "0" and text[("A", "T2")][1] != TOTAL_FILL
    assert text[("B", "T2")][0] == "c"
    # totals come last, set apart from the body by a gap across the plot
    assert list(fig.data[0].y)[-1] == "All groups (England)"
    assert list(fig.data[0].x)[-1] == "All themes"
    assert {s.type for s in fig.layout.shapes} == {"line"} and len(fig.layout.shapes) == 2


def test_count_heatmap_has_no_colour_bar_when_no_count_above_zero_is_shown():
    """Every body cell c or empty: bands "under 0 / 0 to 1 / over 1" would say nothing."""
    import pandas as pd

    from layouts.charts.figures import count_heatmap

    table = pd.DataFrame(
        {"area": ["contact", "contact", "referral", "referral"],
         "severity": ["high", "All severities", "high", "All severities"],
         "findings": [None, None, 0, None], "suppressed": [True, True, False, True]}
    )  # fmt: skip
    fig = count_heatmap(table, "area", "severity")
    assert not any(getattr(t, "showscale", False) for t in fig.data)
    assert fig.layout.margin.r < 100  # room for the slanted "All severities" only
    table.loc[2, "findings"] = 5
    assert any(
        getattr(t, "showscale", False) for t in count_heatmap(table, "area", "severity").data
    )


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


def test_comparator_charts_leave_out_series_with_nothing_to_draw_and_keep_styles():
    import pandas as pd

    from layouts.charts.figures import SERIES_STYLE, comparator_dots, series_lines

    table = pd.DataFrame(
        {
            "measure": ["SUS"] * 3,
            "period": ["2010-Q1"] * 3,
            "who": ["a", "b", "c"],
            "mean": [60.0, None, 55.0],
            "ci_low": [55.0, None, 50.0],
            "ci_high": [65.0, None, 60.0],
            "suppressed": [False, True, False],
        }
    )
    for fig in (
        comparator_dots(table, "measure", "who", ["a", "b", "c"]),
        series_lines(table, "who", ["a", "b", "c"]),
    ):
        drawn = {t.name: t.marker.symbol for t in fig.data}
        assert drawn == {"a": SERIES_STYLE[0][1], "c": SERIES_STYLE[2][1]}


def test_comparator_charts_give_six_series_six_styles_and_wrap_long_names():
    """My authority can draw six comparators (both stand-ins for the neighbours, for
    different scores): each needs its own marker and line, and an 81-character name must
    wrap in the legend (one line ran off a 390 px phone), its words unchanged."""
    import pandas as pd

    from layouts.charts.figures import LEGEND_LINE, comparator_dots, series_lines

    names = [
        "Your authority",
        "Other authorities in your supplier group",
        "Your statistical neighbours",
        "Other authorities in England",
        "Other London boroughs (in place of neighbours)",
        "Other London boroughs and authorities combined with them (in place of neighbours)",
    ]
    table = pd.DataFrame(
        {
            "measure": ["SUS"] * 6,
            "period": ["2010-Q1"] * 6,
            "who": names,
            "mean": [60.0, 55.0, 50.0, 52.0, 58.0, 57.0],
            "ci_low": [55.0, 50.0, 45.0, 47.0, 53.0, 52.0],
            "ci_high": [65.0, 60.0, 55.0, 57.0, 63.0, 62.0],
            "suppressed": [False] * 6,
        }
    )
    dots = comparator_dots(table, "measure", "who", names)
    lines = series_lines(table, "who", names)
    assert len({(t.marker.color, t.marker.symbol) for t in dots.data}) == 6
    assert len({(t.line.color, t.line.dash, t.marker.symbol) for t in lines.data}) == 6
    for fig in (dots, lines):
        for trace, name in zip(fig.data, names, strict=True):
            lines_of = trace.name.split("<br>")
            assert max(len(line) for line in lines_of) <= LEGEND_LINE
            assert " ".join(lines_of) == name
            assert trace.hovertemplate.startswith(trace.name)


def test_wrapped_legend_names_get_room_below_the_chart():
    """A legend entry wrapped onto three lines needs more bottom margin than one line, or
    plotly grows the margin and draws the chart twice (tests/browser/test_chart_drawing)."""
    import pandas as pd

    from layouts.charts.figures import comparator_dots, series_lines

    def margins(last: str) -> tuple[int, int]:
        names = ["Your authority", last]
        table = pd.DataFrame(
            {
                "measure": ["SUS", "SUS"],
                "period": ["2010-Q1", "2010-Q1"],
                "who": names,
                "mean": [60.0, 55.0],
                "ci_low": [55.0, 50.0],
                "ci_high": [65.0, 60.0],
                "suppressed": [False, False],
            }
        )
        return (
            comparator_dots(table, "measure", "who", names).layout.margin.b,
            series_lines(table, "who", names).layout.margin.b,
        )

    short = margins("Other authorities in England")
    long = margins(
        "Other London boroughs and authorities combined with them (in place of neighbours)"
    )
    assert all(b > a for a, b in zip(short, long, strict=True)), (short, long)


# A chart's width on a 390 px phone (the card's padding taken off), measured in Chromium.
PHONE_CHART = 332


def test_the_benchmark_label_ends_at_its_line_and_fits_a_phone():
    """The "Published SUS average" label sits above the plot with its right end at the
    line; centred on the line it ran past the right edge of a 390 px phone's chart. To the
    line's left it fits while the line is further from the chart's left edge than the label
    is long."""
    import pandas as pd

    from layouts.charts.figures import band_dots, mean_bars
    from layouts.charts.margins import text_width

    table = pd.DataFrame(
        {"group": ["All groups (England)", "Other suppliers"], "mean": [50.0, 60.0],
         "ci_low": [45.0, 55.0], "ci_high": [55.0, 65.0], "suppressed": [False, False]}
    )  # fmt: skip
    bands = pd.DataFrame(
        {"group": ["A", "A"], "band": ["low", "high"], "position": [0, 1],
         "mean": [40.0, 60.0], "n_las": [5, 5]}
    )  # fmt: skip
    for fig in (mean_bars(table, "group", benchmark=68.0), band_dots(bands, benchmark=68.0)):
        (label,) = [a for a in fig.layout.annotations if "Published SUS average" in a.text]
        assert (label.x, label.xanchor, label.yanchor) == (68.0, "right", "bottom")
        m = fig.layout.margin
        low, high = fig.layout.xaxis.range
        line_px = m.l + (label.x - low) / (high - low) * (PHONE_CHART - m.l - m.r)
        assert text_width(label.text) < line_px, (label.text, line_px)


def test_dot_charts_wrap_long_labels_so_a_phone_keeps_a_plot():
    """My authority's dot charts name a theme per row ("Significant harm and protection",
    201 px on one line): on a 390 px phone its labels took two thirds of the chart and
    left about 110 px of plot. Wrapped, every label keeps its words (whole in the hover
    text), the plot keeps at least 180 px, each row has room for a two-line label and the
    x axis title (set at 1.2 times the font size) fits under the plot."""
    import pandas as pd

    from data.reference.codes import theme_names
    from layouts.charts.figures import TICK_LINE, change_dots, comparator_dots
    from layouts.charts.margins import FONT_SIZE, LINE, text_width

    names = ["SUS", *[n for c, n in theme_names().items() if c != "GEN"]]
    rows = len(names)
    profile = pd.DataFrame(
        {"measure": names * 2, "who": ["You"] * rows + ["Group"] * rows,
         "mean": [60.0] * 2 * rows, "ci_low": [55.0] * 2 * rows, "ci_high": [65.0] * 2 * rows,
         "suppressed": [False] * 2 * rows}
    )  # fmt: skip
    changes = pd.DataFrame(
        {"measure": names, "change": [2.0] * rows, "ci_low": [-1.0] * rows,
         "ci_high": [5.0] * rows, "significant": [True, False] * (rows // 2) + [False],
         "suppressed": [False] * rows}
    )  # fmt: skip
    for fig in (
        comparator_dots(profile, "measure", "who", ["You", "Group"]),
        change_dots(changes, "measure"),
    ):
        y = fig.layout.yaxis
        assert sorted(y.tickvals) == sorted(names)
        for whole, shown in zip(y.tickvals, y.ticktext, strict=True):
            lines = shown.split("<br>")
            assert max(len(line) for line in lines) <= TICK_LINE
            assert " ".join(lines) == whole
        assert all(set(t.y) <= set(names) and "%{y}" in t.hovertemplate for t in fig.data)
        m = fig.layout.margin
        plot = PHONE_CHART - m.l - m.r
        assert plot >= 180, plot
        assert text_width(fig.layout.xaxis.title.text, FONT_SIZE * 1.2) < plot
        assert (fig.layout.height - m.t - m.b) / rows >= 2 * LINE * FONT_SIZE


def test_sus_grade_labels_are_letters_staggered_so_narrow_bands_do_not_overlap():
    """At 390 px the C and B bands are about 15 px wide: "Grade C" and "Grade B" overlapped.
    Letters alone, every other one raised, with "Grade" said once and the range in hover."""
    from layouts.charts.figures import SUS_GRADE_BANDS, add_sus_grades, new_figure

    notes = add_sus_grades(new_figure()).layout.annotations
    letters = [n for n in notes if n.text != "Grade"]
    assert [n.text for n in letters] == [label for *_, label in SUS_GRADE_BANDS]
    shifts = [n.yshift for n in letters]
    assert all(a != b for a, b in zip(shifts, shifts[1:], strict=False))
    assert all(n.hovertext.startswith(f"Grade {n.text}: SUS ") for n in letters)
    assert sum(n.text == "Grade" for n in notes) == 1


def test_compare_axis_titles_fit_a_phone():
    from layouts.compare import axis_title, measures

    assert {len(axis_title(m)) for m in measures()} <= set(range(1, 21))
