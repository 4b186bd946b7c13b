"""Figure builders shared by pages: accessible palette, suppressed cells labelled 'c'."""

from __future__ import annotations

import json
import textwrap
from functools import lru_cache

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from data.reference.codes import sus_letter_bands
from layouts.charts.margins import (
    bottom_for_axis,
    bottom_for_legend_below,
    bottom_for_upright,
    left_for_labels,
    right_for_colorbar,
    right_for_last_tick,
    right_for_slanted,
    top_for_legend_above,
    top_for_slanted,
)

DARK_BLUE, TURQUOISE, DARK_PINK, ORANGE, DARK_GREY, LIGHT_PURPLE = (
    "#12436D",
    "#28A197",
    "#801650",
    "#F46A25",
    "#3D3D3D",
    "#A285D1",
)
# Stepped so every label meets contrast: black on the light band, white on the dark two.
SEQUENTIAL = [
    [0, "#6BACE6"],
    [0.4, "#6BACE6"],
    [0.4, "#2073BC"],
    [0.6, "#2073BC"],
    [0.6, "#12436D"],
    [1, "#12436D"],
]
LIGHT_BAND_BELOW = 40
WHITE_TEXT, BLACK_TEXT = "#ffffff", "#0b0c0c"  # cell labels on the dark bands / elsewhere
# Reference lines (benchmark, zero) need an explicit width: the simple_white template's shape
# defaults draw lines 0 px wide, which hid them.
REFERENCE_WIDTH = 1.5
# ... and full opacity: the template's 0.3 made them too faint to meet non-text contrast.
REFERENCE_LINE = {"line_color": DARK_GREY, "line_width": REFERENCE_WIDTH, "opacity": 1}
MARGIN = {"l": 10, "r": 10, "t": 30, "b": 10}
FONT = {"family": "Arial, Helvetica, sans-serif", "size": 14, "color": "#0b0c0c"}


# Plotly checks every property as a figure is built, about half of each chart's build time
# at national scale; these builders only set known properties, so the app skips the check
# and the test suite turns it back on (tests/conftest.py) for every chart it draws.
VALIDATE = False


# A legend entry's longest line, in characters: about 290 px of 14 px Arial, what a 390 px
# phone leaves beside the marker (plotly neither wraps nor shrinks a legend entry, it cuts
# it off at the chart's edge).
LEGEND_LINE = 38


def legend_name(name: str) -> str:
    """``name`` broken at spaces into lines of at most :data:`LEGEND_LINE` characters with
    ``<br>``, for a trace's legend entry and hover label: the words stay exactly those of the
    table and notes (e.g. "Other London boroughs and authorities combined with them (in
    place of neighbours)", 81 characters, which ran off a phone's screen on one line)."""
    return "<br>".join(textwrap.wrap(str(name), LEGEND_LINE, break_long_words=False)) or name


def legend_px(fig: go.Figure, *, line: int = 18) -> int:
    """The legend height to reserve below a chart (for
    :func:`layouts.charts.margins.bottom_for_legend_below`): its one line, plus a line for
    each line an entry's name wraps onto (:func:`legend_name`), as if each wrapped entry had
    a row of its own (the rows depend on the width, unknown here): reserving less made
    plotly grow the margin and draw the chart twice."""
    extra = sum(str(t.name or "").count("<br>") for t in fig.data if t.showlegend is not False)
    return 32 + line * extra


# A category label's longest line down a dot chart's left side, in characters. On one line,
# "Significant harm and protection" (201 px of 14 px Arial) left My authority's charts about
# 110 px of plot on a 390 px phone; wrapped at 16 characters the widest label is 105 px and
# the plot about 200 px. Each row then gets room for two lines (:data:`WRAPPED_ROW`).
TICK_LINE = 16
WRAPPED_ROW = 48  # px of chart height per row whose label may run onto two lines


def tick_label(label: object) -> str:
    """``label`` broken at spaces into lines of at most :data:`TICK_LINE` characters."""
    return "<br>".join(textwrap.wrap(str(label), TICK_LINE, break_long_words=False)) or str(label)


def wrapped_categories(cats: list[str]) -> tuple[dict, list[str], bool]:
    """A category y axis's tick settings showing ``cats`` wrapped (:func:`tick_label`), the
    shown labels (for the margin) and whether any wrapped. The categories themselves stay
    whole, so hover text (``%{y}``) and the table name each row in full."""
    shown = [tick_label(c) for c in cats]
    axis = {"tickmode": "array", "tickvals": list(cats), "ticktext": shown}
    return axis, shown, any("<br>" in s for s in shown)


