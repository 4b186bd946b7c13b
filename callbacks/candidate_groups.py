"""Requirements page, the shown candidate group: the groups marked "related, not the same"
(links, and the curator's mark / remove control) and a selected finding's closest findings.

Every callback takes the viewer from the server session; data.requirements.related checks
that the viewer curates a supplier group both candidates hold findings from, so a forged
request (an LA user, another group's rep, a supplier) is refused and changes nothing."""

from __future__ import annotations

from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import Input, Output, State, ctx, html

from callbacks.chart_card import rules
from callbacks.common import clearing, current_viewer, db
from callbacks.registrars import Done
from callbacks.requirements import SHOWN, action, group_id
from data.errors import DomainError, NotFound
from data.pages import evidence
from data.requirements import closest, related
from data.requirements.closest import Closest
from layouts.ids import REQUIREMENTS as R
from layouts.requirements import HIDDEN, NEAR_HINT

NONE = {"label": "None", "value": ""}
NO_GROUP = {
    "area": HIDDEN,
    "links": [],
    "form": HIDDEN,
    "targets": [],
    "linked": [],
    "target": "",
    "unlink": "",
    "relate_off": True,
    "unrelate_off": True,
}
WIDTH = {"description": {"minWidth": "16rem"}}  # readable on a phone (the table scrolls)
NEAR_HEADERS = {
    "finding_id": "Finding",
    "authority": "Authority",
    "similarity": "Similarity",
    "how_alike": "How alike",
    "description": "Description (redacted)",
    "copies": "Same text",
}


def link(group: related.LinkedGroup) -> html.A:
    return html.A(group.label, href="/requirements?" + urlencode({"candidate": group.cluster_id}))


def groups_panel(candidate, group, *_changes) -> dict:
    """The shown candidate's related groups as links and, for its curators, the choices."""
    viewer = current_viewer()
    if not candidate:
        return NO_GROUP
    cid = related.candidate_id(candidate)
    r = rules()
    with db() as session:
        linked = related.linked_groups(session, viewer, r, cid)
        curator = related.may_relate(session, viewer, cid)
        choices = related.relation_choices(session, viewer, r, cid, group_id(group))
    links = (
        html.Ul([html.Li(link(g)) for g in linked], className="mb-2")
        if linked
        else html.P("None marked.", className="text-muted")
    )
    return {
        "area": SHOWN,
        "links": links,
        "form": SHOWN if curator else HIDDEN,
        "targets": [{"label": g.label, "value": g.cluster_id} for g in choices],
        "linked": [{"label": g.label, "value": g.cluster_id} for g in linked],
        "target": "",
        "unlink": "",
        "relate_off": not choices,  # nothing to mark or remove: the button says so
        "unrelate_off": not linked,
    }


def relate(viewer, trigger, *, candidate, target, linked) -> Done:
    """Mark the shown group related, not the same, as the chosen one, or remove a mark."""
    if not candidate:
        raise NotFound("Select a candidate first.")
    other = linked if trigger == R("unrelate") else target
    if not other:
        raise DomainError("Choose the other candidate group first.")
    with db() as session:
        if trigger == R("unrelate"):
            changed = related.unrelate(session, viewer, candidate, other)
            text = "Mark removed." if changed else "They were not marked."
        else:
            changed = related.relate(session, viewer, candidate, other)
            text = (
                f"Marked related, not the same, as {other}: regrouping keeps them apart."
                if changed
                else f"Already marked related, not the same, as {other}."
            )
    return Done(text, changed=changed, color="success" if changed else "info")


def cell(row, column: str) -> str:
    """A closest-findings cell; "Same text" says how many findings the row stands for."""
    if column == "copies":
        return f"×{row['copies']}" if row["copies"] > 1 else ""
    return str(row[column])


def table(found: Closest) -> html.Table:
    """The closest findings as a plain table (a caption, headed columns)."""
    head = html.Thead(
        html.Tr([html.Th(h, scope="col", style=WIDTH.get(c)) for c, h in NEAR_HEADERS.items()])
    )
    body = html.Tbody(
        [html.Tr([html.Td(cell(row, c)) for c in NEAR_HEADERS]) for _, row in found.rows.iterrows()]
    )
    caption = html.Caption(
        f"Findings most like finding {found.finding_id}, most alike first",
        className="visually-hidden",
    )
    return dbc.Table(
        [caption, head, body],
        bordered=True,
        striped=True,
        size="sm",
        responsive=True,  # scrolls inside its own box on a phone, not the page
        className="near-table",
    )


def near(selected, candidate) -> dict:
    """The selected finding's closest findings among those shown in its group."""
    viewer = current_viewer()
    if ctx.triggered_id == R("candidate") or not candidate or not selected:
        return {"note": NEAR_HINT, "table": None}
    row = selected[0] if isinstance(selected, list) and isinstance(selected[0], dict) else {}
    cid = related.candidate_id(candidate)
    with db() as session:
        shown = evidence.candidate_findings(session, viewer, rules(), cid).rows
        found = closest.closest_findings(session, shown, cid, row.get("finding_id"))
    chosen = [
        html.Strong(f"Finding {found.finding_id}"),
        f" ({found.authority}): “{found.description}” ",
    ]
    copies = found.same_as_chosen
    same = (
        f"{copies} other finding{'s' if copies > 1 else ''} shown in this group "
        f"{'have' if copies > 1 else 'has'} the same text. "
        if copies
        else ""
    )
    if found.rows.empty and copies:
        return {
            "note": [*chosen, html.Br(), same + "No other text is shown in this group."],
            "table": None,
        }
    if found.rows.empty:
        return {"note": [*chosen, "is the only finding shown in this group."], "table": None}
    note = (
        f"{same}The {len(found.rows)} texts most like it, of the {found.compared} findings "
        "shown in this group, most alike first (findings with the same text are one row):"
    )
    return {"note": [*chosen, html.Br(), note], "table": table(found)}


def register(app) -> None:
    app.callback(
        output={
            "area": Output(R("related-area"), "style"),
            "links": Output(R("related-links"), "children"),
            "form": Output(R("relate-form"), "style"),
            "targets": Output(R("relate-target"), "options"),
            "linked": Output(R("unrelate-target"), "options"),
            "target": Output(R("relate-target"), "value"),
            "unlink": Output(R("unrelate-target"), "value"),
            "relate_off": Output(R("relate"), "disabled"),
            "unrelate_off": Output(R("unrelate"), "disabled"),
        },
        inputs=[
            Input(R("candidate"), "data"),
            Input(R("group"), "value"),
            Input(R("changed-relate"), "data"),
            Input(R("changed-regroup"), "data"),
        ],
        on_error=clearing(text_in="links", **{**NO_GROUP, "area": SHOWN}),
    )(groups_panel)
    action(
        app,
        relate,
        ("relate", "unrelate"),
        "relate",
        candidate=State(R("candidate"), "data"),
        target=State(R("relate-target"), "value"),
        linked=State(R("unrelate-target"), "value"),
    )
    app.callback(
        output={"note": Output(R("near-note"), "children"), "table": Output(R("near"), "children")},
        inputs=[Input(R("cand-findings"), "selectedRows"), Input(R("candidate"), "data")],
        on_error=clearing(text_in="note", table=None),
    )(near)
