"""Personal data in free text is redacted before storage, the report shows it before and
after, and the original text is stored nowhere (one generated file per kind)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from data.ingest import check_files, import_files
from data.store.db import session_scope
from data.store.models import AuditEvent, Finding, Respondent
from tests.unit.test_validation_files import TODAY, base_tables, set_cell, to_csv, to_xlsx

# (kind, free text as written, as stored, the personal detail that must not be stored)
KINDS = [
    ("email", "Contact jo.bloggs@example.org about it", "Contact [redacted: email] about it",
     "jo.bloggs@example.org"),
    ("phone", "Ring 0161 496 0000 for help", "Ring [redacted: phone] for help", "496 0000"),
    ("postcode", "Family moved to SW1A 1AA last year",
     "Family moved to [redacted: postcode] last year", "SW1A 1AA"),
    ("nhs_number", "NHS number 943 476 5919 was shown",
     "NHS number [redacted: nhs_number] was shown", "943 476 5919"),
    ("ni_number", "NI number QQ 12 34 56 C on screen",
     "NI number [redacted: ni_number] on screen", "QQ 12 34 56 C"),
    ("date_of_birth", "DOB 12/03/2004 visible to all",
     "DOB [redacted: date_of_birth] visible to all", "12/03/2004"),
    ("case_reference", "Case ref 123456 opened twice",
     "Case ref [redacted: case_reference] opened twice", "123456"),
    ("name", "Mr Smith could not log in", "Mr [redacted: name] could not log in", "Smith"),
    ("name", "Mrs Jones rang", "Mrs [redacted: name] rang", "Jones"),
    ("name", "Ms Patel was locked out", "Ms [redacted: name] was locked out", "Patel"),
    ("name", "Miss Green saw the wrong file", "Miss [redacted: name] saw the wrong file",
     "Green"),
    ("name", "Dr Khan's letter was lost", "Dr [redacted: name]'s letter was lost", "Khan"),
    ("name", "the child called Tom was missing", "the child called [redacted: name] was missing",
     "Tom"),
    ("name", "a young person named Alice Smith said", "a young person named [redacted: name] said",
     "Alice Smith"),
]  # fmt: skip


def _stored_text(session) -> str:
    parts = [
        *(
            f"{a} {b} {c}"
            for a, b, c in session.execute(
                select(Respondent.comment, Respondent.service_area, Respondent.respondent_ref)
            )
        ),
        *(
            f"{a} {b}"
            for a, b in session.execute(select(Finding.description, Finding.suggested_change))
        ),
        *(f"{a} {b}" for a, b in session.execute(select(AuditEvent.target, AuditEvent.detail))),
    ]
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize(
    "kind, before, after, secret", KINDS, ids=[f"{k[0]}-{i}" for i, k in enumerate(KINDS)]
)
def test_redacted_before_storage(ref, kind, before, after, secret):
    seed = 1000 + KINDS.index((kind, before, after, secret))
    t = base_tables(seed=seed, period="2009-Q1")
    t = set_cell(t, "Responses", 2, "comment", before)
    t = set_cell(t, "Findings", 3, "suggested_change", before)
    files = to_csv(t)
    with session_scope(ref) as s:
        check = check_files(s, files, allowed_authorities=None, today=TODAY)
    shown = [(r.sheet, r.row, r.column, r.before, r.after, r.kinds) for r in check.valid.redactions]
    assert shown == [
        ("Responses", 2, "comment", before, after, (kind,)),
        ("Findings", 3, "suggested_change", before, after, (kind,)),
    ]
    with session_scope(ref) as s:
        stored = import_files(s, files, allowed_authorities=None, uploaded_by_id=None, today=TODAY)
    with session_scope(ref) as s:
        comment = s.scalar(
            select(Respondent.comment)
            .where(Respondent.submission_id == stored.submission_id)
            .order_by(Respondent.id)
        )
        assert comment == after
        assert secret not in _stored_text(s)


def test_workbook_text_is_redacted_too(ref):
    t = set_cell(base_tables(seed=2000, period="2008-Q4"), "Findings", 2, "description",
                 "Email ann@council.gov.uk for the NHS number 943 476 5919")  # fmt: skip
    with session_scope(ref) as s:
        check = check_files(s, [("r.xlsx", to_xlsx(t))], allowed_authorities=None, today=TODAY)
    assert check.valid.findings["description"][0] == (
        "Email [redacted: email] for the NHS number [redacted: nhs_number]"
    )


def test_service_area_is_redacted(ref):
    t = set_cell(base_tables(seed=2001), "Responses", 2, "service_area", "Mrs Brown's team")
    with session_scope(ref) as s:
        check = check_files(s, to_csv(t), allowed_authorities=None, today=TODAY)
    assert check.valid.respondents["service_area"][0] == "Mrs [redacted: name]'s team"
