"""Closest findings collapse findings with the same text into one row with a count, and never
list the chosen finding's own text as its neighbour (data.requirements.closest.finding_rows)."""

from __future__ import annotations

import pandas as pd
import pytest

from data.requirements.closest import finding_rows, same_text
from data.requirements.grouping.explain import Neighbour

CHOSEN = "Screens are slow to load when opening a case."
SHOWN = pd.DataFrame(
    [  # finding id, authority as the list shows it, description
        ("1", "LA-1", CHOSEN),
        ("2", "LA-2", "Screens are slow to load when opening a case"),  # the chosen text again
        ("3", "LA-3", "The chronology cannot be filtered by event."),
        ("4", "Another LA", "the  chronology cannot be filtered by event"),
        ("5", "LA-3", "The chronology cannot be filtered by event."),
        ("6", "LA-4", "Screens freeze when a case has many documents."),
        ("7", "LA-5", "Saving a long form loses what was typed."),
    ],
    columns=["finding_id", "authority", "description"],
).set_index("finding_id")
NEAR = [  # most alike first, as grouping.explain.nearest_in_group returns them
    Neighbour("2", 1.0),
    Neighbour("3", 0.81),
    Neighbour("4", 0.81),
    Neighbour("6", 0.62),
    Neighbour("5", 0.6),
    Neighbour("7", 0.2),
]


def test_same_texts_are_one_row_with_a_count_and_the_chosen_text_is_not_a_neighbour():
    rows, same_as_chosen = finding_rows(SHOWN, CHOSEN, NEAR, k=5)
    assert same_as_chosen == 1
    assert rows["finding_id"].tolist() == ["3", "6", "7"]  # "2" is the chosen text
    assert rows["copies"].tolist() == [3, 1, 1]
    first = rows.iloc[0]
    assert first["description"] == "The chronology cannot be filtered by event."
    assert first["similarity"] == "81%" and first["how_alike"] == "almost the same"
    assert first["authority"] == "LA-3; Another LA"  # each authority once, in order
    assert rows["description"].map(same_text).is_unique


def test_k_counts_distinct_texts_and_copies_beyond_k_still_count():
    rows, _ = finding_rows(SHOWN, CHOSEN, NEAR, k=1)
    assert rows["finding_id"].tolist() == ["3"] and rows["copies"].tolist() == [3]


def test_only_copies_of_the_chosen_text_leave_no_rows():
    rows, same_as_chosen = finding_rows(SHOWN, CHOSEN, NEAR[:1], k=5)
    assert rows.empty and same_as_chosen == 1
    assert list(rows.columns)[-1] == "copies"


@pytest.mark.parametrize(
    "a, b",
    [
        ("Screens are slow.", "screens are slow"),
        ("It doesn\u2019t save", "It doesn't save"),
        ("  two\tspaces  here ", "two spaces here"),
    ],
)
def test_same_text_ignores_case_spacing_and_punctuation(a, b):
    assert same_text(a) == same_text(b)


@pytest.mark.parametrize(
    "a, b",
    [
        ("Screens are slow", "Screen is slow"),  # another wording: alike, not the same
        ("Cannot save", "Can save"),
        ("Record not saved", "Record saved"),
    ],
)
def test_different_wordings_stay_apart(a, b):
    assert same_text(a) != same_text(b)
