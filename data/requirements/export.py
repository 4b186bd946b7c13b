"""Export a specification version as a Word document (python-docx) or as CSV; both carry
the filters, the data version and the suppression note (PRODUCT.md §4)."""

from __future__ import annotations

import io

import pandas as pd
from docx import Document
from docx.shared import Pt

from data.queries.csv_export import csv_text
from data.requirements.evidence import SpecDocument

CSV_COLUMNS = [
    "position",
    "requirement",
    "statement",
    "priority",
    "status",
    "theme",
    "las_raising",
    "supplier_groups",
    "respondents_affected",
    "las_endorsing",
    "theme_score_for_group",
    "quotations",
    "supplier_answer",
    "did_it_work",
    "data_version",
]


def header_lines(doc: SpecDocument) -> list[str]:
    return [
        f"{doc.title} — joint specification for {doc.group}, version {doc.version} "
        f"(saved {doc.saved_at:%d %B %Y})",
        f"Built with: {doc.filters}",
        f"Data version: evidence as at data version {doc.data_version}; this version was saved "
        f"at data version {doc.saved_data_version}.",
        doc.suppression,
    ]


def to_csv(doc: SpecDocument) -> str:
    """CSV with '# ' header lines stating filters, data version and suppression."""
    rows = [
        [
            i.position,
            i.ref,
            i.statement,
            i.priority,
            i.status,
            i.theme,
            i.las,
            i.groups,
            i.respondents,
            i.endorsements,
            i.theme_score,
            " | ".join([*i.quotations, *([i.quotation_note] if i.quotation_note else [])]),
            i.answer,
            " ".join(i.did_it_work),
            doc.data_version,
        ]
        for i in doc.items
    ]
    frame = pd.DataFrame(rows, columns=CSV_COLUMNS)
    return csv_text(frame, header_lines(doc))


WORKED = "Did it work?"


def to_docx(doc: SpecDocument) -> bytes:
    """The specification as a Word document."""
    d = Document()
    d.styles["Normal"].font.name = "Arial"
    d.styles["Normal"].font.size = Pt(11)
    d.core_properties.title = doc.title
    d.add_heading(doc.title, level=0)
    first, *rest = header_lines(doc)
    d.add_paragraph(first)
    for line in rest:
        d.add_paragraph(line).runs[0].italic = True
    if doc.note:
        d.add_paragraph(f"Note: {doc.note}")
    if not doc.items:
        d.add_paragraph("This version contains no requirements.")
    for item in doc.items:
        d.add_heading(f"{item.position}. {item.ref} ({item.priority})", level=1)
        d.add_paragraph(item.statement).runs[0].bold = True
        table = d.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for label, value in (
            ("Status with the supplier", item.status),
            ("Supplier's answer", item.answer or "No answer yet"),
            ("Theme", item.theme),
            ("Authorities raising it", item.las),
            ("Supplier groups", item.groups),
            ("Respondents affected", item.respondents),
            ("Authorities endorsing it", item.endorsements),
            (f"Theme score for {doc.group}", item.theme_score),
            ("Data version", str(doc.data_version)),
        ):
            cells = table.add_row().cells
            cells[0].text, cells[1].text = label, value
        if item.quotations:
            d.add_paragraph("What authorities said (redacted):")
        for quote in item.quotations:
            d.add_paragraph(quote, style="List Bullet")
        if item.quotation_note:
            d.add_paragraph(item.quotation_note).runs[0].italic = True
        if item.did_it_work:
            d.add_heading(WORKED, level=2)
            first, *details = item.did_it_work
            # under its own heading the first sentence leaves out "Did it work? " (it read
            # "Did it work?" twice, heading then paragraph)
            d.add_paragraph(first.removeprefix(WORKED).lstrip() or first)
            for line in details:
                d.add_paragraph(line, style="List Bullet")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()
