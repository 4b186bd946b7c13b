"""Admin page callbacks for reference data: authorities, suppliers and products, product
use over time, and statistical neighbours. Each one checks admin rights first."""

from __future__ import annotations

import base64
import binascii

from dash import Input, Output, State, ctx, html, no_update

from callbacks.admin import (
    admin_viewer,
    alert,
    bump,
    failed,
    grid_data,
    optional_date,
    optional_int,
    selected_id,
)
from callbacks.common import db, guarded
from data.errors import DomainError
from data.ingest.neighbours import load_neighbours, neighbour_counts
from data.pages.admin import (
    add_product,
    add_supplier,
    delete_product_use,
    list_authorities,
    list_product_use,
    list_products,
    record_product_change,
    regenerate_pseudonym,
    save_authority,
)

P = "admin"


def _register_authorities(app) -> None:
    @app.callback(
        Output(f"{P}-authorities", "columnDefs"),
        Output(f"{P}-authorities", "rowData"),
        Input(f"{P}-load", "data"),
        Input(f"{P}-refresh", "data"),
    )
    @guarded(lambda _msg: ([], []))
    def _authorities(_load, _refresh):
        viewer = admin_viewer()
        with db() as session:
            return grid_data(list_authorities(session, viewer))

    @app.callback(
        Output(f"{P}-la-code", "value"),
        Output(f"{P}-la-name", "value"),
        Output(f"{P}-la-region", "value"),
        Output(f"{P}-la-type", "value"),
        Output(f"{P}-la-size", "value"),
        Output(f"{P}-la-consent", "value"),
        Input(f"{P}-authorities", "selectedRows"),
        prevent_initial_call=True,
    )
    @guarded(lambda _msg: (no_update,) * 6)
    def _pick(selected):
        admin_viewer()
        if not selected:
            return (no_update,) * 6
        row = selected[0]
        return (
            row.get("code"),
            row.get("name"),
            row.get("region"),
            row.get("la_type"),
            row.get("size_band"),
            bool(row.get("consent_named")),
        )

    @app.callback(
        Output(f"{P}-la-msg", "children"),
        Output(f"{P}-refresh", "data", allow_duplicate=True),
        Input(f"{P}-la-add", "n_clicks"),
        Input(f"{P}-la-save", "n_clicks"),
        Input(f"{P}-la-pseudonym", "n_clicks"),
        State(f"{P}-authorities", "selectedRows"),
        State(f"{P}-la-code", "value"),
        State(f"{P}-la-name", "value"),
        State(f"{P}-la-region", "value"),
        State(f"{P}-la-type", "value"),
        State(f"{P}-la-size", "value"),
        State(f"{P}-la-consent", "value"),
        State(f"{P}-refresh", "data"),
        prevent_initial_call=True,
    )
    @guarded(failed)
    def _save(_add, _save, _pseudo, selected, code, name, region, la_type, size, consent, refresh):
        viewer = admin_viewer()
        trigger = ctx.triggered_id
        with db() as session:
            if trigger == f"{P}-la-pseudonym":
                authority_id = selected_id(selected, "an authority")
                pseudonym = regenerate_pseudonym(session, viewer, authority_id)
                return alert(f"The new pseudonym is {pseudonym}."), bump(refresh)
            authority_id = (
                None if trigger == f"{P}-la-add" else selected_id(selected, "an authority")
            )
            authority = save_authority(
                session,
                viewer,
                authority_id=authority_id,
                code=code or "",
                name=name or "",
                region=region or "",
                la_type=la_type or "",
                size_band=size or "",
                consent_named=bool(consent),
            )
            verb = "Added" if authority_id is None else "Saved"
            text = f"{verb} {authority.name} ({authority.code}), shown to others as " + (
                authority.name if authority.consent_named else authority.pseudonym
            )
        return alert(text + "."), bump(refresh)


