"""Ranked candidate requirements and their anonymised findings, as a viewer may see them.

Reads stored candidate ids only (data.requirements.clusters writes them). Disclosure
(PRODUCT.md §4): a candidate's counts show as 'c' unless its findings would make a safe atom
of the protected findings cube (data.requirements.safe_counts) or are the viewer's own LA
only, and the "at least N LAs" filter reads the shown counts, never the hidden ones; finding
text of other LAs is shown only when the counts may be, or to those who may break the
finding's supplier group down by LA (its NLAR rep, coordinators). Other LAs appear by
pseudonym (name only if consented), never by respondent. Which rows of the drill-down may
be shown, and with which attributes, is data.pages.evidence's business (it needs the cube).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.privacy.access import ADMIN, COORDINATOR, Viewer, may_break_down_group
from data.privacy.disclosure import SUPPRESSED, DisclosureRules
from data.queries.summaries import coverage
from data.reference.codes import code_names, theme_names
from data.requirements.clusters import ungrouped_count
from data.requirements.findings import finding_stats, finding_texts
from data.requirements.ranking import RULE, RankingRule, rank_candidates, severity_weights
from data.requirements.safe_counts import counts_safe, published, safe_by
from data.store import audit
from data.store.models import AuditEvent, FindingCluster, Requirement, RequirementEvidence
from data.store.versioning import current_data_version

ANOTHER_LA = "Another authority"
HIDDEN_TITLE = "Wording withheld: fewer than {n} authorities raised this"


CANDIDATE_DISPLAY = [
    "rank",
    "candidate",
    "title",
    "theme",
    "workflow_area",
    "las",
    "groups",
    "label",
    "avg_severity",
    "respondents",
    "score",
    "accepted_as",
]


@dataclass(frozen=True)
class CandidateFilter:
    supplier_id: int | None = None  # only candidates with findings from this group
    theme: str | None = None
    min_las: int = 0  # 0: all; else only candidates raised by at least this many LAs
    limit: int = 500


def _breakdown_groups(viewer: Viewer) -> set[int] | None:
    """Groups whose findings the viewer may see by LA; None = every group."""
    if viewer.role in (COORDINATOR, ADMIN):
        return None
    return {viewer.supplier_id} if may_break_down_group(viewer, viewer.supplier_id) else set()


def _visible(frame: pd.DataFrame, viewer: Viewer, enough_las: pd.Series) -> np.ndarray:
    """Whether each finding's text may be shown to the viewer."""
    groups = _breakdown_groups(viewer)
    own = frame["authority_id"].isin(list(viewer.own_authorities)).to_numpy()
    group_ok = (
        np.ones(len(frame), bool)
        if groups is None
        else frame["supplier_id"].isin(groups).to_numpy()
    )
    return own | group_ok | enough_las.to_numpy(dtype=bool)


_CACHE: dict[tuple, tuple[pd.DataFrame, pd.DataFrame]] = {}
_LOCK = threading.Lock()


def grouping_state(session: Session) -> tuple:
    """Changes whenever stored candidates may have: every ingest bumps the data version and
    every regrouping or curation writes an audit event (sign-ins, also audited, do not count:
    otherwise each user signing in would make the next page rebuild the national ranking)."""
    return (
        str(session.get_bind().url),
        current_data_version(session),
        session.scalar(select(func.max(AuditEvent.id)).where(AuditEvent.action != audit.SIGN_IN)),
    )


