"""Registrars for the callback shapes that repeat across pages (beside
callbacks.chart_card.register_chart):

- :func:`register_entity_grid`: an AG Grid that lists rows of one kind (users, authorities,
  products ...) and is reloaded when the page's refresh counter moves;
- :func:`register_action`: buttons that change something, show what was done in a message
  and move the page's change counter on, so the grids and views that follow it reload;
  :func:`register_buttons` for several one-button actions sharing one counter.

Both take the viewer from the server session first (``who``), so a crafted request from
someone without the right reads and changes nothing. Errors are Dash's app-wide on_error
(callbacks.common.on_callback_error): a refused action shows "Not allowed: ..." in its
message; a grid that fails is emptied."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from dash import Input, Output, State, ctx, no_update

from callbacks.common import clearing, current_viewer, db
from data.privacy.access import Viewer
from data.reference import codes
from layouts.admin import ROLE_OPTIONS
from layouts.components import alert

HEADERS = {"la_type": "LA type", "consent_named": "Consents to be named", "code": "GSS code"}


def _code_names() -> dict[str, dict[str, str]]:
    """Columns holding codes: each shown by its name, the code on hover."""
    roles = {o["value"]: o["label"] for o in ROLE_OPTIONS}
    return {"la_type": codes.la_type_names(), "role": roles}


def grid_data(frame: pd.DataFrame, hidden: tuple[str, ...] = ("id",)) -> tuple[list, list]:
    """columnDefs and rowData (with a 'key' for row selection) for an AG Grid; a column of
    codes shows their names (AG Grid refData; the row keeps the code) with the code on hover."""
    shown = [c for c in frame.columns if c not in hidden]
    names = _code_names()
    columns = [
        {
            "field": c,
            "headerName": HEADERS.get(c, (c[:1].upper() + c[1:]).replace("_", " ")),
            "flex": 1,
            "minWidth": 120,
            **({"refData": names[c], "tooltipField": c} if c in names else {}),
        }
        for c in shown
    ]
    rows = frame.astype(object).where(frame.notna(), "").to_dict("records")
    for row in rows:
        for key, value in row.items():
            if hasattr(value, "hour"):
                row[key] = value.isoformat(sep=" ", timespec="minutes")
            elif hasattr(value, "isoformat"):
                row[key] = value.isoformat()
        if "id" in row:
            row["key"] = str(row["id"])
    return columns, rows


def register_entity_grid(
    app,
    grid: str,
    load: Callable[..., pd.DataFrame],
    *,
    reload: Sequence[Input],
    params: Sequence[Input] = (),
    hidden: tuple[str, ...] = ("id",),
    count_in: str | None = None,
    who: Callable[[], Viewer] = current_viewer,
) -> None:
    """Fill grid `grid` with ``load(session, viewer, *param values)`` whenever `params` or
    `reload` (page load, change counters) change.

    `hidden` columns are sent (a selected row carries them) but not shown; with `count_in`,
    that element says how many rows are shown. If the viewer may not read the rows, or
    anything fails, the grid is emptied (and the message shown in `count_in`)."""
    n_params = len(params)

    def show(*values) -> dict:
        viewer = who()
        with db() as session:
            columns, rows = grid_data(load(session, viewer, *values[:n_params]), hidden)
        shown = {"columns": columns, "rows": rows}
        if count_in:
            shown["message"] = f"{len(rows):,} entries shown."
        return shown

    outputs = {"columns": Output(grid, "columnDefs"), "rows": Output(grid, "rowData")}
    if count_in:
        outputs["message"] = Output(count_in, "children")
    app.callback(
        output=outputs,
        inputs=[*params, *reload],
        on_error=clearing(columns=[], rows=[]),
    )(show)


@dataclass(frozen=True)
class Done:
    """What an action did: the text (or components) to show, and whether it changed the data
    the page shows (then the change counter moves on, with `select` for what to select)."""

    message: Any
    color: str = "success"
    changed: bool = True
    select: Any = None


MAX_COUNT = 2**31  # a counter in the browser; a forged one restarts instead of failing


def _count(value) -> int:
    """A counter's value as sent back by the browser; anything else (text, a list, a
    number too large to send back as JSON) counts as 0, so the reply never fails."""
    ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value < MAX_COUNT
    return value if ok else 0


def next_number(counter, _select=None) -> int:
    """A numeric change counter (Admin, Upload, My authority) one on."""
    return _count(counter) + 1


def next_change(counter, select=None) -> dict:
    """A {"n": ...} change counter (Requirements, Specifications, Inbox) one on, with the id
    the page should select next, if any."""
    n = _count(counter.get("n")) if isinstance(counter, dict) else 0
    return {"n": n + 1} if select is None else {"n": n + 1, "select": select}


def register_action(
    app,
    run: Callable[..., Done | None],
    *,
    triggers: Sequence[Input] | Mapping[str, Input],
    message: str,
    counter: str,
    states: Mapping[str, State] | None = None,
    step: Callable[[Any, Any], Any] = next_number,
    who: Callable[[], Viewer] = current_viewer,
    allow_duplicate: bool = False,
    show: Callable[[Any, str], Any] = alert,
) -> None:
    """Buttons (`triggers`, their n_clicks) that run ``run(viewer, trigger id, **states)``.

    Triggers given by name (a file's contents) are passed to `run` by name too. `run`
    returns a :class:`Done` (or None: nothing to do) and raises a DomainError to refuse;
    the outcome is an alert in `message` (its children) and, when the data changed,
    ``step(counter, done.select)`` in store `counter` (its data, also read as the last
    State). A trigger without a value (no click, no file) does nothing. ``show(message,
    color)`` draws the outcome (and a refusal, in "danger")."""
    named = isinstance(triggers, Mapping)

    def act(triggered, counter_value, **values) -> dict:
        viewer = who()
        if not any(triggered.values() if named else triggered):
            return no_update
        done = run(viewer, ctx.triggered_id, **(triggered if named else {}), **values)
        if done is None:
            return no_update
        return {
            "message": show(done.message, done.color),
            "counter": step(counter_value, done.select) if done.changed else no_update,
        }

    app.callback(
        output={
            "message": Output(message, "children"),
            "counter": Output(counter, "data", allow_duplicate=allow_duplicate),
        },
        inputs={"triggered": dict(triggers) if named else list(triggers)},
        state={**(states or {}), "counter_value": State(counter, "data")},
        prevent_initial_call=True,
        on_error=clearing(render=lambda text: show(text, "danger")),
    )(act)


@dataclass(frozen=True)
class Button:
    """One button's action for :func:`register_buttons`: ``run`` (as for register_action)
    reads the fields in ``states``; its outcome shows in ``message``, drawn by ``show``."""

    run: Callable[..., Done | None]
    button: str
    message: str
    states: Mapping[str, State] = field(default_factory=dict)
    show: Callable[[Any, str], Any] = alert


def register_buttons(
    app, buttons: Sequence[Button], *, counter: str, step: Callable = next_number
) -> None:
    """Each button (its n_clicks) an action of its own (:func:`register_action`), all moving
    the one change counter `counter` on."""
    for b in buttons:
        register_action(
            app,
            b.run,
            triggers=[Input(b.button, "n_clicks")],
            states=b.states,
            message=b.message,
            counter=counter,
            step=step,
            allow_duplicate=len(buttons) > 1,  # the actions share the counter
            show=b.show,
        )