def new_figure(data=None, **kwargs) -> go.Figure:
    """A figure built without per-property validation unless ``VALIDATE`` is on."""
    return go.Figure(data, _validate=VALIDATE, **kwargs)


def plain_figure(data: list[dict], layout: dict) -> dict:
    """A figure as the plain dict Dash sends, in the look of :func:`_base`, for the largest
    charts: building plotly objects and turning them back into a dict cost more than the
    chart's data. Checked by plotly, and an error raised, when ``VALIDATE`` is on (tests)."""
    base = {"font": FONT, "margin": MARGIN}
    figure = {"data": data, "layout": {**base, **layout, "template": _template_dict()}}
    if VALIDATE:
        go.Figure(figure)  # raises on any property plotly does not know
    return figure


TRACE_TYPES = ("bar", "scatter", "heatmap")  # the only trace types these charts draw


@lru_cache(maxsize=1)
def _template_json() -> str:
    full = pio.templates["simple_white"]
    slim = go.layout.Template(
        layout=full.layout, data={kind: getattr(full.data, kind) for kind in TRACE_TYPES}
    )
    return json.dumps(slim.to_plotly_json())


def _template_dict() -> dict:
    """A fresh copy per figure: plotly may keep, and later change, the dict it is given."""
    return json.loads(_template_json())


def template() -> go.layout.Template:
    """Plotly's "simple_white" look, cut down to its layout and the trace types used here.

    Validating the full template (defaults for every trace type) took ~18 ms of each ~35 ms
    figure; this one is checked once, then rebuilt unchecked per figure (~0.02 ms), so no
    plotly object is shared between request threads."""
    return go.layout.Template(_template_dict(), _validate=False)


def prime() -> None:
    """Load plotly's figure classes and build the template now (about half a second the
    first time), at start-up rather than in some user's first request."""
    sample = pd.DataFrame(
        {"group": ["A", "B"], "mean": [50.0, 60.0], "ci_low": [45.0, 55.0],
         "ci_high": [55.0, 65.0], "suppressed": [False, True]}
    )  # fmt: skip
    add_sus_grades(mean_bars(sample, "group", benchmark=68.0)).to_json()
    new_figure([go.Heatmap(z=[[1.0]]), go.Scatter(x=[1], y=[1])]).to_json()


def _base(fig: go.Figure, *, margin: dict | None = None, **layout) -> go.Figure:
    """The house look; ``margin`` (layouts.charts.margins) overrides sides of :data:`MARGIN`."""
    fig.update_layout(template=template(), font=FONT, margin={**MARGIN, **(margin or {})}, **layout)
    return fig


def _side_labels(labels, *, x_title: bool = True) -> dict:
    """Margins for a chart with category labels down its left side and an x axis below."""
    return {"l": left_for_labels(labels), "b": bottom_for_axis(title=x_title)}


def add_benchmark(fig: go.Figure, benchmark: float | None) -> None:
    """The published SUS average as a dashed reference line, when there is one, labelled
    above the plot with the label ending at the line: centred on it, the label (about
    170 px) ran past the right edge of a 390 px phone's chart. The line stands about two
    thirds across, so the label, to its left, fits at any width."""
    if benchmark is not None:
        fig.add_vline(
            x=benchmark,
            line_dash="dash",
            **REFERENCE_LINE,
            annotation_text=f"Published SUS average {benchmark:.0f}",
            annotation_position="top",
            annotation={"xanchor": "right"},
        )


OWN_SUFFIX = " (your group)"


def _bar_labels(t, label_col, values, shown, highlight, *, decimals: int, own=None):
    """Bar colours (the highlighted row orange, the viewer's own group dark pink) and labels
    ('c (suppressed)', never zero)."""
    colours = [
        ORANGE if highlight and lbl == highlight else DARK_PINK if own and lbl == own else DARK_BLUE
        for lbl in t[label_col]
    ]
    text = [
        f"{v:.{decimals}f}" if ok else "c (suppressed)" for v, ok in zip(values, shown, strict=True)
    ]
    return colours, text


