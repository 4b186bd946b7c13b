"""Domain errors, defined once; the web and CLI layers turn them into messages."""

from __future__ import annotations


class DomainError(Exception):
    """Base for errors that carry a message fit to show a user."""


class PermissionDenied(DomainError):
    """The viewer may not see or change this."""


class NotFound(DomainError):
    """The thing asked for does not exist (or is not visible to the viewer)."""


class IngestError(DomainError):
    """A submission file was refused; `report` lists every problem found."""

    def __init__(self, message: str, report=None) -> None:
        super().__init__(message)
        self.report = report


FORMULA_LEADS = ("=", "+", "-", "@")


def plain_text_problem(text: str, what: str, *, multiline: bool = False) -> str | None:
    """Why text typed into a form is not fit to store and show, or None: no control
    characters, no markup, no leading = + - @ (a formula once exported to a spreadsheet).
    Shared by every form that names or states something (admin, requirements, specifications)."""
    allowed = "\n\t" if multiline else ""
    if any(not ch.isprintable() and ch not in allowed for ch in text):
        return f"The {what} contains control characters; type it as plain text."
    if "<" in text or ">" in text:
        return f"The {what} cannot contain < or >."
    if text.startswith(FORMULA_LEADS):
        return f"The {what} cannot start with =, +, - or @."
    return None
