"""Common requirements page: thin wiring over data.requirements. Every callback takes the
viewer from the server session (current_viewer) and the data functions check the rights, so
crafted inputs (another group's id, someone else's requirement) are refused there."""

from __future__ import annotations

import pandas as pd
from dash import Input, Output, State, ctx, html, no_update

from callbacks.chart_card import grid_rows, rules
from callbacks.common import as_int, clearing, current_viewer, db, mapping
from callbacks.registrars import Done, next_change, register_action
from callbacks.url_state import register_url_state
from data.errors import NotFound
from data.pages import evidence
from data.privacy.access import COORDINATOR, NLAR_REP
from data.queries.filters import ALL
from data.queries.summaries import coverage, supplier_names
from data.requirements import candidates, clusters, curation, endorsements, related, views
from data.requirements.ranking import label_rule
from layouts.components import SUPPRESSION_FOOTNOTE
from layouts.ids import REQUIREMENTS as R
from layouts.requirements import FIELDS, HIDDEN, PATH

SHOWN: dict = {}
NONE = {"label": "None", "value": ""}
MIN_LAS_WHOLE = "The smallest number of authorities must be a whole number."


def group_id(value) -> int | None:
    """The group an action is for (None: all groups). Not a filter: anything but a group id
    or the "all" choice is refused (lists filter with views.group_filter)."""
    if value in (None, "", ALL):
        return None
    return as_int(value, "Unknown supplier group.")


def requirement_id(value) -> int:
    return as_int(str(value).removeprefix("R-"), "Unknown requirement.")


def rows(frame: pd.DataFrame, key: str) -> list[dict]:
    return grid_rows(frame.assign(key=frame[key].astype(str)))


def init(query) -> dict:
    """The group choices (from the URL, or the viewer's own group) and what the viewer may do."""
    viewer = current_viewer()
    with db() as session:
        names = supplier_names(session)
        groups_with_data = coverage(session).supplier_groups
    options = [{"label": "All supplier groups", "value": ALL}] + [
        {"label": n, "value": str(i)} for i, n in sorted(names.items(), key=lambda x: x[1])
    ]
    wanted = str(mapping(query).get("group", ""))
    default = str(viewer.supplier_id) if viewer.role == NLAR_REP else ALL
    value = wanted if wanted in {o["value"] for o in options} else default
    if viewer.role == COORDINATOR:
        accept_options, accept_value = options, ALL
    elif viewer.role == NLAR_REP:
        accept_options = [o for o in options if o["value"] == str(viewer.supplier_id)]
        accept_value = str(viewer.supplier_id)
    else:
        accept_options, accept_value = [], None
    curator = viewer.role in (NLAR_REP, COORDINATOR)
    return {
        "group_options": options,
        "group": value,
        "accept_options": accept_options,
        "accept_group": accept_value,
        "regroup_style": SHOWN if clusters.may_regroup(viewer) else HIDDEN,
        "accept_style": SHOWN if curator else HIDDEN,
        "label_rule": label_rule(groups_with_data),
    }


def show_candidates(group, min_las, *_changes) -> dict:
    viewer = current_viewer()
    with db() as session:
        group = views.group_filter(session, group)
        filt = candidates.CandidateFilter(
            supplier_id=group, min_las=as_int(min_las or 0, MIN_LAS_WHOLE)
        )
        table = candidates.candidate_table(session, viewer, rules(), filt)
        waiting = candidates.waiting_count(session)
    summary = f"{len(table)} candidate requirements shown, best first."
    if waiting:
        summary += f" {waiting:,} new findings are not grouped yet: a curator can regroup findings."
    r = rules()
    note = SUPPRESSION_FOOTNOTE.format(min_las=r.min_las, min_respondents=r.min_respondents)
    return {"rows": rows(table, "candidate"), "summary": summary, "footnote": note}


NO_CANDIDATE = {
    "title": "Findings in the selected candidate",
    "note": "Select a candidate above.",
    "why": None,
    "rows": [],
    "into": [NONE],
}


def why_panel(why: str) -> list:
    return [html.H4("Why these findings are grouped", className="h5"), html.P(why)]


