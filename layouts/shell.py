"""The page shell: header with navigation and signed-in user, synthetic-data banner, main."""

from __future__ import annotations

from dataclasses import dataclass

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts import ids

# (path, label, roles that see the link); None = every role
NAV_ITEMS: list[tuple[str, str, tuple[str, ...] | None]] = [
    ("/", "Overview", None),
    ("/compare", "Compare groups", None),
    ("/themes", "Themes", None),
    ("/requirements", "Common requirements", None),
    ("/specifications", "Joint specifications", None),
    ("/my-authority", "My authority", ("la_user", "nlar_rep")),
    ("/upload", "Upload", ("la_user", "nlar_rep", "admin")),
    ("/admin", "Admin", ("admin",)),
    ("/supplier", "Supplier answers", ("supplier",)),
]
# Roles that see only the links naming them (a supplier reaches no shared page).
CLOSED_ROLES = ("supplier",)

ROLE_LABELS = {
    "la_user": "LA user",
    "nlar_rep": "NLAR representative",
    "coordinator": "National coordinator",
    "admin": "Administrator",
    "supplier": "Supplier",
}


@dataclass(frozen=True)
class Identity:
    """What the shell shows about the signed-in person (no Flask objects here)."""

    name: str
    role: str
    authority: str | None = None
    supplier: str | None = None
    csrf_token: str = ""  # for the sign-out form (a POST, checked like every POST)


def nav_links(role: str | None) -> list:
    return [
        dbc.NavItem(dbc.NavLink(label, href=path, active="exact"))
        for path, label, roles in NAV_ITEMS
        if (roles is None and role not in CLOSED_ROLES) or (roles is not None and role in roles)
    ]


def _user_area(identity: Identity | None):
    if identity is None:
        return html.Div()
    where = identity.authority or identity.supplier or ""
    return html.Div(
        [
            html.Span(
                [html.Strong(identity.name), f" · {ROLE_LABELS.get(identity.role, identity.role)}"]
                + ([f" · {where}"] if where else [])
                + [" · ", html.A("Inbox", href="/inbox", className="inbox-link")],
                className="me-3",
            ),
            html.Form(
                [
                    dcc.Input(type="hidden", name="csrf_token", value=identity.csrf_token),
                    html.Button(
                        "Sign out", type="submit", className="btn btn-sm btn-outline-light"
                    ),
                ],
                action="/logout",
                method="POST",
                className="d-inline m-0",
            ),
        ],
        className="d-flex align-items-center user-area",
        id=ids.USER_AREA,
    )


def demo_banner() -> html.Div:
    return html.Div(
        html.Div(
            [
                html.Strong("Synthetic data. "),
                "This is a demonstration: every authority, response and finding shown is "
                "invented and describes no real council or person.",
            ],
            className="container",
        ),
        className="demo-banner",
        role="note",
        id="demo-banner",
    )


def layout(identity: Identity | None = None, demo: bool = False):
    """The whole-app layout, built per request so the navigation fits the user's role."""
    role = identity.role if identity else None
    header = html.Header(
        dbc.Navbar(
            dbc.Container(
                [
                    html.A(
                        "ICS collaboration dashboard", href="/", className="navbar-brand site-title"
                    ),
                    dbc.Nav(nav_links(role), id=ids.NAV, className="me-auto", navbar=True),
                    _user_area(identity),
                ],
                fluid=True,
            ),
            color="#12436D",
            dark=True,
            className="site-navbar",
        ),
        className="site-header",
    )
    return html.Div(
        [
            dcc.Location(id=ids.URL, refresh="callback-nav"),
            header,
            demo_banner() if demo else None,
            html.Main(dbc.Container(dash.page_container, fluid="lg", className="py-4"), id="main"),
        ]
    )
