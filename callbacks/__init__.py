"""Callbacks: one module per page, each with register(app).

Every module in this package that defines register(app) is registered, so adding a
page's callbacks needs no edit here."""

from __future__ import annotations

import importlib
import pkgutil


def register_all(app) -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if callable(register):
            register(app)
