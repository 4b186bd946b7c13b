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
