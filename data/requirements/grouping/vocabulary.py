"""Domain normalisation and text vectors for children's social care free text.

Findings from different LAs abbreviate the same thing differently ("S47" and "section 47
enquiry", "CLA" and "looked after children"). Word similarity only sees that if both are
rewritten to one canonical token first, so this module maps the genuine domain abbreviations to
canonical forms, then applies a small stemmer; ``expand`` spells them out for the sentence model.
Synonyms in general ("timed out", "session expiry") are left to that model (grouping.embeddings).
``text_vectors`` turns findings into TF-IDF vectors over those canonical tokens and
``nearest_pairs`` finds candidate pairs sparsely, for ``data.requirements.grouping.clustering``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer
from sklearn.preprocessing import normalize

from data.requirements.grouping.neighbours import unique_pairs

# Domain abbreviations of children's social care -> one canonical token each, and the long
# forms they abbreviate. Only genuine abbreviations belong here: the meaning of everything else
# ("timed out" vs "session expiry") comes from the sentence model (grouping.embeddings). Order
# matters: longer and more specific patterns come first so that, e.g., "initial child protection
# conference" becomes "icpc" before "child protection" becomes "cp".
_CHILD = r"(?:child(?:ren)?|young\s+(?:person|people))"
_CONF = r"(?:case\s+)?conf(?:erence)?s?"
_PHRASES: tuple[tuple[str, str], ...] = (
    (r"\bs\s*\.?\s*47s?\b|\bsec(?:tion|t?\.)?\s*47\b", " s47 "),
    (r"\bchild\s+protection\s+(?:enquiry|enquiries|inquiry|inquiries)\b", " s47 "),
    (r"\binitial\s+(?:child\s+protection\s+|cp\s+)?" + _CONF + r"\b", " icpc "),
    (r"\bicpcc?s?\b", " icpc "),
    (r"\b(?:review|reviewing)\s+(?:child\s+protection\s+|cp\s+)?" + _CONF + r"\b", " rcpc "),
    (r"\b(?:child\s+protection|cp)\s+review\s+" + _CONF + r"\b", " rcpc "),
    (r"\brcpcs?\b", " rcpc "),
    (r"\b" + _CHILD + r"\s+in\s+need\b", " cin "),
    (r"\b" + _CHILD + r"\s+looked[\s-]+after\b", " lac "),
    (r"\blooked[\s-]+after(?:\s+" + _CHILD + r")?\b", " lac "),
    (r"\b(?:cla|lac)s?\b", " lac "),
    (r"\bchild\s+protection\s+plans?\b|\bcpps?\b", " cp plan "),
    (r"\bchild\s+protection\b", " cp "),
    (r"\bindependent\s+reviewing\s+officers?\b|\biros\b", " iro "),
    (r"\bsocial\s+workers?\b|\bs/w\b|\bsws\b", " sw "),
    (r"\bteam\s+managers?\b|\btms\b", " tm "),
    (r"\bcommon\s+assessment\s+framework\b|\bcafs\b", " caf "),
    (r"\bmulti[\s-]*agency\s+safeguarding\s+hubs?\b", " mash "),
    (r"\bearly\s+help(?:\s+module)?\b|\behm\b|\beh\b", " earlyhelp "),
    (r"\bpublic\s+law\s+outline\b", " plo "),
    (r"\bcore\s+assessments?\b|\bc\.a\.|\bcas?\b", " coreassessment "),
    (r"\binitial\s+assessments?\b|\bi\.a\.|\bias?\b", " initialassessment "),
    (r"\bdomestic\s+(?:violence|abuse)\b|\bdva?\b", " domesticabuse "),
    (r"\bsingle\s+sign[\s-]*on\b|\bsso\b", " sso "),
    (r"\bssda\s*903\b|\b903\b", " ssda903 "),
    (r"\bdate\s+of\s+birth\b|\bd\.o\.b\.?", " dob "),
)
_RULES = _PHRASES
# Rules are applied in order; each batch is first tested with one combined pattern (same
# matches, one scan) so that text which needs none of a batch's rewrites skips it quickly.
_BATCHES = tuple(
    (
        re.compile("|".join(f"(?:{p})" for p, _ in _RULES[k : k + 8])),
        tuple((re.compile(p), r) for p, r in _RULES[k : k + 8]),
    )
    for k in range(0, len(_RULES), 8)
)

# Single-word abbreviations ("canonical: variant ..."), applied after tokenising and before
# stemming.
_WORD_TABLE = """
strategy: strat
conference: conf confs
chronology: chron chrono chronos
information: info
document: doc docs
manager: mgr mgrs
"""
_WORDS: dict[str, str] = {
    variant: canon
    for line in _WORD_TABLE.strip().splitlines()
    for canon, variants in [line.split(":")]
    for variant in variants.split()
}

# Abbreviations spelt out for the sentence model, which knows English words, not ICS jargon.
_EXPANSIONS: tuple[tuple[str, str], ...] = (
    (r"\b[Ss]\s*\.?\s*47s?\b", "section 47 child protection enquiry"),
    (r"\bICPCC?s?\b|\bicpcs?\b", "initial child protection conference"),
    (r"\bRCPCs?\b|\brcpcs?\b", "review child protection conference"),
    (r"\bCPPs?\b", "child protection plan"),
    (r"\bCP\b", "child protection"),
    (r"\bCIN\b", "child in need"),
    (r"\b(?:LAC|CLA|CLAs|LACs)\b", "looked after children"),
    (r"\bIROs?\b", "independent reviewing officer"),
    (r"\b(?:SWs?|S/W)\b", "social worker"),
    (r"\bTMs?\b", "team manager"),
    (r"\bCAFs?\b", "common assessment framework"),
    (r"\bMASH\b", "multi-agency safeguarding hub"),
    (r"\bEHM?\b", "early help"),
    (r"\bPLO\b", "public law outline"),
    (r"\bCAs?\b", "core assessment"),
    (r"\bIAs?\b", "initial assessment"),
    (r"\bDV\b|\bDA\b", "domestic abuse"),
    (r"\bSSO\b", "single sign-on"),
    (r"\b(?:SSDA\s*)?903\b", "SSDA903 looked after children return"),
    (r"\bD\.?O\.?B\b\.?", "date of birth"),
    (r"\b[Cc]hronos?\b|\b[Cc]hron\b", "chronology"),
    (r"\b[Ss]trat\b", "strategy"),
    (r"\b[Mm]grs?\b", "manager"),
)
_EXPAND = tuple((re.compile(p), r) for p, r in _EXPANSIONS)
_ANY_EXPANSION = re.compile("|".join(f"(?:{p})" for p, _ in _EXPANSIONS))


def expand(text: str) -> str:
    """Text with domain abbreviations spelt out (for the sentence model)."""
    if not _ANY_EXPANSION.search(text):
        return text
    for pattern, repl in _EXPAND:
        text = pattern.sub(repl, text)
    return text


# Words that carry no information about which problem a finding describes.
_DOMAIN_STOP = frozenset(
    {
        "system",
        "ics",
        "application",
        "user",
        "users",
        "staff",
        "practitioner",
        "practitioners",
        "worker",
        "workers",
        "people",
        "able",
        "unable",
        "need",
        "needs",
        "needed",
        "use",
        "used",
        "currently",
        "really",
        "does",
        "did",
        "doesn",
        "didn",
        "isn",
        "aren",
        "won",
        "get",
        "gets",
        "got",
        "getting",
        "etc",
        "eg",
        "ie",
        "e",
        "g",
        "also",
        "just",
        "lot",
        "lots",
        "way",
    }
)
STOP_WORDS = frozenset(ENGLISH_STOP_WORDS) | _DOMAIN_STOP

_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("ational", "ate"),
    ("ations", "ate"),
    ("ation", "ate"),
    ("ities", "ity"),
    ("ies", "y"),
    ("ied", "y"),
    ("ings", ""),
    ("ing", ""),
    ("ed", ""),
    ("ly", ""),
    ("s", ""),
)
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_CANT = re.compile(r"\bcan'?t\b|\bwon'?t\b")
_NT = re.compile(r"(\w)n't\b")
_CLITIC = re.compile(r"(\w)'(?:s|ve|re|ll|d)\b")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Strip one common English suffix so 'printed', 'prints' and 'printing' all match."""
    if len(word) <= 3 or not word.isalpha():
        return word
    for suffix, repl in _SUFFIXES:
        if word.endswith(suffix):
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                break
            base = word[: -len(suffix)] + repl
            if len(base) >= 3:
                word = base
            break
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeioulsz":
        word = word[:-1]
    return word


