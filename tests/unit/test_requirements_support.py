"""Shared set-up for the requirements and specification tests (no tests of its own).

Findings are stored directly (no ratings), so each test builds exactly the authorities,
supplier groups and findings it needs; candidate ids are assigned directly where a test is
about curation rather than clustering."""

from __future__ import annotations

import random
from itertools import count

import pytest
from sqlalchemy import select

from data.privacy.access import Viewer
from data.reference.seed import load_authorities
from data.requirements import safe_counts
from data.store.models import Authority, Finding, Product, ScoreSummary, Submission, Supplier, User

AUTHORITIES = """code,name,region,la_type,size_band,consent_named
E09000911,Ashbury,London,london_borough,small,yes
E09000912,Birchley,London,london_borough,medium,
E09000913,Cressing,London,london_borough,large,
E06000911,Dunmere,South East,unitary,medium,
E06000912,Eastholm,South East,unitary,small,
E10000911,Fallowfield,South West,county,large,
"""
# authority -> supplier group
GROUPS = {
    "E09000911": "OLM",
    "E09000912": "OLM",
    "E09000913": "OLM",
    "E06000911": "Civica",
    "E06000912": "Civica",
    "E10000911": "Corelogic",
}
CHRON = [
    "Chronology cannot be filtered by event type",
    "The chronology has no filter by type of event, so finding a conference takes ages",
    "We cannot filter the chron by event type",
    "No way to filter chronology entries by the type of event",
]
PRINT = [
    "ICPC reports cannot be printed properly so staff retype them in Word",
    "Reports for initial child protection conferences do not print correctly",
    "Conference reports for ICPCs print badly and social workers retype them",
]
SLOW = [
    "Screens are very slow at month end",
    "The system is slow at the end of each month when reports run",
    "Month end performance is very slow on every screen",
]
_hashes = count(1)


def seed_authorities(session) -> dict[str, int]:
    """The six authorities above; returns code -> id."""
    load_authorities(session, AUTHORITIES, rng=random.Random(5))
    return dict(session.execute(select(Authority.code, Authority.id)).all())


def supplier_id(session, name: str) -> int:
    return session.scalar(select(Supplier.id).where(Supplier.name == name))


def add_findings(session, code: str, period: str, findings: list[tuple], *, supplier: str = ""):
    """Store a current submission with these findings; returns their ids in order.

    Each finding: (theme, workflow_area, severity, respondents, description[, suggestion])."""
    group = supplier or GROUPS[code]
    sid = supplier_id(session, group)
    product = session.scalar(select(Product.id).where(Product.supplier_id == sid).limit(1))
    authority = session.scalar(select(Authority.id).where(Authority.code == code))
    sub = Submission(
        authority_id=authority,
        product_id=product,
        supplier_id=sid,
        period=period,
        instrument_version=1,
        file_hash=f"hash-{next(_hashes)}",
        n_respondents=20,
        n_findings=len(findings),
    )
    session.add(sub)
    session.flush()
    rows = []
    for k, f in enumerate(findings):
        theme, area, severity, respondents, description, *rest = f
        row = Finding(
            submission_id=sub.id,
            finding_ref=f"F{k + 1}",
            theme_code=theme,
            category_code="supplier",
            workflow_area_code=area,
            severity=severity,
            respondents_raising=respondents,
            description=description,
            suggested_change=rest[0] if rest else "",
        )
        session.add(row)
        rows.append(row)
    session.flush()
    return [r.id for r in rows]


def add_theme_scores(session, submission_ids, theme: str, n: int = 6, mean: float = 50.0):
    for sub in submission_ids:
        session.add(
            ScoreSummary(
                submission_id=sub,
                role="social_worker",
                measure_type="theme",
                measure_code=theme,
                n=n,
                total=mean * n,
                total_sq=(mean**2 + 25) * n,
            )
        )
    session.flush()


def viewer(session, role: str, code: str | None = None, group: str | None = None) -> Viewer:
    """A stored user with this role (audit rows need a real user id) as a Viewer."""
    authority = session.scalar(select(Authority.id).where(Authority.code == code)) if code else None
    sid = supplier_id(session, group) if group else None
    user = User(
        username=f"{role}-{code}-{group}-{next(_hashes)}",
        password_hash="x",
        role=role,
        authority_id=authority,
        supplier_id=sid,
    )
    session.add(user)
    session.flush()
    return Viewer(user.id, role, authority, sid)


def standard_findings(session) -> dict[str, list[int]]:
    """CHRON from 4 LAs in 3 groups, PRINT from 3 OLM LAs, SLOW from one Civica LA.

    Returns problem -> finding ids."""
    codes = ["E09000911", "E09000912", "E06000911", "E10000911"]
    chron = [
        add_findings(session, c, "2010-Q1", [("NAR", "core_assessment", "high", 6, t)])[0]
        for c, t in zip(codes, CHRON, strict=True)
    ]
    olm = ["E09000911", "E09000912", "E09000913"]
    printing = [
        add_findings(session, c, "2010-Q2", [("OUT", "child_protection", "medium", 4, t)])[0]
        for c, t in zip(olm, PRINT, strict=True)
    ]
    slow = add_findings(
        session, "E06000912", "2010-Q1", [("SPD", "general", "low", 2, t) for t in SLOW]
    )
    return {"chron": chron, "print": printing, "slow": slow}


@pytest.fixture
def requirements_rule_alone(monkeypatch):
    """The requirements layer's own disclosure rule for set counts, whether or not
    data.pages.evidence (which the app always loads) registered the cube partition in this
    process: the partition is tested in tests/unit/test_requirements_audit.py."""
    monkeypatch.setattr(safe_counts, "_SOURCE", [])


def clustered_findings(session) -> dict[str, list[int]]:
    """seed_authorities and standard_findings, grouped as C-chron, C-print and C-slow, at a
    new data version: the database of the specification and supplier-loop tests."""
    from data.requirements import clusters
    from data.store.versioning import bump_data_version

    seed_authorities(session)
    found = standard_findings(session)
    for name in ("chron", "print", "slow"):
        clusters.assign(session, found[name], f"C-{name}")
    bump_data_version(session)
    return found
