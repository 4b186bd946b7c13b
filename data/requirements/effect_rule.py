"""Which sets of authorities “Did it work?” may rest on: the atom rule of the protected
cubes (data.privacy.cube.AtomRule), not the bare thresholds.

An estimate combines four cells of one supplier group (took the release / not yet x
before / after). Each must be safe for every viewer: at least ``min_las`` authorities and
``min_respondents`` respondents after removing any one authority (an authority in the cell
knows its own figures), and no ``min_las - 1`` authorities holding more than 2/3 of its
respondents or score sum. The group's cell for a phase is published elsewhere (Compare), so
what a cell leaves of it must be safe too, or empty: the group's submissions of that phase
outside “took it”, outside “not yet”, and outside both. data.requirements.effect makes “not
yet” the whole rest of the group's cell, so the last is empty and each cell's complement is
the other cell of its phase; they are checked here all the same, so that a change to how the
cells are drawn cannot leave a small set over unseen."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import numpy as np

from data.privacy.cube import AtomRule

# the four cells of data.requirements.effect, and by phase: (took it, not yet)
GROUPS = ("took it, before", "took it, after", "not yet, before", "not yet, after")
PHASE_CELLS = {"before": (GROUPS[0], GROUPS[2]), "after": (GROUPS[1], GROUPS[3])}
REST = "the supplier's other authorities, {phase}"

Sub = tuple[int, int]  # (submission id, authority id)


def checked_sets(
    cells: Mapping[str, Sequence[Sub]], phases: Mapping[str, Sequence[Sub]]
) -> list[tuple[str, list[Sub]]]:
    """(label, submissions) of every set an estimate rests on or lets be worked out from the
    group's cell of a phase (``phases``: the group's submissions per phase)."""
    out = [(label, list(subs)) for label, subs in cells.items()]
    for phase, (took, not_yet) in PHASE_CELLS.items():
        t, n = set(cells[took]), set(cells[not_yet])
        group = phases.get(phase, [])
        label = REST.format(phase=phase)
        out += [
            (label, [s for s in group if s not in t]),
            (label, [s for s in group if s not in n]),
            (label, [s for s in group if s not in t and s not in n]),
        ]
    return out


def per_la(subs: Sequence[Sub], sizes: Mapping[int, tuple[float, float]]) -> np.ndarray:
    """One row per authority with data: its summed (size, respondents) over ``subs``
    (``sizes``: submission id -> (score sum or respondents, respondents))."""
    totals: dict[int, np.ndarray] = {}
    for sid, authority in subs:
        size = sizes.get(sid)
        if size is not None:
            totals[authority] = totals.get(authority, np.zeros(2)) + np.asarray(size, float)
    rows = [v for v in totals.values() if v.any()]
    return np.array(rows) if rows else np.zeros((0, 2))


def unsafe(
    sets: Sequence[tuple[str, list[Sub]]],
    sizes: Mapping[int, tuple[float, float]],
    rule: AtomRule,
    required: Collection[str] = (),
) -> list[str]:
    """Labels (once each, in order) of the sets that fail the rule. A set with no data (no
    submissions, or none with respondents) is empty: it passes unless it is ``required``."""
    failed: list[str] = []
    for label, subs in sets:
        rows = per_la(subs, sizes)
        empty_ok = not len(rows) and label not in required
        if not empty_ok and not rule.safe(rows) and label not in failed:
            failed.append(label)
    return failed
