"""“Did it work?” (data.requirements.effect) on fixtures with a known effect, and with too
little data; and the difference-in-differences interval itself."""

from __future__ import annotations

import math
import random
from datetime import date

import pytest
from sqlalchemy import select

from data.privacy.disclosure import DisclosureRules
from data.reference.seed import load_authorities
from data.requirements import effect
from data.scores.stats import Summary, difference_in_differences
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
CODES = [f"E0900093{i}" for i in range(8)]  # all in the OLM group
TREATED, CONTROL = CODES[:4], CODES[4:]
BEFORE, AFTER = "2010-Q1", "2010-Q3"  # the release comes out in 2010-Q2
SD = 10.0


def _authorities(session) -> None:
    rows = "code,name,region,la_type,size_band\n" + "".join(
        f"{c},Town {i},London,london_borough,small\n" for i, c in enumerate(CODES)
    )
    load_authorities(session, rows, rng=random.Random(3))


def _scores(session, sub_id: int, mean: float, n: int = 20) -> None:
    """A theme summary of n respondents with this mean and sample sd SD."""
    total = mean * n
    session.add(
        ScoreSummary(
            submission_id=sub_id,
            role="social_worker",
            measure_type="theme",
            measure_code="NAR",
            n=n,
            total=total,
            total_sq=SD**2 * (n - 1) + total**2 / n,
        )
    )


def _submission(session, code: str, period: str, findings: int, mean: float) -> None:
    add_findings(
        session,
        code,
        period,
        [("NAR", "core_assessment", "high", 3, f"Problem {k}") for k in range(findings)],
        supplier="OLM",
    )
    sub = session.scalar(
        select(Submission.id)
        .join(Authority, Authority.id == Submission.authority_id)
        .where(Authority.code == code, Submission.period == period)
    )
    _scores(session, sub, mean)


@pytest.fixture
def world(sessions):
    """8 OLM LAs with results before and after release 11.2 (2010-05-01). Theme scores:
    everyone 50 before; after, 62 for LAs that took it, 52 for the others (true effect +10).
    Findings per submission: took it 4 -> 1 or 2, others 4 -> 4 or 3 (true effect -2)."""
    with session_scope(sessions) as s:
        _authorities(s)
        olm = s.scalar(select(Supplier.id).where(Supplier.name == "OLM"))
        product = s.scalar(select(Product.id).where(Product.supplier_id == olm).limit(1))
        release = Release(product_id=product, name="11.2", released_on=date(2010, 5, 1))
        s.add(release)
        s.flush()
        for i, code in enumerate(CODES):
            took = code in TREATED
            _submission(s, code, BEFORE, 4, 50.0)
            after = (1 + i % 2) if took else (4 - i % 2)
            _submission(s, code, AFTER, after, 62.0 if took else 52.0)
        req = Requirement(
            supplier_id=olm, statement="Filter the chronology", theme_code="NAR", status="delivered"
        )
        s.add(req)
        s.flush()
        s.add(
            SupplierAnswer(
                requirement_id=req.id,
                supplier_id=olm,
                status="delivered",
                release_name="11.2",
                release_id=release.id,
            )  # fmt: skip
        )
        s.info.update(requirement=req.id, release=release.id, olm=olm)
        yield s


def took_release(s, codes) -> None:
    for code in codes:
        authority = s.scalar(select(Authority.id).where(Authority.code == code))
        s.add(ReleaseUse(authority_id=authority, period=AFTER, release_id=s.info["release"]))
    s.flush()


def test_known_effect_is_found(world):
    took_release(world, TREATED)
    result = effect.did_it_work(world, RULES, world.info["requirement"])
    assert result.enough and (result.took_las, result.not_yet_las) == (4, 4)
    score, findings = result.estimates
    assert score.measure == "theme score"
    assert score.change.change == pytest.approx(10.0)
    # four cells of 4 x 20 respondents, each with sd 10 about the same mean: pooled
    # variance 4 * 19 * 100 / 79, se = sqrt(4 * variance / 80), t quantile ~1.97
    half = score.change.ci_high - score.change.change
    assert half == pytest.approx(1.97 * math.sqrt(4 * (7600 / 79) / 80), rel=0.01)
    assert score.change.significant and score.change.ci_low > 0
    assert findings.change.change == pytest.approx((1.5 - 4) - (3.5 - 4))
    # four submissions per group: below the 5 an interval needs (SCORING.md), so none
    assert findings.change.ci_low is None and not findings.change.significant
    lines = result.lines()
    assert "4 LAs that took" in lines[0] and "11.2 (released 01 May 2010)" in lines[0]
    assert "+10.0 points" in lines[1] and "clear change for the better" in lines[1]
    assert "findings per submission: -2.0" in lines[2]
    assert "too few observations for an interval" in lines[2]


def test_no_effect_is_not_called_significant(world):
    """Same fixture, but the 'took it' group are LAs whose score did not move."""
    took_release(world, CONTROL)
    score = effect.did_it_work(world, RULES, world.info["requirement"]).estimates[0]
    assert score.change.change == pytest.approx(-10.0)
    assert "clear change for the worse" in score.text()


def test_too_few_las_says_not_enough_data(world):
    took_release(world, TREATED[:2])
    result = effect.did_it_work(world, RULES, world.info["requirement"])
    assert not result.enough and result.estimates == []
    assert result.lines()[0].startswith("Did it work? Not enough data yet")
    assert "took it, after" in result.message and "at least 3 authorities" in result.message
    assert " 2 " not in result.message  # the small count itself is not given


def test_nobody_took_it_yet(world):
    result = effect.did_it_work(world, RULES, world.info["requirement"])
    assert not result.enough and "Not enough data yet" in result.message


def test_too_few_respondents_is_suppressed(world):
    took_release(world, TREATED)
    world.query(Submission).update({Submission.n_respondents: 2})
    result = effect.did_it_work(world, RULES, world.info["requirement"])
    assert not result.enough and "10 respondents" in result.message


def test_not_delivered_or_no_release(world):
    req = world.get(Requirement, world.info["requirement"])
    req.status = "planned"
    assert "not been delivered" in effect.did_it_work(world, RULES, req.id).message
    req.status = "delivered"
    world.query(SupplierAnswer).delete()
    req.delivered_release = "99.0"
    assert "not recorded with a date" in effect.did_it_work(world, RULES, req.id).message
    req.delivered_release = "11.2"  # found by name among the group's releases
    took_release(world, TREATED)
    assert effect.did_it_work(world, RULES, req.id).enough


def test_difference_in_differences_interval():
    cells = [Summary.from_sums(n, m * n, 25 * (n - 1) + m * m * n) for n, m in
             ((50, 40.0), (50, 48.0), (50, 40.0), (50, 41.0))]  # fmt: skip
    c = difference_in_differences(cells)
    assert c.change == pytest.approx(7.0)
    assert c.ci_high - c.change == pytest.approx(1.97 * math.sqrt(4 * 25 / 50), rel=0.02)
    small = [Summary.from_sums(3, 120.0, 4900.0)] + cells[1:]
    assert difference_in_differences(small).ci_low is None
    assert not difference_in_differences(small).significant
