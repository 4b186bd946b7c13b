"""Auditing published estimates that rest on sets of authorities, together: "Did it work?"
(data.requirements.effect) and anything built like it.

An estimate (a difference in differences) is a non-linear function of a few *cells*, each
the pooled data of a set of authorities (took the release / not yet x before / after). One
estimate whose cells pass the atom rule (data.privacy.cube.AtomRule) singles no one out.
But a viewer can request many: each theme, each requirement delivered, each release (a
later release of the same product has a smaller "took it" group), each supplier group. Two
estimates of the same quantity whose cells hold the same authorities but for 1 to
``min_las - 1`` of them differ, to a good approximation, by those authorities'
contribution: the difference isolates them, whatever the non-linear formula. The risk is
combinatorial, so it is checked on the sets alone, not on the values:

- ``atom``: a published estimate with a cell (or a set it lets be worked out, such as the
  rest of the group's published cell) that fails the atom rule;
- ``difference``: within a group of up to ``max_group`` published estimates of the same
  quantity (theme and measure), one estimate's cell and the union of the others' same cell
  differ (symmetric difference) by 1 to ``min_las - 1`` authorities. Identical sets differ
  by nobody (the same cells, another requirement of the same release): not a leak.

:func:`audit` lists every exposure among published estimates; :func:`choose` decides which
to publish, in the order given (the first of two that would difference each other is kept,
so the same estimate is always the one shown), so that :func:`audit` finds nothing."""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np

from data.privacy.cube import AtomRule
from data.privacy.disclosure import DisclosureRules

MAX_GROUP = 3  # estimates compared together: pairs, and one against the union of two others


@dataclass(frozen=True)
class EstimateInput:
    """What one published estimate rests on."""

    key: tuple[Hashable, ...]  # names it, e.g. (requirement, release, theme, measure)
    quantity: tuple[Hashable, ...]  # what it measures: only the same quantity differences
    cells: tuple[tuple[str, frozenset[int]], ...]  # (cell label, authorities in it)
    # (label, one row per authority: size, respondents) of every set the atom rule checks
    sets: tuple[tuple[str, np.ndarray], ...] = ()
    required: tuple[str, ...] = ()  # labels that must not be empty

    def cell(self, label: str) -> frozenset[int]:
        return dict(self.cells).get(label, frozenset())


@dataclass(frozen=True)
class EstimateExposure:
    kind: str  # "atom" or "difference"
    estimates: tuple[tuple[Hashable, ...], ...]  # keys: the estimate, then the others
    cell: str
    authorities: frozenset[int]  # isolated (difference), or the failing set's

    def describe(self) -> str:
        who = " vs ".join(str(k) for k in self.estimates)
        return f"{self.kind}: {who}, {self.cell}: {len(self.authorities)} authorities"


def atom_failures(est: EstimateInput, rule: AtomRule) -> list[EstimateExposure]:
    """The sets of one estimate that fail the atom rule (an empty set fails only if required)."""
    out = []
    for label, rows in est.sets:
        rows = np.asarray(rows, dtype=float).reshape(-1, 2)
        rows = rows[rows.any(axis=1)]
        if not len(rows) and label not in est.required:
            continue
        if not rule.safe(rows):
            out.append(EstimateExposure("atom", (est.key,), label, est.cell(label)))
    return out


def group_differences(
    group: Sequence[EstimateInput], rules: DisclosureRules
) -> list[EstimateExposure]:
    """Within ``group`` (estimates of one quantity), each one's cells against the union of
    the others' same cells: a symmetric difference of 1 to ``min_las - 1`` authorities."""
    out = []
    labels = sorted({label for est in group for label, _ in est.cells})
    for i, est in enumerate(group):
        rest = [e for j, e in enumerate(group) if j != i]
        for label in labels:
            union = frozenset().union(*(e.cell(label) for e in rest))
            diff = est.cell(label) ^ union
            if 1 <= len(diff) < rules.min_las:
                keys = (est.key, *(e.key for e in rest))
                out.append(EstimateExposure("difference", keys, label, diff))
    return out


def _groups(estimates: Sequence[EstimateInput], max_group: int):
    """Groups of 2..max_group estimates of the same quantity."""
    by_quantity: dict[tuple, list[EstimateInput]] = {}
    for est in estimates:
        by_quantity.setdefault(est.quantity, []).append(est)
    for same in by_quantity.values():
        for size in range(2, max_group + 1):
            yield from itertools.combinations(same, size)


def _groups_with(est: EstimateInput, others: Sequence[EstimateInput], max_group: int):
    """Groups of ``est`` with 1..max_group-1 of ``others`` of the same quantity."""
    same = [o for o in others if o.quantity == est.quantity]
    for size in range(1, max_group):
        for rest in itertools.combinations(same, size):
            yield (*rest, est)


def audit(
    estimates: Sequence[EstimateInput], rules: DisclosureRules, max_group: int = MAX_GROUP
) -> list[EstimateExposure]:
    """Every exposure among the published ``estimates`` (see the module docstring)."""
    rule = AtomRule(rules)
    out = [x for est in estimates for x in atom_failures(est, rule)]
    for group in _groups(estimates, max_group):
        out += group_differences(group, rules)
    return out


def choose(
    candidates: Sequence[EstimateInput], rules: DisclosureRules, max_group: int = MAX_GROUP
) -> list[bool]:
    """Whether each candidate is published, taken in the given order: one is published if its
    sets pass the atom rule and no group of it with already-published estimates exposes
    anything, so the published ones pass :func:`audit`."""
    rule = AtomRule(rules)
    published: list[EstimateInput] = []
    out = []
    for est in candidates:
        ok = not atom_failures(est, rule) and not any(
            group_differences(g, rules) for g in _groups_with(est, published, max_group)
        )
        if ok:
            published.append(est)
        out.append(ok)
    return out