def _register_products(app) -> None:
    @app.callback(
        Output(f"{P}-products", "columnDefs"),
        Output(f"{P}-products", "rowData"),
        Input(f"{P}-load", "data"),
        Input(f"{P}-refresh", "data"),
    )
    @guarded(lambda _msg: ([], []))
    def _products(_load, _refresh):
        viewer = admin_viewer()
        with db() as session:
            return grid_data(list_products(session, viewer))

    @app.callback(
        Output(f"{P}-products-msg", "children"),
        Output(f"{P}-refresh", "data", allow_duplicate=True),
        Input(f"{P}-supplier-add", "n_clicks"),
        Input(f"{P}-product-add", "n_clicks"),
        State(f"{P}-supplier-name", "value"),
        State(f"{P}-product-supplier", "value"),
        State(f"{P}-product-name", "value"),
        State(f"{P}-refresh", "data"),
        prevent_initial_call=True,
    )
    @guarded(failed)
    def _add(_s, _p, supplier_name, supplier_id, product_name, refresh):
        viewer = admin_viewer()
        with db() as session:
            if ctx.triggered_id == f"{P}-supplier-add":
                supplier = add_supplier(session, viewer, supplier_name or "")
                return alert(f"Added the supplier {supplier.name}."), bump(refresh)
            product = add_product(session, viewer, optional_int(supplier_id), product_name or "")
            return alert(f"Added the product {product.name}."), bump(refresh)


def _register_product_use(app) -> None:
    @app.callback(
        Output(f"{P}-use", "columnDefs"),
        Output(f"{P}-use", "rowData"),
        Input(f"{P}-use-filter", "value"),
        Input(f"{P}-refresh", "data"),
    )
    @guarded(lambda _msg: ([], []))
    def _uses(authority, _refresh):
        viewer = admin_viewer()
        with db() as session:
            return grid_data(list_product_use(session, viewer, optional_int(authority)))

    @app.callback(
        Output(f"{P}-use-msg", "children"),
        Output(f"{P}-refresh", "data", allow_duplicate=True),
        Input(f"{P}-use-add", "n_clicks"),
        Input(f"{P}-use-delete", "n_clicks"),
        State(f"{P}-use-authority", "value"),
        State(f"{P}-use-product", "value"),
        State(f"{P}-use-start", "value"),
        State(f"{P}-use", "selectedRows"),
        State(f"{P}-refresh", "data"),
        prevent_initial_call=True,
    )
    @guarded(failed)
    def _change(_add, _delete, authority, product, start, selected, refresh):
        viewer = admin_viewer()
        with db() as session:
            if ctx.triggered_id == f"{P}-use-delete":
                delete_product_use(session, viewer, selected_id(selected, "a record"))
                return alert("The record was deleted."), bump(refresh)
            authority_id, product_id = optional_int(authority), optional_int(product)
            start_date = optional_date(start)
            if authority_id is None or product_id is None or start_date is None:
                raise DomainError(
                    "Choose the authority, the product and the date the change took effect."
                )
            use = record_product_change(session, viewer, authority_id, product_id, start_date)
            text = f"Recorded: {use.authority.name} uses {use.product.name} from {start_date}."
        return alert(text), bump(refresh)


def _register_neighbours(app) -> None:
    @app.callback(
        Output(f"{P}-neighbours", "columnDefs"),
        Output(f"{P}-neighbours", "rowData"),
        Input(f"{P}-load", "data"),
        Input(f"{P}-refresh", "data"),
    )
    @guarded(lambda _msg: ([], []))
    def _counts(_load, _refresh):
        viewer = admin_viewer()
        with db() as session:
            return grid_data(neighbour_counts(session, viewer), hidden=())

    @app.callback(
        Output(f"{P}-neighbours-msg", "children"),
        Output(f"{P}-refresh", "data", allow_duplicate=True),
        Input(f"{P}-neighbours-file", "contents"),
        State(f"{P}-refresh", "data"),
        prevent_initial_call=True,
    )
    @guarded(failed)
    def _load(contents, refresh):
        viewer = admin_viewer()
        if not contents:
            return no_update, no_update
        try:
            content = base64.b64decode(str(contents).partition(",")[2])
        except (binascii.Error, ValueError) as exc:
            raise DomainError("The file could not be received; please try again.") from exc
        with db() as session:
            count, report = load_neighbours(session, viewer, content)
        if not report.ok:
            items = [html.Li(m) for m in report.messages()[:50]]
            body = [html.P("Nothing was loaded. Problems found:"), html.Ul(items)]
            return alert(body, "danger"), no_update
        return alert(f"Loaded {count} neighbour rows."), bump(refresh)


def register(app) -> None:
    _register_authorities(app)
    _register_products(app)
    _register_product_use(app)
    _register_neighbours(app)
