"""The evidence behind each requirement of a specification version, ready to export.

Built as for sharing outside every LA (no viewer's own LA is exempt): LA, group and
respondent counts show 'c' unless the evidence would make a safe atom of the protected
findings cube (data.requirements.safe_counts); theme scores are the protected score cells
Compare shows for the same group and period (data.privacy.scores_cube), so the same cell has
the same figure or 'c' in both; quotations (redacted finding descriptions, never respondent
refs, an LA named only if it consented and never to a supplier) come only from requirements
whose counts are shown, and, per viewer, only from the rows the requirement's drill-down shows
that viewer (data.pages.evidence registers the rule, which needs the findings cube): a
quotation is the same text next to the requirement's supplier group, so it must not single
out an authority the drill-down would not."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
from sqlalchemy.orm import Session

from data.privacy.access import SUPPLIER, Viewer
from data.privacy.disclosure import SUPPRESSED, DisclosureRules
from data.privacy.narrowing import ENGLAND, RAW_GROUP
from data.privacy.redaction import redact
from data.privacy.scores_cube import protected_scores
from data.queries.filter_options import period_rows, summary_rows
from data.queries.filters import EVIDENCE, Selection
from data.reference.codes import theme_names
from data.requirements import answers, effect
from data.requirements.curation import PRIORITY_LABELS, evidence_ids, ref
from data.requirements.endorsements import reaches
from data.requirements.findings import finding_texts
from data.requirements.ranking import severity_weights
from data.requirements.specifications import (
    STATUS_LABELS,
    describe_evidence,
    get_specification,
    get_version,
    group_name,
    version_requirement_ids,
)
from data.store.models import Requirement, Supplier
from data.store.versioning import current_data_version

MAX_QUOTES = 3


@dataclass(frozen=True)
class EvidenceItem:
    position: int
    ref: str
    statement: str
    priority: str
    status: str
    theme: str
    las: str
    groups: str
    respondents: str
    endorsements: str
    theme_score: str
    quotations: tuple[str, ...]
    quotation_note: str = ""
    answer: str = ""  # the supplier's current answer, in one line
    did_it_work: tuple[str, ...] = ()  # data.requirements.effect, for a delivered one


@dataclass(frozen=True)
class SpecDocument:
    title: str
    group: str
    version: int
    saved_at: datetime
    note: str
    filters: str
    saved_data_version: int
    data_version: int
    suppression: str
    items: list[EvidenceItem] = field(default_factory=list)


def status_text(req: Requirement) -> str:
    label = STATUS_LABELS.get(req.status, req.status)
    return f"{label} in {req.delivered_release}" if req.status == "delivered" else label


def theme_scores(session: Session, filters: Selection, rules: DisclosureRules) -> dict[str, str]:
    """Theme code -> score text for the group (or England), read from the protected score
    cells (data.privacy.scores_cube) of the chosen (else latest) period: the cell Compare's
    themes view shows for the same group and period, so the same figure or the same 'c'."""
    periods = sorted(summary_rows(session, rules).spans)
    period = filters.period or (periods[-1] if periods else None)
    if period is None:
        return {}
    rows = period_rows(session, (period,), rules)
    rows = rows.loc[(rows["measure_type"] == "theme").to_numpy(dtype=bool)]
    if rows.empty:
        return {}
    table = protected_scores(
        rows.rename(columns={"measure": "theme"}), ["group", "theme"], {}, rules,
        totals={"group": ENGLAND},
    )  # fmt: skip
    group = ENGLAND if filters.get("supplier_id") is None else filters.get("group")
    out = {}
    if RAW_GROUP in rows and group not in set(table["group"].astype(str)):
        # folded into "Other suppliers" in this period: c, as on Compare and Themes
        mine = rows.loc[(rows[RAW_GROUP].astype(str) == str(group)).to_numpy(dtype=bool)]
        return {str(t): SUPPRESSED for t in mine["measure"].unique()}
    for row in table.loc[table["group"].astype(str) == str(group)].itertuples():
        if row.suppressed:
            out[row.theme] = SUPPRESSED
            continue
        ci = (
            f"; 95% CI {row.ci_low:.1f} to {row.ci_high:.1f}"
            if pd.notna(row.ci_low) and pd.notna(row.ci_high)
            else ""
        )
        out[row.theme] = (
            f"{row.mean:.1f} out of 100 ({period}{ci}; {int(row.n)} respondents, "
            f"{SUPPRESSED if pd.isna(row.n_las) else int(row.n_las)} LAs)"
        )
    return out


def quotations(
    frame: pd.DataFrame, limit: int = MAX_QUOTES, *, named: bool = True
) -> tuple[str, ...]:
    """Up to ``limit`` representative descriptions, from different LAs where possible; with
    ``named``, a consenting LA's name after its quotation (never any other LA's)."""
    if frame.empty:
        return ()
    f = frame.assign(sev=frame["severity"].map(severity_weights()).fillna(0.0))
    f = f.sort_values(["respondents_raising", "sev", "finding_id"], ascending=[False, False, True])
    f = pd.concat([f.drop_duplicates("authority_id"), f]).drop_duplicates("finding_id")
    quotes: list[str] = []
    seen: set[str] = set()
    for row in f.itertuples():
        text = redact(str(row.description)).text.strip()
        if not text or text in seen:
            continue
        seen.add(text)
        who = f" — {row.authority_name}" if named and bool(row.consent_named) else ""
        quotes.append(f"“{text}”{who}")
        if len(quotes) == limit:
            break
    return tuple(quotes)


# (session, viewer, rules, one requirement's finding_texts rows, the supplier group name the
# quotation is shown with or None) -> the rows that may be quoted to that viewer
QuoteRule = Callable[[Session, Viewer, DisclosureRules, pd.DataFrame, "str | None"], pd.DataFrame]
_QUOTE_RULE: list[QuoteRule] = []


def register_quote_rule(rule: QuoteRule) -> None:
    """Let ``rule`` (data.pages.evidence: the drill-down's anonymity-set rule) decide which
    findings a viewer may see quoted."""
    _QUOTE_RULE[:] = [rule]


def quotable(
    session: Session, viewer: Viewer, rules: DisclosureRules, texts: pd.DataFrame, group: str | None
) -> pd.DataFrame:
    """The rows of ``texts`` that may be quoted to ``viewer`` next to ``group``: the registered
    rule's, else (no cube to decide with) only the viewer's own and consenting authorities'
    rows, which the drill-down always shows."""
    if _QUOTE_RULE:
        return _QUOTE_RULE[0](session, viewer, rules, texts, group)
    own = texts["authority_id"].isin(list(viewer.own_authorities))
    return texts.loc[(own | texts["consent_named"].astype(bool)).to_numpy(dtype=bool)]


NOT_RAISED_ENOUGH = (
    "Quotations withheld: too few authorities raised this to show it without singling one out."
)
NONE_QUOTABLE = (
    "Quotations withheld: quoted here (with the requirement's supplier group, if it has one), "
    "each finding behind it could single out one of fewer than {n} authorities, alone or with "
    "what other views show of the same text."
)
SOME_WITHHELD = (
    "Some findings behind this requirement are not quoted: quoted here (with the "
    "requirement's supplier group, if it has one), they could single out one of fewer than "
    "{n} authorities, alone or with what other views show of the same text."
)


def requirement_quotes(
    session: Session, viewer: Viewer, rules: DisclosureRules, req: Requirement, raised_shown: bool
) -> tuple[tuple[str, ...], str]:
    """(quotations, note) of one requirement as ``viewer`` may read them."""
    if not raised_shown:
        return (), NOT_RAISED_ENOUGH
    texts = finding_texts(session, finding_ids=evidence_ids(session, req.id))
    supplier = session.get(Supplier, req.supplier_id) if req.supplier_id is not None else None
    rows = quotable(session, viewer, rules, texts, supplier.name if supplier else None)
    quotes = quotations(rows, named=viewer.role != SUPPLIER)
    if not quotes and len(texts):
        return (), NONE_QUOTABLE.format(n=rules.min_las)
    return quotes, SOME_WITHHELD.format(n=rules.min_las) if len(rows) < len(texts) else ""


def build_document(
    session: Session,
    rules: DisclosureRules,
    spec_id: int,
    version_number: int | None = None,
    *,
    viewer: Viewer,
) -> SpecDocument:
    """Everything an export of one specification version shows ``viewer`` (quotations are
    chosen for the viewer's role and own authority; everything else is the same for all)."""
    spec = get_specification(session, spec_id)
    version = get_version(session, spec.id, version_number)
    fallback = EVIDENCE.select(
        supplier_id=spec.supplier_id, group=group_name(session, spec.supplier_id)
    )
    filters = EVIDENCE.from_json(version.filters, fallback)
    rids = version_requirement_ids(session, version.id)
    reach = reaches(session, rids)
    scores = theme_scores(session, filters, rules)
    names = theme_names()
    answered = answers.current_answers(session, rids, spec.supplier_id)
    items = []
    for pos, rid in enumerate(rids, start=1):
        req = session.get(Requirement, rid)
        r = reach[rid]
        counts = r.counts(rules)
        quotes, note = requirement_quotes(session, viewer, rules, req, r.raised_shown(rules))
        items.append(
            EvidenceItem(
                position=pos,
                ref=ref(rid),
                statement=req.statement,
                priority=PRIORITY_LABELS.get(req.priority, req.priority),
                status=status_text(req),
                theme=names.get(req.theme_code or "", req.theme_code or "not set"),
                las=counts["las"],
                groups=counts["groups"],
                respondents=counts["respondents"],
                endorsements=counts["endorsements"],
                theme_score=scores.get(req.theme_code or "", "x") if req.theme_code else "x",
                quotations=quotes,
                quotation_note=note,
                answer="; ".join(f"{a.supplier}: {a.summary()}" for a in answered.get(rid, [])),
                did_it_work=tuple(effect.did_it_work(session, rules, rid).lines())
                if req.status == "delivered"
                else (),
            )
        )
    return SpecDocument(
        title=spec.title,
        group=filters.get("group"),
        version=version.number,
        saved_at=version.created_at,
        note=version.note,
        filters=describe_evidence(filters),
        saved_data_version=version.data_version,
        data_version=current_data_version(session),
        suppression=rules.footnote() + " x = not available.",
        items=items,
    )


ITEM_FIELDS = ("position", "requirement", "statement", "priority", "status", "las", "groups",
               "respondents", "endorsements", "theme", "theme_score")  # fmt: skip


def items_table(doc: SpecDocument) -> pd.DataFrame:
    """One row per requirement of the document, as on screen (columns ITEM_FIELDS)."""
    return pd.DataFrame(
        [
            {
                "position": i.position,
                "requirement": i.ref,
                "statement": i.statement,
                "priority": i.priority,
                "status": i.status,
                "las": i.las,
                "groups": i.groups,
                "respondents": i.respondents,
                "endorsements": i.endorsements,
                "theme": i.theme,
                "theme_score": i.theme_score,
            }
            for i in doc.items
        ],
        columns=list(ITEM_FIELDS),
    )
