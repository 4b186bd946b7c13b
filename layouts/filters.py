"""Filter controls for the analysis pages: native <select> elements with visible labels.

Native selects (dbc.Select) are used rather than dcc.Dropdown: they work with a keyboard and
screen readers without help, and every filter holds one value or "all"
(data.privacy.narrowing explains why filters are single-valued). What a control starts on
comes from the page's filter spec (data.queries.filters), which parses URL values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import dash_bootstrap_components as dbc
from dash import html

from data.queries.filters import ALL  # every "all" choice (dbc.Select keeps "" for its placeholder)

LATEST_PERIOD = "Latest period"  # what a period select left on "" (the latest) shows


def options(choices: Mapping[str, str] | Sequence[str], all_label: str | None) -> list[dict]:
    """Select options, with an "all" choice first when ``all_label`` is given."""
    items = choices.items() if isinstance(choices, Mapping) else ((c, c) for c in choices)
    head = [{"label": all_label, "value": ALL}] if all_label is not None else []
    return head + [{"label": str(label), "value": str(value)} for value, label in items]


def select_filter(
    control_id: str,
    label: str,
    choices: Mapping[str, str] | Sequence[str] = (),
    value: str = ALL,
    *,
    all_label: str | None = "All",
    hint: str | None = None,
    width: int = 3,
    placeholder: str = "",
) -> dbc.Col:
    """A labelled single-value select (options may also come later from a callback).

    A hint goes inside the label (dbc.Select takes no aria-describedby), so it is read out
    with the control's name. ``placeholder`` is what the select shows while its value is ""
    (dbc.Select's placeholder option)."""
    text = [label] + ([html.Span(hint, className="form-text d-block mt-0")] if hint else [])
    control = dbc.Select(
        id=control_id, options=options(choices, all_label), value=value, placeholder=placeholder
    )
    return dbc.Col(
        html.Div(
            [dbc.Label(text, html_for=control_id, className="fw-bold mb-1"), control],
            className="mb-3",
        ),
        md=width,
    )


def filter_panel(title: str, columns: list, *, panel_id: str) -> html.Section:
    """A titled group of filters (a landmark region screen-reader users can jump to)."""
    heading_id = f"{panel_id}-heading"
    return html.Section(
        [html.H2(title, id=heading_id, className="h4"), dbc.Row(columns)],
        id=panel_id,
        className="filter-panel",
        **{"aria-labelledby": heading_id},
    )
