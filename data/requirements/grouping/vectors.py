"""Sentence vectors of findings held once per distinct text (no heavy imports: pages use it)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SharedVectors:
    """Sentence vectors stored once per distinct text, and each finding's row among them.
    National data repeat texts a lot (the same wording in many submissions), so this is far
    smaller than a row per finding (150,000 x 384 float32 = 230 MB)."""

    vectors: np.ndarray  # (distinct texts, dim) float32
    rows: np.ndarray  # (findings,) index into vectors

    def __len__(self) -> int:
        return len(self.rows)

    def take(self, index) -> np.ndarray:
        return self.vectors[self.rows[index]]


def shared(dense) -> SharedVectors:
    """dense as SharedVectors (an array becomes one vector per row)."""
    if isinstance(dense, SharedVectors):
        return dense
    dense = np.asarray(dense, dtype=np.float32)
    return SharedVectors(dense, np.arange(len(dense)))
