"""Component ids shared between layouts and callbacks (one place, no typos)."""

URL = "url"
NAV = "nav-links"
USER_AREA = "user-area"
DATA_VERSION = "data-version-store"
NEWER_DATA = "newer-data-notice"
