"""Refuse malformed Dash callback requests (POST /_dash-update-component) with a 400 and one
clear line, before Dash dispatches them.

Dash trusts the body's shape: an unknown or client-side callback, inputs missing, of the
wrong count or naming other components, or outputs that do not match the callback make it
raise (KeyError, IndexError, TypeError...), which Flask answers with a 500. The browser
never sends such bodies, so only forged requests are refused here; the values inside a
well-formed request still reach the callbacks, which check them."""

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


def _item_problem(item, ident: str, prop: str, what: str) -> str | None:
    """Why one input/state/output entry does not fit its declared component, or None."""
    if _pattern(ident):  # a wildcard (ALL) dependency: a list of matching components
        entries = item if isinstance(item, list) else [item]
        for entry in entries:
            if not (isinstance(entry, dict) and isinstance(entry.get("id"), dict)):
                return f"each {what} for {ident} must name a component by its id object"
            if entry.get("property") != prop:
                return f"the {what} for {ident} must be its {prop}"
        return None
    if not isinstance(item, dict):
        return f"each {what} must be an object with id and property"
    if item.get("id") != ident or str(item.get("property", "")).split("@")[0] != prop:
        return f"the {what} {item.get('id')!r}.{item.get('property')!r} is not {ident}.{prop}"
    return None


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
