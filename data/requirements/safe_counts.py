"""When the counts behind a candidate or requirement (LAs, supplier groups, respondents
affected) may be shown: by the rule of the protected findings cube (data.privacy.cube),
not the bare thresholds. A set of findings is shown only if it would be a safe atom: at
least ``min_las + 1`` authorities and ``min_respondents`` respondents after removing any
one authority (an LA user knows its own figures), and no ``min_las - 1`` authorities
holding more than 2/3 of its findings or respondents, so a published count neither rests
on too few authorities nor, with Themes' figures, bounds one authority's within +-50%.
The viewer's own findings alone are always shown to them.

That rule looks at one set at a time; a set's counts together with the cube's totals could
still leave a small remainder (a candidate that is all of an atom but one authority's
finding). Where a *partition source* is registered (data.pages.evidence registers one,
built on the cube), it decides instead, over all sets together: a set is published only if
every piece of the atoms, split by the published sets, stays a safe atom."""

from __future__ import annotations

from collections.abc import Callable, Collection

import numpy as np
import pandas as pd

from data.privacy.cube import AtomRule
from data.privacy.disclosure import DisclosureRules


def per_la(findings: pd.DataFrame) -> np.ndarray:
    """One row per authority: its findings and respondents affected (the largest of its
    per-period sums, as data.requirements.ranking counts them)."""
    if findings.empty:
        return np.zeros((0, 2))
    per_period = findings.groupby(["authority_id", "period"])["respondents_raising"].sum()
    resp = per_period.groupby(level="authority_id").max()
    count = findings.groupby("authority_id").size()
    return np.column_stack([count.to_numpy(float), resp.reindex(count.index).to_numpy(float)])


def counts_safe(findings: pd.DataFrame, rules: DisclosureRules, own: Collection[int] = ()) -> bool:
    """Whether the counts of ``findings`` (finding_stats rows) may be shown to a viewer
    whose own authorities are ``own``."""
    if findings.empty:
        return True
    las = set(findings["authority_id"].astype(int))
    if las <= {int(a) for a in own}:
        return True
    return AtomRule(rules).safe(per_la(findings))


def safe_by(findings: pd.DataFrame, by: str, rules: DisclosureRules) -> pd.Series:
    """:func:`counts_safe` (for a viewer with none of them) per value of ``by``."""
    rule = AtomRule(rules)
    return findings.groupby(by).apply(lambda g: rule.safe(per_la(g)), include_groups=False)


# (session, rules) -> the published sets: ("candidate", cluster id), ("requirement", id)
PartitionSource = Callable[[object, DisclosureRules], frozenset[tuple[str, object]]]
_SOURCE: list[PartitionSource] = []


def register_partition_source(source: PartitionSource) -> None:
    """Let ``source`` decide which sets' counts are published (see the module docstring)."""
    _SOURCE[:] = [source]


def published(session, rules: DisclosureRules) -> frozenset[tuple[str, object]] | None:
    """The registered source's published sets, or None when none is registered."""
    return _SOURCE[0](session, rules) if _SOURCE else None
