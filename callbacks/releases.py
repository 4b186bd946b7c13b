"""Product releases on the Admin page and “which release you run” on My authority: thin
wiring over data.requirements.releases, which checks every right."""

from __future__ import annotations

from dash import Input, Output, State, no_update

from callbacks.common import as_int, current_viewer, db, guarded
from data.errors import DomainError
from data.requirements import releases
from layouts.components import alert
from layouts.releases import ADMIN_P, LA_P, table


def register(app) -> None:
    @app.callback(
        Output(f"{ADMIN_P}-list", "children"),
        Output(f"{ADMIN_P}-product", "options"),
        Input(f"{ADMIN_P}-msg", "children"),
    )
    @guarded(lambda msg: (alert(msg), []))
    def _admin_list(_msg):
        viewer = current_viewer()
        with db() as session:
            rows = releases.release_table(session, viewer)
            products = releases.product_choices(session, viewer)
        headers = ("Supplier", "Product", "Release", "Date")
        return table(rows, headers, "Product releases", "No releases recorded yet."), products

    @app.callback(
        Output(f"{ADMIN_P}-msg", "children"),
        Input(f"{ADMIN_P}-save", "n_clicks"),
        State(f"{ADMIN_P}-product", "value"),
        State(f"{ADMIN_P}-name", "value"),
        State(f"{ADMIN_P}-date", "value"),
        prevent_initial_call=True,
    )
    @guarded(alert)
    def _admin_save(n_clicks, product, name, when):
        viewer = current_viewer()
        if not n_clicks:
            return no_update
        if not product:
            raise DomainError("Choose a product.")
        with db() as session:
            r = releases.record_release(
                session, viewer, as_int(product, "Choose a product."), name or "", when or ""
            )
            text = f"Release {r.name} of {r.product.name} recorded ({r.released_on:%d %B %Y})."
        return alert(text, "success")

    @app.callback(
        Output(f"{LA_P}-list", "children"),
        Output(f"{LA_P}-known", "children"),
        Input(f"{LA_P}-msg", "children"),
    )
    @guarded(lambda msg: (alert(msg), ""))
    def _la_list(_msg):
        viewer = current_viewer()
        if viewer.authority_id is None:
            return "Only an authority's own users say which release it runs.", ""
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
        return listed, hint

    @app.callback(
        Output(f"{LA_P}-msg", "children"),
        Input(f"{LA_P}-save", "n_clicks"),
        State(f"{LA_P}-period", "value"),
        State(f"{LA_P}-name", "value"),
        prevent_initial_call=True,
    )
    @guarded(alert)
    def _la_save(n_clicks, period, name):
        viewer = current_viewer()
        if not n_clicks:
            return no_update
        if viewer.authority_id is None:
            raise DomainError("Only an authority's own users say which release it runs.")
        with db() as session:
            use = releases.record_release_use(
                session, viewer, viewer.authority_id, period or "", name or ""
            )
            text = (
                f"Saved: {use.period} ran {use.release.name}."
                if use is not None
                else f"Cleared the release for {(period or '').strip().upper()}."
            )
        return alert(text, "success")
