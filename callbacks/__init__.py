"""Callbacks: one module per page, each with register(app).

Every module in this package that defines register(app) is registered, so adding a
page's callbacks needs no edit here. A page module holds its callbacks as module-level
functions and wires them in register(app), using the shared shapes where they fit:
chart_card.register_chart, registrars.register_entity_grid and registrars.register_action.
common.py and registrars.py (no register) are their helpers; a callback that fails is
handled by Dash's app-wide on_error, common.on_callback_error."""

from __future__ import annotations

import importlib
import pkgutil


def register_all(app) -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if callable(register):
            register(app)
