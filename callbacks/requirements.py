"""Common requirements page: thin wiring over data.requirements. Every callback takes the
viewer from the server session (current_viewer) and the data functions check the rights, so
crafted inputs (another group's id, someone else's requirement) are refused there."""

from __future__ import annotations

import pandas as pd
from dash import Input, Output, State, ctx, no_update

from callbacks.chart_card import grid_rows, rules
from callbacks.common import current_viewer, db, guarded
from data.errors import DomainError
from data.privacy.access import COORDINATOR, NLAR_REP
from data.queries.summaries import coverage, supplier_names
from data.requirements import candidates, clusters, curation, endorsements, views
from data.requirements.ranking import label_rule
from layouts.components import SUPPRESSION_FOOTNOTE, alert
from layouts.requirements import HIDDEN, P

SHOWN: dict = {}
ALL = "all"
NONE = {"label": "None", "value": ""}


def group_id(value) -> int | None:
    """Dropdown value -> supplier id (None = all groups)."""
    if value in (None, "", ALL):
        return None
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise DomainError("Unknown supplier group.") from exc


def requirement_id(value) -> int:
    try:
        return int(str(value).removeprefix("R-"))
    except (TypeError, ValueError) as exc:
        raise DomainError("Unknown requirement.") from exc


def rows(frame: pd.DataFrame, key: str) -> list[dict]:
    return grid_rows(frame.assign(key=frame[key].astype(str)))


def _changed(counter) -> dict:
    n = counter.get("n", 0) if isinstance(counter, dict) else 0
    return {"n": n + 1}


def _ok(message: str):
    return alert(message, "success")