def show_candidate(selected, query) -> dict:
    """The candidate to show, and its findings: on load the one the URL names, once the server
    has checked the viewer may open it (else none, and a note says why); then the row selected
    in the ranked list (a list reloading with no row selected keeps the candidate shown). One
    callback, so a restored candidate's findings come with it, not a round trip later."""
    viewer = current_viewer()
    if ctx.triggered_id in (None, R("query")):  # first call: restore from the URL
        wanted = mapping(query).get("candidate")
        if wanted in (None, ""):
            return {**NO_CANDIDATE, "candidate": None, "link_note": None}
        try:
            with db() as session:
                cid = evidence.linked_candidate(session, viewer, rules(), wanted)
        except NotFound as exc:
            return {**NO_CANDIDATE, "candidate": None, "link_note": str(exc)}
    elif selected and isinstance(selected, list) and isinstance(selected[0], dict):
        cid = related.candidate_id(selected[0].get("candidate"))
    else:
        return {key: no_update for key in (*NO_CANDIDATE, "candidate", "link_note")}
    return {**drill(viewer, cid), "candidate": cid, "link_note": None}


def drill(viewer, cid: str) -> dict:
    """The findings of candidate cid, and the requirements it could be added to."""
    with db() as session:
        guarded = evidence.candidate_findings(session, viewer, rules(), cid)
        if guarded.rows.empty and not guarded.withheld:
            raise NotFound(f"No candidate group {cid}: findings may have been regrouped since.")
        into = views.curatable(session, viewer) if viewer.role in (NLAR_REP, COORDINATOR) else []
        # why grouped, from the shown findings only (related groups: listed below)
        why = clusters.why_grouped(session, guarded.rows, cid, related=False)
    frame, note = guarded.rows, guarded.note(rules())
    return {
        "title": f"Findings in candidate {cid}",
        "note": note,
        "why": why_panel(why) if why else None,
        "rows": rows(frame, "finding_id"),
        "into": [NONE, *into],
    }


def accept(viewer, _trigger, *, candidate, statement, priority, group, into) -> Done:
    """Accept the shown candidate as a requirement, or add its findings to one."""
    if not candidate:
        raise curation.CurationError("Select a candidate first.")
    cid = related.candidate_id(candidate)
    with db() as session:
        req = curation.accept_candidate(
            session,
            viewer,
            cid,
            statement,
            priority,
            group_id(group),
            into_requirement_id=requirement_id(into) if into else None,
        )
        rid = req.id
    verb = "Findings added to" if into else "Accepted as"
    return Done(f"{verb} {curation.ref(rid)}.", select=rid)


def regroup(viewer, _trigger) -> Done:
    with db() as session:
        result = clusters.regroup(session, viewer)
    return Done(result.message())


def show_list(group, show_merged, *_changes) -> dict:
    viewer = current_viewer()
    with db() as session:
        table = views.requirement_list(
            session,
            viewer,
            rules(),
            supplier_id=views.group_filter(session, group),
            include_merged=bool(show_merged),
        )
    return {"rows": rows(table, "requirement")}


def select(selected, query, accepted, curated):
    """The requirement to show: picked in the list, from the URL, or just accepted/curated."""
    current_viewer()
    trigger = ctx.triggered_id
    if trigger == R("list"):
        return requirement_id(selected[0].get("key")) if selected else no_update
    if trigger in (None, R("query")):  # first call: restore from the URL
        wanted = mapping(query).get("requirement")
        return requirement_id(wanted) if wanted else None
    data = accepted if trigger == R("changed-accept") else curated
    return data.get("select", no_update) if isinstance(data, dict) else no_update


NO_REQUIREMENT = {
    "title": "No requirement selected",
    "statement": "",
    "reach": "",
    "meta": "Select a requirement in the list above.",
    "endorse_style": HIDDEN,
    "evidence_note": "",
    "evidence": [],
    "curate_style": HIDDEN,
    "reword_statement": "",
    "reword_priority": "should",
    "merge_targets": [NONE],
}


