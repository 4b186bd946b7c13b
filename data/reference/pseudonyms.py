"""Stable pseudonyms like LA-7K2Q: random, never derived from the GSS code."""

from __future__ import annotations

import random
import secrets

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: easy to read aloud


def new_pseudonym(taken: set[str], rng: random.Random | None = None) -> str:
    """A fresh pseudonym not in `taken` (and added to it)."""
    choice = rng.choice if rng is not None else secrets.choice
    while True:
        candidate = "LA-" + "".join(choice(ALPHABET) for _ in range(4))
        if candidate not in taken:
            taken.add(candidate)
            return candidate
