"""Summary sentences under charts that compare groups: right for one, two or many groups,
and naming England only when the figures are England's (no region or LA type filter)."""

from __future__ import annotations

from collections.abc import Sequence


def _n(value: float) -> str:
    return f"{value:.0f}"


def group_range(
    where: str,
    measure: str,
    groups: Sequence[tuple[str, float]],
    *,
    overall: float | None = None,
    whole_country: bool = True,
) -> str:
    """One sentence on the groups' means (``groups``: (name, mean) pairs shown, any order)
    and the mean over every group (``overall``): "England's mean" when ``whole_country``,
    otherwise the mean "across all groups in this selection"."""
    ordered = sorted(groups, key=lambda g: (g[1], g[0]))
    if not ordered:
        return f"For {where}, too few authorities contribute to show any supplier group."
    if len(ordered) == 1:
        name, value = ordered[0]
        text = (
            f"For {where}, only {name} has enough authorities to be shown: "
            f"its mean {measure} was {_n(value)}"
        )
    elif len(ordered) == 2:
        (low_name, low), (high_name, high) = ordered
        if _n(low) == _n(high):
            both = " and ".join(sorted((low_name, high_name)))
            text = f"For {where}, mean {measure} was {_n(high)} for both {both}"
        else:
            text = (
                f"For {where}, mean {measure} was {_n(high)} for {high_name} and "
                f"{_n(low)} for {low_name}"
            )
    else:
        (low_name, low), (high_name, high) = ordered[0], ordered[-1]
        if _n(low) == _n(high):
            text = f"For {where}, mean {measure} was {_n(high)} in all {len(ordered)} groups shown"
        else:
            text = (
                f"For {where}, mean {measure} ranged from {_n(low)} ({low_name}) to "
                f"{_n(high)} ({high_name}) across the {len(ordered)} groups shown"
            )
    if overall is not None:
        whose = "England's mean" if whole_country else "the mean of all groups in this selection"
        text += f"; {whose} was {_n(overall)}"
    return text + "."