def canonicalise(text: object) -> str:
    """Lower-case text with domain phrases rewritten to canonical tokens (no stemming)."""
    if not isinstance(text, str):
        return ""
    s = unicodedata.normalize("NFKC", text).lower()
    s = s.replace("\u2019", "'").replace("\u2013", "-").replace("\u2014", "-")
    s = _CANT.sub("cannot", s)
    s = _NT.sub(r"\1 not", s)  # doesn't -> does not
    s = _CLITIC.sub(r"\1", s)  # child's -> child, they've -> they
    for any_rule, rules in _BATCHES:
        if any_rule.search(s):
            for pattern, repl in rules:
                s = pattern.sub(repl, s)
    return s


def tokens(text: object) -> list[str]:
    """Canonical, stemmed content tokens of a free-text field, in order."""
    out: list[str] = []
    for raw in _NON_ALNUM.split(canonicalise(text)):
        if not raw:
            continue
        for word in _WORDS.get(raw, raw).split():
            if word in STOP_WORDS or (len(word) < 2 and not word.isdigit()):
                continue
            out.append(stem(word))
    return out


def normalise(text: object) -> str:
    """One space-joined string of canonical tokens, for character n-gram features."""
    return " ".join(tokens(text))


def _word_analyzer(toks: list[str]) -> list[str]:
    return toks + [f"{a} {b}" for a, b in zip(toks, toks[1:], strict=False)]