def mean_bars(
    table: pd.DataFrame,
    label_col: str,
    *,
    benchmark: float | None = None,
    x_title: str = "Mean score (0–100)",
    highlight: str | None = None,
    own: str | None = None,
) -> go.Figure:
    """Horizontal bars of means with 95% intervals; suppressed rows labelled 'c'. ``own`` (the
    viewer's supplier group) is drawn in its own colour and named "… (your group)"."""
    t = table.iloc[::-1]
    shown = ~t["suppressed"].astype(bool)
    values = t["mean"].where(shown)
    colours, text = _bar_labels(t, label_col, values, shown, highlight, decimals=1, own=own)
    if own is not None:
        t = t.assign(**{label_col: [f"{v}{OWN_SUFFIX}" if v == own else v for v in t[label_col]]})
    err_plus = (t["ci_high"] - t["mean"]).where(shown)
    err_minus = (t["mean"] - t["ci_low"]).where(shown)
    fig = new_figure(
        go.Bar(
            x=values.fillna(0),
            y=t[label_col].astype(str),
            orientation="h",
            marker_color=colours,
            text=text,
            textposition="inside",
            insidetextanchor="start",
            cliponaxis=False,
            textfont={"color": ["#0b0c0c" if c == ORANGE else "#ffffff" for c in colours]},
            error_x={
                "type": "data",
                "array": err_plus.fillna(0),
                "arrayminus": err_minus.fillna(0),
                "color": DARK_GREY,
                "thickness": 1.5,
            },
            hovertemplate="%{y}: %{text}<extra></extra>",
        )
    )
    add_benchmark(fig, benchmark)
    return _base(
        fig,
        xaxis={"title": x_title, "range": [0, 105]},
        yaxis={"automargin": True},
        margin=_side_labels(t[label_col].astype(str)),
        height=max(300, 40 * len(t) + 120),
        showlegend=False,
    )


# The change charts' x axis title, set (like every axis title) at 1.2 times the font size:
# "Change in mean score (points)" was 232 px, wider than a 390 px phone's plot (about 200 px
# beside wrapped labels), and was cut off at the chart's edge; this keeps the unit.
CHANGE_TITLE = "Change in mean (points)"


def change_dots(table: pd.DataFrame, label_col: str) -> go.Figure:
    """Change with 95% interval per row; filled marker = significant, hollow = not."""
    t = table.iloc[::-1]
    shown = ~t["suppressed"].astype(bool)
    sig = t["significant"].fillna(False).astype(bool) & shown
    fig = new_figure()
    for mask, name, symbol in (
        (sig, "Significant change", "circle"),
        (shown & ~sig, "Not significant", "circle-open"),
    ):
        part = t[mask]
        fig.add_trace(
            go.Scatter(
                x=part["change"],
                y=part[label_col].astype(str),
                mode="markers",
                name=name,
                marker={"symbol": symbol, "size": 12, "color": DARK_BLUE, "line": {"width": 2}},
                error_x={
                    "type": "data",
                    "array": part["ci_high"] - part["change"],
                    "arrayminus": part["change"] - part["ci_low"],
                    "color": DARK_GREY,
                },
                hovertemplate="%{y}: %{x:.1f}<extra></extra>",
            )
        )
    hidden = t[~shown]
    if len(hidden):
        fig.add_trace(
            go.Scatter(
                x=[0] * len(hidden),
                y=hidden[label_col].astype(str),
                mode="text",
                text=["c (suppressed)"] * len(hidden),
                name="Suppressed",
                hoverinfo="skip",
            )
        )
    fig.add_vline(x=0, **REFERENCE_LINE)
    ticks, shown_labels, wrapped = wrapped_categories(list(t[label_col].astype(str)))
    height = max(300, (WRAPPED_ROW if wrapped else 40) * len(t) + 140)
    bottom = bottom_for_axis(title=True)
    if sum(1 for trace in fig.data if len(trace.y)) > 1:  # plotly hides a one-entry legend
        bottom = max(bottom, bottom_for_legend_below(height, MARGIN["t"], -0.25))
    return _base(
        fig,
        xaxis={"title": CHANGE_TITLE, "zeroline": True},
        yaxis={"automargin": True, **ticks},
        margin={**_side_labels(shown_labels), "b": bottom},
        height=height,
        legend={"orientation": "h", "y": -0.25},
    )


# --- Analysis pages (Compare, Themes, My authority) ------------------------------------------

# Sauro-Lewis grade ranges on the SUS scale, merged to letters: (low, high, label).
SUS_GRADE_BANDS = sus_letter_bands()
# Alternate bands a reader can tell apart (the first pair, #f3f2f1 on white, was nearly
# invisible), each edge marked by a thin line as well.
GRADE_SHADES = ("#dde3ea", "#ffffff")
GRADE_EDGE = {"color": "#8a9099", "width": 1, "dash": "dot"}
# Colour and marker for up to six series: never colour alone. My authority draws six where an
# LA's stand-in for its neighbours is its type's part for some scores and the type with the
# authorities combined with it for others (London boroughs on the demo): the sixth came
# round again to "Your authority"'s dark blue circle. Both stand-ins are dark grey, told
# apart by their markers (and, as lines, their dashes).
SERIES_STYLE = (
    (DARK_BLUE, "circle"),
    (ORANGE, "diamond"),
    (TURQUOISE, "square"),
    (DARK_PINK, "triangle-up"),
    (DARK_GREY, "x"),
    (DARK_GREY, "star"),
)
SERIES_DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")