def detail(selected, *_changes) -> dict:
    """The selected requirement: its evidence, and what the viewer may do with it."""
    viewer = current_viewer()
    if selected is None:
        return NO_REQUIREMENT
    with db() as session:
        d, guarded = evidence.requirement_detail(session, viewer, rules(), requirement_id(selected))
        targets = views.curatable(session, viewer, scope_of=d.id) if d.may_curate else []
    priority = curation.PRIORITY_LABELS.get(d.priority, d.priority)
    meta = [f"{priority} · {d.status} · for {d.group}"]
    if d.merged_into:
        meta.append(f" · merged into {d.merged_into} (its evidence and endorsements are there)")
    if d.merged_from:
        meta.append(f" · merged from {', '.join(d.merged_from)}")
    if d.endorsed_by_own:
        meta.append(" · your authority has endorsed it")
    note = guarded.note(rules())
    return {
        "title": f"{d.ref}",
        "statement": d.statement,
        "reach": f"Reach: {d.reach}",
        "meta": "".join(meta),
        "endorse_style": SHOWN if d.may_endorse and not d.merged_into else HIDDEN,
        "evidence_note": note,
        "evidence": rows(d.evidence, "finding_id"),
        "curate_style": SHOWN if d.may_curate else HIDDEN,
        "reword_statement": d.statement,
        "reword_priority": d.priority,
        "merge_targets": [NONE, *targets],
    }


def endorse(viewer, trigger, *, selected) -> Done | None:
    """Endorse the selected requirement for the viewer's authority, or withdraw that."""
    if selected is None:
        return None
    rid = requirement_id(selected)
    with db() as session:
        if trigger == R("withdraw"):
            done = endorsements.withdraw(session, viewer, rid)
            return Done("Endorsement withdrawn." if done else "Your authority had not endorsed it.")
        done = endorsements.endorse(session, viewer, rid)
    return Done(
        f"Endorsed {curation.ref(rid)} for your authority."
        if done
        else "Your authority has already endorsed it (one endorsement per authority)."
    )


def curate(
    viewer,
    trigger,
    *,
    selected,
    statement,
    priority,
    target,
    ticked,
    new_statement,
    new_priority,
) -> Done | None:
    """Reword, merge, unmerge or split the selected requirement."""
    if selected is None or trigger is None:
        return None
    rid = requirement_id(selected)
    select = rid
    with db() as session:
        if trigger == R("reword"):
            curation.reword(session, viewer, rid, statement, priority)
            text = f"{curation.ref(rid)} reworded."
        elif trigger == R("merge"):
            if not target:
                raise curation.CurationError("Choose the requirement to merge into.")
            kept = curation.merge(session, viewer, rid, requirement_id(target))
            select = kept.id
            text = f"{curation.ref(rid)} merged into {curation.ref(kept.id)}."
        elif trigger == R("unmerge"):
            curation.unmerge(session, viewer, rid)
            text = f"{curation.ref(rid)} unmerged; its evidence and endorsements are back."
        else:
            ids = [int(r["finding_id"]) for r in ticked or [] if "finding_id" in r]
            new = curation.split(session, viewer, rid, ids, new_statement, new_priority)
            select = new.id
            text = f"Split: the ticked findings now back {curation.ref(new.id)}."
    return Done(text, select=select)


def action(app, run, buttons: tuple[str, ...], store: str, **states: State) -> None:
    """Buttons that change requirements: the outcome shows in {store}-msg and moves the
    change counter changed-{store} on (the views that follow it reload)."""
    register_action(
        app,
        run,
        triggers=[Input(R(b), "n_clicks") for b in buttons],
        states=states,
        message=R(f"{store}-msg"),
        counter=R(f"changed-{store}"),
        step=next_change,
    )


def requirement_in_url(_session, _viewer, values: dict[str, object]) -> dict[str, object]:
    """``resolve`` for the URL: the selected requirement as people write it (R-12)."""
    selected = values.get("requirement")
    ok = isinstance(selected, int) and not isinstance(selected, bool)
    return {**values, "requirement": curation.ref(selected) if ok else None}


