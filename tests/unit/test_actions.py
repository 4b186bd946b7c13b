"""The buttons callbacks/actions.py disables and marks busy exist in the page layouts, under
the ids it names (a renamed button would otherwise silently lose its guard)."""

from __future__ import annotations

import layouts
from callbacks.actions import (
    LONG_ACTIONS,
    NEEDS_CHOICE,
    NEEDS_ROWS,
    NEEDS_SELECTION,
    SPEC_DOWNLOADS,
)


def _ids(component, found: set[str]) -> set[str]:
    ident = getattr(component, "id", None)
    if isinstance(ident, str):
        found.add(ident)
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list | tuple) else [children]:
        if child is not None and hasattr(child, "to_plotly_json"):
            _ids(child, found)
    return found


def test_every_guarded_button_and_what_it_waits_for_is_on_a_page():
    on_pages: set[str] = set()
    for _module, _path, _name, layout in layouts.PAGES:
        _ids(layout(), on_pages)
    named = {*NEEDS_SELECTION, *LONG_ACTIONS, *SPEC_DOWNLOADS, "spec-download-reason"}
    named |= {*NEEDS_CHOICE, *(b for buttons in NEEDS_CHOICE.values() for b in buttons)}
    named |= {b for buttons in NEEDS_SELECTION.values() for b in buttons}
    named |= {component for component, _prop in LONG_ACTIONS.values()}
    named |= {*NEEDS_ROWS, *(component for component, _prop in NEEDS_ROWS.values())}
    assert named - on_pages == set()