def add_sus_grades(fig: go.Figure, *, axis: str = "x") -> go.Figure:
    """Shade the Sauro-Lewis grade ranges behind a SUS chart and label each with its letter
    (one layout update: adding shapes one by one re-validates the figure each time)."""
    shapes, notes = list(fig.layout.shapes or ()), list(fig.layout.annotations or ())
    for i, (low, high, label) in enumerate(SUS_GRADE_BANDS):
        shade = {"fillcolor": GRADE_SHADES[i % 2], "line": GRADE_EDGE, "layer": "below"}
        font = {"size": 12, "color": DARK_GREY}
        if axis == "x":
            shapes.append({"type": "rect", "x0": low, "x1": high, "xref": "x", "y0": 0, "y1": 1,
                           "yref": "y domain", **shade})  # fmt: skip
            # Letters alone, every other one raised: "Grade C" and "Grade B" overlapped on a
            # 390 px phone, where the narrow C and B bands are 15 px wide. "Grade" is said once.
            notes.append({"x": (low + high) / 2, "y": 1.0, "yref": "paper", "yanchor": "bottom",
                          "yshift": 32 if i % 2 else 18, "showarrow": False, "text": label,
                          "hovertext": f"Grade {label}: SUS {low:g} to {high:g}",
                          "font": font})  # fmt: skip
        else:
            shapes.append({"type": "rect", "y0": low, "y1": high, "yref": "y", "x0": 0, "x1": 1,
                           "xref": "x domain", **shade})  # fmt: skip
            notes.append({"y": (low + high) / 2, "x": 1.0, "xref": "paper", "xanchor": "left",
                          "showarrow": False, "text": f"Grade {label}", "font": font})  # fmt: skip
    if axis == "x":
        notes.append({"x": 0, "xref": "paper", "xanchor": "right", "y": 1.0, "yref": "paper",
                      "yanchor": "bottom", "yshift": 18, "showarrow": False, "text": "Grade",
                      "font": {"size": 12, "color": DARK_GREY}})  # fmt: skip
    fig.update_layout(shapes=shapes, annotations=notes)
    if axis == "x":
        fig.update_layout(margin={"t": 72})
    return fig


def count_bars(
    table: pd.DataFrame,
    label_col: str,
    value_col: str = "findings",
    *,
    x_title: str = "Findings",
    highlight: str | None = None,
) -> go.Figure:
    """Horizontal bars of counts; suppressed rows labelled 'c (suppressed)', never zero."""
    t = table.iloc[::-1]
    shown = ~t["suppressed"].astype(bool)
    values = pd.to_numeric(t[value_col], errors="coerce").where(shown)
    colours, text = _bar_labels(t, label_col, values, shown, highlight, decimals=0)
    fig = new_figure(
        go.Bar(
            x=values.fillna(0),
            y=t[label_col].astype(str),
            orientation="h",
            marker_color=colours,
            text=text,
            textposition="outside",
            cliponaxis=False,
            textfont={"color": "#0b0c0c"},
            hovertemplate="%{y}: %{text}<extra></extra>",
        )
    )
    top = float(values.max()) if values.notna().any() else 1.0
    return _base(
        fig,
        xaxis={"title": x_title, "range": [0, top * 1.25 + 1]},
        yaxis={"automargin": True},
        margin=_side_labels(t[label_col].astype(str)),
        height=max(300, 34 * len(t) + 120),
        showlegend=False,
    )


TOTAL_PREFIX = "All "  # "All groups (England)", "All themes", "All severities"
TOTAL_FILL, SUPPRESSED_FILL = "#f3f2f1", "#d2d5d8"  # outside the colour scale
SEPARATOR = {"color": "#ffffff", "width": 7}


def is_total(label) -> bool:
    """Whether a heatmap row or column is a total ("All …"): drawn apart from the others."""
    return str(label).startswith(TOTAL_PREFIX)


def _totals_last(labels: list) -> list:
    return [v for v in labels if not is_total(v)] + [v for v in labels if is_total(v)]


