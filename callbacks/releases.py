"""Product releases on the Admin page and “which release you run” on My authority: thin
wiring over data.requirements.releases, which checks every right. Each section's action
moves its change counter on, and its list follows it."""

from __future__ import annotations

from dash import Input, Output, State

from callbacks.common import as_int, clearing, current_viewer, db
from callbacks.registrars import Button, Done, register_buttons
from data.errors import DomainError
from data.requirements import releases
from layouts.ids import LA_RELEASE, RELEASES
from layouts.releases import table

NOT_AN_AUTHORITY = "Only an authority's own users say which release it runs."


def admin_list(_changed) -> dict:
    """Every recorded release (``message``), and the products to record one of."""
    viewer = current_viewer()
    with db() as session:
        rows = releases.release_table(session, viewer)
        products = releases.product_choices(session, viewer)
    headers = ("Supplier", "Product", "Release", "Date")
    shown = table(rows, headers, "Product releases", "No releases recorded yet.")
    return {"message": shown, "products": products}


def record(viewer, _trigger, *, product, name, when) -> Done:
    if not product:
        raise DomainError("Choose a product.")
    with db() as session:
        r = releases.record_release(
            session, viewer, as_int(product, "Choose a product."), name or "", when or ""
        )
        text = f"Release {r.name} of {r.product.name} recorded ({r.released_on:%d %B %Y})."
    return Done(text)


def la_list(_changed) -> dict:
    """The releases the viewer's authority ran (``message``), and the known releases."""
    viewer = current_viewer()
    if viewer.authority_id is None:
        return {"message": NOT_AN_AUTHORITY, "known": ""}
    with db() as session:
        used = releases.release_uses(session, viewer.authority_id)
        known = releases.releases_for_authority(session, viewer.authority_id)
    listed = table(
        used,
        ("Period", "Product", "Release"),
        "Releases your authority ran",
        "You have not said which release you run yet.",
    )
    hint = (
        "Known releases: " + "; ".join(f"{p} {r} ({d})" for p, r, d in known[:12]) + "."
        if known
        else "No release of your product has been recorded yet."
    )
    return {"message": listed, "known": hint}


def record_use(viewer, _trigger, *, period, name) -> Done:
    if viewer.authority_id is None:
        raise DomainError(NOT_AN_AUTHORITY)
    with db() as session:
        use = releases.record_release_use(
            session, viewer, viewer.authority_id, period or "", name or ""
        )
        text = (
            f"Saved: {use.period} ran {use.release.name}."
            if use is not None
            else f"Cleared the release for {(period or '').strip().upper()}."
        )
    return Done(text)


def register(app) -> None:
    app.callback(
        output={
            "message": Output(RELEASES("list"), "children"),
            "products": Output(RELEASES("product"), "options"),
        },
        inputs=Input(RELEASES("changed"), "data"),
        on_error=clearing(products=[]),
    )(admin_list)
    app.callback(
        output={
            "message": Output(LA_RELEASE("list"), "children"),
            "known": Output(LA_RELEASE("known"), "children"),
        },
        inputs=Input(LA_RELEASE("changed"), "data"),
        on_error=clearing(known=""),
    )(la_list)
    for run, ns, fields in (
        (record, RELEASES, {"product": "product", "name": "name", "when": "date"}),
        (record_use, LA_RELEASE, {"period": "period", "name": "name"}),
    ):
        states = {key: State(ns(field), "value") for key, field in fields.items()}
        register_buttons(app, [Button(run, ns("save"), ns("msg"), states)], counter=ns("changed"))
