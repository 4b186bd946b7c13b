"""The submission template, generated from the current instrument and code lists.

An Excel workbook (Instructions, About, Responses, Findings, with the allowed codes as
drop-down lists) or the same tables as a zip of three CSV files. What it asks for is
exactly what data.ingest reads, so a filled-in template uploads without changes."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field

from data.ingest.about import ABOUT_FIELDS
from data.ingest.validate import FINDING_COLUMNS, RESPONSE_FIXED
from data.queries.csv_export import csv_bytes
from data.reference import codes
from data.reference.codes import SEVERITIES, SEVERITY_WORDS, InstrumentItem

RESPONSE_ROWS = 1000  # rows given drop-downs and formats (more can be added)
FINDING_ROWS = 500
XLSX_NAME = "ics-usability-template.xlsx"
CSV_NAME = "ics-usability-template-csv.zip"

ABOUT_HELP = {
    "authority_code": "Your authority's GSS code, e.g. E09000019",
    "product": "The case-management product your staff used (choose from the list)",
    "period": "The quarter the survey belongs to, written like 2010-Q1",
    "instrument_version": "The questionnaire version; leave as it is",
    "survey_closed": "The date the survey closed, written like 2010-03-31",
}


@dataclass(frozen=True)
class TemplateSpec:
    """What goes into a template: the instrument, the lists, and any values to pre-fill."""

    version: int
    items: tuple[InstrumentItem, ...]
    products: tuple[str, ...]
    authority_code: str = ""
    product: str = ""
    lists: dict[str, tuple[str, ...]] = field(default_factory=dict)


def template_spec(
    version: int | None = None,
    products: list[str] | None = None,
    *,
    authority_code: str = "",
    product: str = "",
) -> TemplateSpec:
    """The current (latest) instrument version unless `version` is given."""
    version = version or max(codes.instrument_versions())
    if products is None:
        products = [row["product"] for row in codes.read_reference("products")]
    lists = {
        "role": tuple(codes.respondent_roles()),
        "years_experience_band": tuple(codes.code_names("experience_bands")),
        "theme": tuple(codes.code_names("themes")),
        "category": tuple(codes.code_names("categories")),
        "workflow_area": tuple(codes.code_names("workflow_areas")),
        "severity": SEVERITIES,
        "product": tuple(sorted(products, key=str.lower)),
    }
    return TemplateSpec(
        version, codes.instrument(version), lists["product"], authority_code, product, lists
    )


def _about_rows(spec: TemplateSpec) -> list[list[str]]:
    values = {
        "authority_code": spec.authority_code,
        "product": spec.product,
        "instrument_version": str(spec.version),
    }
    return [["field", "value"]] + [[key, values.get(key, "")] for key in ABOUT_FIELDS]


def response_header(spec: TemplateSpec) -> list[str]:
    return [*RESPONSE_FIXED, *(i.code for i in spec.items), "comment"]


def instructions(spec: TemplateSpec) -> list[str]:
    """Plain-English instructions, one paragraph per line (also the CSV README)."""
    names = codes.code_names
    lines = [
        f"How to fill in this template (questionnaire version {spec.version})",
        "",
        "Fill in the About, Responses and Findings sheets, save the file, and upload it on the "
        "Upload page. You will see a report of any problems before anything is stored.",
        "Do not rename the sheets or the column headings. Extra blank rows are ignored.",
        "",
        "About: one value per field.",
        *(f"  {key}: {ABOUT_HELP[key]}" for key in ABOUT_FIELDS),
        "",
        "Responses: one row per person who answered the survey.",
        "  respondent_ref: your own reference for the person (never a name); unique; it is "
        "never shown outside your authority.",
        "  role: one of " + ", ".join(spec.lists["role"]) + ".",
        "  service_area: a short description such as assessment or looked_after.",
        "  years_experience_band: one of " + ", ".join(spec.lists["years_experience_band"]) + ".",
        "  One column per question (below): the answer as a whole number from 1 (strongly "
        "disagree) to 5 (strongly agree); leave blank if not answered.",
        "  comment: optional free text. Names, e-mail addresses, phone numbers, postcodes, "
        "NHS and National Insurance numbers, dates of birth and case numbers are removed "
        "before anything is stored; the report shows you what was removed.",
        "",
        "Findings: one row per problem found.",
        "  finding_ref: your own reference, unique in the file.",
        "  theme: one of the theme codes below.",
        "  category: practice, technical or supplier.",
        "  workflow_area: one of the workflow area codes below.",
        f"  severity: {SEVERITY_WORDS}.",
        "  respondents_raising: how many respondents raised it (a whole number, 0 or more).",
        "  description: what the problem is (required). suggested_change: optional.",
        "",
        "Questions:",
        *(f"  {i.code}: {i.statement}" for i in spec.items),
        "",
        "Themes:",
        *(f"  {c}: {n}" for c, n in names("themes").items()),
        "",
        "Workflow areas:",
        *(f"  {c}: {n}" for c, n in names("workflow_areas").items()),
        "",
        "Categories:",
        *(f"  {c}: {n}" for c, n in names("categories").items()),
    ]
    return lines


FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def _no_formulas(wb) -> None:
    """Every text cell stays text: a product or authority name an administrator typed as
    "=HYPERLINK(...)" must not become a formula in the uploader's spreadsheet (openpyxl
    writes any string starting with "=" as one). Marked text, shown with Excel's quote
    prefix, the value itself unchanged so it still matches on upload."""
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_LEADS):
                    cell.data_type = "s"
                    cell.quotePrefix = True


def build_xlsx(spec: TemplateSpec) -> bytes:
    """The Excel template as bytes."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    bold = Font(bold=True)
    heading_fill = PatternFill("solid", fgColor="DDE7F0")
    wb = Workbook()
    guide = wb.active
    guide.title = "Instructions"
    for line in instructions(spec):
        guide.append([line])
    guide["A1"].font = Font(bold=True, size=14)
    guide.column_dimensions["A"].width = 120
    for row in guide.iter_rows(min_row=2):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")

    lists = wb.create_sheet("Lists")
    list_ranges: dict[str, str] = {}
    for col, (name, values) in enumerate(spec.lists.items(), start=1):
        letter = get_column_letter(col)
        lists.cell(row=1, column=col, value=name).font = bold
        for r, value in enumerate(values, start=2):
            lists.cell(row=r, column=col, value=value)
        list_ranges[name] = f"Lists!${letter}$2:${letter}${len(values) + 1}"
    lists.sheet_state = "hidden"

    def choose(sheet, name: str, ref: str) -> None:
        dv = DataValidation(
            type="list",
            formula1=list_ranges[name],
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Not in the list",
            error=f"Choose a {name.replace('_', ' ')} from the list.",
        )
        dv.add(ref)
        sheet.add_data_validation(dv)

    def as_text(sheet, letter: str) -> None:
        # Stop Excel turning "3-5" into 3 May or "2010-Q1" into a number. A column style,
        # not styled empty cells, so rows appended by a program still start at row 2.
        sheet.column_dimensions[letter].number_format = "@"

    about = wb.create_sheet("About", 1)
    for row in _about_rows(spec):
        about.append(row + (["help"] if row[0] == "field" else [ABOUT_HELP[row[0]]]))
    about.column_dimensions["A"].width = 22
    about.column_dimensions["B"].width = 28
    about.column_dimensions["C"].width = 70
    as_text(about, "B")
    product_row = 2 + ABOUT_FIELDS.index("product")
    choose(about, "product", f"B{product_row}")

    responses = wb.create_sheet("Responses", 2)
    header = response_header(spec)
    responses.append(header)
    statements = {i.code: i.statement for i in spec.items}
    for col, name in enumerate(header, start=1):
        letter = get_column_letter(col)
        responses.column_dimensions[letter].width = 8 if name in statements else 22
        if name in statements:
            responses.cell(row=1, column=col).comment = Comment(statements[name], "Template")
    choose(responses, "role", f"B2:B{RESPONSE_ROWS + 1}")
    choose(responses, "years_experience_band", f"D2:D{RESPONSE_ROWS + 1}")
    as_text(responses, "D")
    first, last = get_column_letter(len(RESPONSE_FIXED) + 1), get_column_letter(len(header) - 1)
    rating = DataValidation(
        type="whole",
        operator="between",
        formula1="1",
        formula2="5",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Not a rating",
        error="Type a whole number from 1 to 5, or leave the cell blank.",
    )
    rating.add(f"{first}2:{last}{RESPONSE_ROWS + 1}")
    responses.add_data_validation(rating)
    responses.freeze_panes = "B2"

    findings = wb.create_sheet("Findings", 3)
    findings.append(list(FINDING_COLUMNS))
    for col, name in enumerate(FINDING_COLUMNS, start=1):
        letter = get_column_letter(col)
        findings.column_dimensions[letter].width = 50 if name.endswith(("tion", "change")) else 18
        if name in spec.lists:
            choose(findings, name, f"{letter}2:{letter}{FINDING_ROWS + 1}")
    count = DataValidation(
        type="whole",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        error="Type a whole number, 0 or more.",
    )
    count.add(f"F2:F{FINDING_ROWS + 1}")
    findings.add_data_validation(count)
    findings.freeze_panes = "B2"

    for sheet in (about, responses, findings):
        for cell in sheet[1]:
            cell.font, cell.fill = bold, heading_fill
    wb.active = 0
    _no_formulas(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def build_csv_zip(spec: TemplateSpec) -> bytes:
    """The three CSV files (and the instructions as README.txt) in one zip."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("about.csv", csv_bytes(_about_rows(spec)))
        zf.writestr("responses.csv", csv_bytes([response_header(spec)]))
        zf.writestr("findings.csv", csv_bytes([list(FINDING_COLUMNS)]))
        readme = "\r\n".join(instructions(spec)).replace("sheet", "file") + "\r\n"
        zf.writestr("README.txt", readme.encode("utf-8"))
    return buf.getvalue()
