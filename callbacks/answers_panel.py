"""The supplier's answers on the requirement and specification pages: each requirement's
current answer and thread (to the viewers data.requirements.answers.may_see_answers allows),
“did it work?” for a delivered one, and the NLAR representative's reply in the thread.

Errors are Dash's on_error (callbacks.common): the message shows where the answers would."""

from __future__ import annotations

from dash import Input, Output, State, html, no_update

from callbacks.chart_card import rules
from callbacks.common import as_int, clearing, current_viewer, db
from data.errors import DomainError
from data.privacy.access import may_curate
from data.requirements import answers, effect, specifications
from data.requirements.curation import get_requirement, ref
from layouts.answers import answer_block, effect_block
from layouts.components import alert
from layouts.ids import REQUIREMENTS as R
from layouts.ids import SPECIFICATIONS as S

HIDDEN, SHOWN = {"display": "none"}, {}


def _rid(value) -> int:
    return as_int(value, "Choose a requirement.")


def requirement_answers(selected) -> dict:
    """The answers block for one requirement (``message``), and whether the viewer may
    reply (``reply_style``)."""
    viewer = current_viewer()
    if selected is None:
        return {
            "message": [html.P("Select a requirement to see the supplier's answer.")],
            "reply_style": HIDDEN,
        }
    rid = _rid(selected)
    with db() as session:
        shown = answers.answers_for_viewer(session, viewer, [rid]).get(rid, [])
        delivered = get_requirement(session, rid).status == "delivered"
        worked = effect.did_it_work(session, rules(), rid).lines() if delivered else []
    if not shown:
        return {
            "message": [html.P("No answer from the supplier yet."), effect_block(worked)],
            "reply_style": HIDDEN,
        }
    may_reply = any(may_curate(viewer, v.supplier_id) for v in shown)
    return {
        "message": [answer_block(v) for v in shown] + [effect_block(worked)],
        "reply_style": SHOWN if may_reply else HIDDEN,
    }


def reply(n_clicks, selected, text) -> dict:
    """The group's NLAR representative replies under its own supplier's answer."""
    viewer = current_viewer()
    if not n_clicks:
        return no_update
    rid = _rid(selected)
    with db() as session:
        shown = answers.answers_for_viewer(session, viewer, [rid]).get(rid, [])
        mine = [v for v in shown if may_curate(viewer, v.supplier_id)]
        if not mine:
            raise DomainError("There is no answer from your group's supplier to reply to.")
        answers.reply(session, viewer, mine[0].id, text or "")
    return {
        "message": alert("Reply sent to the supplier.", "success"),
        "answers": requirement_answers(selected)["message"],
        "text": "",
    }


def specification_answers(picked, number) -> dict:
    """Every answered requirement of a saved specification version, with its answers."""
    viewer = current_viewer()
    if not picked or not number:
        return {"message": html.P("Choose a specification with a saved version.")}
    with db() as session:
        version = specifications.get_version(
            session, as_int(picked, "Choose a specification."), as_int(number, "Choose a version.")
        )
        rids = specifications.version_requirement_ids(session, version.id)
        shown = answers.answers_for_viewer(session, viewer, rids)
        delivered = [r for r in rids if any(v.status == "delivered" for v in shown.get(r, []))]
        worked = {r: effect.did_it_work(session, rules(), r).lines() for r in delivered}
    if not shown:
        return {"message": html.P("No answers from the supplier yet.")}
    blocks = [
        html.Div(
            [html.H4(ref(r), className="h6 mt-2")]
            + [answer_block(v) for v in shown[r]]
            + [effect_block(worked.get(r, []))],
        )
        for r in rids
        if r in shown
    ]
    return {"message": html.Div(blocks)}


def register(app) -> None:
    app.callback(
        output={
            "message": Output(R("answers"), "children"),
            "reply_style": Output(R("answers-reply-area"), "style"),
        },
        inputs=Input(R("selected"), "data"),
        on_error=clearing(reply_style=HIDDEN),
    )(requirement_answers)
    app.callback(
        output={
            "message": Output(R("answers-reply-msg"), "children"),
            "answers": Output(R("answers"), "children", allow_duplicate=True),
            "text": Output(R("answers-reply-text"), "value"),
        },
        inputs=Input(R("answers-reply"), "n_clicks"),
        state=[State(R("selected"), "data"), State(R("answers-reply-text"), "value")],
        prevent_initial_call=True,
        on_error=clearing(),
    )(reply)
    app.callback(
        output={"message": Output(S("answers"), "children")},
        inputs=[Input(S("pick"), "value"), Input(S("version"), "value")],
        on_error=clearing(),
    )(specification_answers)
