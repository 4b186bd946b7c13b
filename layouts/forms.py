"""Form pieces shared by the supplier-loop sections (supplier page, inbox, admin releases and
tokens, My authority's release): a titled card, a labelled control, an outcome message, and
the one release form (product, name, date) that admins and suppliers both fill in."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from layouts.ids import Namespace


def status(msg_id: str) -> html.Div:
    """A polite live region for an action's outcome message."""
    return html.Div(id=msg_id, role="status", **{"aria-live": "polite"})


def labelled(label: str, control, md: int = 4) -> dbc.Col:
    """A form column: the label tied to the control's id, then the control."""
    return dbc.Col([dbc.Label(label, html_for=control.id), control], md=md, className="mb-2")


def card(
    title: str, children: list, *, heading_id: str | None = None, small: bool = False, **attrs
) -> html.Section:
    """A titled figure card; with `heading_id` the section is labelled by its heading."""
    if heading_id:
        heading = html.H2(title, id=heading_id)
        attrs["aria-labelledby"] = heading_id
    else:
        heading = html.H2(title)
    if small:
        heading.className = "h4"
    return html.Section([heading, *children], className="figure-card", **attrs)


def action(label: str, button: str, message: str, color: str = "primary", **extra) -> list:
    """A button and the live region under it where its outcome shows."""
    return [dbc.Button(label, id=button, color=color, **extra), status(message)]


def release_form(ns: Namespace, color: str) -> list:
    """The releases list ``ns(list)`` and the form recording a release of a product."""
    return [
        html.Div(id=ns("list")),
        dbc.Row(
            [
                labelled("Product", dbc.Select(id=ns("product"), options=[])),
                labelled("Release name", dbc.Input(id=ns("name"), maxLength=80)),
                labelled("Release date", dbc.Input(id=ns("date"), type="date")),
            ]
        ),
        *action("Record the release", ns("save"), ns("msg"), color),
    ]
