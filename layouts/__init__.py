"""Page layouts: one module per page, registered with Dash pages by register_pages()."""

from __future__ import annotations

import dash

from layouts import (
    admin,
    compare,
    inbox,
    my_authority,
    overview,
    requirements,
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


def register_pages() -> None:
    """Register every page with Dash pages (idempotent per process)."""
    for order, (module, path, name, layout) in enumerate(PAGES):
        dash.register_page(
            f"pages.{module}",
            path=path,
            name=name,
            title=f"{name} – ICS collaboration dashboard",
            layout=layout,
            order=order,
        )
