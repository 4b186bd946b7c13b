"""Shareable URLs: the query string built from filters, and the newer-data notice."""

from __future__ import annotations

import json

from callbacks.url_state import build_search, made_on, notice
from data.queries.filter_options import reference_options
from data.queries.filters import COMPARE, clean
from layouts import ids


def text(component) -> str:
    return json.dumps(component.to_plotly_json(), default=str) if component else ""


def test_search_lists_set_filters_in_order_then_the_version():
    pairs = [("period", "2010-Q2"), ("role", "all"), ("type", ""), ("region", "London & SE")]
    assert build_search(pairs, 12) == "?period=2010-Q2&region=London+%26+SE&v=12"
    assert build_search([], 3) == "?v=3"


def test_query_values_are_checked():
    assert clean(" 2010-Q1 ") == "2010-Q1"
    assert clean(["a", "b"]) is None
    start = COMPARE.control_values({"role": "social_worker"}, reference_options())
    assert start["role"] == "social_worker"
    assert COMPARE.control_values({"role": "<b>"}, reference_options())["role"] is None
    assert made_on({"v": "12"}) == 12 and made_on({"v": "x"}) is None and made_on(None) is None


def test_notice_says_when_newer_data_exists():
    assert notice(ids.COMPARE, "/compare", "?period=2010-Q2&v=12", 12, 12, 12) is None
    old_link = text(notice(ids.COMPARE, "/compare", "?v=14", 14, 14, 12))
    assert "made on data version 12" in old_link and "version 14" in old_link
    newer = text(notice(ids.COMPARE, "/compare", "?period=2010-Q2&v=12", 12, 13, None))
    assert "This view was made on data version 12; newer data is available" in newer
    assert "/compare?period=2010-Q2&v=13" in newer and "refresh" in newer


def test_the_refresh_link_has_an_id_of_its_own():
    """My authority has a store called my-authority-refresh; the link must not reuse it."""
    shown = notice(ids.MY_AUTHORITY, "/my-authority", "?v=1", 1, 2, None)
    [link] = [c for c in shown.children if hasattr(c, "href")]
    assert link.id == "my-authority-version-refresh" and link.href == "/my-authority?v=2"
