"""The validation report: every problem with sheet, row, column, value and what is expected."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int | None  # spreadsheet row number as the uploader sees it (header = 1)
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        where = self.sheet
        if self.row is not None:
            where += f" row {self.row}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


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
        if len(self.problems) < self.limit:
            text = "" if value is None else str(value)
            self.problems.append(Problem(sheet, row, column, text[:80], message))
        else:
            self.dropped += 1

    def warn(self, sheet: str, row: int | None, column: str, value: object, message: str) -> None:
        """Record a warning: the file can still be stored once the uploader confirms it."""
        text = "" if value is None else str(value)
        if len(self.warnings) < self.limit:
            self.warnings.append(Problem(sheet, row, column, text[:80], message))

    def refuse_file(self, value: object, message: str) -> None:
        """The whole file is refused: one problem, and the same words as the banner."""
        self.add("File", None, "", value, message)
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
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(["sheet", "row", "column", "value", "problem"])
        for p in self.problems:
            writer.writerow([p.sheet, "" if p.row is None else p.row, p.column, p.value, p.message])
        if self.dropped:
            writer.writerow(["", "", "", "", f"... and {self.dropped} more problems not listed"])
        return buf.getvalue()
