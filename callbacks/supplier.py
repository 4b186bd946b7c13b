"""Supplier page: thin wiring over data.pages.supplier, data.requirements.answers and
releases. Every function below asks data/ with the server-side viewer; data/ refuses anyone
but the supplier's own users, and the central guard keeps suppliers off every other callback."""

from __future__ import annotations

from dash import Input, Output, State, html

from callbacks.chart_card import rules
from callbacks.common import as_int, clearing, current_viewer, db, mapping
from callbacks.registrars import Button, Done, next_change, register_buttons
from data.errors import DomainError
from data.pages import supplier as page
from data.requirements import answers, releases
from layouts.answers import answer_block, effect_block
from layouts.ids import SUPPLIER as S
from layouts.ids import SUPPLIER_RELEASE, Namespace
from layouts.releases import table


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
        rid = _int(req, "requirement")
        supplier_id = answers.require_addressed(session, viewer, rid)
        current = answers.current_answers(session, [rid], supplier_id).get(rid)
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
        else []
    ) + ([html.P(item.quotation_note, className="fst-italic")] if item.quotation_note else [])
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
        id=S(f"item-{entry.requirement_id}"),
    )


def init(query) -> dict:
    """The specifications addressed to the viewer's supplier (the URL's, or the newest,
    chosen) and its products."""
    viewer = current_viewer()
    with db() as session:
        options = page.spec_options(session, viewer)
        products = page.product_options(session, viewer)
    values = {str(o["value"]) for o in options}
    wanted = str(mapping(query).get("spec", ""))
    value = wanted if wanted in values else (str(options[-1]["value"]) if options else None)
    return {
        "spec_options": [{**o, "value": str(o["value"])} for o in options],
        "spec": value,
        "products": [{**o, "value": str(o["value"])} for o in products],
    }


NO_SPECIFICATION = {"answer_options": [], "answer": None, "reply_options": []}


def view(spec, _changed, chosen, query) -> dict:
    """The chosen specification (``message``), its requirements to answer and the answered
    ones to follow up."""
    viewer = current_viewer()
    if not spec:
        return {
            "message": html.P("No specification has been addressed to you yet."),
            **NO_SPECIFICATION,
        }
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
    return {"message": body, "answer_options": options, "answer": value, "reply_options": answered}


def release_list(_changed) -> dict:
    viewer = current_viewer()
    with db() as session:
        found = page.release_rows(session, viewer)
    rows = [(r["product"], r["release"], r["released_on"]) for r in found]
    headers = ("Product", "Release", "Date")
    return {
        "message": table(rows, headers, "Releases of your products", "No releases recorded yet.")
    }


def values(ns: Namespace = S, **ids: str) -> dict[str, State]:
    """{name: State(ns(id), "value")}: the form fields an action reads."""
    return {name: State(ns(ident), "value") for name, ident in ids.items()}


# The page's actions: what each runs, its button, its message, the fields it reads.
BUTTONS = (
    Button(answer, S("answer-save"), S("answer-msg"),
           values(req="answer-req", status="answer-status", text="answer-text",
                  release="answer-release", expected="answer-date")),
    Button(reply, S("reply-save"), S("reply-msg"), values(req="reply-req", text="reply-text")),
    Button(record_release, SUPPLIER_RELEASE("save"), SUPPLIER_RELEASE("msg"),
           values(SUPPLIER_RELEASE, product="product", name="name", when="date")),
)  # fmt: skip


def register(app) -> None:
    app.callback(
        output={
            "spec_options": Output(S("spec"), "options"),
            "spec": Output(S("spec"), "value"),
            "products": Output(SUPPLIER_RELEASE("product"), "options"),
        },
        inputs=Input(S("query"), "data"),
        on_error=clearing(spec_options=[], spec=None, products=[]),
    )(init)
    app.callback(
        output={
            "message": Output(S("spec-body"), "children"),
            "answer_options": Output(S("answer-req"), "options"),
            "answer": Output(S("answer-req"), "value"),
            "reply_options": Output(S("reply-req"), "options"),
        },
        inputs=[Input(S("spec"), "value"), Input(S("changed"), "data")],
        state=[State(S("answer-req"), "value"), State(S("query"), "data")],
        on_error=clearing(**NO_SPECIFICATION),
    )(view)
    register_buttons(app, BUTTONS, counter=S("changed"), step=next_change)
    app.callback(
        output={"message": Output(SUPPLIER_RELEASE("list"), "children")},
        inputs=Input(S("changed"), "data"),
        on_error=clearing(),
    )(release_list)
