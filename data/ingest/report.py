"""The validation report: every problem with sheet, row, column, value and what is expected."""

from __future__ import annotations

from dataclasses import dataclass, field

from data.queries.csv_export import csv_text


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

    def add(self, sheet: str, row: int | None, column: str, value: object, message: str) -> None:
        if len(self.problems) < self.limit:
            text = "" if value is None else str(value)
            self.problems.append(Problem(sheet, row, column, text[:80], message))
        else:
            self.dropped += 1

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def truncated(self) -> bool:
        return len(self.problems) >= self.limit

    def messages(self) -> list[str]:
        return [str(p) for p in self.problems]

    def to_csv(self) -> str:
        rows = [["sheet", "row", "column", "value", "problem"]]
        rows += [[p.sheet, p.row, p.column, p.value, p.message] for p in self.problems]
        if self.dropped:
            rows.append(["", "", "", "", f"... and {self.dropped} more problems not listed"])
        return csv_text(rows)
