"""Supplier page: thin wiring over data.pages.supplier, data.requirements.answers and
releases. Every function below asks data/ with the server-side viewer; data/ refuses anyone
but the supplier's own users, and the central guard keeps suppliers off every other callback."""

from __future__ import annotations

from dash import Input, Output, State, html, no_update

from callbacks.chart_card import rules
from callbacks.common import current_viewer, db, guarded
from data.errors import DomainError
from data.pages import supplier as page
from data.requirements import answers, releases
from layouts.answers import answer_block, effect_block
from layouts.components import alert
from layouts.releases import table
from layouts.supplier import P


def _int(value, what: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise DomainError(f"Choose a {what}.") from exc


def _bump(counter) -> dict:
    return {"n": (counter or {}).get("n", 0) + 1}


def _item(entry: page.SupplierItem) -> html.Article:
    item = entry.evidence
    facts = [
        ("Priority", item.priority),
        ("Status", item.status),
        ("Theme", item.theme),
        ("Authorities raising it", item.las),
        ("Respondents affected", item.respondents),
        ("Authorities endorsing it", item.endorsements),
        ("Theme score for the group", item.theme_score),
    ]
    quotes = (
        [
            html.P("What authorities said (redacted):", className="mb-1"),
            html.Ul([html.Li(q) for q in item.quotations]),
        ]  # fmt: skip
        if item.quotations
        else [html.P(item.quotation_note, className="fst-italic")]
        if item.quotation_note
        else []
    )
    return html.Article(
        [
            html.H3(f"{item.ref}: {item.statement}", className="h5"),
            html.Dl(
                sum(([html.Dt(k), html.Dd(v)] for k, v in facts), []),
                className="row-facts",
            ),
            *quotes,
            html.H4("Your answer", className="h6"),
            answer_block(entry.answer, who=False),
            effect_block(list(item.did_it_work)),
        ],
        className="supplier-item border-top pt-3 mt-3",
        id=f"{P}-item-{entry.requirement_id}",
    )


def register(app) -> None:
    @app.callback(
        Output(f"{P}-spec", "options"),
        Output(f"{P}-spec", "value"),
        Output(f"{P}-release-product", "options"),
        Input(f"{P}-query", "data"),
    )
    @guarded(lambda msg: ([], None, []))
    def _init(query):
        viewer = current_viewer()
        with db() as session:
            options = page.spec_options(session, viewer)
            products = page.product_options(session, viewer)
        values = {str(o["value"]) for o in options}
        wanted = str((query or {}).get("spec", ""))
        value = wanted if wanted in values else (str(options[-1]["value"]) if options else None)
        return (
            [{**o, "value": str(o["value"])} for o in options],
            value,
            [{**o, "value": str(o["value"])} for o in products],
        )

    @app.callback(
        Output(f"{P}-spec-body", "children"),
        Output(f"{P}-answer-req", "options"),
        Output(f"{P}-answer-req", "value"),
        Output(f"{P}-reply-req", "options"),
        Input(f"{P}-spec", "value"),
        Input(f"{P}-changed", "data"),
        State(f"{P}-answer-req", "value"),
        State(f"{P}-query", "data"),
    )
    @guarded(lambda msg: (alert(msg), [], None, []))
    def _view(spec, _changed, chosen, query):
        viewer = current_viewer()
        if not spec:
            return (
                html.P("No specification has been addressed to you yet."),
                [], None, [],
            )  # fmt: skip
        with db() as session:
            doc = page.supplier_spec(session, viewer, rules(), _int(spec, "specification"))
        options = [
            {
                "label": f"{i.evidence.ref}: {i.evidence.statement[:90]}",
                "value": str(i.requirement_id),
            }
            for i in doc.items
        ]
        values = [o["value"] for o in options]
        wanted = chosen or str((query or {}).get("requirement", ""))
        value = wanted if wanted in values else (values[0] if values else None)
        answered = [o for o, i in zip(options, doc.items, strict=True) if i.answer is not None]
        body = [
            html.P(
                f"{doc.title}, version {doc.version} (saved {doc.saved}); evidence as at data "
                f"version {doc.data_version}."
            ),
            *[_item(i) for i in doc.items],
            html.P(doc.suppression, className="footnote mt-2"),
        ]
        return body, options, value, answered

    @app.callback(
        Output(f"{P}-answer-msg", "children"),
        Output(f"{P}-changed", "data", allow_duplicate=True),
        Input(f"{P}-answer-save", "n_clicks"),
        State(f"{P}-answer-req", "value"),
        State(f"{P}-answer-status", "value"),
        State(f"{P}-answer-text", "value"),
        State(f"{P}-answer-release", "value"),
        State(f"{P}-answer-date", "value"),
        State(f"{P}-changed", "data"),
        prevent_initial_call=True,
    )
    @guarded(lambda msg: (alert(msg), no_update))
    def _answer(n_clicks, req, status, text, release, expected, counter):
        viewer = current_viewer()
        if not n_clicks:
            return no_update, no_update
        with db() as session:
            answer = answers.record_answer(
                session,
                viewer,
                _int(req, "requirement"),
                status,
                text=text or "",
                release=release or "",
                expected_on=expected or None,
            )
            rid = answer.requirement_id
        return alert(f"Your answer to R-{rid} is recorded.", "success"), _bump(counter)

    @app.callback(
        Output(f"{P}-reply-msg", "children"),
        Output(f"{P}-changed", "data", allow_duplicate=True),
        Input(f"{P}-reply-save", "n_clicks"),
        State(f"{P}-reply-req", "value"),
        State(f"{P}-reply-text", "value"),
        State(f"{P}-changed", "data"),
        prevent_initial_call=True,
    )
    @guarded(lambda msg: (alert(msg), no_update))
    def _reply(n_clicks, req, text, counter):
        viewer = current_viewer()
        if not n_clicks:
            return no_update, no_update
        with db() as session:
            supplier_id = answers.require_addressed(session, viewer, _int(req, "requirement"))
            current = answers.current_answers(session, [int(req)], supplier_id).get(int(req))
            if not current:
                raise DomainError("Answer the requirement first; then you can add messages.")
            answers.reply(session, viewer, current[0].id, text or "")
        return alert("Message sent.", "success"), _bump(counter)

    @app.callback(
        Output(f"{P}-release-msg", "children"),
        Output(f"{P}-changed", "data", allow_duplicate=True),
        Input(f"{P}-release-save", "n_clicks"),
        State(f"{P}-release-product", "value"),
        State(f"{P}-release-name", "value"),
        State(f"{P}-release-date", "value"),
        State(f"{P}-changed", "data"),
        prevent_initial_call=True,
    )
    @guarded(lambda msg: (alert(msg), no_update))
    def _release(n_clicks, product, name, when, counter):
        viewer = current_viewer()
        if not n_clicks:
            return no_update, no_update
        with db() as session:
            r = releases.record_release(
                session, viewer, _int(product, "product"), name or "", when or ""
            )
            text = f"Release {r.name} of {r.product.name} recorded ({r.released_on:%d %B %Y})."
        return alert(text, "success"), _bump(counter)

    @app.callback(
        Output(f"{P}-release-list", "children"),
        Input(f"{P}-changed", "data"),
    )
    @guarded(lambda msg: alert(msg))
    def _releases(_changed):
        viewer = current_viewer()
        with db() as session:
            found = page.release_rows(session, viewer)
        rows = [(r["product"], r["release"], r["released_on"]) for r in found]
        headers = ("Product", "Release", "Date")
        return table(rows, headers, "Releases of your products", "No releases recorded yet.")
