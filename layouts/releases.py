"""Product releases: the admin's list and form (Admin page), and an LA's “which release did
you run in each period” (My authority); and the admin's supplier API tokens. Filled and
checked by callbacks/releases.py and callbacks/api_tokens.py. Each section has a change
counter (``changed``) that its actions move on and its list follows."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts.forms import action, card, labelled, release_form
from layouts.ids import LA_RELEASE, RELEASES, TOKENS, Namespace


def _section(ns: Namespace, title: str, intro: str, body: list, **options) -> html.Section:
    """A card whose list ``ns(list)`` follows its change counter ``ns(changed)`` (its
    actions move the counter on)."""
    return card(title, [dcc.Store(id=ns("changed"), data=0), html.P(intro), *body], **options)


def admin_section() -> html.Section:
    """Record releases of any product (admins)."""
    return _section(
        RELEASES,
        "Product releases",
        "Each product's releases with their dates. Authorities say which release they run in "
        "each period; suppliers record their own products' releases too.",
        release_form(RELEASES, "primary"),
        small=True,
        id="admin-section-releases",
    )


def la_section() -> html.Section:
    """Which release the LA ran in a period (My authority)."""
    return _section(
        LA_RELEASE,
        "Which release you run",
        "Say which release of your product your authority ran in each period (optional). It "
        "lets the group see whether a delivered change improved practitioners' experience. "
        "Only releases the supplier or an administrator has recorded can be chosen.",
        [
            html.Div(id=LA_RELEASE("list")),
            dbc.Row(
                [
                    labelled(
                        "Period (YYYY-Qn)",
                        dbc.Input(id=LA_RELEASE("period"), placeholder="2010-Q3"),
                    ),
                    labelled("Release", dbc.Input(id=LA_RELEASE("name"), maxLength=80)),
                ]
            ),
            html.P(id=LA_RELEASE("known"), className="form-text"),
            *action("Save", LA_RELEASE("save"), LA_RELEASE("msg")),
        ],
        heading_id=LA_RELEASE("title"),
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


def tokens_section() -> html.Section:
    """Admins create and revoke supplier API tokens (a new token is shown once)."""
    return _section(
        TOKENS,
        "API tokens for suppliers",
        "A token lets a supplier's own tools read its specifications and post answers through "
        "/api/v1 (described at /api/v1/openapi.json). The token is shown once, when it is made; "
        "only a hash of it is kept.",
        [
            html.Div(id=TOKENS("list")),
            dbc.Row(
                [
                    labelled("Supplier account", dbc.Select(id=TOKENS("user"), options=[])),
                    labelled("Label (what it is for)", dbc.Input(id=TOKENS("label"), maxLength=80)),
                ]
            ),
            *action("Create a token", TOKENS("create"), TOKENS("msg")),
            dbc.Row(
                [labelled("Token to revoke", dbc.Select(id=TOKENS("revoke-id"), options=[]))],
                className="mt-3",
            ),
            *action("Revoke it", TOKENS("revoke"), TOKENS("revoke-msg"), "danger", outline=True),
        ],
        small=True,
        id="admin-section-api-tokens",
    )
