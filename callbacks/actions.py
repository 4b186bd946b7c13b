"""Buttons that say what they can do, in the browser (clientside: no round trip).

- A button acting on "the selected …" row is disabled until a row is selected.
- A download with nothing to download is disabled, with the reason next to it.
- A long action (regroup, Word export, a large CSV, an upload being checked) shows a spinner
  on its button and cannot be pressed again until its result arrives.

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
# button -> (component, property) whose change means its action has finished
LONG_ACTIONS = {
    "req-regroup": ("req-regroup-msg", "children"),
    "themes-list-download-button": ("themes-list-download", "data"),
    "upload-problems-download-button": ("upload-problems-download", "data"),
    "upload-history-download-button": ("upload-history-download", "data"),
}
# The class "is-busy" (dashboard/assets/site.css) draws the spinner.
_SELECTION_JS = """function (rows) {
    const none = !(rows && rows.length);
    return Array(N).fill(none);
}"""

# On a click: busy (spinner class, disabled). When the result arrives: the class is taken
# off and the button is enabled again (unless it needs a selection that is gone).
_BUSY_JS = """function (clicks, done, cls) {
    const ctx = window.dash_clientside.callback_context;
    const clicked = ctx.triggered.some(t => t.prop_id.endsWith('.n_clicks')) && clicks;
    const base = (cls || '').split(' ').filter(c => c && c !== 'is-busy').join(' ');
    if (clicked) { return [base + ' is-busy', true]; }
    return [base, window.dash_clientside.no_update];
}"""

# The specification's downloads: nothing to download without requirements in the version;
# one download at a time.
_SPEC_JS = """function (rows, docx, csv, data, msg, docxCls, csvCls) {
    const ctx = window.dash_clientside.callback_context;
    const ids = ctx.triggered.map(t => t.prop_id);
    const strip = c => (c || '').split(' ').filter(x => x && x !== 'is-busy').join(' ');
    const empty = !(rows && rows.length);
    const reason = empty ? 'Nothing to download yet: this specification has no saved ' +
        'version with requirements. Save a version first.' : '';
    if (!empty && ids.includes('spec-download-docx.n_clicks') && docx) {
        return [true, true, strip(docxCls) + ' is-busy', strip(csvCls), reason];
    }
    if (!empty && ids.includes('spec-download-csv.n_clicks') && csv) {
        return [true, true, strip(docxCls), strip(csvCls) + ' is-busy', reason];
    }
    return [empty, empty, strip(docxCls), strip(csvCls), reason];
}"""

# While a file is being checked the drop zone takes no other file; the report re-opens it.
_UPLOAD_JS = """function (contents, outcome) {
    const ctx = window.dash_clientside.callback_context;
    return ctx.triggered.some(t => t.prop_id === 'upload-files.contents') && !!contents;
}"""


def register(app) -> None:
    for grid, buttons in NEEDS_SELECTION.items():
        busy = [b for b in buttons if b in LONG_ACTIONS]
        plain = [b for b in buttons if b not in LONG_ACTIONS]
        if plain:
            app.clientside_callback(
                _SELECTION_JS.replace("N", str(len(plain))),
                [Output(b, "disabled") for b in plain],
                Input(grid, "selectedRows"),
            )
        for button in busy:  # selection and busy state in one callback: one owner per output
            done = LONG_ACTIONS[button]
            app.clientside_callback(
                """function (rows, clicks, done, cls) {
                    const none = !(rows && rows.length);
                    const ctx = window.dash_clientside.callback_context;
                    const clicked = ctx.triggered.some(t => t.prop_id.endsWith('.n_clicks'));
                    const base = (cls || '').split(' ').filter(c => c && c !== 'is-busy').join(' ');
                    if (clicked && clicks && !none) { return [base + ' is-busy', true]; }
                    return [base, none];
                }""",
                Output(button, "className"),
                Output(button, "disabled"),
                Input(grid, "selectedRows"),
                Input(button, "n_clicks"),
                Input(*done),
                State(button, "className"),
            )
    for button, done in LONG_ACTIONS.items():
        if any(button in b for b in NEEDS_SELECTION.values()):
            continue
        app.clientside_callback(
            _BUSY_JS,
            Output(button, "className"),
            Output(button, "disabled"),
            Input(button, "n_clicks"),
            Input(*done),
            State(button, "className"),
        )
    app.clientside_callback(
        _SPEC_JS,
        Output("spec-download-docx", "disabled"),
        Output("spec-download-csv", "disabled"),
        Output("spec-download-docx", "className"),
        Output("spec-download-csv", "className"),
        Output("spec-download-reason", "children"),
        Input("spec-items", "rowData"),
        Input("spec-download-docx", "n_clicks"),
        Input("spec-download-csv", "n_clicks"),
        Input("spec-download", "data"),
        Input("spec-download-msg", "children"),
        State("spec-download-docx", "className"),
        State("spec-download-csv", "className"),
    )
    app.clientside_callback(
        _UPLOAD_JS,
        Output("upload-files", "disabled"),
        Input("upload-files", "contents"),
        Input("upload-outcome", "children"),
    )
