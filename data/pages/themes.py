"""Themes: where findings concentrate, and the (redacted) findings behind the charts.

Counts come from one grouped query per data version (per authority and code combination),
never from the findings' text, and every figure is read from the protected source
(data.privacy.cube): a figure is shown only if it is a union of that period's safe atoms,
so the same cell has the same value or the same ``c`` in every chart, table, summary,
list and CSV, whatever the filters and whoever asks.

Listing rule. Another authority's finding is listed only if its atom lies wholly inside the
selection and names one value of every finding attribute, so what a row reveals, in this
view or any other, still matches at least ``min_las + 1`` contributing authorities, and
counting rows only gives published figures. Rows carry no authority name or pseudonym
(a pseudonym would link rows across views); the supplier group shows as the atom shows it
("Other suppliers" when the atom pools groups); place names, and product names where the
group is not shown, are redacted. The viewer's own findings are listed in full by name.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.privacy.access import ADMIN, COORDINATOR, NLAR_REP, Viewer
from data.privacy.cube import DIMS, OTHER_GROUPS, FindingsCube, build_cube, list_choice
from data.privacy.disclosure import DisclosureRules
from data.privacy.identifying import redact_names
from data.privacy.linkage import linked_atoms, without_atoms
from data.privacy.narrowing import RAW_GROUP, fold_period
from data.queries.filters import Selection
from data.reference.codes import SEVERITIES
from data.store.memo import CHUNK_ROWS, VersionMemo, categorical_text, read_compact
from data.store.models import CURRENT, Authority, Finding, Product, Submission, Supplier

RESPONDENTS = "respondents_raising"
COUNT_VALUES = ("findings", RESPONDENTS, "n_las")
MAX_LISTED = 2000
_MEMO = VersionMemo(size=2)


def finding_rows(session: Session, period: str | None, rules: DisclosureRules) -> pd.DataFrame:
    """Findings of current submissions counted per authority and code combination (one
    grouped query, no text), small supplier groups folded into "Other suppliers" per period.

    All periods are read once per data version and process (a second or so at national
    scale) and one period is a slice of them: folding is per period either way, so the
    slice equals reading that period alone. Callers must not modify the returned frame."""
    rows = _MEMO.get(session, ("all-periods", rules), lambda: _finding_rows(session, None, rules))
    if period is None:
        return rows
    return rows.loc[(rows["period"] == period).to_numpy(dtype=bool)]


def _finding_rows(session: Session, period: str | None, rules: DisclosureRules) -> pd.DataFrame:
    keys = (
        Submission.authority_id,
        Supplier.name,
        Submission.period,
        Authority.region,
        Authority.la_type,
        Finding.theme_code,
        Finding.category_code,
        Finding.workflow_area_code,
        Finding.severity,
    )
    stmt = (
        select(
            *keys, func.count(Finding.id), func.coalesce(func.sum(Finding.respondents_raising), 0)
        )
        .join(Submission, Submission.id == Finding.submission_id)
        .join(Authority, Authority.id == Submission.authority_id)
        .join(Supplier, Supplier.id == Submission.supplier_id)
        .where(Submission.status == CURRENT)
        .group_by(*keys)
    )
    if period is not None:
        stmt = stmt.where(Submission.period == period)
    columns = ["authority_id", "group", "period", "region", "la_type", "theme", "category",
               "workflow_area", "severity", "findings", RESPONDENTS]  # fmt: skip
    rows = read_compact(session.execute(stmt.execution_options(yield_per=CHUNK_ROWS)), columns)
    rows[RESPONDENTS] = rows[RESPONDENTS].fillna(0)
    rows = rows.astype({"findings": "int64", RESPONDENTS: "int64"})
    return categorical_text(fold_period(rows, rules, respondents_col=RESPONDENTS))


_CUBES = VersionMemo(size=2)
REASON_TOO_SMALL = (
    "this supplier group is too small to show on its own in the period: it is counted in "
    f"{OTHER_GROUPS!r}"
)


def finding_cube(session: Session, rules: DisclosureRules) -> FindingsCube:
    """The protected source of finding counts, built once per data version and process."""
    return _CUBES.get(
        session, ("cube", rules), lambda: cube_of(finding_rows(session, None, rules), rules)
    )


def cube_of(rows: pd.DataFrame, rules: DisclosureRules) -> FindingsCube:
    """The protected cube of folded finding rows (supplier groups as the views show them)."""
    return build_cube(rows.assign(group=rows["group"].astype(str)), rules)


def _group_folded(rows: pd.DataFrame, supplier: str, period: str | None) -> bool:
    """Whether ``supplier`` is folded into "Other suppliers" in any period in scope."""
    mask = (rows[RAW_GROUP].astype(str) == supplier).to_numpy(dtype=bool)
    if period is not None:
        mask = mask & (rows["period"].astype(str) == period).to_numpy(dtype=bool)
    return bool((rows.loc[mask, "group"].astype(str) != supplier).any())


def cube_filters(filters: Selection) -> dict[str, str]:
    """The selection as cube dimension -> value (the period included)."""
    out = {("group" if col == RAW_GROUP else col): v for col, v in filters.narrowing().items()}
    if filters.period is not None:
        out["period"] = filters.period
    return out


def counts(
    source: FindingsCube | pd.DataFrame,
    by: list[str],
    filters: Selection,
    rules: DisclosureRules,
    own: Collection[int] = frozenset(),
    *,
    totals: Mapping[str, object] | None = None,
    rows: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Published finding counts per ``by`` cell from the protected source (a cube, or folded
    finding rows to build one from). Filters on a ``by`` column are not applied (a chart by
    theme shows every theme). Every viewer gets the same figures: the viewer's own findings
    are listed to them in full instead (``own`` is accepted for the callers' symmetry).
    A group filter on a group folded into "Other suppliers" gets every figure suppressed."""
    cube = source if isinstance(source, FindingsCube) else cube_of(source, rules)
    if not len(cube.rows):
        return pd.DataFrame()
    wanted = {d: v for d, v in cube_filters(filters).items() if d in ("period", *DIMS)}
    group = filters.get("group")
    base = rows if rows is not None else (source if isinstance(source, pd.DataFrame) else None)
    folded = group is not None and "group" not in by and (
        group not in set(cube.rows["group"]) or (
            base is not None and _group_folded(base, group, filters.period))
    )  # fmt: skip
    if folded:  # the cells' shape without the group, every figure c
        wanted.pop("group", None)
    table = cube.table(by, wanted, totals=totals)
    if folded and len(table):
        for col in ("findings", "n_las", RESPONDENTS):
            table[col] = table[col].mask(pd.Series(True, index=table.index))
        table = table.assign(suppressed=True, reason=REASON_TOO_SMALL, n_las_suppressed=True)
    return table


