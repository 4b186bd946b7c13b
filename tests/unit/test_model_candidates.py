"""The numpy forward passes used to compare embedding models (bench/model_candidates.py): the
safetensors reader decodes each dtype, and a text's vector does not depend on the longer texts
batched (padded) with it, for BERT and for MPNet (whose positions and relative bias are where
padding mistakes would show)."""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest
from tokenizers import Tokenizer, models, pre_tokenizers

from bench import model_candidates as mc

H, HEADS, LAYERS, FF, VOCAB = 8, 2, 2, 16, 12


def write_safetensors(path, tensors: dict[str, np.ndarray], bf16: tuple = ()) -> None:
    header, blobs, offset = {}, [], 0
    for name, arr in tensors.items():
        if name in bf16:
            raw = (np.asarray(arr, np.float32).view(np.uint32) >> 16).astype(np.uint16).tobytes()
            dtype = "BF16"
        else:
            raw, dtype = np.asarray(arr, np.float32).tobytes(), "F32"
        header[name] = {"dtype": dtype, "shape": list(arr.shape),
                        "data_offsets": [offset, offset + len(raw)]}  # fmt: skip
        blobs.append(raw)
        offset += len(raw)
    head = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(head)) + head + b"".join(blobs))


def test_read_safetensors_f32_and_bf16(tmp_path):
    a = np.arange(6, dtype=np.float32).reshape(2, 3) / 4  # exact in bfloat16 too
    write_safetensors(tmp_path / "m.safetensors", {"a": a, "b": -a}, bf16=("b",))
    out = mc.read_safetensors(tmp_path / "m.safetensors")
    np.testing.assert_array_equal(out["a"], a)
    np.testing.assert_array_equal(out["b"], -a)


def _tiny_model(tmp_path, kind: str) -> None:
    rng = np.random.default_rng(0)
    w = {
        "embeddings.word_embeddings.weight": rng.normal(size=(VOCAB, H)),
        "embeddings.position_embeddings.weight": rng.normal(size=(40, H)),
        "embeddings.LayerNorm.weight": np.ones(H),
        "embeddings.LayerNorm.bias": np.zeros(H),
    }
    if kind == "bert":
        w["embeddings.token_type_embeddings.weight"] = rng.normal(size=(2, H))
        attn = ["attention.self.query", "attention.self.key", "attention.self.value",
                "attention.output.dense"]  # fmt: skip
        norms = ["attention.output.LayerNorm", "output.LayerNorm"]
    else:
        w["encoder.relative_attention_bias.weight"] = rng.normal(size=(32, HEADS))
        attn = ["attention.attn.q", "attention.attn.k", "attention.attn.v", "attention.attn.o"]
        norms = ["attention.LayerNorm", "output.LayerNorm"]
    for i in range(LAYERS):
        L = f"encoder.layer.{i}."
        for name in attn:
            w[L + name + ".weight"], w[L + name + ".bias"] = rng.normal(size=(H, H)), np.zeros(H)
        w[L + "intermediate.dense.weight"] = rng.normal(size=(FF, H))
        w[L + "intermediate.dense.bias"] = np.zeros(FF)
        w[L + "output.dense.weight"] = rng.normal(size=(H, FF))
        w[L + "output.dense.bias"] = np.zeros(H)
        for name in norms:
            w[L + name + ".weight"], w[L + name + ".bias"] = np.ones(H), np.zeros(H)
    write_safetensors(tmp_path / "model.safetensors", w)
    (tmp_path / "config.json").write_text(json.dumps({
        "hidden_size": H, "num_attention_heads": HEADS, "num_hidden_layers": LAYERS}))  # fmt: skip
    text = "the plan cannot be printed or saved after edits"
    words = ["[PAD]", "<pad>", "[UNK]", *text.split(" ")]
    tok = Tokenizer(models.WordLevel({t: i for i, t in enumerate(words)}, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.save(str(tmp_path / "tokenizer.json"))


@pytest.mark.parametrize("cls", [mc.BertEncoder, mc.MPNetEncoder])
def test_vector_does_not_depend_on_batch_padding(tmp_path, cls):
    _tiny_model(tmp_path, "bert" if cls is mc.BertEncoder else "mpnet")
    enc = cls(tmp_path)
    short, long = "the plan", "the plan cannot be printed or saved after edits"
    alone = enc.encode([short])
    batched = enc.encode([long, short])
    np.testing.assert_allclose(batched[1], alone[0], atol=1e-5)
    assert abs(float(batched[0] @ batched[1])) < 0.999  # different texts, different vectors
    np.testing.assert_allclose(np.linalg.norm(batched, axis=1), 1.0, atol=1e-6)
