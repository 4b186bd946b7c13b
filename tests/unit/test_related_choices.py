"""Pure parts of marking groups related and of closest findings: the untrusted ids a request
carries, and the words and percentages shown beside a similarity."""

from __future__ import annotations

import pytest

from data.errors import NotFound
from data.requirements.closest import finding_number, similarity_percent, similarity_words
from data.requirements.related import LinkedGroup, candidate_id


@pytest.mark.parametrize("value, expected", [("C-12", "C-12"), ("  C-3 ", "C-3"), (7, "7")])
def test_candidate_ids_are_read_as_plain_text(value, expected):
    assert candidate_id(value) == expected


@pytest.mark.parametrize("value", [None, "", "   ", True, ["C-1"], {"a": 1}, "x" * 41, "C\x00-1"])
def test_anything_else_is_an_unknown_candidate_group(value):
    with pytest.raises(NotFound, match="Unknown candidate group"):
        candidate_id(value)


@pytest.mark.parametrize("value", [None, "", "abc", 0, -4, "1.5", ["1"]])
def test_bad_finding_ids_are_unknown_findings(value):
    with pytest.raises(NotFound, match="Unknown finding"):
        finding_number(value)


@pytest.mark.parametrize(
    "similarity, words, percent",
    [
        (1.0, "almost the same", "100%"),
        (0.75, "almost the same", "75%"),
        (0.749, "very similar", "75%"),
        (0.5, "very similar", "50%"),
        (0.31, "similar", "31%"),
        (0.2, "somewhat similar", "20%"),
        (0.05, "loosely related", "5%"),
        (-0.2, "loosely related", "0%"),
    ],
)
def test_similarity_is_said_in_words_and_as_a_percentage(similarity, words, percent):
    assert similarity_words(similarity) == words
    assert similarity_percent(similarity) == percent


def test_a_linked_group_is_labelled_by_id_and_shortened_title():
    assert LinkedGroup("C-1", "").label == "C-1"
    assert LinkedGroup("C-3", "Slow screens", 0.634).label == "C-3 (63% alike): Slow screens"
    long = LinkedGroup("C-2", "word " * 40).label
    assert long.startswith("C-2: word") and long.endswith("...") and len(long) == 95
