"""Administration: users, authorities, suppliers and products, product use over time,
statistical neighbours and the audit log. Every action is checked on the server."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts.components import page_heading
from layouts.data_status import panel
from layouts.ids import ADMIN as A
from layouts.releases import admin_section as releases_section
from layouts.releases import tokens_section
from layouts.upload import DROP_STYLE, grid, message

ROLE_OPTIONS = [
    {"label": "LA user", "value": "la_user"},
    {"label": "NLAR representative", "value": "nlar_rep"},
    {"label": "National coordinator", "value": "coordinator"},
    {"label": "Administrator", "value": "admin"},
    {"label": "Supplier (answers its specifications)", "value": "supplier"},
]
SIZE_OPTIONS = [{"label": s.capitalize(), "value": s} for s in ("small", "medium", "large")]


def field(label: str, control, hint: str | None = None, md: int = 4) -> dbc.Col:
    """A labelled form control (the label is tied to the control's id)."""
    parts = [dbc.Label(label, html_for=control.id), control]
    if hint:
        parts.append(dbc.FormText(hint))
    return dbc.Col(parts, md=md, className="mb-3")


def select(ident: str, options: list | None = None, value=None) -> dbc.Select:
    placeholder = "Choose…" if value is None else None
    return dbc.Select(id=ident, options=options or [], value=value, placeholder=placeholder)


def text(ident: str, kind: str = "text", **extra) -> dbc.Input:
    return dbc.Input(id=ident, type=kind, **extra)


SECTIONS = [
    ("users", "Users"),
    ("authorities", "Authorities"),
    ("products", "Suppliers and products"),
    ("product-use", "Product use over time"),
    ("releases", "Product releases"),
    ("api-tokens", "API tokens for suppliers"),
    ("neighbours", "Statistical neighbours"),
    ("audit", "Audit log"),
]


def _section(children: list, anchor: str) -> html.Section:
    return html.Section(children, id=A(f"section-{anchor}"), className="figure-card")


def _contents() -> html.Nav:
    return html.Nav(
        [
            html.H2("On this page", className="h5"),
            html.Ul(
                [html.Li(html.A(label, href="#" + A(f"section-{a}"))) for a, label in SECTIONS],
                className="mb-0",
            ),
        ],
        className="mb-4",
        **{"aria-label": "Sections of this page"},
    )


def _users() -> html.Section:
    return _section(
        [
            html.H2("Users", className="h4"),
            grid(A("users"), select=True, label="Users"),
            html.H3("Add a user", className="h5 mt-4"),
            dbc.Row(
                [
                    field("Username", text(A("new-username"), autoComplete="off")),
                    field("Full name", text(A("new-name"), autoComplete="off")),
                    field("Role", select(A("new-role"), ROLE_OPTIONS, "la_user")),
                    field(
                        "Authority",
                        select(A("new-authority"), value="none"),
                        "Needed for LA users and NLAR representatives",
                    ),
                    field(
                        "Supplier group",
                        select(A("new-supplier"), value="none"),
                        "Needed for NLAR representatives",
                    ),
                    field(
                        "Password",
                        text(A("new-password"), "password", autoComplete="new-password"),
                        "At least 8 characters",
                    ),
                ]
            ),
            dbc.Button("Add the user", id=A("user-add"), color="primary"),
            message(A("user-add-msg")),
            html.H3("Change the selected user", className="h5 mt-4"),
            html.P("Select a user in the table above, then change and save.", id=A("edit-who")),
            dbc.Row(
                [
                    field("Role", select(A("edit-role"), ROLE_OPTIONS)),
                    field("Authority", select(A("edit-authority"))),
                    field("Supplier group", select(A("edit-supplier"))),
                ]
            ),
            dbc.Checkbox(id=A("edit-active"), label="Account enabled", value=True),
            dbc.Button("Save changes", id=A("user-save"), color="primary", className="mt-2"),
            dbc.Row(
                [
                    field(
                        "New password",
                        text(A("edit-password"), "password", autoComplete="new-password"),
                        "At least 8 characters",
                    ),
                ],
                className="mt-3",
            ),
            dbc.Button("Set the new password", id=A("user-password"), color="secondary"),
            message(A("user-edit-msg")),
        ],
        "users",
    )


def _authorities() -> html.Section:
    return _section(
        [
            html.H2("Authorities", className="h4"),
            grid(A("authorities"), select=True, label="Authorities"),
            html.H3("Add or change an authority", className="h5 mt-4"),
            html.P(
                "To change an authority, select it in the table; its details appear below. "
                "Its pseudonym is random and is what other users see unless it consents "
                "to be named."
            ),
            dbc.Row(
                [
                    field("GSS code", text(A("la-code"), placeholder="E09000019")),
                    field("Name", text(A("la-name")), md=8),
                    field("Region", select(A("la-region"))),
                    field("Type", select(A("la-type"))),
                    field("Size band", select(A("la-size"), SIZE_OPTIONS, "medium")),
                ]
            ),
            dbc.Checkbox(
                id=A("la-consent"),
                label="Consents to be named to other authorities",
                value=False,
            ),
            html.Div(
                [
                    dbc.Button("Add as a new authority", id=A("la-add"), className="me-2"),
                    dbc.Button(
                        "Save changes to the selected authority",
                        id=A("la-save"),
                        color="primary",
                        className="me-2",
                    ),
                    dbc.Button(
                        "Give the selected authority a new pseudonym",
                        id=A("la-pseudonym"),
                        color="secondary",
                        outline=True,
                    ),
                ],
                className="mt-2",
            ),
            message(A("la-msg")),
        ],
        "authorities",
    )


def _products() -> html.Section:
    return _section(
        [
            html.H2("Suppliers and products", className="h4"),
            grid(A("products"), label="Products and their suppliers"),
            dbc.Row(
                [
                    field("New supplier", text(A("supplier-name"))),
                    dbc.Col(
                        dbc.Button("Add the supplier", id=A("supplier-add")),
                        md=4,
                        className="align-self-end mb-3",
                    ),
                ],
                className="mt-4",
            ),
            dbc.Row(
                [
                    field("Supplier of the new product", select(A("product-supplier"))),
                    field("New product", text(A("product-name"))),
                    dbc.Col(
                        dbc.Button("Add the product", id=A("product-add")),
                        md=4,
                        className="align-self-end mb-3",
                    ),
                ]
            ),
            message(A("products-msg")),
        ],
        "products",
    )


def _product_use() -> html.Section:
    return _section(
        [
            html.H2("Product use over time", className="h4"),
            html.P(
                "Which product each authority used from which date. A submission belongs to "
                "the supplier group of the product in use in its period."
            ),
            dbc.Row(field("Show authority", select(A("use-filter"), value="all"), md=6)),
            grid(A("use"), select=True, label="Product use records"),
            html.H3("Record a change of supplier", className="h5 mt-4"),
            dbc.Row(
                [
                    field("Authority", select(A("use-authority"))),
                    field("New product", select(A("use-product"))),
                    field("In use from", text(A("use-start"), "date")),
                ]
            ),
            dbc.Button("Record the change", id=A("use-add"), color="primary", className="me-2"),
            dbc.Button(
                "Delete the selected record",
                id=A("use-delete"),
                color="danger",
                outline=True,
            ),
            message(A("use-msg")),
        ],
        "product-use",
    )


def _neighbours() -> html.Section:
    return _section(
        [
            html.H2("Statistical neighbours", className="h4"),
            html.P(
                "Load a CSV file with the columns authority_code, neighbour_code and rank "
                "(1 = closest). It replaces the neighbours of every authority it lists. "
                "Authorities without a list are compared with others of the same type and "
                "size band."
            ),
            html.Div(
                dcc.Upload(
                    id=A("neighbours-file"),
                    accept=".csv",
                    children=html.Div(
                        [
                            "Drag and drop the CSV file here, or ",
                            html.Span("choose a file", style={"textDecoration": "underline"}),
                        ]
                    ),
                    style=DROP_STYLE,
                ),
                **{"data-upload-label": "Upload the statistical neighbours CSV file"},
            ),
            message(A("neighbours-msg")),
            grid(A("neighbours"), label="Neighbours on record per authority"),
        ],
        "neighbours",
    )


def _audit() -> html.Section:
    return _section(
        [
            html.H2("Audit log", className="h4"),
            html.P("Who did what, and when (newest first, up to 1,000 entries)."),
            dbc.Row(
                [
                    field("User", select(A("audit-user"), value="all"), md=3),
                    field("Action", select(A("audit-action"), value="all"), md=3),
                    field("From", text(A("audit-from"), "date"), md=3),
                    field("To", text(A("audit-to"), "date"), md=3),
                ]
            ),
            grid(A("audit"), label="Audit log entries", page_size=25),
            message(A("audit-msg")),
        ],
        "audit",
    )


def layout(**query):
    return html.Div(
        [
            dcc.Store(id=A("load"), data=query),
            dcc.Store(id=A("refresh"), data=0),
            page_heading("Administration"),
            message(A("access")),
            _contents(),
            _users(),
            _authorities(),
            _products(),
            _product_use(),
            releases_section(),
            tokens_section(),
            _neighbours(),
            _audit(),
            html.Div(panel(A.prefix), className="mt-4"),
        ]
    )