def register(app) -> None:
    register_url_state(app, R, PATH, FIELDS, requirement_in_url)
    app.callback(
        output={
            "group_options": Output(R("group"), "options"),
            "group": Output(R("group"), "value"),
            "accept_options": Output(R("accept-group"), "options"),
            "accept_group": Output(R("accept-group"), "value"),
            "regroup_style": Output(R("regroup-area"), "style"),
            "accept_style": Output(R("accept-form"), "style"),
            "label_rule": Output(R("label-rule"), "children"),
        },
        inputs=Input(R("query"), "data"),
        on_error=clearing(
            text_in="label_rule",
            group_options=[],
            group=None,
            accept_options=[],
            accept_group=None,
            regroup_style=HIDDEN,
            accept_style=HIDDEN,
        ),
    )(init)
    app.callback(
        output={
            "rows": Output(R("candidates"), "rowData"),
            "summary": Output(R("cand-summary"), "children"),
            "footnote": Output(R("footnote"), "children"),
        },
        inputs=[
            Input(R("group"), "value"),
            Input(R("min-las"), "value"),
            *[Input(R(f"changed-{s}"), "data") for s in ("accept", "regroup", "curate")],
        ],
        on_error=clearing(text_in="summary", rows=[], footnote=""),
    )(show_candidates)
    app.callback(
        output={
            "candidate": Output(R("candidate"), "data"),
            "link_note": Output(R("link-note"), "children"),
            "title": Output(R("cand-title"), "children"),
            "note": Output(R("cand-note"), "children"),
            "why": Output(R("why"), "children"),
            "rows": Output(R("cand-findings"), "rowData"),
            "into": Output(R("accept-into"), "options"),
        },
        inputs=[Input(R("candidates"), "selectedRows"), Input(R("query"), "data")],
        on_error=clearing(text_in="note", candidate=None, link_note=None, **NO_CANDIDATE),
    )(show_candidate)
    action(
        app,
        accept,
        ("accept",),
        "accept",
        candidate=State(R("candidate"), "data"),
        statement=State(R("accept-statement"), "value"),
        priority=State(R("accept-priority"), "value"),
        group=State(R("accept-group"), "value"),
        into=State(R("accept-into"), "value"),
    )
    action(app, regroup, ("regroup",), "regroup")
    app.callback(
        output={"rows": Output(R("list"), "rowData")},
        inputs=[
            Input(R("group"), "value"),
            Input(R("show-merged"), "value"),
            *[Input(R(f"changed-{s}"), "data") for s in ("accept", "endorse", "curate")],
        ],
        on_error=clearing(rows=[]),
    )(show_list)
    app.callback(
        Output(R("selected"), "data"),
        Input(R("list"), "selectedRows"),
        Input(R("query"), "data"),
        Input(R("changed-accept"), "data"),
        Input(R("changed-curate"), "data"),
    )(select)
    register_detail(app)


def register_detail(app) -> None:
    """The selected requirement: its evidence, endorsement and curation."""
    app.callback(
        output={
            "title": Output(R("detail-title"), "children"),
            "statement": Output(R("detail-statement"), "children"),
            "reach": Output(R("detail-reach"), "children"),
            "meta": Output(R("detail-meta"), "children"),
            "endorse_style": Output(R("endorse-area"), "style"),
            "evidence_note": Output(R("evidence-note"), "children"),
            "evidence": Output(R("evidence"), "rowData"),
            "curate_style": Output(R("curate-panel"), "style"),
            "reword_statement": Output(R("reword-statement"), "value"),
            "reword_priority": Output(R("reword-priority"), "value"),
            "merge_targets": Output(R("merge-target"), "options"),
        },
        inputs=[
            Input(R("selected"), "data"),
            Input(R("changed-endorse"), "data"),
            Input(R("changed-curate"), "data"),
        ],
        on_error=clearing(text_in="title", **{**NO_REQUIREMENT, "meta": ""}),
    )(detail)
    action(
        app,
        endorse,
        ("endorse", "withdraw"),
        "endorse",
        selected=State(R("selected"), "data"),
    )
    action(
        app,
        curate,
        ("reword", "merge", "unmerge", "split"),
        "curate",
        selected=State(R("selected"), "data"),
        statement=State(R("reword-statement"), "value"),
        priority=State(R("reword-priority"), "value"),
        target=State(R("merge-target"), "value"),
        ticked=State(R("evidence"), "selectedRows"),
        new_statement=State(R("split-statement"), "value"),
        new_priority=State(R("split-priority"), "value"),
    )
