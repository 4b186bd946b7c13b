"""Figure builders shared by pages: accessible palette, suppressed cells labelled 'c'."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

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
FONT = {"family": "Arial, Helvetica, sans-serif", "size": 14, "color": "#0b0c0c"}


def _base(fig: go.Figure, **layout) -> go.Figure:
    fig.update_layout(
        template="simple_white", font=FONT, margin={"l": 10, "r": 10, "t": 30, "b": 10}, **layout
    )
    return fig


def mean_bars(
    table: pd.DataFrame,
    label_col: str,
    *,
    benchmark: float | None = None,
    x_title: str = "Mean score (0–100)",
    highlight: str | None = None,
) -> go.Figure:
    """Horizontal bars of means with 95% intervals; suppressed rows labelled 'c'."""
    t = table.iloc[::-1]
    shown = ~t["suppressed"].astype(bool)
    values = t["mean"].where(shown)
    colours = [ORANGE if highlight and lbl == highlight else DARK_BLUE for lbl in t[label_col]]
    err_plus = (t["ci_high"] - t["mean"]).where(shown)
    err_minus = (t["mean"] - t["ci_low"]).where(shown)
    text = [f"{v:.1f}" if ok else "c (suppressed)" for v, ok in zip(values, shown, strict=True)]
    fig = go.Figure(
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
    if benchmark is not None:
        fig.add_vline(
            x=benchmark,
            line_dash="dash",
            line_color=DARK_GREY,
            annotation_text=f"Published SUS average {benchmark:.0f}",
            annotation_position="top",
        )
    return _base(
        fig,
        xaxis={"title": x_title, "range": [0, 105]},
        yaxis={"automargin": True},
        height=max(300, 40 * len(t) + 120),
        showlegend=False,
    )


def heatmap(
    table: pd.DataFrame,
    row_col: str,
    col_col: str,
    *,
    row_labels: dict | None = None,
    col_labels: dict | None = None,
    value_col: str = "mean",
    decimals: int = 0,
) -> go.Figure:
    """Cells coloured on the sequential palette, each labelled with its value or 'c'."""
    rows = list(dict.fromkeys(table[row_col]))
    cols = list(dict.fromkeys(table[col_col]))
    grid = table.set_index([row_col, col_col])
    z, text = [], []
    for r in rows:
        zr, tr = [], []
        for c in cols:
            if (r, c) in grid.index:
                cell = grid.loc[(r, c)]
                if bool(cell["suppressed"]):
                    zr.append(None)
                    tr.append("c")
                else:
                    zr.append(float(cell[value_col]))
                    tr.append(f"{float(cell[value_col]):.{decimals}f}")
            else:
                zr.append(None)
                tr.append("")
        z.append(zr)
        text.append(tr)
    xs = [(col_labels or {}).get(c, c) for c in cols]
    ys = [(row_labels or {}).get(r, r) for r in rows]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=xs,
            y=ys,
            text=text,
            hovertemplate="%{y}, %{x}: %{text}<extra></extra>",
            colorscale=SEQUENTIAL,
            zmin=0,
            zmax=100,
            hoverongaps=False,
            colorbar={
                "title": "Score",
                "tickvals": [20, 50, 80],
                "ticktext": ["below 40", "40 to 59", "60 or more"],
            },
            xgap=2,
            ygap=2,
        )
    )
    # Labels as annotations so each can take the colour that contrasts with its cell.
    for i, y in enumerate(ys):
        for j, x in enumerate(xs):
            value = z[i][j]
            fig.add_annotation(
                x=x,
                y=y,
                text=text[i][j],
                showarrow=False,
                font={
                    "color": "#0b0c0c" if value is None or value < LIGHT_BAND_BELOW else "#ffffff",
                    "size": 13,
                },
            )
    return _base(
        fig,
        height=max(320, 36 * len(rows) + 160),
        xaxis={"side": "top", "tickangle": -30},
        yaxis={"automargin": True, "autorange": "reversed"},
    )


def change_dots(table: pd.DataFrame, label_col: str) -> go.Figure:
    """Change with 95% interval per row; filled marker = significant, hollow = not."""
    t = table.iloc[::-1]
    shown = ~t["suppressed"].astype(bool)
    sig = t["significant"].fillna(False).astype(bool) & shown
    fig = go.Figure()
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
    fig.add_vline(x=0, line_color=DARK_GREY)
    return _base(
        fig,
        xaxis={"title": "Change in mean score (points)", "zeroline": True},
        yaxis={"automargin": True},
        height=max(300, 40 * len(t) + 140),
        legend={"orientation": "h", "y": -0.25},
    )