LIST_COLUMNS = [
    "period",
    "supplier_group",
    "authority",
    "theme",
    "category",
    "workflow_area",
    "severity",
    RESPONDENTS,
    "description",
    "suggested_change",
]


def _selected_findings(session: Session, filters: Selection) -> pd.DataFrame:
    """Keys (no text) of the findings of current submissions matching the selection."""
    stmt = (
        select(
            Finding.id,
            Submission.authority_id,
            Supplier.name,
            Submission.period,
            Authority.region,
            Authority.la_type,
            Finding.theme_code,
            Finding.category_code,
            Finding.workflow_area_code,
            Finding.severity,
            Finding.respondents_raising,
        )  # fmt: skip
        .join(Submission, Submission.id == Finding.submission_id)
        .join(Authority, Authority.id == Submission.authority_id)
        .join(Supplier, Supplier.id == Submission.supplier_id)
        .where(Submission.status == CURRENT)
        .where(*filters.where(guarded=True))
    )
    columns = ["finding_id", "authority_id", RAW_GROUP, "period", "region", "la_type", "theme",
               "category", "workflow_area", "severity", RESPONDENTS]  # fmt: skip
    found = pd.DataFrame(session.execute(stmt).all(), columns=columns)
    found[RESPONDENTS] = found[RESPONDENTS].fillna(0).astype("int64")
    return found.assign(findings=1)


def _with_folded_groups(rows: pd.DataFrame, found: pd.DataFrame) -> pd.DataFrame:
    """``found`` with a ``group`` column as the cube has it (small groups folded)."""
    folded = rows.drop_duplicates(["period", RAW_GROUP]).astype({"group": str, RAW_GROUP: str})
    to_group = dict(zip(zip(folded["period"].astype(str), folded[RAW_GROUP], strict=True),
                        folded["group"], strict=True))  # fmt: skip
    found["group"] = [to_group.get((p, g), g) for p, g in zip(found["period"].astype(str),
                      found[RAW_GROUP].astype(str), strict=True)]  # fmt: skip
    return found


_LINKED = VersionMemo(size=4)


