"""Sentence-model grouping (data.requirements.grouping): the model, its TF-IDF fallback,
embedding neighbours, upload-time assignment from group summaries and "why grouped"."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from data.requirements.grouping import embeddings as emb
from data.requirements.grouping import neighbours, vocabulary
from data.requirements.grouping.clustering import (
    ASSIGN_THRESHOLD,
    ASSIGN_WEIGHTS,
    ClusterWeights,
    assign_to_groups,
    cluster_findings,
    finding_embeddings,
    model_status,
    summarise,
)
from data.requirements.grouping.explain import explain_all, explain_group, nearest_in_group

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
needs_model = pytest.mark.skipif(
    not emb.status().available, reason=f"sentence model unavailable: {emb.status().reason}"
)


def frame(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"finding_id": f, "theme": t, "workflow_area": "general", "description": d,
             "suggested_change": ""}
            for f, t, d in rows
        ]
    )  # fmt: skip


@pytest.fixture(scope="module")
def paraphrases() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "findings_paraphrases.csv", dtype=str, keep_default_na=False)


@pytest.fixture
def model_path(monkeypatch):
    """Point the loader at another model file for one test, then restore the real one."""

    def use(path: Path | None) -> None:
        if path is None:
            monkeypatch.delenv("ICSDASH_EMBEDDING_MODEL", raising=False)
        else:
            monkeypatch.setenv("ICSDASH_EMBEDDING_MODEL", str(path))
        emb.reset()

    yield use
    monkeypatch.delenv("ICSDASH_EMBEDDING_MODEL", raising=False)
    emb.reset()


# --- the model and its fallback ---


def test_paraphrase_set_is_big_varied_and_has_no_demo_phrasing(paraphrases) -> None:
    from data.demo.findings_text import _BANK

    assert len(paraphrases) >= 120 and paraphrases["true_group"].nunique() >= 30
    assert paraphrases["finding_id"].is_unique
    assert paraphrases.groupby("true_group").size().min() >= 3
    demo = {line[2:].strip().lower() for line in _BANK.splitlines() if line[:2] in ("- ", "> ")}
    dev = pd.read_csv(FIXTURES / "findings_devset.csv", dtype=str, keep_default_na=False)
    seen = demo | set(dev["description"].str.lower()) | set(dev["suggested_change"].str.lower())
    assert not set(paraphrases["description"].str.lower()) & seen


@needs_model
def test_model_loads_once_and_gives_unit_vectors_that_capture_meaning() -> None:
    assert emb.encoder() is emb.encoder()  # once per process
    vecs = emb.embed(
        [
            "The session expires and unsaved work is lost.",
            "I got logged out for inactivity and my notes disappeared.",
            "The chronology cannot be filtered by event type.",
        ]
    )
    assert vecs.shape == (3, emb.DIM) and np.allclose(np.linalg.norm(vecs, axis=1), 1, atol=1e-5)
    assert vecs[0] @ vecs[1] > vecs[0] @ vecs[2] + 0.2
    assert model_status().available and "meaning" in model_status().notice()


@pytest.mark.parametrize("damage", ["corrupt", "missing"])
def test_broken_model_logs_one_line_and_falls_back_to_tfidf(
    damage, model_path, tmp_path, caplog, paraphrases
) -> None:
    bad = tmp_path / "model.onnx"
    if damage == "corrupt":
        bad.write_bytes(b"not an onnx file")
    model_path(bad)
    with caplog.at_level(logging.WARNING, logger=emb.__name__):
        status = model_status()
        model_status()
        got = cluster_findings(paraphrases)
    lines = [r for r in caplog.records if r.name == emb.__name__]
    assert len(lines) == 1 and "TF-IDF" in lines[0].getMessage()
    assert not status.available and ("SHA-256" in status.reason or "No such file" in status.reason)
    assert "shared words only" in status.notice()
    assert emb.embed(["anything"]) is None and finding_embeddings(paraphrases) is None
    assert got.equals(cluster_findings(paraphrases, use_model=False)), "TF-IDF only, no error"


def test_turning_the_model_off_is_reported(monkeypatch, model_path) -> None:
    monkeypatch.setenv("ICSDASH_EMBEDDINGS", "off")
    model_path(None)
    assert not model_status().available and "ICSDASH_EMBEDDINGS" in model_status().reason


def test_abbreviations_are_spelt_out_for_the_model() -> None:
    out = vocabulary.expand("S47 and ICPC for a CLA child; SWs told the TM; CP plan")
    for words in ("section 47", "initial child protection conference", "looked after",
                  "social worker", "team manager", "child protection plan"):  # fmt: skip
        assert words in out
    assert vocabulary.expand("a chronic condition, 47 pages") == "a chronic condition, 47 pages"


# --- neighbours ---


def test_inverted_file_neighbours_find_what_exact_search_finds(monkeypatch) -> None:
    rng = np.random.default_rng(3)
    centres = rng.normal(size=(60, 32))
    d = centres[rng.integers(0, 60, 3000)] + 0.3 * rng.normal(size=(3000, 32))
    d = (d / np.linalg.norm(d, axis=1, keepdims=True)).astype(np.float32)
    exact = neighbours.nearest_pairs(d, np.arange(3000), 5)
    monkeypatch.setattr(neighbours, "EXACT_UP_TO", 100)
    approx = neighbours.nearest_pairs(d, np.arange(3000), 5)
    assert (approx[:, 0] < approx[:, 1]).all()
    found = {tuple(p) for p in approx.tolist()}
    recall = np.mean([tuple(p) in found for p in exact.tolist()])
    assert recall > 0.9
    assert len(neighbours.nearest_pairs(d[:1], np.arange(1), 5)) == 0


# --- upload-time assignment ---


@needs_model
def test_new_findings_join_their_stored_group_or_form_new_ones(paraphrases) -> None:
    df = paraphrases.reset_index(drop=True)
    dense = finding_embeddings(df)
    first = df.groupby("true_group").cumcount() < 3  # stored: the first 3 of every group
    old, new = df[first].reset_index(drop=True), df[~first].reset_index(drop=True)
    old_dense, new_dense = dense[first.to_numpy()], dense[~first.to_numpy()]
    labels = cluster_findings(old, embeddings=old_dense)
    groups = summarise(labels, old_dense, old["theme"], old["workflow_area"])
    assert sum(g.size for g in groups) == len(old)
    got = assign_to_groups(new, new_dense, groups, taken=set(labels))
    # Same merge tests as a full recomputation by meaning alone (the similarity uploads are
    # placed by) that keeps the stored ids; that one only tests candidate pairs (nearest
    # neighbours), assignment tests every stored group.
    both = pd.concat([old, new], ignore_index=True)
    full = cluster_findings(
        both,
        previous=dict(zip(old["finding_id"], labels, strict=True)),
        embeddings=np.vstack([old_dense, new_dense]),
        weights=ASSIGN_WEIGHTS,
        threshold=ASSIGN_THRESHOLD,
    )
    assert np.mean(got.to_numpy() == full.iloc[len(old) :].to_numpy()) >= 0.9
    majority = dict(zip(old["true_group"], labels, strict=True))  # any stored member's group
    joined = [g == majority.get(t) for g, t in zip(got, new["true_group"], strict=True)]
    assert np.mean(joined) >= 0.5
    assert not set(got) - set(labels) & set(labels)


def test_assignment_waits_for_a_regroup_without_vectors_or_with_text_weight() -> None:
    df = frame([("a", "NAV", "too many clicks")])
    assert assign_to_groups(df, None, []) is None
    vec = np.ones((1, emb.DIM), dtype=np.float32) / np.sqrt(emb.DIM)
    assert assign_to_groups(df, vec, [], weights=ClusterWeights(meaning=0.5)) is None
    alone = assign_to_groups(df, vec, [], taken={"C-a"})
    assert alone.tolist() == ["C-a~2"], "new ids never collide with stored ones"


# --- why grouped ---


def test_explanation_names_the_typical_finding_and_shared_phrases() -> None:
    df = frame(
        [
            ("f1", "SPD", "Session timeout loses unsaved work"),
            ("f2", "SPD", "After a session timeout my unsaved work is gone"),
            ("f3", "SPD", "Unsaved work lost at session timeout, very frustrating"),
        ]
    )
    why = explain_group(df)
    assert why.size == 3 and why.typical_finding in {"f1", "f2", "f3"}
    phrases = dict(why.shared_phrases)
    assert phrases.get("session timeout") == 3 and phrases.get("unsaved work") == 3
    assert "session" not in phrases, "a word inside an equally shared phrase is not repeated"
    near = nearest_in_group(df, "f1", k=2)
    assert [n.finding_id for n in near] != [] and all(-1 <= n.similarity <= 1 for n in near)
    assert near[0].similarity >= near[-1].similarity
    with pytest.raises(ValueError, match="not in this group"):
        nearest_in_group(df, "zz")
    with pytest.raises(ValueError, match="at least one"):
        explain_group(df.iloc[:0])


@needs_model
def test_typical_finding_is_the_one_closest_to_the_others(paraphrases) -> None:
    group = paraphrases[paraphrases["true_group"] == "timeout_loss"].reset_index(drop=True)
    dense = finding_embeddings(group)
    why = explain_group(group, dense)
    sims = dense @ dense.T
    mean = (sims.sum(1) - 1) / (len(group) - 1)
    assert why.typical_finding == group["finding_id"][int(np.argmax(mean))] and why.by_meaning
    labels = pd.Series(["x"] * len(group))
    assert explain_all(group, labels, dense)["x"] == why


def test_requirements_page_says_when_grouping_runs_without_the_model(model_path, tmp_path):
    from data.requirements.clusters import grouping_notice
    from layouts.requirements import _grouping_notice

    if emb.probe().available:
        assert grouping_notice() is None and _grouping_notice() == []
    bad = tmp_path / "model.onnx"
    bad.write_bytes(b"\0" * 64)
    model_path(bad)
    notice = grouping_notice()
    assert notice and "shared words only" in notice and "SHA-256" in notice
    (alert,) = _grouping_notice()
    assert alert.id == "req-model-notice" and alert.children == notice
