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

# What each role does here, in a sentence, for the page a role may not use.
ROLE_CAN = {
    "la_user": "upload your authority's results, see them by name against your supplier group "
    "and statistical neighbours, compare supplier groups and endorse common requirements",
    "nlar_rep": "do all an LA user does, and see your supplier group authority by authority "
    "(by pseudonym), and turn common problems into requirements and joint specifications",
    "coordinator": "compare every supplier group with every filter, see which problems recur "
    "across authorities, and curate requirements and joint specifications for any group",
    "admin": "manage users, authorities, suppliers and products, record changes of supplier, "
    "upload for any authority and read the audit log",
    "supplier": "read the joint specifications addressed to your company and answer each "
    "requirement",
}
A_ROLE = {
    "la_user": "an LA user",
    "nlar_rep": "an NLAR representative",
    "coordinator": "a national coordinator",
    "admin": "an administrator",
    "supplier": "a supplier's user",
}
PAGE_FOR = {
    "/my-authority": "people who work for a local authority (LA users and NLAR representatives)",
    "/upload": "LA users and NLAR representatives (for their own authority) and administrators",
    "/admin": "administrators",
    "/supplier": "suppliers' users, to answer the specifications addressed to them",
}

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
        if _for(role, roles)
    ]


def _for(role: str | None, roles: tuple[str, ...] | None) -> bool:
    return (roles is None and role not in CLOSED_ROLES) or (roles is not None and role in roles)


def may_open(path: str, role: str | None) -> bool:
    """Whether a role has a page in its navigation (the server checks every callback too)."""
    for item_path, _label, roles in NAV_ITEMS:
        if item_path == path:
            return _for(role, roles)
    return True


def not_for_role(path: str, title: str, role: str | None) -> html.Div:
    """A short page in place of one the role may not use: who it is for, what this role can
    do, and links to this role's pages."""
    label = A_ROLE.get(role or "", "a signed-in user")
    links = [
        html.Li(dcc.Link(name, href=item_path))
        for item_path, name, roles in NAV_ITEMS
        if item_path != path and _for(role, roles)
    ]
    return html.Div(
        [
            html.H1(title, className="mb-3"),
            html.P(
                f"This page is for {PAGE_FOR.get(path, 'other roles')}. You are signed in as "
                f"{label}.",
                className="lead",
            ),
            html.P(f"As {label} you can {ROLE_CAN.get(role or '', 'use the pages below')}."),
            html.H2("Your pages", className="h5"),
            html.Ul(links),
        ],
        className="not-for-role",
    )


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
                className="me-3 user-who",
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
    # Two rows: the service name and who is signed in, then the pages. One row did not fit
    # a laptop: every link and the user's name wrapped onto three to five lines.
    header = html.Header(
        dbc.Navbar(
            dbc.Container(
                [
                    html.Div(
                        [
                            html.A(
                                "ICS collaboration dashboard",
                                href="/",
                                className="navbar-brand site-title",
                            ),
                            _user_area(identity),
                        ],
                        className="site-header-top",
                    ),
                    dbc.Nav(nav_links(role), id=ids.NAV, className="site-nav", navbar=True),
                ],
                fluid=True,
                className="site-header-rows",
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