def all_finding_texts(session: Session, rules: DisclosureRules) -> pd.DataFrame:
    """Every current finding's keys (the cube's, supplier groups folded as the cube has
    them, and the raw group) and description; once per data version and process. Callers
    must not modify the returned frame."""

    def build() -> pd.DataFrame:
        stmt = (
            select(Finding.id, Submission.authority_id, Supplier.name, Submission.period,
                   Authority.region, Authority.la_type, Finding.theme_code,
                   Finding.category_code, Finding.workflow_area_code, Finding.severity,
                   Finding.description)
            .join(Submission, Submission.id == Finding.submission_id)
            .join(Authority, Authority.id == Submission.authority_id)
            .join(Supplier, Supplier.id == Submission.supplier_id)
            .where(Submission.status == CURRENT)
        )  # fmt: skip
        columns = ["finding_id", "authority_id", RAW_GROUP, "period", "region", "la_type",
                   "theme", "category", "workflow_area", "severity", "description"]  # fmt: skip
        texts = pd.DataFrame(session.execute(stmt).all(), columns=columns)
        return _with_folded_groups(finding_rows(session, None, rules), texts)

    return _LINKED.get(session, ("finding-texts", rules), build)


def linked_text_atoms(session: Session, rules: DisclosureRules) -> frozenset[int]:
    """Atoms no list of other authorities shows, because a text in them is seen elsewhere
    (another period, another atom) and the sightings narrow its author to fewer than
    ``min_las`` authorities (data.privacy.linkage). Once per data version and process."""
    return _LINKED.get(
        session,
        ("linked-text-atoms", rules),
        lambda: linked_atoms(
            finding_cube(session, rules), all_finding_texts(session, rules), rules
        ),  # fmt: skip
    )


def _names(session: Session) -> tuple[tuple[str, ...], tuple[str, ...], dict[int, str]]:
    authorities = session.execute(select(Authority.id, Authority.name, Authority.region)).all()
    places = tuple({n for _, n, _ in authorities} | {r for _, _, r in authorities if r})
    products = tuple(
        {*session.scalars(select(Supplier.name)), *session.scalars(select(Product.name))}
    )
    return places, products, {i: n for i, n, _ in authorities}


def pseudonym_groups(session: Session, viewer: Viewer) -> frozenset[str] | None:
    """Supplier groups whose findings this viewer can read next to a pseudonym elsewhere
    (the requirements drill-down: coordinators and admins every group, an NLAR rep their
    own); None means every group."""
    if viewer.role in (COORDINATOR, ADMIN):
        return None
    if viewer.role == NLAR_REP and viewer.supplier_id is not None:
        return frozenset({session.get(Supplier, viewer.supplier_id).name})
    return frozenset()


def group_places(rows: pd.DataFrame) -> dict[str, dict[str, list[tuple[str, str, set]]]]:
    """Per supplier group and period, its (region, LA type, authorities) with findings: what
    :func:`_hides_pseudonym` counts, built once per listing. Scanning every finding for each
    (atom, group) took a coordinator's national-scale Themes list 3 to 9 s."""
    keys = rows[[RAW_GROUP, "period", "region", "la_type"]].astype(str)
    keys = keys.assign(authority_id=rows["authority_id"].to_numpy())
    places: dict[str, dict[str, list[tuple[str, str, set]]]] = {}
    for (group, period, region, la_type), ids in keys.groupby(
        [RAW_GROUP, "period", "region", "la_type"], sort=False
    )["authority_id"]:
        places.setdefault(group, {}).setdefault(period, []).append(
            (region, la_type, set(ids.tolist()))
        )
    return places


def _hides_pseudonym(
    cube: FindingsCube,
    places: dict[str, dict[str, list[tuple[str, str, set]]]],
    atom: int,
    supplier: str,
    rules: DisclosureRules,
) -> bool:
    """Whether a row of ``supplier`` in ``atom`` keeps a pseudonymous authority hidden: the
    authorities of that group in the atom's regions and LA types (with findings that
    period) must number at least ``min_las + 1``, since the same text names the group and a
    pseudonym elsewhere. ``places``: :func:`group_places` of the findings."""
    by_period = places.get(supplier, {})
    dims = cube.atom_dims[atom]
    periods = dims["period"] if "period" in dims else by_period.keys()
    regions, types = dims["region"], dims["la_type"]
    found: set = set()
    for period in periods:
        for region, la_type, ids in by_period.get(period, ()):
            if region in regions and la_type in types:
                found |= ids
    return len(found) >= rules.min_las + 1