def _plain_layer(z_rows, text_rows, xs, ys, fill: str, font: dict) -> go.Heatmap:
    """Cells outside the colour scale (totals, 'c'): one flat fill, black labels."""
    return go.Heatmap(
        z=z_rows,
        x=xs,
        y=ys,
        text=text_rows,
        texttemplate="%{text}",
        textfont={"color": BLACK_TEXT, "size": 13, **font},
        hovertemplate="%{y}, %{x}: %{text}<extra></extra>",
        colorscale=[[0, fill], [1, fill]],
        zmin=0,
        zmax=1,
        hoverongaps=False,
        showscale=False,
        xgap=2,
        ygap=2,
    )


def labelled_heatmap(
    table: pd.DataFrame,
    row_col: str,
    col_col: str,
    *,
    row_labels: dict | None = None,
    col_labels: dict | None = None,
    value_col: str = "mean",
    scale_max: float = 100.0,
    colorbar: dict | None = None,
    decimals: int = 0,
    col_order: list | None = None,
    missing: float | None = None,
    totals_in_scale: bool = True,
    show_scale: bool = True,
) -> go.Figure:
    """Like :func:`heatmap` (stepped sequential palette, every cell labelled with its value
    or 'c' in a colour that contrasts with it), with any value range (``scale_max``).

    Total rows and columns ("All …") come last, set apart by a gap; with
    ``totals_in_scale=False`` they are drawn in a flat neutral fill, outside the colour scale
    (counts, where a total would dwarf every other cell). Suppressed cells ('c') have their
    own grey fill, and ``missing`` (0 for counts) is shown for combinations not in the table,
    so a zero never looks like a suppressed or empty cell. ``show_scale=False`` leaves the
    colour bar out (no cell is coloured by value).

    Labels are the heatmap's own cell text, not one annotation per cell: plotly measures
    each annotation separately, which made a 12 x 14 grid the slowest chart on any page.
    Cell text has a single colour per trace, so cells with white labels (the two dark
    bands), black ones, totals and 'c' are separate traces over the same grid, each blank
    where another is filled."""
    rows = _totals_last(list(dict.fromkeys(table[row_col])))
    cols = list(dict.fromkeys(table[col_col]))
    if col_order is not None:
        cols = [c for c in col_order if c in cols] + [c for c in cols if c not in col_order]
    cols = _totals_last(cols)
    grid = {
        (r, c): (bool(sup), v)
        for r, c, sup, v in zip(
            table[row_col], table[col_col], table["suppressed"], table[value_col], strict=True
        )
    }
    xs = [(col_labels or {}).get(c, c) for c in cols]
    ys = [(row_labels or {}).get(r, r) for r in rows]
    names = (WHITE_TEXT, BLACK_TEXT, "total", "c")
    layers = {name: ([], []) for name in names}  # layer -> z rows, text rows
    for r in rows:
        for z_rows, text_rows in layers.values():
            z_rows.append([])
            text_rows.append([])
        for c in cols:
            hidden, v = grid.get((r, c), (False, missing))
            if not hidden and (v is None or pd.isna(v)):
                v = missing
            if hidden:
                layer, z, label = "c", 1.0, "c"
            elif v is None or pd.isna(v):
                layer, z, label = BLACK_TEXT, None, ""
            else:
                label = f"{float(v):.{decimals}f}"
                z = float(v) / scale_max * 100
                if not totals_in_scale and (is_total(r) or is_total(c)):
                    layer, z = "total", 1.0
                else:
                    layer = WHITE_TEXT if z >= LIGHT_BAND_BELOW else BLACK_TEXT
            for name, (z_rows, text_rows) in layers.items():
                z_rows[-1].append(z if name == layer else None)
                text_rows[-1].append(label if name == layer else "")
    bar = colorbar or {
        "title": "Score",
        "tickvals": [20, 50, 80],
        "ticktext": ["below 40", "40 to 59", "60 or more"],
    }
    # right against the plot: at plotly's default x (1.02) the room it needs grows with the
    # plot's width, which only the browser knows
    bar = {**bar, "x": 1.0}
    traces = [
        go.Heatmap(
            z=z_rows,
            x=xs,
            y=ys,
            text=text_rows,
            texttemplate="%{text}",
            textfont={"color": colour, "size": 13},
            hovertemplate="%{y}, %{x}: %{text}<extra></extra>",
            colorscale=SEQUENTIAL,
            zmin=0,
            zmax=100,
            hoverongaps=False,
            showscale=show_scale and colour == BLACK_TEXT,
            colorbar=bar,
            xgap=2,
            ygap=2,
        )
        for colour in (WHITE_TEXT, BLACK_TEXT)
        for z_rows, text_rows in [layers[colour]]
    ]
    for name, fill, font in (("total", TOTAL_FILL, {"weight": "bold"}), ("c", SUPPRESSED_FILL, {})):
        z_rows, text_rows = layers[name]
        if any(z is not None for row in z_rows for z in row):
            traces.append(_plain_layer(z_rows, text_rows, xs, ys, fill, font))
    shapes = [
        {"type": "line", "xref": "x domain", "x0": 0, "x1": 1, "yref": "y",
         "y0": i - 0.5, "y1": i - 0.5, "line": SEPARATOR, "layer": "above"}
        for i in range(1, len(rows)) if is_total(rows[i]) and not is_total(rows[i - 1])
    ] + [
        {"type": "line", "yref": "y domain", "y0": 0, "y1": 1, "xref": "x",
         "x0": i - 0.5, "x1": i - 0.5, "line": SEPARATOR, "layer": "above"}
        for i in range(1, len(cols)) if is_total(cols[i]) and not is_total(cols[i - 1])
    ]  # fmt: skip
    return _base(
        new_figure(traces),
        height=max(320, 36 * len(rows) + 160),
        xaxis={"side": "top", "tickangle": -30},
        yaxis={"automargin": True, "autorange": "reversed"},
        shapes=shapes,
        margin={
            "l": left_for_labels(ys),
            "t": top_for_slanted(xs, 30),
            "r": right_for_colorbar(bar["ticktext"], bar["title"])
            if show_scale
            else right_for_slanted(xs, 30),
        },
    )


