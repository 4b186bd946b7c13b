"""Buttons that say what they can do, in the browser (clientside: no round trip).

- A button acting on "the selected …" row is disabled until a row is selected.
- A download with nothing to download is disabled, with the reason next to it.
- A long action (regroup, Word export, a large CSV, an upload being checked) shows a spinner
  on its button (class "is-busy", dashboard/assets/site.css) and cannot be pressed again
  until its result arrives.

Each button has two callbacks: one marks it busy on a click, the other sets it back when the
result arrives (or the selection changes). They must be separate: a callback that also took
the result as an input would wait for that result before running at all, so the spinner
would only appear once the work was done.

Every action is still checked on the server; these only keep people from pressing a button
that can do nothing, or pressing it twice."""

from __future__ import annotations

from dash import Input, Output, State

# grid -> buttons that act on its selected row
NEEDS_SELECTION = {
    "upload-history": ("upload-restore", "upload-history-download-button"),
    "admin-users": ("admin-user-save", "admin-user-password"),
    "admin-authorities": ("admin-la-save", "admin-la-pseudonym"),
    "admin-use": ("admin-use-delete",),
    "req-candidates": ("req-accept",),
}
# download button -> the rows it would download: disabled while there are none
NEEDS_ROWS = {"themes-list-download-button": ("themes-list", "rowData")}
# select -> buttons that do nothing until something is chosen in it
NEEDS_CHOICE = {"spec-status-req": ("spec-status-save",)}
# button -> (component, property) whose change means its action has finished
LONG_ACTIONS = {
    "req-regroup": ("req-regroup-msg", "children"),
    "themes-list-download-button": ("themes-list-download", "data"),
    "upload-problems-download-button": ("upload-problems-download", "data"),
    "upload-history-download-button": ("upload-history-download", "data"),
    "spec-download-docx": ("spec-download", "data"),
    "spec-download-csv": ("spec-download", "data"),
}
SPEC_DOWNLOADS = ("spec-download-docx", "spec-download-csv")

_STRIP = "const strip = c => (c || '').split(' ').filter(x => x && x !== 'is-busy').join(' ');"

# A click: the button busy and disabled. A click that was only a reset (n_clicks None) or a
# click on a button that has nothing to do changes nothing.
_BUSY_JS = (
    "function (clicks, cls) {"
    + _STRIP
    + " if (!clicks) { return window.dash_clientside.no_update; }"
    " return [strip(cls) + ' is-busy', true]; }"
)
# The result arrived (or the selection changed): not busy; disabled only when it needs a
# selection and has none.
_READY_JS = "function (done, cls) {" + _STRIP + " return [strip(cls), false]; }"
_READY_SELECTION_JS = (
    "function (rows, done, cls) {" + _STRIP + " return [strip(cls), !(rows && rows.length)]; }"
)
# The specification's downloads: nothing to download without requirements in the version.
_SPEC_READY_JS = (
    "function (rows, data, msg, docxCls, csvCls) {"
    + _STRIP
    + " const empty = !(rows && rows.length);"
    " const reason = empty ? 'Nothing to download yet: this specification has no saved version'"
    " + ' with requirements. Save a version first.' : '';"
    " return [empty, empty, strip(docxCls), strip(csvCls), reason]; }"
)
_SELECTION_JS = "function (rows) { return Array(COUNT).fill(!(rows && rows.length)); }"
_CHOICE_JS = (
    "function (value) { return Array(COUNT).fill(value === null || value === undefined"
    " || value === ''); }"
)
# While a file is being checked the drop zone takes no other file; the report re-opens it.
_UPLOAD_JS = """function (contents, outcome) {
    const ctx = window.dash_clientside.callback_context;
    return ctx.triggered.some(t => t.prop_id === 'upload-files.contents') && !!contents;
}"""


def _selection_grid(button: str) -> str | None:
    return next((g for g, buttons in NEEDS_SELECTION.items() if button in buttons), None)


def register(app) -> None:
    for grid, buttons in NEEDS_SELECTION.items():
        plain = [b for b in buttons if b not in LONG_ACTIONS]
        if plain:
            app.clientside_callback(
                _SELECTION_JS.replace("COUNT", str(len(plain))),
                [Output(b, "disabled") for b in plain],
                Input(grid, "selectedRows"),
            )
    for select, buttons in NEEDS_CHOICE.items():
        app.clientside_callback(
            _CHOICE_JS.replace("COUNT", str(len(buttons))),
            [Output(b, "disabled") for b in buttons],
            Input(select, "value"),
        )
    for button, done in LONG_ACTIONS.items():
        app.clientside_callback(
            _BUSY_JS,
            Output(button, "className", allow_duplicate=True),
            Output(button, "disabled", allow_duplicate=True),
            Input(button, "n_clicks"),
            State(button, "className"),
            prevent_initial_call=True,
        )
        if button in SPEC_DOWNLOADS:
            continue
        grid = _selection_grid(button)
        rows = Input(grid, "selectedRows") if grid else None
        if button in NEEDS_ROWS:
            rows = Input(*NEEDS_ROWS[button])
        app.clientside_callback(
            _READY_SELECTION_JS if rows else _READY_JS,
            Output(button, "className"),
            Output(button, "disabled"),
            *([rows] if rows else []),
            Input(*done),
            State(button, "className"),
        )
    app.clientside_callback(
        _SPEC_READY_JS,
        *[Output(b, "disabled") for b in SPEC_DOWNLOADS],
        *[Output(b, "className") for b in SPEC_DOWNLOADS],
        Output("spec-download-reason", "children"),
        Input("spec-items", "rowData"),
        Input("spec-download", "data"),
        Input("spec-download-msg", "children"),
        *[State(b, "className") for b in SPEC_DOWNLOADS],
    )
    app.clientside_callback(
        _UPLOAD_JS,
        Output("upload-files", "disabled"),
        Input("upload-files", "contents"),
        Input("upload-outcome", "children"),
    )
