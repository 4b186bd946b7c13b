"""Supplier page: thin wiring over data.pages.supplier, data.requirements.answers and
releases. Every function below asks data/ with the server-side viewer; data/ refuses anyone
but the supplier's own users, and the central guard keeps suppliers off every other callback."""

from __future__ import annotations

from dash import Input, Output, State, html

from callbacks.chart_card import rules
from callbacks.common import as_int, current_viewer, db, guarded, mapping
from callbacks.registrars import Done, next_change, register_action
from data.errors import DomainError
from data.pages import supplier as page
from data.requirements import answers, releases
from layouts.answers import answer_block, effect_block
from layouts.components import alert
from layouts.releases import table
from layouts.supplier import P


def _int(value, what: str) -> int:
    return as_int(value, f"Choose a {what}.")


def answer(viewer, _trigger, *, req, status, text, release, expected) -> Done:
    """The supplier's answer to one requirement of a specification addressed to it."""
    with db() as session:
        recorded = answers.record_answer(
            session,
            viewer,
            _int(req, "requirement"),
            status,
            text=text or "",
            release=release or "",
            expected_on=expected or None,
        )
        rid = recorded.requirement_id
    return Done(f"Your answer to R-{rid} is recorded.")


def reply(viewer, _trigger, *, req, text) -> Done:
    """A message under the supplier's current answer (after a question, say)."""
    with db() as session:
        supplier_id = answers.require_addressed(session, viewer, _int(req, "requirement"))
        current = answers.current_answers(session, [int(req)], supplier_id).get(int(req))
        if not current:
            raise DomainError("Answer the requirement first; then you can add messages.")
        answers.reply(session, viewer, current[0].id, text or "")
    return Done("Message sent.")


def record_release(viewer, _trigger, *, product, name, when) -> Done:
    """A release of one of the supplier's own products."""
    with db() as session:
        r = releases.record_release(
            session, viewer, _int(product, "product"), name or "", when or ""
        )
        text = f"Release {r.name} of {r.product.name} recorded ({r.released_on:%d %B %Y})."
    return Done(text)


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
        wanted = str(mapping(query).get("spec", ""))
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
        wanted = chosen or str(mapping(query).get("requirement", ""))
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

    def action(run, button: str, message: str, **states: State) -> None:
        register_action(
            app,
            run,
            triggers=[Input(f"{P}-{button}", "n_clicks")],
            states=states,
            message=f"{P}-{message}",
            counter=f"{P}-changed",
            step=next_change,
            allow_duplicate=True,  # three actions move the page's one change counter
        )

    action(
        answer,
        "answer-save",
        "answer-msg",
        req=State(f"{P}-answer-req", "value"),
        status=State(f"{P}-answer-status", "value"),
        text=State(f"{P}-answer-text", "value"),
        release=State(f"{P}-answer-release", "value"),
        expected=State(f"{P}-answer-date", "value"),
    )
    action(
        reply,
        "reply-save",
        "reply-msg",
        req=State(f"{P}-reply-req", "value"),
        text=State(f"{P}-reply-text", "value"),
    )
    action(
        record_release,
        "release-save",
        "release-msg",
        product=State(f"{P}-release-product", "value"),
        name=State(f"{P}-release-name", "value"),
        when=State(f"{P}-release-date", "value"),
    )

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
