"""Build the synthetic demo dataset and write it exactly as LAs would upload it.

`build_demo` makes everything in memory (keeping each finding's underlying problem id for
tests); `generate_demo` writes the reference lists and one about/responses/findings CSV trio per
LA per period. Every random draw comes from a generator seeded by (seed, purpose, LA, period),
so the same seed always gives byte-identical files.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import astuple, dataclass, replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from data.demo.authorities import (
    TINY_GROUP,
    Authority,
    ProductUse,
    assign_products,
    make_authorities,
    product_on,
    quarter_end,
)
from data.demo.findings_text import (
    Problem,
    WritingStyle,
    make_style,
    pick,
    problems_for,
    render,
)
from data.demo.responses import (
    PRODUCT_PROFILES,
    Instrument,
    ResponseTable,
    item_means,
    load_instrument,
    make_trajectory,
    personal_detail,
    simulate_responses,
)
from data.reference.codes import FINDING_COLUMNS, SEVERITIES

AUTHORITY_COLUMNS = ["code", "name", "region", "la_type", "size_band"]
SEVERITY_WEIGHT = {"low": 0.4, "medium": 0.7, "high": 1.0, "critical": 1.0}
_REF_STYLES = ("F{i:02d}", "{i}", "{period}-{i:02d}", "ISS{i:03d}")


@dataclass(frozen=True)
class DemoManifest:
    """Where generate_demo wrote everything."""

    authorities_csv: Path
    product_use_csv: Path
    submissions: list[tuple[Path, Path, Path]]  # (about, responses, findings), period then LA
    periods: list[str]


@dataclass(frozen=True)
class DemoFinding:
    """One row of a findings sheet; `problem_id` is for tests and is never written."""

    ref: str
    theme: str
    category: str
    workflow_area: str
    severity: str
    respondents_raising: int
    description: str
    suggested_change: str
    problem_id: str


@dataclass(frozen=True)
class DemoSubmission:
    """One LA's upload for one period."""

    authority: Authority
    period: str
    product: str
    survey_closed: date
    responses: ResponseTable
    findings: list[DemoFinding]


@dataclass(frozen=True)
class DemoData:
    """The whole demo dataset in memory."""

    authorities: list[Authority]
    product_uses: list[ProductUse]
    periods: list[str]
    instrument: Instrument
    submissions: list[DemoSubmission]  # sorted by period, then authority code


@dataclass
class _LaState:
    """What one LA carries from period to period: its habits and its open problems."""

    style: WritingStyle
    ref_style: str
    kind: str
    size: float
    missing: int | None
    open: dict[str, DemoFinding]


def _rng(seed: int, *key: int) -> np.random.Generator:
    return np.random.default_rng([seed, *key])


def _weight(problem: Problem, product: str) -> float:
    """How likely an LA on `product` is to report `problem`: its own product's problems most,
    and themes the product is weak on more than those it is strong on."""
    if problem.product is not None:
        return 3.0
    offset = PRODUCT_PROFILES[product][1].get(problem.themes[0], 0.0)
    near = 0.5 if problem.near else 1.0
    return SEVERITY_WEIGHT[problem.severity] * float(np.exp(-1.5 * offset)) * near


