"""dashboard.callback_requests.request_problem: the shape and value checks that turn forged
Dash callback requests into a 400, on a small callback map of the shapes the app uses."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callbacks.common import as_int, mapping
from dashboard.callback_requests import request_problem
from data.errors import DomainError

PATTERN = '{"index":["ALL"],"type":"ask"}'
CALLBACKS = {
    "..msg.children...counter.data@abc..": {
        "callback": object(),
        "inputs": [{"id": "save", "property": "n_clicks"}, {"id": PATTERN, "property": "n_clicks"}],
        "state": [{"id": "rows", "property": "selectedRows"}, {"id": "pick", "property": "value"}],
    },
    "single.children": {"callback": object(), "inputs": [{"id": "store", "property": "data"}]},
    "clientside.data": {"inputs": [{"id": "store", "property": "data"}]},  # no server function
    "page.children": {"callback": object(), "inputs": [{"id": "url", "property": "pathname"}]},
}


def good() -> dict:
    return {
        "output": "..msg.children...counter.data@abc..",
        "outputs": [
            {"id": "msg", "property": "children"},
            {"id": "counter", "property": "data@abc"},
        ],
        "inputs": [
            {"id": "save", "property": "n_clicks", "value": 1},
            [{"id": {"index": "7|accept", "type": "ask"}, "property": "n_clicks", "value": None}],
        ],
        "state": [
            {"id": "rows", "property": "selectedRows", "value": [{"id": 3}]},
            {"id": "pick", "property": "value", "value": ["a", 2, True]},
        ],
        "changedPropIds": ["save.n_clicks", '{"index":"7|accept","type":"ask"}.n_clicks'],
    }


@pytest.mark.parametrize("path, ok", [("/compare", True), (None, True), ("1", False), (5, False)])
def test_a_pathname_is_a_path(path, ok):
    body = {
        "output": "page.children",
        "outputs": {"id": "page", "property": "children"},
        "inputs": [{"id": "url", "property": "pathname", "value": path}],
    }
    assert (request_problem(body, CALLBACKS) is None) is ok


def test_what_the_browser_sends_passes():
    assert request_problem(good(), CALLBACKS) is None
    single = {
        "output": "single.children",
        "outputs": {"id": "single", "property": "children"},
        "inputs": [{"id": "store", "property": "data", "value": {"any": ["json", 1.5]}}],
    }
    assert request_problem(single, CALLBACKS) is None


def _with(path: tuple, value) -> dict:
    body = good()
    target = body
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return body


@pytest.mark.parametrize(
    "body, expected",
    [
        ([], "JSON object"),
        ({"output": "nope.children"}, "no server callback"),
        ({"output": "clientside.data", "outputs": {}, "inputs": []}, "no server callback"),
        (_with(("outputs",), [{"id": "msg", "property": "children"}]), "writes 2 output"),
        (_with(("outputs", 0, "id"), "other"), "is not msg.children"),
        (_with(("inputs",), None), "takes 2 input"),
        (_with(("inputs", 0), {"id": "admin", "property": "n_clicks", "value": 1}), "not save"),
        (_with(("inputs", 1), [5]), "id object"),
        (_with(("state",), "x"), "takes 2 state"),
        (_with(("inputs", 0, "value"), "1"), "not a click count"),
        (_with(("inputs", 0, "value"), True), "not a click count"),
        (_with(("inputs", 0, "value"), -1), "not a click count"),
        (_with(("inputs", 1, 0, "value"), "x"), "not a click count"),
        (_with(("state", 0, "value"), "Civica"), "not a list of rows"),
        (_with(("state", 0, "value"), [1, 2]), "not a list of rows"),
        (_with(("state", 1, "value"), {"a": 1}), "not a value"),
        (_with(("state", 1, "value"), 2**63), "not a value"),
        (_with(("state", 0, "value"), [{"id": 10**20}]), "not a list of rows"),
        (_with(("changedPropIds",), 5), "changedPropIds"),
        (
            {
                "output": "single.children",
                "outputs": {"id": "single", "property": "children"},
                "inputs": [{"id": "store", "property": "data", "value": 10**20}],
            },
            "not a value the page sends",
        ),
        (_with(("changedPropIds",), ["{bad.n_clicks"]), "not a component id"),
    ],
)
def test_forged_requests_are_refused_with_a_reason(body, expected):
    problem = request_problem(body, CALLBACKS)
    assert problem is not None and expected in problem


@settings(max_examples=200, derandomize=True)
@given(
    st.recursive(
        st.none() | st.integers() | st.text() | st.booleans(),
        lambda c: st.lists(c) | st.dictionaries(st.text(), c),
    )
)
def test_any_json_gets_an_answer_never_an_exception(body):
    problem = request_problem(body, CALLBACKS)
    assert problem is None or isinstance(problem, str)


@pytest.mark.parametrize(
    "value", ["x", "", None, [1], {"a": 1}, True, "1.5", float("inf"), 2**31, "-9999999999999"]
)
def test_as_int_refuses_with_the_given_message(value):
    with pytest.raises(DomainError, match="Choose one"):
        as_int(value, "Choose one.")


def test_as_int_and_mapping_accept_what_the_page_sends():
    assert as_int("12", "x") == 12 and as_int(3, "x") == 3
    assert mapping({"a": 1}) == {"a": 1}
    assert mapping("?a=1") == {} and mapping(None) == {} and mapping([1]) == {}
