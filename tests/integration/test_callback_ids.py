"""Every id a callback reads or writes is in some page's layout.

The app sets ``suppress_callback_exceptions`` (pages are rendered one at a time, so no single
layout holds every id); this test makes sure that setting hides no typo: it renders the shell
for every role and each registered page, walks the component trees, and checks every Input,
State and Output id of every registered callback against them. A pattern-matching id counts
when some component has a dict id of the same ``type``, or when its components are built by a
callback (BUILT_BY_CALLBACKS) into a container that is itself in a layout and that callback's
output."""

from __future__ import annotations

from collections.abc import Iterator

import dash
import pytest
from dash.development.base_component import Component

from layouts import ids
from layouts.shell import ROLE_LABELS, Identity
from layouts.shell import layout as shell_layout

# Pattern-matching types whose components a callback builds, and the container it fills.
BUILT_BY_CALLBACKS = {
    "type:my-authority-ask": "my-authority-improved",  # the "who improved" list
    "type:my-authority-decide": "my-authority-requests",  # requests to be put in touch
}


def components(tree) -> Iterator[Component]:
    """Every component in a layout tree (children, and components held in other props)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, list | tuple):
            stack.extend(node)
        elif isinstance(node, Component):
            yield node
            stack.extend(
                value
                for name in node._prop_names
                if isinstance(value := getattr(node, name, None), Component | list | tuple)
            )


def id_key(ident) -> str:
    """A plain id as it is; a pattern-matching id by its ``type``."""
    return f"type:{ident['type']}" if isinstance(ident, dict) else str(ident)


def layouts_by_page(app) -> dict[str, list]:
    """The shell once per role (and signed out), and every registered page's layout."""
    with app.server.test_request_context("/"):
        shells = [shell_layout(None)] + [
            shell_layout(Identity(name="Test", role=role, authority="A", supplier="S"))
            for role in ROLE_LABELS
        ]
        pages = {p["path"]: p["layout"]() for p in dash.page_registry.values()}
    return {"shell": shells, **pages}


def callback_ids(app) -> dict[str, set[str]]:
    """id -> the callbacks (by output) that use it, for every Input, State and Output."""
    used: dict[str, set[str]] = {}
    for key, spec in app.callback_map.items():
        outputs = spec["output"] if isinstance(spec["output"], list) else [spec["output"]]
        for dep in [*outputs, *spec["raw_inputs"], *spec.get("state", [])]:
            ident = dep.component_id if hasattr(dep, "component_id") else dep["id"]
            used.setdefault(id_key(ident), set()).add(key)
    return used


@pytest.fixture(scope="module")
def rendered(app) -> set[str]:
    found: set[str] = set()
    for trees in layouts_by_page(app).values():
        for component in components(trees):
            ident = getattr(component, "id", None)
            if ident is not None:
                found.add(id_key(ident))
    return found


def test_every_page_is_rendered(app):
    paths = set(layouts_by_page(app)) - {"shell"}
    assert paths == {"/", "/compare", "/themes", "/requirements", "/specifications",
                     "/my-authority", "/upload", "/admin", "/supplier", "/inbox"}  # fmt: skip


def output_ids(app) -> set[str]:
    return {
        id_key(dep.component_id)
        for spec in app.callback_map.values()
        for dep in (spec["output"] if isinstance(spec["output"], list) else [spec["output"]])
    }


def test_every_callback_id_is_in_some_layout(app, rendered):
    missing = {
        ident: sorted(keys)
        for ident, keys in callback_ids(app).items()
        if ident not in rendered and ident not in BUILT_BY_CALLBACKS
    }
    assert not missing, f"callback ids in no layout: {missing}"


def test_components_built_by_callbacks_go_into_a_layout(app, rendered):
    used, written = callback_ids(app), output_ids(app)
    for kind, container in BUILT_BY_CALLBACKS.items():
        assert kind in used, f"{kind} is no longer used by a callback: drop it from the list"
        assert container in rendered and container in written, container


def test_the_check_sees_a_missing_id(app, rendered):
    """The walk finds ids deep in the tree and misses an id no layout has."""
    assert ids.URL in rendered and "admin-user-add-msg" in rendered
    assert "admin-no-such-thing" not in rendered


def test_callbacks_were_collected(app):
    used = callback_ids(app)
    assert len(app.callback_map) > 50
    assert "admin-users" in used and "upload-files" in used