class _Findings:
    """Chooses and words each submission's findings, persisting problems between periods."""

    def __init__(self, group_size: dict[str, int]) -> None:
        self.group_size = group_size
        self.bases: dict[str, set[int]] = {}  # hand-written phrasings used per problem

    def _sticky(self, problem: Problem) -> bool:
        # A tiny group's own problems stay open: there is nobody else to report them.
        return problem.product is not None and self.group_size[problem.product] <= TINY_GROUP

    def _word(self, rng: np.random.Generator, problem: Problem, style: WritingStyle) -> str:
        """Word a problem in this LA's style, from a hand-written phrasing not yet used for this
        problem until three have been used, so every problem shows at least three wordings."""
        used = self.bases.setdefault(problem.pid, set())
        options = range(len(problem.phrasings))
        if len(used) < 3:
            options = [i for i in options if i not in used] or options
        base = pick(rng, options)
        used.add(base)
        return render(rng, problem.phrasings[base], style)

    def _row(
        self,
        rng: np.random.Generator,
        problem: Problem,
        state: _LaState,
        n: int,
        before: DemoFinding | None,
    ) -> DemoFinding:
        if before is not None and rng.random() < 0.5 and len(self.bases[problem.pid]) >= 3:
            # Pasted from last time's return.
            return replace(before, respondents_raising=min(before.respondents_raising, n))
        if before is not None and rng.random() < 0.8:
            theme, category, area, severity = (
                before.theme,
                before.category,
                before.workflow_area,
                before.severity,
            )
        else:
            theme = problem.themes[0] if rng.random() < 0.85 else pick(rng, problem.themes)
            category = pick(rng, problem.categories) if rng.random() < 0.3 else ""
            category = category or problem.categories[0]
            area = problem.areas[0] if rng.random() < 0.7 else pick(rng, problem.areas)
            shift = pick(rng, (-1, 0, 0, 0, 1))
            severity = SEVERITIES[min(3, max(0, SEVERITIES.index(problem.severity) + shift))]
        description = self._word(rng, problem, state.style)
        if rng.random() < 0.03:
            detail = personal_detail(rng)
            description = f"{description.rstrip('.')}. {detail[0].upper()}{detail[1:]}."
        suggestion = ""
        if problem.suggestions and rng.random() < 0.75:
            suggestion = render(rng, pick(rng, problem.suggestions), state.style, framing=False)
        share = rng.beta(1.3 + SEVERITIES.index(severity) * 0.4, 4.0)
        raising = int(min(n, max(1, round(n * share))))
        return DemoFinding(
            "", theme, category, area, severity, raising, description, suggestion, problem.pid
        )

    def choose(
        self,
        rng: np.random.Generator,
        state: _LaState,
        product: str,
        step: int,
        period: str,
        n: int,
    ) -> list[DemoFinding]:
        """Pick 3-15 findings: most open problems persist, some are fixed, new ones appear."""
        pool = problems_for(product)
        by_id = {p.pid: p for p in pool}
        improving = state.kind == "improver"
        target = 7 + 2 * state.size - (0.8 * step if improving else 0)
        target = int(np.clip(round(rng.normal(target, 2.2)), 3, 15))
        p_keep = 0.45 if improving else 0.7
        keep = [
            pid
            for pid in state.open
            if pid in by_id and (self._sticky(by_id[pid]) or rng.random() < p_keep)
        ]
        keep += [p.pid for p in pool if self._sticky(p) and p.pid not in keep]
        while len(keep) > target:
            loose = [pid for pid in keep if not self._sticky(by_id[pid])]
            if not loose:
                break
            keep.remove(pick(rng, loose))
        fresh = [p for p in pool if p.pid not in keep]
        weights = np.array([_weight(p, product) for p in fresh])
        extra = max(0, min(target - len(keep), len(fresh)))
        chosen = list(keep)
        if extra:
            picks = rng.choice(len(fresh), size=extra, replace=False, p=weights / weights.sum())
            chosen += [fresh[i].pid for i in picks]
        order = rng.permutation(len(chosen))
        rows = []
        for number, index in enumerate(order, start=1):
            pid = chosen[index]
            row = self._row(rng, by_id[pid], state, n, state.open.get(pid))
            ref = state.ref_style.format(i=number, period=period)
            rows.append(replace(row, ref=ref))
        state.open = {row.problem_id: row for row in rows}
        return rows


def _la_states(
    seed: int,
    authorities: list[Authority],
    first_product: dict[str, str],
    switchers: set[str],
    n_periods: int,
    group_size: dict[str, int],
) -> list[_LaState]:
    """Draw each LA's writing habits, trajectory kind, size and any missed period."""
    states = []
    for idx, authority in enumerate(authorities):
        rng = _rng(seed, 3, idx)
        roll = rng.random()
        kind = "improver" if roll < 0.1 else "decliner" if roll < 0.15 else "steady"
        fixed = (
            kind == "improver"
            or authority.code in switchers
            or group_size[first_product[authority.code]] <= TINY_GROUP
        )
        chance = 0.08 if n_periods >= 3 else 0.04
        missing = int(rng.integers(0, n_periods)) if not fixed and rng.random() < chance else None
        size = {
            "small": rng.uniform(0, 0.4),
            "medium": rng.uniform(0.2, 0.7),
            "large": rng.uniform(0.45, 1.0),
        }[authority.size_band]
        states.append(
            _LaState(make_style(rng), pick(rng, _REF_STYLES), kind, float(size), missing, {})
        )
    return states


