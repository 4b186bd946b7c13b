"""Page layouts: one module per page, registered with Dash pages by register_pages()."""

from __future__ import annotations

from collections.abc import Callable

import dash

from layouts import (
    admin,
    compare,
    inbox,
    my_authority,
    overview,
    requirements,
    shell,
    specifications,
    supplier,
    themes,
    upload,
)

PAGES = [
    ("overview", "/", "Overview", overview.layout),
    ("compare", "/compare", "Compare supplier groups", compare.layout),
    ("themes", "/themes", "Themes", themes.layout),
    ("requirements", "/requirements", "Common requirements", requirements.layout),
    ("specifications", "/specifications", "Joint specifications", specifications.layout),
    ("my_authority", "/my-authority", "My authority", my_authority.layout),
    ("upload", "/upload", "Upload results", upload.layout),
    ("admin", "/admin", "Administration", admin.layout),
    ("supplier", "/supplier", "Supplier answers", supplier.layout),
    ("inbox", "/inbox", "Inbox", inbox.layout),
]


def _for_role(path: str, name: str, layout, role: Callable[[], str | None]):
    """The page's layout, or a short page saying what the role can do when the role may not
    use it (its callbacks refuse on the server all the same)."""

    def gated(**query):
        who = role()
        if who is not None and not shell.may_open(path, who):
            return shell.not_for_role(path, name, who)
        return layout(**query)

    return gated


def register_pages(role: Callable[[], str | None] = lambda: None) -> None:
    """Register every page with Dash pages (idempotent per process); ``role`` gives the
    signed-in user's role in a request (None: not known, every page's own layout)."""
    for order, (module, path, name, layout) in enumerate(PAGES):
        dash.register_page(
            f"pages.{module}",
            path=path,
            name=name,
            title=f"{name} – ICS collaboration dashboard",
            layout=_for_role(path, name, layout, role),
            order=order,
        )
