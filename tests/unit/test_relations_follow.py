"""A "related, not the same" mark follows its groups through a regroup that renames or
absorbs them (data.requirements.clusters._follow_relations)."""

from __future__ import annotations

from sqlalchemy import select

from data.requirements.clusters import _follow_relations
from data.store.db import session_scope
from data.store.models import ClusterRelation


def marks(sessions) -> set[tuple[str, str]]:
    with session_scope(sessions) as s:
        return set(s.execute(select(ClusterRelation.cluster_a, ClusterRelation.cluster_b)).all())


def mark(sessions, *pairs) -> None:
    with session_scope(sessions) as s:
        s.add_all(ClusterRelation(cluster_a=a, cluster_b=b) for a, b in pairs)


def follow(sessions, before, after) -> set[tuple[str, str]]:
    with session_scope(sessions) as s:
        _follow_relations(s, before, after)
    return marks(sessions)


def test_a_mark_moves_with_the_first_findings_of_its_groups(sessions):
    mark(sessions, ("C-1", "C-5"))
    before = {1: "C-1", 2: "C-1", 5: "C-5", 6: "C-5", 9: "C-9"}
    # C-1 is absorbed into C-9; C-5 keeps its id
    after = {1: "C-9", 2: "C-9", 5: "C-5", 6: "C-5", 9: "C-9"}
    assert follow(sessions, before, after) == {("C-5", "C-9")}


def test_unchanged_groups_keep_their_mark(sessions):
    mark(sessions, ("C-1", "C-5"))
    before = {1: "C-1", 5: "C-5"}
    assert follow(sessions, before, dict(before)) == {("C-1", "C-5")}


def test_two_marks_that_land_on_one_pair_become_one(sessions):
    mark(sessions, ("C-1", "C-5"), ("C-2", "C-5"))
    before = {1: "C-1", 2: "C-2", 5: "C-5"}
    after = {1: "C-1", 2: "C-1", 5: "C-5"}  # C-2 absorbed into C-1
    assert follow(sessions, before, after) == {("C-1", "C-5")}


def test_a_mark_on_groups_with_no_current_findings_is_left_alone(sessions):
    mark(sessions, ("C-1", "C-5"))
    assert follow(sessions, {1: "C-1"}, {}) == {("C-1", "C-5")}