def register(app) -> None:
    @app.callback(
        Output(f"{P}-group", "options"),
        Output(f"{P}-group", "value"),
        Output(f"{P}-accept-group", "options"),
        Output(f"{P}-accept-group", "value"),
        Output(f"{P}-regroup-area", "style"),
        Output(f"{P}-accept-form", "style"),
        Output(f"{P}-label-rule", "children"),
        Input(f"{P}-query", "data"),
    )
    @guarded(lambda msg: ([], None, [], None, HIDDEN, HIDDEN, msg))
    def _init(query):
        viewer = current_viewer()
        with db() as session:
            names = supplier_names(session)
            groups_with_data = coverage(session).supplier_groups
        options = [{"label": "All supplier groups", "value": ALL}] + [
            {"label": n, "value": str(i)} for i, n in sorted(names.items(), key=lambda x: x[1])
        ]
        wanted = str((query or {}).get("group", ""))
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
        return (
            options,
            value,
            accept_options,
            accept_value,
            SHOWN if clusters.may_regroup(viewer) else HIDDEN,
            SHOWN if curator else HIDDEN,
            label_rule(groups_with_data),
        )

    @app.callback(
        Output(f"{P}-candidates", "rowData"),
        Output(f"{P}-cand-summary", "children"),
        Output(f"{P}-footnote", "children"),
        Input(f"{P}-group", "value"),
        Input(f"{P}-min-las", "value"),
        Input(f"{P}-changed-accept", "data"),
        Input(f"{P}-changed-regroup", "data"),
        Input(f"{P}-changed-curate", "data"),
    )
    @guarded(lambda msg: ([], msg, ""))
    def _candidates(group, min_las, *_changes):
        viewer = current_viewer()
        filt = candidates.CandidateFilter(supplier_id=group_id(group), min_las=int(min_las or 0))
        with db() as session:
            table = candidates.candidate_table(session, viewer, rules(), filt)
            waiting = candidates.waiting_count(session)
        summary = f"{len(table)} candidate requirements shown, best first."
        if waiting:
            summary += (
                f" {waiting:,} new findings are not grouped yet: a curator can regroup findings."
            )
        r = rules()
        note = SUPPRESSION_FOOTNOTE.format(min_las=r.min_las, min_respondents=r.min_respondents)
        return rows(table, "candidate"), summary, note

    @app.callback(
        Output(f"{P}-cand-title", "children"),
        Output(f"{P}-cand-note", "children"),
        Output(f"{P}-cand-findings", "rowData"),
        Output(f"{P}-accept-into", "options"),
        Input(f"{P}-candidates", "selectedRows"),
    )
    @guarded(lambda msg: ("Findings in the selected candidate", msg, [], [NONE]))
    def _drill(selected):
        viewer = current_viewer()
        if not selected:
            return "Findings in the selected candidate", "Select a candidate above.", [], [NONE]
        cid = str(selected[0].get("candidate", ""))
        with db() as session:
            frame, withheld = candidates.candidate_findings(session, viewer, rules(), cid)
            into = (
                views.curatable(session, viewer) if viewer.role in (NLAR_REP, COORDINATOR) else []
            )
        note = f"{len(frame)} findings shown."
        if withheld:
            note += (
                f" {withheld} findings from other authorities are withheld: fewer than "
                f"{rules().min_las} authorities raised this candidate."
            )
        with db() as session:  # why grouped, from the shown findings only
            why = clusters.why_grouped(session, frame, cid)
        if why:
            note += " " + why
        return (
            f"Findings in candidate {cid}",
            note,
            rows(frame, "finding_id"),
            [NONE, *into],
        )

    @app.callback(
        Output(f"{P}-accept-msg", "children"),
        Output(f"{P}-changed-accept", "data"),
        Input(f"{P}-accept", "n_clicks"),
        State(f"{P}-candidates", "selectedRows"),
        State(f"{P}-accept-statement", "value"),
        State(f"{P}-accept-priority", "value"),
        State(f"{P}-accept-group", "value"),
        State(f"{P}-accept-into", "value"),
        State(f"{P}-changed-accept", "data"),
        prevent_initial_call=True,
    )
    @guarded(lambda msg: (alert(msg), no_update))
    def _accept(n_clicks, selected, statement, priority, group, into, counter):
        viewer = current_viewer()
        if not n_clicks:
            return no_update, no_update
        if not selected:
            raise curation.CurationError("Select a candidate first.")
        cid = str(selected[0].get("candidate", ""))
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
        return _ok(f"{verb} {curation.ref(rid)}."), {**_changed(counter), "select": rid}

    @app.callback(
        Output(f"{P}-regroup-msg", "children"),
        Output(f"{P}-changed-regroup", "data"),
        Input(f"{P}-regroup", "n_clicks"),
        State(f"{P}-changed-regroup", "data"),
        prevent_initial_call=True,
    )
    @guarded(lambda msg: (alert(msg), no_update))
    def _regroup(n_clicks, counter):
        viewer = current_viewer()
        if not n_clicks:
            return no_update, no_update
        with db() as session:
            result = clusters.regroup(session, viewer)
        return _ok(result.message()), _changed(counter)

    @app.callback(
        Output(f"{P}-list", "rowData"),
        Input(f"{P}-group", "value"),
        Input(f"{P}-show-merged", "value"),
        Input(f"{P}-changed-accept", "data"),
        Input(f"{P}-changed-endorse", "data"),
        Input(f"{P}-changed-curate", "data"),
    )
    @guarded(lambda msg: [])
    def _list(group, show_merged, *_changes):
        viewer = current_viewer()
        with db() as session:
            table = views.requirement_list(
                session,
                viewer,
                rules(),
                supplier_id=group_id(group),
                include_merged=bool(show_merged),
            )
        return rows(table, "requirement")

    @app.callback(
        Output(f"{P}-selected", "data"),
        Input(f"{P}-list", "selectedRows"),
        Input(f"{P}-query", "data"),
        Input(f"{P}-changed-accept", "data"),
        Input(f"{P}-changed-curate", "data"),
    )
    @guarded(lambda msg: no_update)
    def _select(selected, query, accepted, curated):
        current_viewer()
        trigger = ctx.triggered_id
        if trigger == f"{P}-list":
            return requirement_id(selected[0]["key"]) if selected else no_update
        if trigger in (None, f"{P}-query"):  # first call: restore from the URL
            wanted = (query or {}).get("requirement")
            return requirement_id(wanted) if wanted else None
        data = accepted if trigger == f"{P}-changed-accept" else curated
        return data.get("select", no_update) if isinstance(data, dict) else no_update

    register_detail(app)


