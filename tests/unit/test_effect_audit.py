"""“Did it work?” estimates audited together (data.privacy.estimates): a deliberately leaky
pair of releases whose "took it" groups differ by one authority is caught on the estimates
each requirement would show on its own, and the product withholds the later one; a cell
that fails the atom rule is caught; the published estimates pass the auditor."""

from __future__ import annotations

import random
import re
from datetime import date

import numpy as np
import pytest
from sqlalchemy import select

from data.privacy import estimates
from data.privacy.disclosure import DisclosureRules
from data.reference.seed import load_authorities
from data.requirements import effect
from data.store.db import session_scope
from data.store.models import (
    Authority,
    Product,
    Release,
    ReleaseUse,
    Requirement,
    ScoreSummary,
    Submission,
    Supplier,
    SupplierAnswer,
)
from tests.unit.test_requirements_support import add_findings

RULES = DisclosureRules()
CODES = [f"E0900094{i}" for i in range(10)]  # all in the OLM group
BEFORE, AFTER = "2010-Q1", "2010-Q3"  # both releases come out in 2010-Q2
ON_OLD = CODES[:1]  # ran 11.2 (so it took 11.2, not 11.3)
ON_NEW = CODES[1:6]  # ran 11.3 (so they took 11.2 "or a later release" and 11.3)


def _submission(session, code: str, period: str, mean: float) -> None:
    add_findings(
        session,
        code,
        period,
        [("NAR", "core_assessment", "high", 3, f"Problem {k} at {code}") for k in range(3)],
        supplier="OLM",
    )
    sub = session.scalar(
        select(Submission.id)
        .join(Authority, Authority.id == Submission.authority_id)
        .where(Authority.code == code, Submission.period == period)
    )
    n, total = 20, mean * 20
    session.add(
        ScoreSummary(
            submission_id=sub,
            role="social_worker",
            measure_type="theme",
            measure_code="NAR",
            n=n,
            total=total,
            total_sq=100.0 * (n - 1) + total**2 / n,
        )  # fmt: skip
    )


def _delivered(session, olm: int, release: Release) -> int:
    req = Requirement(supplier_id=olm, statement=f"Fixed in {release.name}", theme_code="NAR",
                      status="delivered")  # fmt: skip
    session.add(req)
    session.flush()
    session.add(
        SupplierAnswer(
            requirement_id=req.id,
            supplier_id=olm,
            status="delivered",
            release_name=release.name,
            release_id=release.id,
        )  # fmt: skip
    )
    session.flush()
    return req.id


@pytest.fixture
def leaky(sessions):
    """10 OLM LAs; releases 11.2 (1 May 2010) and 11.3 (1 June 2010) of one product, one
    requirement delivered in each. One LA ran 11.2 after it came out, five ran 11.3: "took
    11.2" (11.2 or later) is six LAs, "took 11.3" five, so each estimate passes the atom
    rule alone, but the two differ by one authority in "took it, after" and "not yet, after"
    (and "took it, before", "not yet, before")."""
    with session_scope(sessions) as s:
        rows = "code,name,region,la_type,size_band\n" + "".join(
            f"{c},Leak {i},London,london_borough,small\n" for i, c in enumerate(CODES)
        )
        load_authorities(s, rows, rng=random.Random(4))
        olm = s.scalar(select(Supplier.id).where(Supplier.name == "OLM"))
        product = s.scalar(select(Product.id).where(Product.supplier_id == olm).limit(1))
        old = Release(product_id=product, name="11.2", released_on=date(2010, 5, 1))
        new = Release(product_id=product, name="11.3", released_on=date(2010, 6, 1))
        s.add_all([old, new])
        s.flush()
        for code in CODES:
            _submission(s, code, BEFORE, 50.0)
            _submission(s, code, AFTER, 60.0 if code in ON_OLD + ON_NEW else 50.0)
            authority = s.scalar(select(Authority.id).where(Authority.code == code))
            ran = old if code in ON_OLD else new if code in ON_NEW else None
            if ran is not None:
                s.add(ReleaseUse(authority_id=authority, period=AFTER, release_id=ran.id))
        s.flush()
        s.info.update(first=_delivered(s, olm, old), second=_delivered(s, olm, new))
        effect._CHOSEN._entries.clear()
        yield s


