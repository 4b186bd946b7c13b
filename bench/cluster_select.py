"""How the grouping's representation was chosen, using half A of the dev set only.

    .venv/bin/python -m bench.cluster_select        # ~30 min on a busy 2-core machine

Half A (see bench/cluster_eval.py; half B and the paraphrase set are never read here) is split
in two by group (near-miss families together) by a hash with each of SEEDS seeds, both ways
round: 8 train/test folds. For each representation, relative closeness and the threshold are
tuned on the training part (the same rule as cluster_eval.tune: ARIs within TIE of the best
count as equal, then the highest threshold) and the ARI is measured on the test part; the
sentence vectors are centred on the training part's mean only. The mean over the folds is the
cross-validated score.

Result on 2026-12-07 (mean ARI over the 8 folds, standard deviation in brackets; folds hold
~60 findings, so scores are noisy): TF-IDF only 0.629 (0.049); sentence vectors alone
(meaning 1.0) 0.669 (0.129); vectors and TF-IDF with meaning 0.7 0.703 (0.073), meaning 0.5
0.727 (0.027), meaning 0.5 with words only (no character n-grams) 0.738 (0.032). The last was
adopted: best, and the cheapest at national scale (the word matrix is built anyway for
candidate pairs; character n-grams of 150,000 findings are ~35 million non-zeros).
Earlier exploratory runs (other relative grids, best-ARI tie rule) ranked them the same way.
"""

from __future__ import annotations

import sys
import zlib
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import cluster_eval as ce  # noqa: E402
from data.requirements.grouping import embeddings as emb  # noqa: E402
from data.requirements.grouping.clustering import ClusterWeights, cluster_findings  # noqa: E402

SEEDS = range(4)
THRESHOLDS = np.round(np.arange(0.02, 0.6, 0.02), 2)
RELATIVES = (0.6, 0.8, 0.9)
# (embedding share, word share of the TF-IDF part: 1.0 = no character n-grams)
CONFIGS = ((0.0, 0.7), (0.5, 0.7), (0.5, 1.0), (0.7, 0.7), (1.0, 0.7))


def _score(df, dense, meaning: float, relative: float, threshold: float, word: float) -> float:
    w = ClusterWeights(meaning=meaning, relative=relative, word=word)
    if meaning == 0:
        pred = cluster_findings(df, threshold=threshold, weights=w, use_model=False)
    else:
        pred = cluster_findings(df, threshold=threshold, weights=w, embeddings=dense)
    return adjusted_rand_score(df["true_group"], pred)


def _centred(raw: np.ndarray, train: np.ndarray) -> np.ndarray:
    out = raw - raw[train].mean(0)
    return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)


def cross_validate(part_a, raw: np.ndarray, meaning: float, word: float) -> list[float]:
    """Test-fold ARIs of one embedding share over all folds (see the module docstring)."""
    family = part_a["true_group"].map(lambda g: ce.FAMILIES.get(g, g))
    scores = []
    for seed in SEEDS:
        side = family.map(lambda u, s=seed: zlib.crc32(f"{s}|{u}".encode()) % 2).to_numpy()
        for fold in (0, 1):
            train, test = side != fold, side == fold
            dense = _centred(raw, train)
            a, b = part_a[train].reset_index(drop=True), part_a[test].reset_index(drop=True)
            tried = [(_score(a, dense[train], meaning, r, t, word), r, t)
                     for r in RELATIVES for t in THRESHOLDS]  # fmt: skip
            top = max(s for s, _, _ in tried)
            _, r, t = max((x for x in tried if x[0] >= top - ce.TIE), key=lambda x: (x[2], x[0]))
            scores.append(_score(b, dense[test], meaning, r, t, word))
    return scores


def main() -> int:
    df = ce.load_devset()
    part_a = df[ce.halves(df["true_group"]) == "A"].reset_index(drop=True)
    cache = ce._load_cache()
    pairs = zip(part_a["description"], part_a["suggested_change"], strict=True)
    raw = emb.embed([emb.model_input(d, s) for d, s in pairs], cache)
    if raw is None:
        raise SystemExit(f"the sentence model is needed: {emb.status().reason}")
    for meaning, word in CONFIGS:
        scores = cross_validate(part_a, raw, meaning, word)
        print(f"meaning {meaning:<4} word {word:<4} cross-validated ARI {np.mean(scores):.3f} "
              f"(sd {np.std(scores):.3f} over {len(scores)} folds)", flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