def register_detail(app) -> None:
    """The selected requirement: its evidence, endorsement and curation."""

    @app.callback(
        Output(f"{P}-detail-title", "children"),
        Output(f"{P}-detail-statement", "children"),
        Output(f"{P}-detail-reach", "children"),
        Output(f"{P}-detail-meta", "children"),
        Output(f"{P}-endorse-area", "style"),
        Output(f"{P}-evidence-note", "children"),
        Output(f"{P}-evidence", "rowData"),
        Output(f"{P}-curate-panel", "style"),
        Output(f"{P}-reword-statement", "value"),
        Output(f"{P}-reword-priority", "value"),
        Output(f"{P}-merge-target", "options"),
        Input(f"{P}-selected", "data"),
        Input(f"{P}-changed-endorse", "data"),
        Input(f"{P}-changed-curate", "data"),
    )
    @guarded(lambda msg: (msg, "", "", "", HIDDEN, "", [], HIDDEN, "", "should", [NONE]))
    def _detail(selected, *_changes):
        viewer = current_viewer()
        if selected is None:
            return ("No requirement selected", "", "", "Select a requirement in the list above.",
                    HIDDEN, "", [], HIDDEN, "", "should", [NONE])  # fmt: skip
        with db() as session:
            d = views.requirement_detail(session, viewer, rules(), requirement_id(selected))
            targets = views.curatable(session, viewer, scope_of=d.id) if d.may_curate else []
        priority = curation.PRIORITY_LABELS.get(d.priority, d.priority)
        meta = [f"{priority} · {d.status} · for {d.group}"]
        if d.merged_into:
            meta.append(f" · merged into {d.merged_into} (its evidence and endorsements are there)")
        if d.merged_from:
            meta.append(f" · merged from {', '.join(d.merged_from)}")
        if d.endorsed_by_own:
            meta.append(" · your authority has endorsed it")
        note = f"{len(d.evidence)} findings shown."
        if d.withheld:
            note += f" {d.withheld} withheld: fewer than {rules().min_las} authorities raised it."
        return (
            f"{d.ref}",
            d.statement,
            f"Reach: {d.reach}",
            "".join(meta),
            SHOWN if d.may_endorse and not d.merged_into else HIDDEN,
            note,
            rows(d.evidence, "finding_id"),
            SHOWN if d.may_curate else HIDDEN,
            d.statement,
            d.priority,
            [NONE, *targets],
        )

    @app.callback(
        Output(f"{P}-endorse-msg", "children"),
        Output(f"{P}-changed-endorse", "data"),
        Input(f"{P}-endorse", "n_clicks"),
        Input(f"{P}-withdraw", "n_clicks"),
        State(f"{P}-selected", "data"),
        State(f"{P}-changed-endorse", "data"),
        prevent_initial_call=True,
    )
    @guarded(lambda msg: (alert(msg), no_update))
    def _endorse(endorse_clicks, withdraw_clicks, selected, counter):
        viewer = current_viewer()
        if selected is None or not (endorse_clicks or withdraw_clicks):
            return no_update, no_update
        rid = requirement_id(selected)
        with db() as session:
            if ctx.triggered_id == f"{P}-withdraw":
                done = endorsements.withdraw(session, viewer, rid)
                text = "Endorsement withdrawn." if done else "Your authority had not endorsed it."
            else:
                done = endorsements.endorse(session, viewer, rid)
                text = (
                    f"Endorsed {curation.ref(rid)} for your authority."
                    if done
                    else "Your authority has already endorsed it (one endorsement per authority)."
                )
        return _ok(text), _changed(counter)

    @app.callback(
        Output(f"{P}-curate-msg", "children"),
        Output(f"{P}-changed-curate", "data"),
        Input(f"{P}-reword", "n_clicks"),
        Input(f"{P}-merge", "n_clicks"),
        Input(f"{P}-unmerge", "n_clicks"),
        Input(f"{P}-split", "n_clicks"),
        State(f"{P}-selected", "data"),
        State(f"{P}-reword-statement", "value"),
        State(f"{P}-reword-priority", "value"),
        State(f"{P}-merge-target", "value"),
        State(f"{P}-evidence", "selectedRows"),
        State(f"{P}-split-statement", "value"),
        State(f"{P}-split-priority", "value"),
        State(f"{P}-changed-curate", "data"),
        prevent_initial_call=True,
    )
    @guarded(lambda msg: (alert(msg), no_update))
    def _curate(
        _rw,
        _mg,
        _um,
        _sp,
        selected,
        statement,
        priority,
        target,
        ticked,
        new_statement,
        new_priority,
        counter,
    ):
        viewer = current_viewer()
        action = ctx.triggered_id
        if selected is None or action is None:
            return no_update, no_update
        rid = requirement_id(selected)
        select = rid
        with db() as session:
            if action == f"{P}-reword":
                curation.reword(session, viewer, rid, statement, priority)
                text = f"{curation.ref(rid)} reworded."
            elif action == f"{P}-merge":
                if not target:
                    raise curation.CurationError("Choose the requirement to merge into.")
                kept = curation.merge(session, viewer, rid, requirement_id(target))
                select = kept.id
                text = f"{curation.ref(rid)} merged into {curation.ref(kept.id)}."
            elif action == f"{P}-unmerge":
                curation.unmerge(session, viewer, rid)
                text = f"{curation.ref(rid)} unmerged; its evidence and endorsements are back."
            else:
                ids = [int(r["finding_id"]) for r in ticked or [] if "finding_id" in r]
                new = curation.split(session, viewer, rid, ids, new_statement, new_priority)
                select = new.id
                text = f"Split: the ticked findings now back {curation.ref(new.id)}."
        return _ok(text), {**_changed(counter), "select": select}
