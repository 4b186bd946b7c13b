"""“Did it work?”: for a requirement delivered in a release, a difference in differences.

Groups: the LAs of the release's supplier group (current submissions in that group) that say
they ran the release, or a later release of the same product, in some period after it came
out (*took it*), against the rest of the group's submissions of the same phase (*not yet*:
the group's other LAs, and LAs that took it in periods before they ran it). Phases: periods
that ended before the release date (*before*) against periods that started on or after it
(*after*; for LAs that took it, only the periods they say they ran it). A period that
straddles the release date is left out. "Not yet" is the group's cell of the phase (which
Compare publishes) minus "took it", exactly, so no third set is left over to work out.

Measures, per related theme (the requirement's theme and its evidence's themes, at most
three): the pooled theme score (SCORING.md, respondents pooled across roles) and the number of
findings on that theme per submission. The estimate is
(took it: after - before) - (not yet: after - before), with the Welch-Satterthwaite 95%
interval (data.scores.stats.difference_in_differences). Shown only when each of the four
groups, and what each leaves of the group's cell of its phase, passes the atom rule of the
protected cubes (data.requirements.effect_rule: safe after removing any one authority, no
dominance, on respondents and, per theme, on score sums); otherwise it says plainly there is
not enough data yet, without giving the small counts. Only the estimate and its interval are
shown: no cell's mean or count of authorities or respondents.

Every estimate a viewer can request (each delivered requirement, so each release and group,
each theme and measure) is the same for every viewer; together they are audited on their
cells' authorities (data.privacy.estimates): two estimates of the same quantity whose cells
differ by 1 to ``min_las - 1`` authorities would let those authorities' contribution be
worked out. :func:`published_estimates` takes every candidate estimate in a fixed order
(release date, release, requirement id, theme, measure) and withholds one that would
difference an estimate already taken; the page says it is withheld and why."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.privacy.cube import AtomRule
from data.privacy.disclosure import DisclosureRules
from data.privacy.estimates import EstimateInput, choose
from data.reference.codes import theme_names
from data.requirements.candidates import grouping_state
from data.requirements.curation import evidence_ids, get_requirement, ref
from data.requirements.effect_rule import GROUPS, checked_sets, per_la, unsafe
from data.requirements.releases import find_release, quarter_bounds
from data.scores.stats import Change, Summary, difference_in_differences
from data.store.memo import VersionMemo
from data.store.models import (
    CURRENT,
    Finding,
    Release,
    ReleaseUse,
    Requirement,
    ScoreSummary,
    Submission,
    SupplierAnswer,
)

MAX_THEMES = 3
THIN_THEME = (
    "too few authorities or respondents on this theme, or too unequal, to show it without "
    "letting one authority's scores be worked out"
)
DIFFERENCED = (
    "withheld: the authorities behind it differ from those behind another estimate shown "
    "by fewer than {n}, so the two together could let their figures be worked out"
)


def signed(value: float) -> str:
    """``value`` to one decimal with its sign, and a plain "0.0" where it rounds to zero: an
    interval read "-0.0 to +1.0" on the page for a lower end of -0.04."""
    text = f"{value:+.1f}"
    return "0.0" if float(text) == 0 else text


@dataclass(frozen=True)
class Estimate:
    """One measure's difference in differences, or why it cannot be shown."""

    theme: str
    measure: str  # "theme score" or "findings per submission"
    change: Change | None
    reason: str = ""
    withheld: bool = False  # enough data, but it would difference another estimate shown

    @property
    def shown(self) -> bool:
        return self.change is not None and self.change.change is not None

    def text(self) -> str:
        if self.withheld:
            return f"{self.theme}, {self.measure}: not shown ({self.reason})."
        if not self.shown:
            return f"{self.theme}, {self.measure}: not enough data yet ({self.reason})."
        c = self.change
        unit = " points" if self.measure == "theme score" else ""
        direction = "better" if (c.change > 0) == (self.measure == "theme score") else "worse"
        interval = (
            f"95% interval {signed(c.ci_low)} to {signed(c.ci_high)}"
            if c.ci_low is not None
            else "too few observations for an interval"
        )
        verdict = (
            f"a clear change for the {direction}"
            if c.significant
            else "not distinguishable from no change"
        )
        return (
            f"{self.theme}, {self.measure}: {signed(c.change)}{unit} relative to LAs that have not "
            f"taken the release ({interval}); {verdict}."
        )


