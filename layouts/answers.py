"""How a supplier's answer, its thread and “did it work?” are shown, on the supplier page and
on the requirement and specification pages (where the group's NLAR representative replies)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from data.requirements.answers import AnswerView
from layouts.forms import status
from layouts.ids import Namespace


def thread_block(view: AnswerView) -> html.Div | None:
    if not view.thread:
        return None
    return html.Div(
        [html.H5("Thread", className="h6 mt-2")]
        + [
            html.Blockquote(
                [html.Strong(f"{m.who} ({m.at:%d %b %Y %H:%M}): "), m.text],
                className="answer-message ms-3",
            )
            for m in view.thread
        ]
    )


def answer_block(view: AnswerView | None, *, who: bool = True) -> html.Div:
    """The current answer in one line, when given, and its thread."""
    if view is None:
        return html.P("No answer yet.", className="answer-none")
    head = f"{view.supplier}: " if who else ""
    return html.Div(
        [
            html.P(
                [
                    html.Strong(f"{head}{view.label}"),
                    f" ({view.at:%d %B %Y}) — {view.summary()}",
                ],
                className="answer-current mb-1",
            ),
            thread_block(view),
        ],
        className="answer",
    )


def effect_block(lines: list[str]) -> html.Div | None:
    if not lines:
        return None
    first, *rest = lines
    return html.Div(
        [html.P(html.Strong(first))] + ([html.Ul([html.Li(x) for x in rest])] if rest else []),
        className="did-it-work",
    )


def loop_panel(ns: Namespace, *, reply: bool) -> html.Section:
    """The answers section added to a page: ``ns("answers")`` filled by a callback, and
    (on the requirement page) a reply form for the group's NLAR representative."""
    parts: list = [
        html.H3("The supplier's answer", id=ns("answers-heading"), className="h5"),
        html.Div(id=ns("answers"), **{"aria-live": "polite"}),
    ]
    if reply:
        parts.append(
            html.Div(
                [
                    dbc.Label("Reply in the thread", html_for=ns("answers-reply-text")),
                    dbc.Textarea(
                        id=ns("answers-reply-text"), rows=2, maxLength=2000, className="mb-2"
                    ),
                    dbc.Button("Send reply", id=ns("answers-reply"), color="secondary"),
                    status(ns("answers-reply-msg")),
                ],
                id=ns("answers-reply-area"),
                style={"display": "none"},
            )
        )
    return html.Section(parts, className="mt-3", **{"aria-labelledby": ns("answers-heading")})
