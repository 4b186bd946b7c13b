"""Component ids shared between layouts and callbacks (one place, no typos).

Each page's ids live in its own namespace: ``ADMIN("users")`` is ``"admin-users"``, so a
page's layout and callbacks build every id from the same prefix, and two pages never clash.
tests/integration/test_callback_ids.py checks that every id a callback uses is in a layout."""

from __future__ import annotations

from dataclasses import dataclass

URL = "url"
NAV = "nav-links"
USER_AREA = "user-area"
DATA_VERSION = "data-version-store"
NEWER_DATA = "newer-data-notice"


@dataclass(frozen=True)
class Namespace:
    """The ids of one page: ``Namespace("admin")("users") == "admin-users"``."""

    prefix: str

    def __call__(self, name: str) -> str:
        return f"{self.prefix}-{name}"


OVERVIEW = Namespace("overview")
COMPARE = Namespace("compare")
THEMES = Namespace("themes")
MY_AUTHORITY = Namespace("my-authority")
ADMIN = Namespace("admin")
UPLOAD = Namespace("upload")
REQUIREMENTS = Namespace("req")
SPECIFICATIONS = Namespace("spec")
SUPPLIER = Namespace("supplier")
SUPPLIER_RELEASE = Namespace("supplier-release")  # the supplier's own release form
INBOX = Namespace("inbox")
RELEASES = Namespace("admin-releases")  # Admin: product releases
TOKENS = Namespace("admin-tokens")  # Admin: supplier API tokens
LA_RELEASE = Namespace("my-authority-release")  # My authority: which release it runs