@dataclass(frozen=True)
class Effect:
    requirement: str
    release: str
    released_on: date | None
    enough: bool
    message: str
    estimates: list[Estimate] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The result in plain sentences (for the page and the Word export)."""
        if not self.estimates:
            return [self.message]
        return [self.message] + [e.text() for e in self.estimates]


def _not_yet(req_ref: str, release: str, when: date | None, why: str) -> Effect:
    return Effect(req_ref, release, when, False, f"Did it work? Not enough data yet: {why}")


def delivered_release(session: Session, requirement_id: int) -> Release | None:
    """The release a requirement was delivered in: the supplier's delivered answer, else the
    release named on the requirement (looked up among its group's releases)."""
    answer = session.scalar(
        select(SupplierAnswer)
        .where(
            SupplierAnswer.requirement_id == requirement_id,
            SupplierAnswer.status == "delivered",
            SupplierAnswer.release_id.is_not(None),
        )
        .order_by(SupplierAnswer.id.desc())
        .limit(1)
    )
    if answer is not None:
        return session.get(Release, answer.release_id)
    req = get_requirement(session, requirement_id)
    if req.supplier_id is not None and req.delivered_release:
        return find_release(session, req.supplier_id, req.delivered_release)
    return None


def related_themes(session: Session, requirement_id: int) -> list[str]:
    """The requirement's theme first, then its evidence's most frequent themes."""
    req = get_requirement(session, requirement_id)
    ids = evidence_ids(session, requirement_id)
    counts = Counter(
        session.scalars(select(Finding.theme_code).where(Finding.id.in_(ids))) if ids else []
    )
    themes = [req.theme_code] if req.theme_code else []
    themes += [t for t, _ in counts.most_common() if t not in themes]
    return themes[:MAX_THEMES]


def _took_it(session: Session, release: Release) -> dict[int, set[str]]:
    """LA -> periods it says it ran this release or a later one of the same product."""
    later = select(Release.id).where(
        Release.product_id == release.product_id, Release.released_on >= release.released_on
    )
    out: dict[int, set[str]] = {}
    for authority_id, period in session.execute(
        select(ReleaseUse.authority_id, ReleaseUse.period).where(ReleaseUse.release_id.in_(later))
    ):
        out.setdefault(authority_id, set()).add(period)
    return out


def _cells(
    session: Session, release: Release, supplier_id: int
) -> tuple[dict[str, list[tuple]], dict[str, list[tuple]]]:
    """Group name -> [(submission id, authority id)] of the four groups, and phase -> the
    supplier group's submissions in that phase (the cells' published whole)."""
    took = _took_it(session, release)
    subs = session.execute(
        select(Submission.id, Submission.authority_id, Submission.period).where(
            Submission.supplier_id == supplier_id, Submission.status == CURRENT
        )
    ).all()
    phase = {}
    for _, _, period in subs:
        start, end = quarter_bounds(period)
        phase[period] = (
            "before" if end < release.released_on else "after" if start >= release.released_on
            else None
        )  # fmt: skip
    treated = {a for a, periods in took.items() if any(phase.get(p) == "after" for p in periods)}
    cells: dict[str, list[tuple]] = {g: [] for g in GROUPS}
    phases: dict[str, list[tuple]] = {"before": [], "after": []}
    for sid, a, p in subs:
        if phase[p] is None:
            continue
        phases[phase[p]].append((sid, a))
        if a in treated and (phase[p] == "before" or p in took[a]):
            cells[GROUPS[0] if phase[p] == "before" else GROUPS[1]].append((sid, a))
        else:  # "not yet" is the rest of the group's cell, so no third set is left over
            cells[GROUPS[2] if phase[p] == "before" else GROUPS[3]].append((sid, a))
    return cells, phases


def _score_cell(session: Session, subs: list[tuple], theme: str) -> Summary:
    ids = [s for s, _ in subs]
    if not ids:
        return Summary(0, None, None, None, None)
    n, total, sumsq = session.execute(
        select(
            func.coalesce(func.sum(ScoreSummary.n), 0),
            func.coalesce(func.sum(ScoreSummary.total), 0.0),
            func.coalesce(func.sum(ScoreSummary.total_sq), 0.0),
        ).where(
            ScoreSummary.submission_id.in_(ids),
            ScoreSummary.measure_type == "theme",
            ScoreSummary.measure_code == theme,
        )
    ).one()
    return Summary.from_sums(int(n), float(total), float(sumsq))


def _findings_cell(session: Session, subs: list[tuple], theme: str) -> Summary:
    ids = [s for s, _ in subs]
    if not ids:
        return Summary(0, None, None, None, None)
    counts = dict(
        session.execute(
            select(Finding.submission_id, func.count())
            .where(Finding.submission_id.in_(ids), Finding.theme_code == theme)
            .group_by(Finding.submission_id)
        ).all()
    )
    values = [counts.get(s, 0) for s in ids]
    return Summary.from_sums(len(values), float(sum(values)), float(sum(v * v for v in values)))


def _respondents(session: Session, subs: list[tuple]) -> dict[int, tuple[float, float]]:
    """Submission id -> (respondents, respondents): the sizes the rule checks for the
    whole estimate."""
    ids = [s for s, _ in subs]
    rows = session.execute(
        select(Submission.id, Submission.n_respondents).where(Submission.id.in_(ids))
    )
    return {sid: (float(n or 0), float(n or 0)) for sid, n in rows}


def _theme_sizes(session: Session, subs: list[tuple], theme: str) -> dict[int, tuple]:
    """Submission id -> (score sum, respondents) on ``theme``: the sizes the rule checks
    for that theme's score estimate (as the scores cube does)."""
    ids = [s for s, _ in subs]
    rows = session.execute(
        select(ScoreSummary.submission_id, func.sum(ScoreSummary.total), func.sum(ScoreSummary.n))
        .where(
            ScoreSummary.submission_id.in_(ids),
            ScoreSummary.measure_type == "theme",
            ScoreSummary.measure_code == theme,
        )
        .group_by(ScoreSummary.submission_id)
    )
    return {sid: (float(total or 0), float(n or 0)) for sid, total, n in rows}


def _authorities(subs: list[tuple], sizes: dict[int, tuple]) -> frozenset[int]:
    """The authorities of ``subs`` with data in ``sizes``."""
    return frozenset(a for sid, a in subs if any(sizes.get(sid, (0, 0))))


def _input(key, quantity, cells, sets, sizes) -> EstimateInput:
    """What one estimate rests on: its cells' authorities (those with data in the last of
    ``sizes``) and, for the atom rule, every set (``sets``: checked_sets) under each of
    ``sizes`` (name, submission id -> sizes), as the estimate itself was checked."""
    return EstimateInput(
        key=key,
        quantity=quantity,
        cells=tuple((g, _authorities(cells[g], sizes[-1][1])) for g in GROUPS),
        sets=tuple(
            (f"{label} ({name})", per_la(subs, size))
            for name, size in sizes
            for label, subs in sets
        ),
        required=tuple(f"{g} ({name})" for name, _ in sizes for g in GROUPS),
    )


def did_it_work(session: Session, rules: DisclosureRules, requirement_id: int) -> Effect:
    """The difference in differences for a delivered requirement, or why not yet; an
    estimate that would difference another one shown is withheld (:func:`published_estimates`)."""
    result, inputs = _assess(session, rules, requirement_id)
    if not result.estimates:
        return result
    shown = published_estimates(session, rules)
    n = rules.min_las
    estimates = [
        e
        if i is None or i.key in shown
        else replace(e, change=None, withheld=True, reason=DIFFERENCED.format(n=n))
        for e, i in zip(result.estimates, inputs, strict=True)
    ]
    return replace(result, estimates=estimates)


def _assess(
    session: Session, rules: DisclosureRules, requirement_id: int
) -> tuple[Effect, list[EstimateInput | None]]:
    """The requirement's estimates on its own (each cell checked, not yet against other
    estimates), and what each shown one rests on (None where it is not shown)."""
    req = get_requirement(session, requirement_id)
    r = ref(req.id)
    if req.status != "delivered":
        return _not_yet(r, "", None, "the requirement has not been delivered."), []
    release = delivered_release(session, req.id)
    if release is None:
        return _not_yet(
            r,
            req.delivered_release,
            None,
            f"the release “{req.delivered_release}” is not recorded with a date.",
        ), []
    name, when = f"{release.product.name} {release.name}", release.released_on
    themes = related_themes(session, req.id)
    if not themes:
        return _not_yet(r, name, when, "the requirement has no theme to measure."), []
    cells, phases = _cells(session, release, release.product.supplier_id)
    rule = AtomRule(rules)
    sets = checked_sets(cells, phases)
    every = [sub for subs in phases.values() for sub in subs]
    respondents = _respondents(session, every)
    short = unsafe(sets, respondents, rule, required=GROUPS)
    if short:
        return Effect(
            r,
            name,
            when,
            False,
            f"Did it work? Not enough data yet: each group (LAs that took {name} and LAs of the "
            f"same supplier that have not, before and after {when:%d %B %Y}), and the "
            "supplier's other authorities, needs enough authorities that none can be worked "
            f"out: at least {rules.min_las} authorities and {rules.min_respondents} "
            f"respondents besides any one of them, and no {rules.min_las - 1} of them holding "
            f"more than two thirds of its respondents; too few, or too unequal, in: "
            f"{'; '.join(short)}.",
        ), []
    names = theme_names()
    estimates, inputs = [], []
    for theme in themes:
        label = names.get(theme, theme)
        scores = [_score_cell(session, cells[g], theme) for g in GROUPS]
        findings = [_findings_cell(session, cells[g], theme) for g in GROUPS]
        on_theme = _theme_sizes(session, every, theme)
        thin = unsafe(sets, on_theme, rule, required=GROUPS)
        for measure, change, sizes in (
            ("theme score", None if thin else difference_in_differences(scores),
             [("respondents", respondents), ("on the theme", on_theme)]),
            ("findings per submission", difference_in_differences(findings),
             [("respondents", respondents)]),
        ):  # fmt: skip
            est = Estimate(label, measure, change, reason=THIN_THEME if change is None else "")
            estimates.append(est)
            key = (r, release.id, theme, measure)
            inputs.append(_input(key, (theme, measure), cells, sets, sizes) if est.shown else None)
    return Effect(
        r,
        name,
        when,
        True,
        f"Did it work? LAs that took {name} (released {when:%d %B %Y}) against LAs of the "
        "same supplier that have not yet, before and after the release (difference in "
        "differences; higher theme scores and fewer findings are better).",
        estimates,
    ), inputs


def estimate_inputs(
    session: Session, rules: DisclosureRules, requirement_id: int
) -> list[EstimateInput | None]:
    """What each of :func:`did_it_work`'s estimates rests on, in the same order (None where
    the estimate is not shown for want of data): for auditing what is published."""
    return _assess(session, rules, requirement_id)[1]


def shown_estimate_inputs(session: Session, rules: DisclosureRules) -> list[EstimateInput]:
    """What every "Did it work?" estimate shown on the page rests on (the same for every
    viewer): the views the estimate auditor (data.privacy.estimates) is run over."""
    out: list[EstimateInput] = []
    for rid in session.scalars(select(Requirement.id).where(Requirement.status == "delivered")):
        shown = did_it_work(session, rules, rid).estimates
        inputs = estimate_inputs(session, rules, rid)
        out += [i for e, i in zip(shown, inputs, strict=True) if e.shown and i is not None]
    return out


def candidate_estimates(session: Session, rules: DisclosureRules) -> list[EstimateInput]:
    """Every estimate a viewer can request, before the check against each other: each
    delivered requirement's shown estimates, in the order :func:`published_estimates` takes
    them (release date, release id, requirement id, then theme and measure as listed)."""
    delivered = session.scalars(
        select(Requirement.id).where(
            Requirement.status == "delivered", Requirement.merged_into_id.is_(None)
        )
    ).all()
    order = []
    for rid in delivered:
        release = delivered_release(session, rid)
        if release is not None:
            order.append((release.released_on, release.id, rid))
    out: list[EstimateInput] = []
    for *_, rid in sorted(order):
        _, inputs = _assess(session, rules, rid)
        out += [i for i in inputs if i is not None]
    return out


_CHOSEN = VersionMemo(size=4)


def _state(session: Session) -> tuple:
    """Changes whenever an estimate may: statuses and answers are audited events; releases
    and release use are counted (uploads also bump the data version)."""
    counts = tuple(
        session.scalar(select(func.count()).select_from(model)) or 0
        for model in (Release, ReleaseUse, SupplierAnswer)
    )
    return (*grouping_state(session), counts)


def published_estimates(session: Session, rules: DisclosureRules) -> frozenset[tuple]:
    """Keys of the estimates shown (data.privacy.estimates.choose over
    :func:`candidate_estimates`): the same for every viewer and page."""

    def build() -> frozenset[tuple]:
        found = candidate_estimates(session, rules)
        return frozenset(e.key for e, ok in zip(found, choose(found, rules), strict=True) if ok)

    return _CHOSEN.get(session, ("estimates", rules, _state(session)), build)
