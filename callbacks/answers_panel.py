"""The supplier's answers on the requirement and specification pages: each requirement's
current answer and thread (to the viewers data.requirements.answers.may_see_answers allows),
“did it work?” for a delivered one, and the NLAR representative's reply in the thread."""

from __future__ import annotations

from dash import Input, Output, State, html, no_update

from callbacks.chart_card import rules
from callbacks.common import as_int, current_viewer, db, guarded
from data.errors import DomainError
from data.privacy.access import may_curate
from data.requirements import answers, effect, specifications
from data.requirements.curation import get_requirement, ref
from layouts.answers import answer_block, effect_block
from layouts.components import alert

REQ, SPEC = "req", "spec"
HIDDEN, SHOWN = {"display": "none"}, {}


def _rid(value) -> int:
    return as_int(value, "Choose a requirement.")


def requirement_answers(selected) -> tuple[list, dict]:
    """The answers block for one requirement, and whether the viewer may reply."""
    viewer = current_viewer()
    if selected is None:
        return [html.P("Select a requirement to see the supplier's answer.")], HIDDEN
    rid = _rid(selected)
    with db() as session:
        shown = answers.answers_for_viewer(session, viewer, [rid]).get(rid, [])
        delivered = get_requirement(session, rid).status == "delivered"
        worked = effect.did_it_work(session, rules(), rid).lines() if delivered else []
    if not shown:
        return [html.P("No answer from the supplier yet."), effect_block(worked)], HIDDEN
    may_reply = any(may_curate(viewer, v.supplier_id) for v in shown)
    blocks = [answer_block(v) for v in shown] + [effect_block(worked)]
    return blocks, SHOWN if may_reply else HIDDEN


def register(app) -> None:
    @app.callback(
        Output(f"{REQ}-answers", "children"),
        Output(f"{REQ}-answers-reply-area", "style"),
        Input(f"{REQ}-selected", "data"),
    )
    @guarded(lambda msg: (alert(msg), HIDDEN))
    def _req_answers(selected):
        return requirement_answers(selected)

    @app.callback(
        Output(f"{REQ}-answers-reply-msg", "children"),
        Output(f"{REQ}-answers", "children", allow_duplicate=True),
        Output(f"{REQ}-answers-reply-text", "value"),
        Input(f"{REQ}-answers-reply", "n_clicks"),
        State(f"{REQ}-selected", "data"),
        State(f"{REQ}-answers-reply-text", "value"),
        prevent_initial_call=True,
    )
    @guarded(lambda msg: (alert(msg), no_update, no_update))
    def _reply(n_clicks, selected, text):
        viewer = current_viewer()
        if not n_clicks:
            return no_update, no_update, no_update
        rid = _rid(selected)
        with db() as session:
            shown = answers.answers_for_viewer(session, viewer, [rid]).get(rid, [])
            mine = [v for v in shown if may_curate(viewer, v.supplier_id)]
            if not mine:
                raise DomainError("There is no answer from your group's supplier to reply to.")
            answers.reply(session, viewer, mine[0].id, text or "")
        blocks, _ = requirement_answers(selected)
        return alert("Reply sent to the supplier.", "success"), blocks, ""

    @app.callback(
        Output(f"{SPEC}-answers", "children"),
        Input(f"{SPEC}-pick", "value"),
        Input(f"{SPEC}-version", "value"),
    )
    @guarded(lambda msg: alert(msg))
    def _spec_answers(picked, number):
        viewer = current_viewer()
        if not picked or not number:
            return html.P("Choose a specification with a saved version.")
        with db() as session:
            version = specifications.get_version(
                session,
                as_int(picked, "Choose a specification."),
                as_int(number, "Choose a version."),
            )
            rids = specifications.version_requirement_ids(session, version.id)
            shown = answers.answers_for_viewer(session, viewer, rids)
            delivered = [r for r in rids if any(v.status == "delivered" for v in shown.get(r, []))]
            worked = {r: effect.did_it_work(session, rules(), r).lines() for r in delivered}
        if not shown:
            return html.P("No answers from the supplier yet.")
        return html.Div(
            [
                html.Div(
                    [html.H4(ref(r), className="h6 mt-2")]
                    + [answer_block(v) for v in shown[r]]
                    + [effect_block(worked.get(r, []))],
                )
                for r in rids
                if r in shown
            ]
        )
