"""Demo data for the supplier loop: supplier users, releases, a joint specification addressed
to the largest group's supplier with an answer at every status (and a thread under the
question), and one delivered requirement whose “did it work?” shows a real improvement.

The improvement is found in the generated data, not written into it: the LAs said to have
taken the delivering release are those of the product's LAs whose score on the requirement's
theme rose most from before the release to after it; the others have not taken it yet. So
the difference in differences on the page is computed from the stored summaries like any
other figure (synthetic data, honestly derived).

Requirements are accepted from candidates ranked below the top ten of the group, so the top
candidates stay free for people trying the app (and for the browser tests)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.pages.admin import add_user
from data.privacy.access import NLAR_REP, SUPPLIER, Viewer
from data.privacy.disclosure import DisclosureRules
from data.requirements import answers, releases, specifications
from data.requirements.candidates import CandidateFilter, candidate_table
from data.requirements.curation import CurationError, accept_candidate, get_requirement
from data.store.models import (
    Product,
    Release,
    ReleaseUse,
    ScoreSummary,
    Submission,
    Supplier,
    User,
)

SKIP_TOP = 10
N_REQUIREMENTS = 5
SPEC_TITLE = "Joint specification 2010: what the group asks of its supplier"


def _viewer(user: User) -> Viewer:
    return Viewer(user.id, user.role, user.authority_id, user.supplier_id)


def _accept(session: Session, rep: Viewer, supplier_id: int) -> list[int]:
    table = candidate_table(
        session, rep, DisclosureRules(), CandidateFilter(supplier_id=supplier_id, limit=60)
    )
    made: list[int] = []
    priorities = ("must", "must", "should", "should", "could")
    for row in table.iloc[SKIP_TOP:].itertuples():
        title = str(row.title).strip().rstrip(".")
        if len(title) < 10 or row.accepted_as:
            continue
        statement = f"The system should put right: {title[0].lower()}{title[1:]}."
        try:
            req = accept_candidate(
                session, rep, row.candidate, statement, priorities[len(made)], supplier_id
            )
        except CurationError:  # its findings already back a requirement: take the next
            continue
        if req.theme_code:
            made.append(req.id)
        if len(made) == N_REQUIREMENTS:
            break
    return made


def _theme_change(session: Session, product_id: int, theme: str, before, after) -> dict:
    """LA -> (after mean - before mean) on the theme, for LAs of the product with both."""
    rows = session.execute(
        select(Submission.authority_id, Submission.period, ScoreSummary.n, ScoreSummary.total)
        .join(ScoreSummary, ScoreSummary.submission_id == Submission.id)
        .where(
            Submission.product_id == product_id,
            Submission.status == "current",
            ScoreSummary.measure_type == "theme",
            ScoreSummary.measure_code == theme,
        )
    ).all()
    sums: dict[tuple[int, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for authority, period, n, total in rows:
        phase = "before" if period in before else "after" if period in after else None
        if phase:
            sums[(authority, phase)][0] += n
            sums[(authority, phase)][1] += total
    change = {}
    for authority in {a for a, _ in sums}:
        b, a = sums.get((authority, "before")), sums.get((authority, "after"))
        if b and a and b[0] and a[0]:
            change[authority] = a[1] / a[0] - b[1] / b[0]
    return change


def seed(session: Session, password_hash: str) -> str:
    """Add the supplier-loop demo; returns a line for the log (idempotent)."""
    if session.scalar(select(User.id).where(User.username == "demo-supplier")):
        return "Supplier loop demo: already there."
    rep_user = session.scalar(select(User).where(User.username == "demo-nlar"))
    if rep_user is None or rep_user.role != NLAR_REP:
        return "Supplier loop demo: skipped (no demo NLAR representative)."
    rep, supplier_id = _viewer(rep_user), rep_user.supplier_id
    counts = Counter(
        session.execute(
            select(Submission.product_id, Submission.period).where(
                Submission.supplier_id == supplier_id, Submission.status == "current"
            )
        ).all()
    )
    product = session.get(Product, Counter(p for p, _ in counts.elements()).most_common(1)[0][0])
    periods = sorted({p for _, p in counts})
    supplier_user = add_user(
        session, username="demo-supplier", password_hash=password_hash, role=SUPPLIER,
        supplier_id=supplier_id, display_name="Demo supplier account manager",
    )  # fmt: skip
    other = session.scalar(
        select(Supplier.id).where(Supplier.id != supplier_id).order_by(Supplier.id).limit(1)
    )
    if other is not None:
        add_user(
            session, username="demo-supplier-other", password_hash=password_hash,
            role=SUPPLIER, supplier_id=other, display_name="Demo supplier (another group)",
        )  # fmt: skip
    mid = len(periods) // 2
    before, after = set(periods[:mid]), set(periods[mid:])
    release_on, _ = releases.quarter_bounds(periods[mid])
    first_start, _ = releases.quarter_bounds(periods[0])
    # recorded by the demo loader, not by a person
    old = Release(product_id=product.id, name="2009.1", released_on=first_start - timedelta(90))
    new = Release(product_id=product.id, name="2009.2", released_on=release_on)
    session.add_all([old, new])
    session.flush()

    reqs = _accept(session, rep, supplier_id)
    if len(reqs) < N_REQUIREMENTS:
        return f"Supplier loop demo: only {len(reqs)} requirements could be made; no answers."
    spec = specifications.create_specification(session, rep, SPEC_TITLE, supplier_id)
    specifications.new_version(session, rep, spec.id, reqs, note="Agreed at the group meeting.")

    supplier = _viewer(supplier_user)
    _, last_end = releases.quarter_bounds(periods[-1])
    answers.record_answer(session, supplier, reqs[0], "delivered", release=new.name)
    answers.record_answer(
        session, supplier, reqs[1], "planned", release="2010.1",
        expected_on=last_end + timedelta(days=120),
    )  # fmt: skip
    question = answers.record_answer(
        session, supplier, reqs[2], "clarification",
        text="Does this apply to every team, or only to the assessment teams?",
    )  # fmt: skip
    answers.reply(session, rep, question.id, "Every team: child protection teams raise it most.")
    answers.record_answer(
        session, supplier, reqs[3], "acknowledged", text="We are looking at this with users."
    )
    answers.record_answer(
        session, supplier, reqs[4], "declined",
        text="This is set by national guidance; we cannot change it on our own.",
    )  # fmt: skip

    theme = get_requirement(session, reqs[0]).theme_code
    change = _theme_change(session, product.id, theme, before, after)
    ranked = sorted(change, key=lambda a: (-change[a], a))
    took = set(ranked[: len(ranked) // 2])
    periods_of = defaultdict(set)
    for authority, period in session.execute(
        select(Submission.authority_id, Submission.period).where(
            Submission.product_id == product.id, Submission.status == "current"
        )
    ):
        periods_of[authority].add(period)
    for authority, ran in periods_of.items():
        for period in sorted(ran):
            release: Release = new if authority in took and period in after else old
            session.add(ReleaseUse(authority_id=authority, period=period, release_id=release.id))
    session.flush()
    return (
        f"Supplier loop demo: demo-supplier answers {len(reqs)} requirements of “{SPEC_TITLE}”; "
        f"{len(took)} of {len(change)} LAs on {product.name} took release {new.name} "
        f"({new.released_on:%d %B %Y})."
    )