def count_heatmap(
    table: pd.DataFrame,
    row_col: str,
    col_col: str,
    *,
    row_labels: dict | None = None,
    col_labels: dict | None = None,
    value_col: str = "findings",
    col_order: list | None = None,
) -> go.Figure:
    """Counts on the stepped sequential palette (bands at 40% and 60% of the largest count
    shown, totals left out of the scale and drawn apart), each cell labelled with its count,
    0 or 'c'; the colour bar states the bands."""
    body = ~table[row_col].map(is_total) & ~table[col_col].map(is_total)
    shown = pd.to_numeric(table.loc[body & ~table["suppressed"].astype(bool), value_col])
    top = max(float(shown.max()) if len(shown) else 1.0, 1.0)
    # with no count above 0 shown (every cell 'c' or empty) bands of 0 say nothing
    scale = bool(len(shown)) and float(shown.max()) > 0
    bar = {
        "title": value_col.replace("_", " ").capitalize(),
        "tickvals": [20, 50, 80],
        "ticktext": [
            f"under {0.4 * top:.0f}",
            f"{0.4 * top:.0f} to {0.6 * top:.0f}",
            f"over {0.6 * top:.0f}",
        ],
    }
    return labelled_heatmap(
        table,
        row_col,
        col_col,
        row_labels=row_labels,
        col_labels=col_labels,
        value_col=value_col,
        scale_max=top,
        colorbar=bar,
        col_order=col_order,
        missing=0.0,
        totals_in_scale=False,
        show_scale=scale,
    )


def _count_text(part: pd.DataFrame) -> list[str]:
    """A band's authority count for its hover text: ``c`` where it is withheld (a count is
    published only where the count rule allows, data.privacy.count_rule)."""
    withheld = part.get("n_las_suppressed", pd.Series(False, index=part.index))
    return [
        "c" if bool(w) or pd.isna(v) else str(int(v))
        for v, w in zip(part["n_las"], withheld.fillna(True), strict=True)
    ]


def band_dots(
    table: pd.DataFrame,
    *,
    x_title: str = "Mean of authority means (0–100)",
    benchmark: float | None = None,
) -> go.Figure:
    """One row per group: each band's mean as a labelled marker on a line from lowest to
    highest band, so the spread reads without colour."""
    fig = new_figure()
    groups = list(dict.fromkeys(table["group"]))[::-1]
    for g in groups:
        part = table.loc[(table["group"] == g) & (table["position"] >= 0)]
        if part.empty:
            fig.add_trace(
                go.Scatter(
                    x=[2],
                    y=[g],
                    mode="text",
                    text=["too few authorities"],
                    textposition="middle right",
                    showlegend=False,
                    hoverinfo="skip",
                )
            )
            continue
        fig.add_trace(
            go.Scatter(
                x=part["mean"],
                y=[g] * len(part),
                mode="lines+markers",
                line={"color": DARK_GREY, "width": 1},
                marker={
                    "size": 11,
                    "color": DARK_BLUE,
                    "symbol": "circle",
                    "line": {"color": "#ffffff", "width": 1},
                },
                customdata=list(zip(part["band"], _count_text(part), strict=True)),
                hovertemplate="%{y}, %{customdata[0]} (%{customdata[1]} authorities): "
                "%{x:.1f}<extra></extra>",
                showlegend=False,
            )
        )
    add_benchmark(fig, benchmark)
    return _base(
        fig,
        xaxis={"title": x_title, "range": [0, 100]},
        yaxis={"automargin": True, "categoryorder": "array", "categoryarray": groups},
        margin=_side_labels(groups),
        height=max(300, 40 * len(groups) + 120),
    )