def ranked_candidates(
    session: Session, rule: RankingRule = RULE
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(finding stats with stored ids, ranked candidates) for the whole country, cached per
    process until the data or a curation decision changes (pages stay fast at national scale)."""
    key = (*grouping_state(session), rule)
    with _LOCK:
        hit = _CACHE.get(key)
    if hit is None:
        stats = finding_stats(session)
        stats = stats[stats["cluster_id"].notna()].reset_index(drop=True)
        hit = (stats, rank_candidates(stats, coverage(session).supplier_groups, rule))
        with _LOCK:
            while len(_CACHE) >= 4:
                _CACHE.pop(next(iter(_CACHE)))
            _CACHE[key] = hit
    return hit


_UNGROUPED: dict[tuple, int] = {}


def waiting_count(session: Session) -> int:
    """Current findings not yet in a stored candidate (new since the last regrouping),
    cached like :func:`ranked_candidates` (the anti-join costs ~0.1 s at national scale)."""
    key = grouping_state(session)
    with _LOCK:
        hit = _UNGROUPED.get(key)
    if hit is None:
        hit = ungrouped_count(session)
        with _LOCK:
            _UNGROUPED.clear()
            _UNGROUPED[key] = hit
    return hit


def candidate_table(
    session: Session,
    viewer: Viewer,
    rules: DisclosureRules,
    filt: CandidateFilter = CandidateFilter(),
    rule: RankingRule = RULE,
) -> pd.DataFrame:
    """Display-ready ranked candidates ('c' where suppressed), best first."""
    stats, ranked = ranked_candidates(session, rule)
    if ranked.empty:
        return pd.DataFrame(columns=CANDIDATE_DISPLAY)
    if filt.supplier_id is not None:
        keep = set(stats.loc[stats["supplier_id"] == filt.supplier_id, "cluster_id"])
        ranked = ranked[ranked["cluster_id"].isin(keep)]
    if filt.theme:
        ranked = ranked[ranked["theme"] == filt.theme]
    safe = _published_counts(session, rules, stats, ranked)
    own = stats[stats["authority_id"].isin(list(viewer.own_authorities))]
    own_las = own.groupby("cluster_id")["authority_id"].nunique()
    own_only = ranked["cluster_id"].map(own_las).fillna(0).to_numpy() == ranked["las"].to_numpy()
    shown_all = own_only | ranked["cluster_id"].map(safe).fillna(False).to_numpy(dtype=bool)
    if filt.min_las:  # on the shown counts: a hidden count must not be bracketed
        keep = shown_all & (ranked["las"].to_numpy() >= filt.min_las)
        ranked, shown_all = ranked[keep], shown_all[keep]
    ranked = ranked.head(filt.limit).reset_index(drop=True)
    shown = [bool(v) for v in shown_all[: len(ranked)]]
    ranked["rank"] = range(1, len(ranked) + 1)
    titles = _titles(session, viewer, rules, stats, ranked, safe)
    accepted = accepted_as(session, ranked["cluster_id"].tolist())
    themes, areas = theme_names(), code_names("workflow_areas")

    def cell(values, fmt=str):
        return [fmt(v) if ok else SUPPRESSED for v, ok in zip(values, shown, strict=True)]

    return pd.DataFrame(
        {
            "rank": ranked["rank"],
            "candidate": ranked["cluster_id"],
            "title": [titles.get(c, "") for c in ranked["cluster_id"]],
            "theme": ranked["theme"].map(lambda t: themes.get(t, t)),
            "workflow_area": ranked["workflow_area"].map(lambda a: areas.get(a, a)),
            "las": cell(ranked["las"]),
            "groups": cell(ranked["groups"]),
            "label": ranked["label"],
            "avg_severity": ranked["avg_severity"].map(lambda v: f"{v:.1f}"),
            "respondents": cell(ranked["respondents"]),
            "score": cell(ranked["score"], lambda v: f"{v:.1f}"),
            "accepted_as": [", ".join(accepted.get(c, [])) for c in ranked["cluster_id"]],
        }
    )


_SAFE: dict[tuple, pd.Series] = {}


def _safe_counts(stats: pd.DataFrame, rules: DisclosureRules) -> pd.Series:
    """Per candidate, whether its counts may be shown to anyone (memoised on the stats)."""
    key = (id(stats), len(stats), rules)
    with _LOCK:
        hit = _SAFE.get(key)
    if hit is None:
        hit = safe_by(stats, "cluster_id", rules) if len(stats) else pd.Series(dtype=bool)
        with _LOCK:
            _SAFE.clear()
            _SAFE[key] = hit
    return hit


def _published_counts(session, rules, stats, ranked) -> pd.Series:
    """candidate id -> whether its counts are shown: decided over all sets together on the
    cube where that rule is registered, else each set's own atom rule."""
    chosen = published(session, rules)
    if chosen is None:
        return _safe_counts(stats, rules)
    return pd.Series({c: ("candidate", c) in chosen for c in ranked["cluster_id"]}, dtype=bool)


def _titles(session, viewer, rules, stats, ranked, safe: pd.Series) -> dict[str, str]:
    """A representative finding's description per candidate, where the viewer may read it."""
    f = stats[stats["cluster_id"].isin(set(ranked["cluster_id"]))]
    if f.empty:
        return {}
    enough = f["cluster_id"].map(safe).fillna(False).astype(bool)
    f = f.assign(sev=f["severity"].map(severity_weights()).fillna(0.0))
    f = f[_visible(f, viewer, enough)]
    f = f.sort_values(["respondents_raising", "sev", "finding_id"], ascending=[False, False, True])
    pick = f.drop_duplicates("cluster_id")
    texts = finding_texts(session, finding_ids=pick["finding_id"].tolist())
    desc = dict(zip(texts["finding_id"], texts["description"], strict=True))
    titles = {
        c: desc.get(fid, "") for c, fid in zip(pick["cluster_id"], pick["finding_id"], strict=True)
    }
    hidden = HIDDEN_TITLE.format(n=rules.min_las)
    return {c: titles.get(c, hidden) for c in ranked["cluster_id"]}


def candidate_titles(
    session: Session,
    viewer: Viewer,
    rules: DisclosureRules,
    cluster_ids: list[str],
    rule: RankingRule = RULE,
) -> dict[str, str]:
    """The representative finding of each given candidate as the viewer may read it (the
    wording withheld where candidate_table withholds it); unknown ids are left out."""
    if not cluster_ids:
        return {}
    stats, ranked = ranked_candidates(session, rule)
    ranked = ranked[ranked["cluster_id"].isin(set(cluster_ids))]
    if ranked.empty:
        return {}
    return _titles(
        session, viewer, rules, stats, ranked, _published_counts(session, rules, stats, ranked)
    )


def accepted_as(session: Session, cluster_ids: list[str]) -> dict[str, list[str]]:
    """Candidate id -> refs of live requirements whose evidence includes its findings."""
    if not cluster_ids:
        return {}
    rows = session.execute(
        select(FindingCluster.cluster_id, Requirement.id)
        .join(RequirementEvidence, RequirementEvidence.finding_id == FindingCluster.finding_id)
        .join(Requirement, Requirement.id == RequirementEvidence.requirement_id)
        .where(FindingCluster.cluster_id.in_(cluster_ids), Requirement.merged_into_id.is_(None))
        .distinct()
    ).all()
    out: dict[str, set[int]] = {}
    for cid, rid in rows:
        out.setdefault(cid, set()).add(rid)
    return {c: [f"R-{r}" for r in sorted(v)] for c, v in out.items()}


FINDING_DISPLAY = [
    "finding_id",
    "authority",
    "supplier_group",
    "theme",
    "workflow_area",
    "category",
    "severity",
    "respondents",
    "description",
    "suggested_change",
]


def anonymised_findings(
    frame: pd.DataFrame, viewer: Viewer, rules: DisclosureRules, n_las: int | None = None
) -> tuple[pd.DataFrame, int]:
    """Findings (finding_texts rows of one candidate or requirement) as the viewer may see
    them, and how many were withheld: other LAs' text only where the set's counts may be
    shown (data.requirements.safe_counts; ``n_las`` is no longer used)."""
    if frame.empty:
        return pd.DataFrame(columns=FINDING_DISPLAY), 0
    enough = pd.Series(counts_safe(frame, rules), index=frame.index)
    visible = _visible(frame, viewer, enough)
    f = frame[visible]
    groups = _breakdown_groups(viewer)
    own = viewer.own_authorities
    is_own = f["authority_id"].isin(list(own))
    by_la = is_own | (True if groups is None else f["supplier_id"].isin(groups))
    who = [
        name if o or consent else (pseudo if b else ANOTHER_LA)
        for name, pseudo, consent, o, b in zip(
            f["authority_name"], f["pseudonym"], f["consent_named"], is_own, by_la, strict=True
        )
    ]
    themes, areas = theme_names(), code_names("workflow_areas")
    out = pd.DataFrame(
        {
            "finding_id": f["finding_id"],
            "authority": who,
            "supplier_group": np.where(by_la, f["group"], "—"),
            "theme": f["theme"].map(lambda t: themes.get(t, t)),
            "workflow_area": f["workflow_area"].map(lambda a: areas.get(a, a)),
            "category": f["category"],
            "severity": f["severity"],
            # one LA's respondent count: shown only to those who may see that LA's detail
            "respondents": [
                str(n) if b else SUPPRESSED
                for n, b in zip(f["respondents_raising"], by_la, strict=True)
            ],
            "description": f["description"],
            "suggested_change": f["suggested_change"],
        }
    )
    return out.reset_index(drop=True), int((~visible).sum())


def candidate_findings(
    session: Session, viewer: Viewer, rules: DisclosureRules, cluster_id: str
) -> tuple[pd.DataFrame, int]:
    """Drill-down: the candidate's findings as the viewer may see them, and how many withheld."""
    frame = finding_texts(session, cluster_ids=[cluster_id])
    return anonymised_findings(frame, viewer, rules, frame["authority_id"].nunique())
