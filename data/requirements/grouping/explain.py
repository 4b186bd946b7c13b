"""Why findings were grouped: the group's most typical finding, the phrases its findings share,
and for any finding its nearest neighbours in the group with their similarity.

Similarity is the cosine the grouping used: of sentence vectors when the model is available,
else of TF-IDF vectors (grouping.vocabulary), so the explanation matches how the group formed.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.preprocessing import normalize

from data.requirements.grouping import vocabulary

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_STOP = vocabulary.STOP_WORDS | {"s", "t", "don't", "can't", "won't", "doesn't", "isn't"}


@dataclass(frozen=True)
class Neighbour:
    finding_id: str
    similarity: float


@dataclass(frozen=True)
class GroupExplanation:
    size: int
    typical_finding: str  # finding_id of the member closest to all the others
    typical_text: str
    shared_phrases: list[tuple[str, int]]  # phrase, number of findings using it
    cohesion: float  # mean pairwise similarity (1.0 for a single finding)
    by_meaning: bool  # similarities from the sentence model (else TF-IDF)


def _vectors(frame: pd.DataFrame, dense: np.ndarray | None) -> np.ndarray:
    if dense is not None:
        return normalize(np.asarray(dense, dtype=np.float64))
    text, _ = vocabulary.text_vectors(frame["description"], frame["suggested_change"], 0.7, 0.6)
    return normalize(text).toarray()


def _phrases(text: object) -> set[str]:
    """Content words and two-word phrases of one finding (lower case, no stop words)."""
    words = _WORD.findall(vocabulary.expand(str(text)).lower()) if isinstance(text, str) else []
    keep = [w if w not in _STOP and len(w) > 2 else None for w in words]
    out = {w for w in keep if w}
    out |= {f"{a} {b}" for a, b in zip(keep, keep[1:], strict=False) if a and b}
    return out


def shared_phrases(frame: pd.DataFrame, limit: int = 6) -> list[tuple[str, int]]:
    """Phrases used by at least two findings (or the only one's words), most shared first;
    a word is dropped when a two-word phrase containing it is used as often."""
    counts: Counter[str] = Counter()
    for d, s in zip(frame["description"], frame["suggested_change"], strict=True):
        counts.update(_phrases(d) | _phrases(s))
    floor = 2 if len(frame) > 1 else 1
    ranked = sorted(
        ((p, c) for p, c in counts.items() if c >= floor),
        key=lambda pc: (-pc[1], -len(pc[0].split()), pc[0]),
    )
    out: list[tuple[str, int]] = []
    for phrase, count in ranked:
        if " " not in phrase and any(phrase in q.split() and c >= count for q, c in out):
            continue
        out.append((phrase, count))
        if len(out) == limit:
            break
    return out


def explain_group(frame: pd.DataFrame, dense: np.ndarray | None = None) -> GroupExplanation:
    """Explanation of one group; frame holds its findings (finding_id, description,
    suggested_change), dense their sentence vectors in the same order or None."""
    if frame.empty:
        raise ValueError("a group needs at least one finding")
    frame = frame.reset_index(drop=True)
    x = _vectors(frame, dense)
    n = len(frame)
    total = x.sum(0)
    mean_to_others = (x @ total - 1.0) / max(n - 1, 1)
    typical = int(np.argmax(mean_to_others)) if n > 1 else 0
    cohesion = float((total @ total - n) / (n * (n - 1))) if n > 1 else 1.0
    return GroupExplanation(
        size=n,
        typical_finding=str(frame["finding_id"].iloc[typical]),
        typical_text=str(frame["description"].iloc[typical]),
        shared_phrases=shared_phrases(frame),
        cohesion=round(cohesion, 3),
        by_meaning=dense is not None,
    )


def nearest_in_group(
    frame: pd.DataFrame, finding_id: str, dense: np.ndarray | None = None, k: int = 5
) -> list[Neighbour]:
    """The k findings of the group most similar to finding_id, with their cosine similarity."""
    frame = frame.reset_index(drop=True)
    ids = frame["finding_id"].astype(str).tolist()
    if str(finding_id) not in ids:
        raise ValueError(f"finding {finding_id!r} is not in this group")
    x = _vectors(frame, dense)
    i = ids.index(str(finding_id))
    sims = x @ x[i]
    order = [j for j in np.argsort(-sims, kind="stable") if j != i][:k]
    return [Neighbour(ids[j], round(float(sims[j]), 3)) for j in order]


def explain_all(
    frame: pd.DataFrame, labels: pd.Series, dense: np.ndarray | None = None
) -> dict[str, GroupExplanation]:
    """Explanation of every group in labels (aligned with frame's rows)."""
    frame = frame.reset_index(drop=True)
    labels = pd.Series(list(labels), dtype=object)
    out = {}
    for cid, rows in labels.groupby(labels).groups.items():
        idx = np.asarray(rows, dtype=np.int64)
        out[str(cid)] = explain_group(frame.iloc[idx], None if dense is None else dense[idx])
    return out