def build_demo(
    seed: int = 2010,
    n_authorities: int = 150,
    periods: Sequence[str] = ("2009-Q3", "2009-Q4", "2010-Q1", "2010-Q2"),
    respondents: tuple[int, int] = (20, 100),
) -> DemoData:
    """Make the demo dataset in memory."""
    periods = list(periods)
    ends = [quarter_end(p) for p in periods]  # also validates the period strings
    if not periods or any(a >= b for a, b in zip(ends, ends[1:], strict=False)):
        raise ValueError("periods must be a non-empty list of distinct periods in time order")
    low, high = respondents
    if not 1 <= low <= high:
        raise ValueError("respondents must be (low, high) with 1 <= low <= high")
    instrument = load_instrument(1)
    authorities = make_authorities(_rng(seed, 1), n_authorities)
    uses = assign_products(_rng(seed, 2), authorities, periods)
    first = {a.code: product_on(uses, a.code, ends[0]) for a in authorities}
    switchers = {u.authority_code for u in uses if u.end is not None}
    group_size = {p: list(first.values()).count(p) for p in PRODUCT_PROFILES}
    states = _la_states(seed, authorities, first, switchers, len(periods), group_size)
    trajectories = [make_trajectory(_rng(seed, 3, i, 1), s.kind) for i, s in enumerate(states)]
    findings = _Findings(group_size)
    submissions = []
    for step, (period, end) in enumerate(zip(periods, ends, strict=True)):
        for idx, authority in enumerate(authorities):
            state = states[idx]
            if state.missing == step:
                continue
            rng = _rng(seed, 4, idx, step)
            product = product_on(uses, authority.code, end)
            new_system = step > 0 and product != product_on(uses, authority.code, ends[step - 1])
            n = int(
                np.clip(
                    round((low + state.size * (high - low)) * rng.uniform(0.85, 1.15)), low, high
                )
            )
            rows = findings.choose(_rng(seed, 5, idx, step), state, product, step, period, n)
            means = item_means(instrument, product, trajectories[idx], step, new_system)
            problems = {p.pid: p for p in problems_for(product)}
            complaints = [t for r in rows for t in problems[r.problem_id].phrasings]
            table = simulate_responses(rng, n, means, instrument, complaints)
            closed = end - timedelta(days=int(rng.integers(0, 41)))
            submissions.append(DemoSubmission(authority, period, product, closed, table, rows))
    return DemoData(authorities, uses, periods, instrument, submissions)


def _write(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_demo(data: DemoData, out_dir: Path) -> DemoManifest:
    """Write `data` as CSV files under `out_dir` (existing files of the same name are replaced)."""
    out_dir = Path(out_dir)
    authorities_csv = out_dir / "authorities.csv"
    _write(authorities_csv, AUTHORITY_COLUMNS, [astuple(a) for a in data.authorities])
    product_use_csv = out_dir / "product_use.csv"
    uses = sorted(data.product_uses, key=lambda u: (u.authority_code, u.start))
    _write(
        product_use_csv,
        ["authority_code", "product", "start_date", "end_date"],
        [(u.authority_code, u.product, u.start, u.end or "") for u in uses],
    )
    labels = np.array(["", "1", "2", "3", "4", "5"])
    header = [
        "respondent_ref",
        "role",
        "service_area",
        "years_experience_band",
        *data.instrument.codes,
        "comment",
    ]
    written = []
    for sub in data.submissions:
        stem = out_dir / "submissions" / sub.period / f"{sub.authority.code}_{sub.period}_"
        about, responses, findings = (
            Path(f"{stem}{kind}.csv") for kind in ("about", "responses", "findings")
        )
        _write(
            about,
            ["field", "value"],
            [
                ("authority_code", sub.authority.code),
                ("product", sub.product),
                ("period", sub.period),
                ("instrument_version", data.instrument.version),
                ("survey_closed", sub.survey_closed.isoformat()),
            ],
        )
        table = sub.responses
        cells = labels[table.ratings].tolist()
        _write(
            responses,
            header,
            [
                [ref, role, area, band, *ratings, comment]
                for ref, role, area, band, ratings, comment in zip(
                    table.refs,
                    table.roles,
                    table.areas,
                    table.bands,
                    cells,
                    table.comments,
                    strict=True,
                )
            ],
        )
        _write(findings, FINDING_COLUMNS, [astuple(f)[:-1] for f in sub.findings])
        written.append((about, responses, findings))
    return DemoManifest(authorities_csv, product_use_csv, written, list(data.periods))


def generate_demo(
    out_dir: Path,
    *,
    seed: int = 2010,
    n_authorities: int = 150,
    periods: Sequence[str] = ("2009-Q3", "2009-Q4", "2010-Q1", "2010-Q2"),
    respondents: tuple[int, int] = (20, 100),
) -> DemoManifest:
    """Generate the synthetic demo dataset (deterministic from `seed`) and write it to `out_dir`."""
    return write_demo(build_demo(seed, n_authorities, periods, respondents), out_dir)
