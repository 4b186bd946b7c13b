"""Margin estimates from Arial's widths (layouts.charts.margins): big enough for the labels, never
wildly bigger, and generous for characters the table does not know."""

from __future__ import annotations

import pytest

from layouts.charts.margins import (
    PAD,
    bottom_for_legend_below,
    left_for_labels,
    text_width,
    top_for_legend_above,
    top_for_slanted,
)


def test_widths_follow_arial():
    assert text_width("Ai", size=10) == pytest.approx((667 + 222) / 100)
    assert text_width("2010-Q1") == pytest.approx((556 * 5 + 333 + 778) * 14 / 1000)
    assert text_width("WWW") > text_width("iii") * 3


def test_several_lines_measure_as_the_widest():
    assert text_width("ab<br>abcd") == text_width("abcd")
    assert text_width("abcd\nab") == text_width("abcd")


def test_unknown_characters_are_counted_wide():
    assert text_width("Ω") >= text_width("M")


def test_left_margin_holds_the_longest_label_and_the_title():
    labels = ["CACI", "All groups (England)"]
    plain = left_for_labels(labels)
    assert plain > text_width("All groups (England)") + PAD
    assert plain < text_width("All groups (England)") + 40
    assert left_for_labels(labels, title=True) > plain + 14
    assert left_for_labels([]) == left_for_labels([""])


def test_slanted_labels_need_more_room_the_steeper_they_are():
    labels = ["Interoperability and sharing"]
    assert top_for_slanted(labels, 30) < top_for_slanted(labels, 60) < text_width(labels[0]) + 40


def test_legends_outside_the_plot_grow_with_the_gap_to_it():
    near, far = bottom_for_legend_below(400, 30, -0.1), bottom_for_legend_below(400, 30, -0.3)
    assert 32 + PAD < near < far
    assert top_for_legend_above(800, 80, 1.1) > top_for_legend_above(800, 80, 1.05)
