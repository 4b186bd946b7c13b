"""Refuse malformed Dash callback requests (POST /_dash-update-component) with a 400 and one
clear line, before Dash dispatches them.

Dash trusts the body's shape: an unknown or client-side callback, inputs missing, of the
wrong count or naming other components, or outputs that do not match the callback make it
raise (KeyError, IndexError, TypeError...), which Flask answers with a 500. Values of a
type the component never sends (a click count that is text, rows that are not objects, a
control's value that is an object, integers beyond 2**53) would reach the callbacks as
unexpected errors. The browser sends none of these, so only forged requests are refused
here; the callbacks still check every value they are given."""

from __future__ import annotations

import json

from flask import Flask, jsonify, request

PATH = "/_dash-update-component"


def _parts(key: str) -> list[tuple[str, str]]:
    """(component id, property) of each output of a callback_map key."""
    out = []
    for part in key.strip(".").split("..."):
        ident, _, prop = part.rpartition(".")
        out.append((ident, prop.split("@")[0]))
    return out


def _pattern(ident: str) -> bool:
    return ident.startswith("{")


SAFE_INT = 2**53  # the browser's numbers are doubles: no integer it sends is larger
SCALAR = (str, int, float, bool)


def _is_count(v) -> bool:
    return v is None or (isinstance(v, int) and not isinstance(v, bool) and 0 <= v < SAFE_INT)


def _is_rows(v) -> bool:
    return v is None or (isinstance(v, list) and all(isinstance(r, dict) for r in v))


def _is_value(v) -> bool:
    """A form control's value: a scalar, or a list of scalars (multi-select, checklist)."""
    return (
        v is None
        or isinstance(v, SCALAR)
        or (isinstance(v, list) and all(isinstance(x, SCALAR) for x in v))
    )


def _is_texts(v) -> bool:
    return (
        v is None
        or isinstance(v, str)
        or (isinstance(v, list) and all(isinstance(x, str) for x in v))
    )


# What the browser's components send for each property the callbacks read ("data" of a
# store, any JSON, is checked only for out-of-range numbers, like every value).
KINDS = {
    "n_clicks": (_is_count, "a click count"),
    "n_intervals": (_is_count, "a count"),
    "selectedRows": (_is_rows, "a list of rows"),
    "rowData": (_is_rows, "a list of rows"),
    "value": (_is_value, "a value or a list of values"),
    "contents": (_is_texts, "file contents"),
    "filename": (_is_texts, "file names"),
    "pathname": (lambda v: v is None or (isinstance(v, str) and v.startswith("/")), "a path"),
    "search": (lambda v: v is None or isinstance(v, str), "a query string"),
}


def _too_big(value, depth: int = 0) -> bool:
    """An integer no browser sends, anywhere in a value (or nesting past any real store)."""
    if depth > 20:
        return True
    if isinstance(value, int) and not isinstance(value, bool):
        return abs(value) >= SAFE_INT
    if isinstance(value, list):
        return any(_too_big(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return any(_too_big(v, depth + 1) for v in value.values())
    return False


def _value_problem(entry: dict, ident: str, prop: str) -> str | None:
    if "value" not in entry:
        return None
    value = entry["value"]
    check, kind = KINDS.get(prop, (lambda _v: True, ""))
    if _too_big(value) or not check(value):
        return f"the value of {ident}.{prop} is not {kind or 'a value the page sends'}"
    return None


def _item_problem(item, ident: str, prop: str, what: str) -> str | None:
    """Why one input/state/output entry does not fit its declared component, or None."""
    if _pattern(ident):  # a wildcard (ALL) dependency: a list of matching components
        entries = item if isinstance(item, list) else [item]
        for entry in entries:
            if not (isinstance(entry, dict) and isinstance(entry.get("id"), dict)):
                return f"each {what} for {ident} must name a component by its id object"
            if entry.get("property") != prop:
                return f"the {what} for {ident} must be its {prop}"
            problem = _value_problem(entry, ident, prop)
            if problem:
                return problem
        return None
    if not isinstance(item, dict):
        return f"each {what} must be an object with id and property"
    if item.get("id") != ident or str(item.get("property", "")).split("@")[0] != prop:
        return f"the {what} {item.get('id')!r}.{item.get('property')!r} is not {ident}.{prop}"
    return _value_problem(item, ident, prop)


def _list_problem(given, declared: list[dict], what: str) -> str | None:
    if not isinstance(given, list) or len(given) != len(declared):
        return f"the callback takes {len(declared)} {what}(s)"
    for item, dep in zip(given, declared, strict=True):
        problem = _item_problem(item, dep["id"], dep["property"], what)
        if problem:
            return problem
    return None


def _changed_problem(changed) -> str | None:
    if changed is None:
        return None
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        return "changedPropIds must be a list of 'id.property' strings"
    for prop_id in changed:
        ident = prop_id.rpartition(".")[0]
        if _pattern(ident):
            try:
                if not isinstance(json.loads(ident), dict):
                    raise ValueError(ident)
            except ValueError:
                return f"changedPropIds names {ident[:60]!r}, which is not a component id"
    return None


def request_problem(body, callback_map: dict) -> str | None:
    """Why `body` is not a callback request this app can run, or None if it is."""
    if not isinstance(body, dict):
        return "the body must be a JSON object"
    output = body.get("output")
    spec = callback_map.get(output) if isinstance(output, str) else None
    if spec is None or "callback" not in spec:
        return f"there is no server callback for output {str(output)[:80]!r}"
    parts = _parts(output)
    outputs = body.get("outputs")
    if output.startswith(".."):
        if not isinstance(outputs, list) or len(outputs) != len(parts):
            return f"the callback writes {len(parts)} output(s)"
    else:
        outputs = [outputs]
    for item, (ident, prop) in zip(outputs, parts, strict=True):
        problem = _item_problem(item, ident, prop, "output")
        if problem:
            return problem
    return (
        _list_problem(body.get("inputs"), spec.get("inputs", []), "input")
        or _list_problem(body.get("state", []), spec.get("state", []), "state")
        or _changed_problem(body.get("changedPropIds"))
    )


def init_app(server: Flask, app) -> None:
    """Check every callback request's shape against `app`'s callbacks (after sign-in)."""

    @server.before_request
    def _check_callback_request():
        if request.path != PATH or request.method != "POST":
            return None
        body = request.get_json(silent=True)
        problem = request_problem(body, app.callback_map)
        if problem is None:
            return None
        return jsonify(error=f"Malformed callback request: {problem}."), 400
