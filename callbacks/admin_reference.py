"""Admin page callbacks for reference data: authorities, suppliers and products, product
use over time, and statistical neighbours. Each one checks admin rights first."""

from __future__ import annotations

import base64
import binascii

from dash import Input, Output, State, html, no_update

from callbacks.admin import (
    admin_action,
    admin_grid,
    admin_viewer,
    fields,
    optional_date,
    optional_int,
    selected_id,
)
from callbacks.common import db
from callbacks.registrars import Done
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
from layouts.ids import ADMIN as A

# The authority form: output and state name -> (field id, the grid row's column).
AUTHORITY_FORM = {
    "code": ("la-code", "code"),
    "name": ("la-name", "name"),
    "region": ("la-region", "region"),
    "la_type": ("la-type", "la_type"),
    "size": ("la-size", "size_band"),
    "consent": ("la-consent", "consent_named"),
}

AUTHORITY_FIELDS = {name: field for name, (field, _column) in AUTHORITY_FORM.items()}


def pick_authority(selected) -> dict:
    """The selected authority's details, into the form (nothing changes without one)."""
    admin_viewer()
    if not selected:
        return dict.fromkeys(AUTHORITY_FORM, no_update)
    row = selected[0]
    form = {name: row.get(column) for name, (_field, column) in AUTHORITY_FORM.items()}
    return {**form, "consent": bool(form["consent"])}


def save_authority_form(
    viewer, trigger, *, selected, code, name, region, la_type, size, consent
) -> Done:
    """Add a new authority, save the selected one, or give it a new pseudonym."""
    with db() as session:
        if trigger == A("la-pseudonym"):
            authority_id = selected_id(selected, "an authority")
            pseudonym = regenerate_pseudonym(session, viewer, authority_id)
            return Done(f"The new pseudonym is {pseudonym}.")
        authority_id = None if trigger == A("la-add") else selected_id(selected, "an authority")
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
        shown_as = authority.name if authority.consent_named else authority.pseudonym
        return Done(f"{verb} {authority.name} ({authority.code}), shown to others as {shown_as}.")


def add_supplier_or_product(viewer, trigger, *, supplier_name, supplier_id, product_name) -> Done:
    with db() as session:
        if trigger == A("supplier-add"):
            supplier = add_supplier(session, viewer, supplier_name or "")
            return Done(f"Added the supplier {supplier.name}.")
        product = add_product(session, viewer, optional_int(supplier_id), product_name or "")
        return Done(f"Added the product {product.name}.")


def product_use_rows(session, viewer, authority):
    return list_product_use(session, viewer, {"authority": authority})


def change_product_use(viewer, trigger, *, authority, product, start, selected) -> Done:
    """Record a change of supplier, or delete the selected record."""
    with db() as session:
        if trigger == A("use-delete"):
            delete_product_use(session, viewer, selected_id(selected, "a record"))
            return Done("The record was deleted.")
        authority_id, product_id = optional_int(authority), optional_int(product)
        start_date = optional_date(start)
        if authority_id is None or product_id is None or start_date is None:
            raise DomainError(
                "Choose the authority, the product and the date the change took effect."
            )
        use = record_product_change(session, viewer, authority_id, product_id, start_date)
        return Done(f"Recorded: {use.authority.name} uses {use.product.name} from {start_date}.")


def neighbour_rows(session, viewer):
    return neighbour_counts(session, viewer)


def load_neighbours_file(viewer, _trigger, *, contents) -> Done:
    """Load a neighbours CSV; nothing is loaded if any row has a problem."""
    try:
        content = base64.b64decode(str(contents).partition(",")[2])
    except (binascii.Error, ValueError) as exc:
        raise DomainError("The file could not be received; please try again.") from exc
    with db() as session:
        count, report = load_neighbours(session, viewer, content)
    if not report.ok:
        items = [html.Li(m) for m in report.messages()[:50]]
        body = [html.P("Nothing was loaded. Problems found:"), html.Ul(items)]
        return Done(body, "danger", changed=False)
    return Done(f"Loaded {count} neighbour rows.")


def register(app) -> None:
    admin_grid(app, "authorities", list_authorities)
    app.callback(
        output=fields(Output, AUTHORITY_FIELDS),
        inputs=Input(A("authorities"), "selectedRows"),
        prevent_initial_call=True,
    )(pick_authority)
    admin_action(
        app,
        save_authority_form,
        ["la-add", "la-save", "la-pseudonym"],
        "la-msg",
        selected=State(A("authorities"), "selectedRows"),
        **fields(State, AUTHORITY_FIELDS),
    )
    admin_grid(app, "products", list_products)
    admin_action(
        app,
        add_supplier_or_product,
        ["supplier-add", "product-add"],
        "products-msg",
        **fields(
            State,
            {
                "supplier_name": "supplier-name",
                "supplier_id": "product-supplier",
                "product_name": "product-name",
            },
        ),
    )
    admin_grid(
        app,
        "use",
        product_use_rows,
        params=[Input(A("use-filter"), "value")],
        reload=[Input(A("refresh"), "data")],
    )
    admin_action(
        app,
        change_product_use,
        ["use-add", "use-delete"],
        "use-msg",
        **fields(
            State, {"authority": "use-authority", "product": "use-product", "start": "use-start"}
        ),
        selected=State(A("use"), "selectedRows"),
    )
    admin_grid(app, "neighbours", neighbour_rows, hidden=())
    admin_action(
        app,
        load_neighbours_file,
        {"contents": Input(A("neighbours-file"), "contents")},
        "neighbours-msg",
    )
