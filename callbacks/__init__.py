"""Callbacks: one module per page, each with register(app)."""

from __future__ import annotations


def register_all(app) -> None:
    from callbacks import data_status, overview

    for module in (overview, data_status):
        module.register(app)