def _distinct(items: list, key) -> tuple[list, np.ndarray]:
    """(distinct items in first-seen order, index of each item in them)."""
    first: dict = {}
    inv = np.fromiter(
        (first.setdefault(key(t), len(first)) for t in items), dtype=np.int64, count=len(items)
    )
    out = [None] * len(first)
    for t, k in zip(items, inv.tolist(), strict=True):
        out[k] = t
    return out, inv


def _tfidf(docs: list, n: int, weight: float, key, **kwargs: object) -> sp.csr_matrix:
    """Unit rows of description + weight * suggested_change (each unit) for one feature type.

    docs: n descriptions then n suggestions. Findings repeat a lot (the same wording in many
    submissions, stock suggestions), so each distinct document, and each distinct pair, is
    computed once and its row copied; the IDF still counts every document, so the rows equal
    TfidfVectorizer(sublinear_tf=True, norm=None) on all docs followed by the same sums."""
    uniq, inv = _distinct(docs, key)
    try:
        counts = CountVectorizer(dtype=np.float64, **kwargs).fit_transform(uniq).tocsr()
    except ValueError:  # no usable text at all
        return sp.csr_matrix((n, 1))
    copies = np.bincount(inv, minlength=len(uniq)).astype(np.float64)
    rows = np.repeat(np.arange(len(uniq)), np.diff(counts.indptr))
    df = np.bincount(counts.indices, weights=copies[rows], minlength=counts.shape[1])
    idf = np.full_like(df, len(docs) + 1.0)  # smooth IDF, exactly as scikit-learn computes it
    idf /= df + 1.0
    np.log(idf, out=idf)
    idf += 1.0
    np.log(counts.data, out=counts.data)  # sublinear tf
    counts.data += 1.0
    counts.data *= idf[counts.indices]
    unit = normalize(counts)
    pairs, which = _distinct(list(zip(inv[:n].tolist(), inv[n:].tolist(), strict=True)), tuple)
    d, s = np.array(pairs, dtype=np.int64).reshape(-1, 2).T
    return normalize((unit[d] + weight * unit[s]).tocsr())[which]


def text_vectors(
    descriptions: Iterable[object],
    suggestions: Iterable[object],
    word_share: float,
    suggestion_weight: float,
    with_chars: bool = True,
) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """(text, words): unit TF-IDF vectors of canonical text, one row per finding.

    ``text`` joins word uni/bigrams (share ``word_share`` of the cosine) with character 3-5-grams
    of the canonical tokens, which absorb typos and word-form variants; ``words`` is the word part
    alone, used to find candidate pairs. The suggested change counts ``suggestion_weight`` times
    as much as the description. with_chars=False skips the character part (and ``text``).
    """
    seen: dict[object, list[str]] = {}  # repeated texts are tokenised once and share a list

    def tok(text: object) -> list[str]:
        key = text if isinstance(text, str) else None
        if key not in seen:
            seen[key] = tokens(text)
        return seen[key]

    toks = [tok(t) for t in descriptions]
    n = len(toks)
    toks += [tok(t) for t in suggestions]
    words = _tfidf(toks, n, suggestion_weight, id, analyzer=_word_analyzer)  # lists are shared
    if not with_chars:  # the caller gives the text no weight: words only, for candidates
        return sp.csr_matrix((n, 1)), words
    if word_share >= 1.0:  # no character part: skip computing it (it is large at scale)
        return words, words
    chars = _tfidf([" ".join(t) for t in toks], n, suggestion_weight, str,
                   analyzer="char_wb", ngram_range=(3, 5))  # fmt: skip
    text = sp.hstack([np.sqrt(word_share) * words, np.sqrt(1.0 - word_share) * chars], "csr")
    return text, words


def nearest_pairs(words: sp.csr_matrix, rows: np.ndarray, k: int, max_df: float) -> np.ndarray:
    """Candidate pairs (i < j): for each row, its k most similar findings sharing a rarer word.

    Words in more than ``max_df`` findings are ignored here only (blocking), so the sparse product
    stays far from n x n at national scale; callers compute exact similarities afterwards.
    """
    n = words.shape[0]
    df = np.bincount(words.indices, minlength=words.shape[1])
    wp = words[:, np.flatnonzero((df >= 2) & (df <= max_df))]
    wpt = wp.T.tocsr()
    out: list[np.ndarray] = []
    step = max(1, int(4e6 // max(n, 1)))  # bounds the dense-ish block product in memory
    for start in range(0, len(rows), step):
        block = rows[start : start + step]
        sims = (wp[block] @ wpt).tocsr()
        for r, i in enumerate(block):
            lo, hi = sims.indptr[r], sims.indptr[r + 1]
            idx, val = sims.indices[lo:hi], sims.data[lo:hi]
            idx, val = idx[idx != i], val[idx != i]
            if len(idx) > k:
                idx = idx[np.argpartition(-val, k)[:k]]
            out.append(np.column_stack([np.minimum(idx, i), np.maximum(idx, i)]))
    return unique_pairs(np.vstack(out) if out else np.empty((0, 2)))