@pytest.mark.slow  # a database of ten authorities: several seconds
def test_each_estimate_alone_passes_but_together_they_difference_one_authority(leaky):
    alone = effect.candidate_estimates(leaky, RULES)
    assert len(alone) == 4  # two requirements x (theme score, findings per submission)
    assert not [x for x in estimates.audit(alone, RULES) if x.kind == "atom"]
    found = [x for x in estimates.audit(alone, RULES) if x.kind == "difference"]
    ran_old = leaky.scalar(select(Authority.id).where(Authority.code == ON_OLD[0]))
    assert found and {x.cell for x in found} >= {"took it, after", "not yet, after"}
    assert all(x.authorities == frozenset({ran_old}) for x in found)


@pytest.mark.slow
def test_the_product_withholds_the_later_release_and_passes_the_auditor(leaky):
    published = effect.shown_estimate_inputs(leaky, RULES)
    assert estimates.audit(published, RULES) == []
    first = effect.did_it_work(leaky, RULES, leaky.info["first"])
    second = effect.did_it_work(leaky, RULES, leaky.info["second"])
    assert all(e.shown for e in first.estimates)  # the earlier release is taken first
    assert second.estimates and all(e.withheld and not e.shown for e in second.estimates)
    text = " ".join(second.lines())
    assert "not shown (withheld: the authorities behind it differ" in text
    withheld = [line for line in second.lines() if "not shown" in line]
    assert {n for line in withheld for n in re.findall(r"\d+", line)} == {"3"}  # the rule only
    effect._CHOSEN._entries.clear()  # decided again from scratch: the same one is shown
    assert effect.did_it_work(leaky, RULES, leaky.info["second"]) == second


def test_three_estimates_whose_union_differs_by_one_are_caught():
    def est(key, took):
        return estimates.EstimateInput((key,), ("NAR", "score"), (("took it, after", took),))

    a, b = frozenset(range(0, 5)), frozenset(range(5, 10))
    whole = frozenset(range(0, 11))  # a and b and one more authority
    found = estimates.audit([est("a", a), est("b", b), est("whole", whole)], RULES)
    assert [x.authorities for x in found] == [frozenset({10})]
    assert estimates.audit([est("a", a), est("b", b)], RULES) == []  # disjoint: nothing
    assert estimates.choose([est("a", a), est("b", b), est("whole", whole)], RULES) == [
        True,
        True,
        False,
    ]
    # the same cells (another requirement of the same release): no difference
    assert estimates.audit([est("a", a), est("again", a)], RULES) == []


def test_a_published_cell_that_fails_the_atom_rule_is_caught():
    three = np.array([[20.0, 20.0]] * 3)  # three authorities: too few once one is removed
    four = np.array([[20.0, 20.0]] * 4)
    cells = (("took it, after", frozenset({1, 2, 3})),)
    bad = estimates.EstimateInput(("r",), ("NAR",), cells, (("took it, after", three),),
                                  ("took it, after",))  # fmt: skip
    good = estimates.EstimateInput(("r",), ("NAR",), cells, (("took it, after", four),),
                                   ("took it, after",))  # fmt: skip
    assert [x.kind for x in estimates.audit([bad], RULES)] == ["atom"]
    assert estimates.audit([good], RULES) == []
    assert estimates.choose([bad, good], RULES) == [False, True]


def test_what_choose_publishes_always_passes_the_audit():
    """Random nested and overlapping "took it" groups (as successive releases make them)."""
    rng = random.Random(7)
    rows = np.array([[20.0, 20.0]] * 6)
    for _ in range(30):
        found = []
        for k in range(rng.randint(2, 7)):
            took = frozenset(rng.sample(range(30), rng.randint(4, 12)))
            cells = (("took it, after", took), ("not yet, after", frozenset(range(30)) - took))
            theme = rng.choice(["NAR", "SPD"])
            found.append(estimates.EstimateInput((k,), (theme,), cells, (("cell", rows),)))
        chosen = estimates.choose(found, RULES)
        assert chosen[0]  # the first is always shown
        published = [e for e, ok in zip(found, chosen, strict=True) if ok]
        assert estimates.audit(published, RULES) == []
        # every estimate left out would have exposed something with those shown
        for e, ok in zip(found, chosen, strict=True):
            if not ok:
                assert estimates.audit([*published, e], RULES)
