"""Free text that names its own authority, its places or its supplier's products.

Personal data is redacted at upload (data.privacy.redaction). A finding shown to other
authorities must not name where it came from either: the authority's own name, the other
authority and region names in the reference data, and (where the row does not show its
supplier group) product and supplier names, which would tell the group."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

MARKERS = {"place": "[redacted: place]", "product": "[redacted: product]"}


@lru_cache(maxsize=32)
def _pattern(names: tuple[str, ...]) -> re.Pattern[str] | None:
    words = sorted({n.strip() for n in names if n and len(n.strip()) >= 3}, key=len, reverse=True)
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in words)
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)


def redact_names(text: str | None, names: Iterable[str], kind: str = "place") -> str:
    """``text`` with every whole-word occurrence of ``names`` (case-insensitive, longest
    first) replaced by a ``[redacted: KIND]`` marker."""
    if not text:
        return text or ""
    if kind not in MARKERS:
        raise ValueError(f"unknown redaction kind {kind!r}; expected one of {sorted(MARKERS)}")
    pattern = _pattern(tuple(sorted(set(names))))
    return text if pattern is None else pattern.sub(MARKERS[kind], text)
