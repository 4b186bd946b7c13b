"""Product releases: the admin's list and form (Admin page), and an LA's “which release did
you run in each period” (My authority). Filled and checked by callbacks/releases.py."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from layouts.answers import labelled, status

ADMIN_P = "admin-releases"
LA_P = "my-authority-release"


def admin_section() -> html.Section:
    """Record releases of any product (admins)."""
    return html.Section(
        [
            html.H2("Product releases", className="h4"),
            html.P(
                "Each product's releases with their dates. Authorities say which release they "
                "run in each period; suppliers record their own products' releases too."
            ),
            html.Div(id=f"{ADMIN_P}-list"),
            dbc.Row(
                [
                    labelled("Product", dbc.Select(id=f"{ADMIN_P}-product", options=[])),
                    labelled("Release name", dbc.Input(id=f"{ADMIN_P}-name", maxLength=80)),
                    labelled("Release date", dbc.Input(id=f"{ADMIN_P}-date", type="date")),
                ]
            ),
            dbc.Button("Record the release", id=f"{ADMIN_P}-save", color="primary"),
            status(f"{ADMIN_P}-msg"),
        ],
        id="admin-section-releases",
        className="figure-card",
    )


def la_section() -> html.Section:
    """Which release the LA ran in a period (My authority)."""
    return html.Section(
        [
            html.H2("Which release you run", id=f"{LA_P}-title"),
            html.P(
                "Say which release of your product your authority ran in each period (optional). "
                "It lets the group see whether a delivered change improved practitioners' "
                "experience. Only releases the supplier or an administrator has recorded can be "
                "chosen."
            ),
            html.Div(id=f"{LA_P}-list"),
            dbc.Row(
                [
                    labelled(
                        "Period (YYYY-Qn)", dbc.Input(id=f"{LA_P}-period", placeholder="2010-Q3")
                    ),
                    labelled("Release", dbc.Input(id=f"{LA_P}-name", maxLength=80)),
                ]
            ),
            html.P(id=f"{LA_P}-known", className="form-text"),
            dbc.Button("Save", id=f"{LA_P}-save", color="primary"),
            status(f"{LA_P}-msg"),
        ],
        className="figure-card",
        **{"aria-labelledby": f"{LA_P}-title"},
    )


def table(rows: list[tuple], headers: tuple[str, ...], caption: str, empty: str):
    if not rows:
        return html.P(empty)
    return html.Table(
        [
            html.Caption(caption),
            html.Thead(html.Tr([html.Th(h, scope="col") for h in headers])),
            html.Tbody([html.Tr([html.Td(str(v)) for v in row]) for row in rows]),
        ],
        className="table table-sm",
    )


TOKENS_P = "admin-tokens"


def tokens_section() -> html.Section:
    """Admins create and revoke supplier API tokens (a new token is shown once)."""
    return html.Section(
        [
            html.H2("API tokens for suppliers", className="h4"),
            html.P(
                "A token lets a supplier's own tools read its specifications and post answers "
                "through /api/v1 (described at /api/v1/openapi.json). The token is shown once, "
                "when it is made; only a hash of it is kept."
            ),
            html.Div(id=f"{TOKENS_P}-list"),
            dbc.Row(
                [
                    labelled("Supplier account", dbc.Select(id=f"{TOKENS_P}-user", options=[])),
                    labelled(
                        "Label (what it is for)", dbc.Input(id=f"{TOKENS_P}-label", maxLength=80)
                    ),
                ]
            ),
            dbc.Button("Create a token", id=f"{TOKENS_P}-create", color="primary"),
            status(f"{TOKENS_P}-msg"),
            dbc.Row(
                [labelled("Token to revoke", dbc.Select(id=f"{TOKENS_P}-revoke-id", options=[]))],
                className="mt-3",
            ),
            dbc.Button("Revoke it", id=f"{TOKENS_P}-revoke", color="danger", outline=True),
            status(f"{TOKENS_P}-revoke-msg"),
        ],
        id="admin-section-api-tokens",
        className="figure-card",
    )