@lru_cache(maxsize=64)
def _grid_layout(nrows: int, cols: int, titles: tuple[str, ...]) -> str:
    """The layout of a grid of panels with shared y axes, as JSON (a fresh copy per use)."""
    from plotly.subplots import make_subplots

    grid = make_subplots(
        rows=nrows,
        cols=cols,
        subplot_titles=titles,
        shared_yaxes=True,
        vertical_spacing=0.6 / max(nrows, 1) if nrows > 1 else 0.1,
    )
    layout = grid.layout.to_plotly_json()
    layout.pop("template", None)  # plotly's default look; plain_figure sets the house one
    return json.dumps(layout)


def group_trends(
    table: pd.DataFrame,
    *,
    reference: str,
    y_title: str = "Mean score (0–100)",
    benchmark: float | None = None,
) -> dict:
    """Small multiples: one panel per group with its line (dark blue) and the reference
    (England, orange dashed) for comparison; suppressed periods are gaps marked 'c'.

    make_subplots lays out the panels (remembered per set of groups); traces and reference
    lines are then added in one step, as a plain dict (:func:`plain_figure`)."""
    groups = [g for g in dict.fromkeys(table["group"]) if g != reference]
    periods = sorted(dict.fromkeys(table["period"]))
    cols = 3
    nrows = max(1, -(-len(groups) // cols))
    cells = {  # (group, period) -> mean, None where suppressed
        (g, p): None if bool(hide) else float(m)
        for g, p, m, hide in zip(table["group"], table["period"], table["mean"],
                                 table["suppressed"], strict=True)
    }  # fmt: skip
    ref_y = [cells.get((reference, p)) for p in periods]
    traces, shapes = [], []
    for i, g in enumerate(groups):
        k = i + 1  # panels are numbered row by row: axes x, x2, x3 ... / y, y2, y3 ...
        axes = {"xaxis": f"x{k if k > 1 else ''}", "yaxis": f"y{k if k > 1 else ''}"}
        means = [cells.get((g, p)) for p in periods]
        hidden = [m is None for m in means]
        traces.append(
            {"type": "scatter", "x": periods, "y": ref_y, "mode": "lines", "name": reference,
             "legendgroup": "ref", "showlegend": i == 0,
             "line": {"color": ORANGE, "dash": "dash", "width": 2},
             "hovertemplate": f"{reference} %{{x}}: %{{y:.1f}}<extra></extra>", **axes}
        )  # fmt: skip
        traces.append(
            {"type": "scatter", "x": periods, "y": means,
             "mode": "lines+markers", "name": "Supplier group", "legendgroup": "group",
             "showlegend": i == 0, "line": {"color": DARK_BLUE, "width": 3},
             "marker": {"size": 8}, "hovertemplate": f"{g} %{{x}}: %{{y:.1f}}<extra></extra>",
             **axes}
        )  # fmt: skip
        gaps = [p for p, h in zip(periods, hidden, strict=True) if h]
        if gaps:
            traces.append(
                {"type": "scatter", "x": gaps, "y": [8] * len(gaps), "mode": "text",
                 "text": ["c"] * len(gaps), "showlegend": False, "hoverinfo": "skip",
                 "textfont": {"color": DARK_GREY}, **axes}
            )  # fmt: skip
        if benchmark is not None:
            shapes.append(
                {"type": "line", "xref": f"{axes['xaxis']} domain", "x0": 0, "x1": 1,
                 "yref": axes["yaxis"], "y0": benchmark, "y1": benchmark,
                 "line": {"dash": "dot", "color": DARK_GREY, "width": REFERENCE_WIDTH},
                 "opacity": 1}
            )  # fmt: skip
    layout = json.loads(_grid_layout(nrows, cols, tuple(groups)))
    for name in list(layout):
        if name.startswith("yaxis"):
            first_column = name in ("yaxis", *(f"yaxis{(r * cols) + 1}" for r in range(nrows)))
            layout[name] = {**layout[name], "range": [0, 100],
                            **({"title": {"text": y_title}} if first_column else {})}  # fmt: skip
    height, legend_y = max(320, 260 * nrows + 60), 1.0 + 0.25 / nrows
    bottom = bottom_for_upright(periods)
    margin = {**MARGIN, "l": left_for_labels(["100"], title=True), "b": bottom,
              "r": right_for_last_tick(periods),
              "t": top_for_legend_above(height, bottom, legend_y)}  # fmt: skip
    return plain_figure(
        traces,
        {**layout, "shapes": shapes, "height": height, "margin": margin,
         "legend": {"orientation": "h", "y": legend_y, "x": 0}},
    )  # fmt: skip


def comparator_dots(
    table: pd.DataFrame,
    label_col: str,
    series_col: str,
    series: list[str],
    *,
    labels: dict | None = None,
    x_title: str = "Mean score (0–100)",
    benchmark: float | None = None,
) -> go.Figure:
    """One row per label and one marker per series (colour and shape), with 95% intervals;
    suppressed values are left out and listed as 'c' in the table alternative. A series
    with nothing to draw is left out of the legend too; each keeps the style of its place
    in ``series``."""
    fig = new_figure()
    labels = labels or {}
    order = list(dict.fromkeys(table[label_col]))[::-1]
    for k, name in enumerate(series):
        colour, symbol = SERIES_STYLE[k % len(SERIES_STYLE)]
        part = table.loc[(table[series_col] == name) & ~table["suppressed"].astype(bool)]
        if part.empty:
            continue
        fig.add_trace(
            go.Scatter(
                x=part["mean"],
                y=[labels.get(v, v) for v in part[label_col]],
                mode="markers",
                name=legend_name(name),
                marker={
                    "color": colour,
                    "symbol": symbol,
                    "size": 11,
                    "line": {"color": "#ffffff", "width": 1},
                },
                error_x={
                    "type": "data",
                    "array": part["ci_high"] - part["mean"],
                    "arrayminus": part["mean"] - part["ci_low"],
                    "color": colour,
                    "thickness": 1.2,
                },
                hovertemplate=f"{legend_name(name)}, %{{y}}: %{{x:.1f}}<extra></extra>",
            )
        )
    if benchmark is not None:
        fig.add_vline(x=benchmark, line_dash="dash", **REFERENCE_LINE)
    cats = [labels.get(v, v) for v in order]
    ticks, shown_labels, wrapped = wrapped_categories(cats)
    row = WRAPPED_ROW if wrapped else 34
    height, legend_y = max(320, row * len(order) + 160), -0.12 - 2.0 / max(len(order), 4)
    return _base(
        fig,
        xaxis={"title": x_title, "range": [0, 100]},
        yaxis={"automargin": True, "categoryorder": "array", "categoryarray": cats, **ticks},
        margin={
            **_side_labels(shown_labels),
            "b": bottom_for_legend_below(height, MARGIN["t"], legend_y, legend=legend_px(fig)),
        },
        height=height,
        legend={"orientation": "h", "y": legend_y},
    )


def series_lines(
    table: pd.DataFrame,
    series_col: str,
    series: list[str],
    *,
    y_title: str = "Mean score (0–100)",
    benchmark: float | None = None,
) -> go.Figure:
    """Lines over periods, one per series (colour, marker shape and dash differ); a series
    with nothing to draw is left out, the others keep the style of their place in
    ``series``."""
    fig = new_figure()
    dashes = SERIES_DASHES
    for k, name in enumerate(series):
        colour, symbol = SERIES_STYLE[k % len(SERIES_STYLE)]
        part = table.loc[table[series_col] == name].sort_values("period")
        y = part["mean"].where(~part["suppressed"].astype(bool))
        if y.isna().all():
            continue
        fig.add_trace(
            go.Scatter(
                x=part["period"],
                y=y,
                mode="lines+markers",
                name=legend_name(name),
                line={"color": colour, "dash": dashes[k % len(dashes)], "width": 2.5},
                marker={"symbol": symbol, "size": 10},
                hovertemplate=f"{legend_name(name)} %{{x}}: %{{y:.1f}}<extra></extra>",
            )
        )
    if benchmark is not None:
        fig.add_hline(
            y=benchmark,
            line_dash="dot",
            **REFERENCE_LINE,
            annotation_text=f"Published SUS average {benchmark:.0f}",
        )
    height, legend_y = 420, -0.25
    periods = sorted(dict.fromkeys(table["period"]))
    bottom = max(
        bottom_for_upright(periods, title=True),
        bottom_for_legend_below(height, MARGIN["t"], legend_y, legend=legend_px(fig)),
    )
    return _base(
        fig,
        yaxis={"title": y_title, "range": [0, 100]},
        xaxis={"title": "Period", "type": "category"},
        margin={"l": left_for_labels(["100"], title=True), "b": bottom},
        height=height,
        legend={"orientation": "h", "y": legend_y},
    )
