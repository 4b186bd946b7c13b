"""The validation report: every problem with sheet, row, column, value and what is expected."""

from __future__ import annotations

from dataclasses import dataclass, field

from data.queries.csv_export import csv_text

# Columns and About fields by the words an uploader reads (item codes keep their code, as
# headed in the sheet: "column SUS01").
COLUMN_LABELS = {
    "respondent_ref": "Respondent reference",
    "role": "Role",
    "service_area": "Service area",
    "years_experience_band": "Years of experience",
    "comment": "Comment",
    "finding_ref": "Finding reference",
    "theme": "Theme",
    "category": "Category",
    "workflow_area": "Workflow area",
    "severity": "Severity",
    "respondents_raising": "Respondents raising",
    "description": "Description",
    "suggested_change": "Suggested change",
    "authority_code": "Authority code",
    "product": "Product",
    "period": "Period",
    "instrument_version": "Questionnaire version",
    "survey_closed": "Survey closed",
}

_LABELS = frozenset(COLUMN_LABELS.values())


def column_label(column: str) -> str:
    """'Theme' for theme; an item code or any other heading as it is ('SUS01')."""
    return COLUMN_LABELS.get(column, column)


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int | None  # spreadsheet row number as the uploader sees it (header = 1)
    column: str  # as the uploader reads it: "Theme", "column SUS01", "" for the whole file
    value: str
    message: str

    def __str__(self) -> str:
        """'Findings, row 4, Theme: blank — choose one of: …'; About fields by label only."""
        parts = [self.sheet]
        if self.row is not None and self.sheet != "About":
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(self.column if self.column in _LABELS else f"column {self.column}")
        return f"{', '.join(parts)}: {self.message}"


@dataclass(frozen=True)
class ProductChange:
    """The file names a product the records say the LA did not use in the period: an
    administrator may record the change of supplier from the start of that period."""

    authority_id: int
    authority_name: str
    product_id: int
    product_name: str
    period: str


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    limit: int = 500  # keep a report readable even for a badly broken file
    product_change: ProductChange | None = None
    dropped: int = 0  # problems beyond `limit`, counted but not listed
    # Implausible but possible values: the file may be stored once the uploader confirms.
    warnings: list[Problem] = field(default_factory=list)
    # A refusal of the whole file (empty, a zip bomb, not a workbook): shown as the page's
    # banner instead of the generic "we found N problems".
    banner: str | None = None

    def add(self, sheet: str, row: int | None, column: str, value: object, message: str) -> None:
        """A problem in `column` (its code: the label is looked up here) of `sheet`, `row`."""
        if len(self.problems) < self.limit:
            text = "" if value is None else str(value)
            self.problems.append(Problem(sheet, row, column_label(column), text[:80], message))
        else:
            self.dropped += 1

    def warn(self, sheet: str, row: int | None, column: str, value: object, message: str) -> None:
        """Record a warning: the file can still be stored once the uploader confirms it."""
        text = "" if value is None else str(value)
        if len(self.warnings) < self.limit:
            self.warnings.append(Problem(sheet, row, column_label(column), text[:80], message))

    def refuse_file(self, value: object, message: str, sheet: str = "File") -> None:
        """The whole file is refused: one problem, and the same words as the page's banner."""
        self.add(sheet, None, "", value, message)
        if self.banner is None:
            self.banner = message[:1].upper() + message[1:] + ". Nothing has been stored."

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def truncated(self) -> bool:
        return len(self.problems) >= self.limit

    def messages(self) -> list[str]:
        return [str(p) for p in self.problems]

    def warning_messages(self) -> list[str]:
        return [str(p) for p in self.warnings]

    def to_csv(self) -> str:
        rows = [["sheet", "row", "column", "value", "problem"]]
        rows += [[p.sheet, p.row, p.column, p.value, p.message] for p in self.problems]
        if self.dropped:
            rows.append(["", "", "", "", f"... and {self.dropped} more problems not listed"])
        return csv_text(rows)