def _unlink_pseudonyms(cube, rows, found, choice, linked_groups, rules):
    """``choice`` without the atoms holding a row of a linked group whose authorities there
    are too few (:func:`_hides_pseudonym`). Whole atoms are dropped, never single rows:
    counting the rest of an atom would give the dropped rows' figures."""
    atoms = cube.atom_of(found) if choice.atoms is None else choice.atoms
    listed = pd.DataFrame({"atom": atoms, "group": found[RAW_GROUP].astype(str).to_numpy()}).loc[
        choice.listed
    ]
    if linked_groups is not None:
        listed = listed.loc[listed["group"].isin(list(linked_groups))]
    places = group_places(rows)
    bad = {
        int(atom)
        for atom, group in listed.drop_duplicates().itertuples(index=False, name=None)
        if not _hides_pseudonym(cube, places, int(atom), group, rules)
    }
    listed = choice.listed & ~np.isin(atoms, list(bad))
    return replace(choice, listed=listed, left_out=int((~listed & ~choice.mine).sum()))


def findings_list(
    session: Session,
    filters: Selection,
    rules: DisclosureRules,
    own: Collection[int] = frozenset(),
    *,
    linked_groups: Collection[str] | None = frozenset(),
) -> tuple[pd.DataFrame, str]:
    """The findings behind the selection and a sentence saying what is listed and why.

    ``linked_groups``: supplier groups whose findings the viewer also reads next to a
    pseudonym (:func:`pseudonym_groups`; None: all). Their rows are listed only where the
    group's authorities matching the row's atom still number ``min_las + 1`` or more, so
    the text cannot tie a pseudonym to a place."""
    own = frozenset(own)
    cube = finding_cube(session, rules)
    rows = finding_rows(session, None, rules)
    found = _with_folded_groups(rows, _selected_findings(session, filters))
    group = filters.get("group")
    wanted = cube_filters(filters)
    folded = group is not None and _group_folded(rows, group, filters.period)
    if folded:
        wanted["group"] = "\0no such group"  # nothing of others may be listed
    choice = list_choice(cube, found, wanted, own)
    if folded:  # the group's total is c on the charts: the note must not give it either
        choice = replace(choice, total_published=False)
    if linked_groups is None or linked_groups:
        choice = _unlink_pseudonyms(cube, rows, found, choice, linked_groups, rules)
    choice = without_atoms(choice, cube, found, linked_text_atoms(session, rules))
    picked = found.loc[choice.mine | choice.listed].assign(
        supplier_group=[
            g if m else label
            for g, m, label in zip(
                found.loc[choice.mine | choice.listed, RAW_GROUP].astype(str),
                choice.mine[choice.mine | choice.listed],
                choice.labels[choice.mine | choice.listed],
                strict=True,
            )
        ]
    )
    rank = {s: i for i, s in enumerate(reversed(SEVERITIES))}
    picked = picked.assign(_rank=picked["severity"].map(rank).fillna(9))
    picked = picked.sort_values(["_rank", "theme", "period"], kind="stable")
    more = len(picked) > MAX_LISTED
    picked = picked.head(MAX_LISTED)
    texts = dict(
        (i, (d, s))
        for i, d, s in session.execute(
            select(Finding.id, Finding.description, Finding.suggested_change).where(
                Finding.id.in_([int(i) for i in picked["finding_id"]])
            )
        ).all()
    )
    places, products, names = _names(session)
    mine = picked["authority_id"].isin(list(own)).to_numpy(dtype=bool)
    records = []
    for r, is_mine in zip(picked.itertuples(index=False), mine, strict=True):
        description, suggestion = texts.get(r.finding_id, ("", ""))
        if not is_mine:
            description = redact_names(description, places, "place")
            suggestion = redact_names(suggestion or "", places, "place")
            if r.supplier_group == OTHER_GROUPS:
                description = redact_names(description, products, "product")
                suggestion = redact_names(suggestion, products, "product")
        records.append(
            {
                "period": r.period,
                "supplier_group": r.supplier_group,
                "authority": names.get(r.authority_id, "") if is_mine else "",
                "theme": r.theme,
                "category": r.category,
                "workflow_area": r.workflow_area,
                "severity": r.severity,
                RESPONDENTS: getattr(r, RESPONDENTS),
                "description": description,
                "suggested_change": suggestion,
            }
        )
    table = pd.DataFrame(records, columns=LIST_COLUMNS)
    note = choice.note(rules, len(table))
    if more:
        note += (
            f" Only {MAX_LISTED} are shown, sorted most severe first (not necessarily the most "
            "severe of all); narrow the filters to see the others."
        )
    return table.reset_index(drop=True), note


def concentration(table: pd.DataFrame) -> pd.DataFrame:
    """Visible cells sorted by findings, most first (for summaries)."""
    if table.empty:
        return table
    shown = table.loc[~table["suppressed"].to_numpy(dtype=bool)]
    return shown.sort_values("findings", ascending=False, kind="stable")
