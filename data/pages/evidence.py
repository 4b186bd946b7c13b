"""The requirements drill-downs (a candidate's findings, a requirement's evidence) under the
same anonymity-set rule as the Themes findings list.

A row of another authority is shown only if its *anonymity set* has at least ``min_las``
members: the authorities (with current submissions) matching everything the row shows and
everything any other view reveals about the same text:

- the finding attributes it shows (theme, workflow area, category, severity): the
  authorities with such a finding in any period (the row shows no period);
- where the same text (normalised) is listed on Themes and fewer than ``min_las``
  authorities wrote it: the contributors of every atom it is listed in, when they share
  anyone (data.privacy.linkage withholds the atoms whose sightings narrow too far);
- its supplier group, where shown: the group's authorities;
- its pseudonym, where shown (coordinators, a group's NLAR representative): the pseudonym
  stands for one authority, so the set is that authority's group's authorities matching
  *every* Themes atom that lists one of its clustered findings' texts, since the pseudonym
  links them all (only texts written by fewer than ``min_las`` authorities tie a row to an
  atom: a common phrase is seen in many atoms and says nothing of which one is this
  authority's, data.privacy.linkage), intersected with the row's own set.

When the pseudonym isolates the row it is dropped (the row shows "Another authority" and no
respondent count), then the group if that isolates it ("—"); when the row still rests on
too few authorities it is left out. The note says how many of each. The viewer's own rows and
rows of authorities that consented to be named are shown as data.requirements.candidates
decides.

A specification's quotations (data.requirements.evidence) are a requirement's finding texts
next to its supplier group: :func:`quotable_rows` lets a viewer see quoted only the rows this
drill-down shows them, and, where the quotation names a group, only those whose anonymity set
within that group still has ``min_las`` authorities (the drill-down keeps a row's group on
the same condition)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.errors import NotFound
from data.pages.themes import all_finding_texts, finding_cube, linked_text_atoms
from data.privacy.access import Viewer
from data.privacy.cube import DIMS, AtomRule
from data.privacy.disclosure import SUPPRESSED, DisclosureRules
from data.privacy.linkage import atom_contributors, normalise
from data.privacy.narrowing import RAW_GROUP
from data.requirements import candidates, related, views
from data.requirements import evidence as spec_evidence
from data.requirements.curation import evidence_ids
from data.requirements.findings import finding_stats, finding_texts
from data.requirements.safe_counts import register_partition_source
from data.store.memo import VersionMemo
from data.store.models import FindingCluster, Requirement

ATTRS = ("theme", "workflow_area", "category", "severity")
_MEMO = VersionMemo(size=2)
NO_GROUP = "—"


@dataclass(frozen=True)
class Population:
    """Who could be behind what a drill-down row shows (see the module docstring)."""

    attrs: dict[tuple, frozenset[int]]  # finding attributes -> authorities
    texts: dict[str, frozenset[int]]  # normalised text -> intersection of its Themes atoms
    groups: dict[str, frozenset[int]]  # raw supplier group -> authorities
    pseudonyms: dict[int, frozenset[int]]  # authority -> anonymity set of its pseudonym

    def base(self, attrs: tuple, text: str) -> frozenset[int]:
        found = self.attrs.get(attrs, frozenset())
        seen = self.texts.get(normalise(text))
        return found if seen is None else found & seen


def population(session: Session, rules: DisclosureRules) -> Population:
    """Computed once per data version, curation state and process."""
    key = ("population", rules, candidates.grouping_state(session))  # regrouping moves findings
    return _MEMO.get(session, key, lambda: _population(session, rules))


def _population(session: Session, rules: DisclosureRules) -> Population:
    texts = all_finding_texts(session, rules)
    cube = finding_cube(session, rules)
    atoms = cube.atom_of(texts)
    contributors = atom_contributors(cube)
    blocked = linked_text_atoms(session, rules)
    listed = np.array(
        [a >= 0 and a not in blocked and all(len(cube.atom_dims[a][d]) == 1 for d in
         ("theme", "category", "workflow_area", "severity")) for a in atoms.tolist()],
        dtype=bool,
    )  # fmt: skip
    las = texts["authority_id"].astype(int).to_numpy()
    by_attrs: dict[tuple, set[int]] = {}
    for key, la in zip(texts[list(ATTRS)].astype(str).itertuples(index=False, name=None), las,
                       strict=True):  # fmt: skip
        by_attrs.setdefault(key, set()).add(int(la))
    keys = [normalise(t) for t in texts["description"]]
    authors: dict[str, set[int]] = {}
    for key, la in zip(keys, las.tolist(), strict=True):
        authors.setdefault(key, set()).add(la)
    # a text links its sightings only if fewer than min_las authorities wrote it (else it
    # is a common phrase, data.privacy.linkage) and its sightings still share someone
    rare = np.array([len(authors[k]) < rules.min_las for k in keys], dtype=bool)
    by_text: dict[str, frozenset[int]] = {}
    for key, a, ok in zip(keys, atoms.tolist(), (listed & rare).tolist(), strict=True):
        if ok:
            by_text[key] = by_text.get(key, contributors[a]) & contributors[a]
    by_text = {k: v for k, v in by_text.items() if v}
    groups: dict[str, set[int]] = {}
    for g, la in zip(texts[RAW_GROUP].astype(str), las, strict=True):
        groups.setdefault(g, set()).add(int(la))
    clustered = set(session.scalars(select(FindingCluster.finding_id)))
    in_cluster = texts["finding_id"].isin(clustered).to_numpy(dtype=bool)
    pseudonyms: dict[int, frozenset[int]] = {}
    for i in np.flatnonzero(in_cluster):
        la = int(las[i])
        seen = frozenset(groups[str(texts[RAW_GROUP].iloc[i])])
        if listed[i] and rare[i]:  # the pseudonym's row is tied to this Themes atom
            seen &= contributors[int(atoms[i])]
        pseudonyms[la] = pseudonyms.get(la, seen) & seen
    return Population(
        {k: frozenset(v) for k, v in by_attrs.items()},
        by_text,
        {k: frozenset(v) for k, v in groups.items()},
        pseudonyms,
    )


@dataclass(frozen=True)
class Guarded:
    """A drill-down as the viewer may see it."""

    rows: pd.DataFrame  # data.requirements.candidates.FINDING_DISPLAY
    withheld: int  # rows of other authorities left out
    unnamed: int  # rows shown without their pseudonym or group

    def note(self, rules: DisclosureRules) -> str:
        out = f"{len(self.rows)} findings shown."
        if self.withheld:
            out += (
                f" {self.withheld} findings from other authorities are withheld: showing them "
                f"could single out one of fewer than {rules.min_las} authorities, alone or "
                "with what other views show of the same text."
            )
        if self.unnamed:
            out += (
                f" {self.unnamed} are shown without their pseudonym or supplier group, which "
                "together with other views would narrow them to too few authorities."
            )
        return out


def guard(
    shown: pd.DataFrame,
    withheld: int,
    texts: pd.DataFrame,
    viewer: Viewer,
    rules: DisclosureRules,
    pop: Population,
) -> Guarded:
    """``shown`` (data.requirements.candidates.anonymised_findings of ``texts``) with each
    other authority's row checked (see the module docstring)."""
    if shown.empty:
        return Guarded(shown, withheld, 0)
    raw = texts.set_index("finding_id")
    own = set(viewer.own_authorities)
    keep, out, unnamed = [], shown.copy(), 0
    for i, fid in enumerate(shown["finding_id"].tolist()):
        r = raw.loc[fid]
        la = int(r["authority_id"])
        if la in own or bool(r["consent_named"]):
            keep.append(True)
            continue
        base = pop.base(tuple(str(r[a]) for a in ATTRS), str(r["description"]))
        if len(base) < rules.min_las:
            keep.append(False)
            continue
        keep.append(True)
        if out.iloc[i]["authority"] == candidates.ANOTHER_LA:
            group_ok = out.iloc[i]["supplier_group"] == NO_GROUP
        else:  # shown by pseudonym, with its group and respondent count
            if len(pop.pseudonyms.get(la, frozenset()) & base) >= rules.min_las:
                continue
            unnamed += 1
            out.iloc[i, out.columns.get_loc("authority")] = candidates.ANOTHER_LA
            out.iloc[i, out.columns.get_loc("respondents")] = SUPPRESSED
            group_ok = len(base & pop.groups.get(str(r["group"]), frozenset())) >= rules.min_las
        if not group_ok:
            out.iloc[i, out.columns.get_loc("supplier_group")] = NO_GROUP
    mask = np.array(keep, dtype=bool)
    return Guarded(out.loc[mask].reset_index(drop=True), withheld + int((~mask).sum()), unnamed)


def candidate_findings(
    session: Session, viewer: Viewer, rules: DisclosureRules, cluster_id: str
) -> Guarded:
    """A candidate's drill-down."""
    texts = finding_texts(session, cluster_ids=[cluster_id])
    shown, withheld = candidates.anonymised_findings(texts, viewer, rules)
    return guard(shown, withheld, texts, viewer, rules, population(session, rules))


LINK_REFUSED = (
    "The candidate group in this link cannot be shown: it may have been regrouped since, or "
    "none of its findings can be shown to you. Select a candidate from the list."
)


def linked_candidate(
    session: Session, viewer: Viewer, rules: DisclosureRules, value: object
) -> str:
    """The candidate id a link names (untrusted), if the viewer may open it: it exists and
    at least one of its findings is shown to the viewer. Otherwise NotFound with one message
    for every case, so a link cannot probe which ids exist or hold withheld findings."""
    try:
        cid = related.candidate_id(value)
    except NotFound:
        raise NotFound(LINK_REFUSED) from None
    if candidate_findings(session, viewer, rules, cid).rows.empty:
        raise NotFound(LINK_REFUSED)
    return cid


def requirement_detail(
    session: Session, viewer: Viewer, rules: DisclosureRules, requirement_id: int
) -> tuple[views.RequirementDetail, Guarded]:
    """A requirement's detail, its evidence guarded."""
    d = views.requirement_detail(session, viewer, rules, requirement_id)
    texts = finding_texts(session, finding_ids=evidence_ids(session, d.id))
    g = guard(d.evidence, d.withheld, texts, viewer, rules, population(session, rules))
    return replace(d, evidence=g.rows, withheld=g.withheld), g


def quotable_rows(
    session: Session, viewer: Viewer, rules: DisclosureRules, texts: pd.DataFrame, group: str | None
) -> pd.DataFrame:
    """The rows of ``texts`` (one requirement's evidence, finding_texts) the viewer may see
    quoted next to ``group`` (a supplier group's name, None for all groups): rows the guarded
    drill-down shows the viewer, and unless the row is the viewer's own or its authority
    consented to be named, whose anonymity set (:meth:`Population.base`) within the group
    still has ``min_las`` authorities."""
    if texts.empty:
        return texts
    pop = population(session, rules)
    shown, withheld = candidates.anonymised_findings(texts, viewer, rules)
    kept = set(guard(shown, withheld, texts, viewer, rules, pop).rows["finding_id"].tolist())
    own = set(viewer.own_authorities)
    members = pop.groups.get(group, frozenset()) if group is not None else None
    ok = []
    for r in texts.itertuples(index=False):
        if r.finding_id not in kept:
            ok.append(False)
        elif members is None or int(r.authority_id) in own or bool(r.consent_named):
            ok.append(True)
        else:
            attrs = (str(r.theme), str(r.workflow_area), str(r.category), str(r.severity))
            ok.append(len(pop.base(attrs, str(r.description)) & members) >= rules.min_las)
    return texts.loc[np.array(ok, dtype=bool)]


spec_evidence.register_quote_rule(quotable_rows)

_SETS = VersionMemo(size=4)


def published_sets(session: Session, rules: DisclosureRules) -> frozenset[tuple[str, object]]:
    """Which candidates' and requirements' counts are published, decided together on the
    findings cube: sets are taken in turn (live requirements by id, then candidates by
    rank) and a set is published only if it is a safe atom itself, is not made of whole
    finest cells unless also of whole atoms (it would be a cube cell the cube shows as c),
    (data.privacy.cube.AtomRule), the rest of the atoms it touches (the cube's totals minus
    the set) is empty or safe, and, with each set already published that shares an atom
    with it, the rest of their atoms outside both, and each one's part outside the other
    where they overlap, are empty or safe. These are the 0/1 combinations of one or two
    sets and the cube's atoms; larger combinations are left to the auditor
    (tests/unit/test_requirements_audit.py). Data only: the same for every viewer."""
    key = ("published-sets", rules, candidates.grouping_state(session))
    return _SETS.get(session, key, lambda: _published_sets(session, rules))


def _published_sets(session: Session, rules: DisclosureRules) -> frozenset[tuple[str, object]]:
    texts = all_finding_texts(session, rules)
    stats = finding_stats(session)[["finding_id", "cluster_id", "respondents_raising"]]
    frame = texts[["finding_id", "authority_id"]].merge(stats, on="finding_id")
    atoms = finding_cube(session, rules).atom_of(all_finding_texts(session, rules))
    atom_of = dict(zip(texts["finding_id"].tolist(), atoms.tolist(), strict=True))
    fid = frame["finding_id"].to_numpy()
    row = {int(f): i for i, f in enumerate(fid)}
    la_codes, _ = pd.factorize(frame["authority_id"])
    values = frame["respondents_raising"].to_numpy(dtype=float)
    piece = np.array([atom_of.get(int(f), -1) for f in fid], dtype=np.int64)
    rule = AtomRule(rules)

    def safe(idx: np.ndarray) -> bool:
        f = np.bincount(la_codes[idx], minlength=la_codes.max() + 1)
        r = np.bincount(la_codes[idx], weights=values[idx], minlength=la_codes.max() + 1)
        live = f > 0
        return rule.safe(np.column_stack([f[live], r[live]]).astype(float))

    sets: list[tuple[tuple[str, object], list[int]]] = []
    for req in session.scalars(
        select(Requirement).where(Requirement.merged_into_id.is_(None)).order_by(Requirement.id)
    ):
        ids = [row[int(f)] for f in evidence_ids(session, req.id) if int(f) in row]
        sets.append((("requirement", req.id), ids))
    _, ranked = candidates.ranked_candidates(session)
    by_cluster = frame.groupby("cluster_id").indices if len(frame) else {}
    for cid in ranked.get("cluster_id", pd.Series(dtype=str)).tolist():
        sets.append((("candidate", cid), list(by_cluster.get(cid, []))))
    chosen: set[tuple[str, object]] = set()
    in_atom = pd.Series(np.arange(len(fid))).groupby(piece).indices
    done: list[tuple[np.ndarray, frozenset[int]]] = []  # published: members, atoms touched

    def rest_safe(atoms_: frozenset[int], *inside: np.ndarray) -> bool:
        """The touched atoms' findings outside every set in ``inside``: none, or safe."""
        idx = np.concatenate([in_atom[a] for a in atoms_])
        out = idx[~np.isin(idx, np.concatenate(inside))]
        return not len(out) or safe(out)

    cell = texts.set_index("finding_id").loc[fid, ["period", *DIMS]].astype(str)
    cell_codes = cell.groupby(list(cell.columns), sort=False).ngroup().to_numpy()
    cell_size = np.bincount(cell_codes)
    atom_size = np.bincount(piece[piece >= 0])

    def whole(members: np.ndarray, codes: np.ndarray, sizes: np.ndarray) -> bool:
        found, n = np.unique(codes[members], return_counts=True)
        return bool((n == sizes[found]).all())

    for key, ids in sets:
        members = np.unique(np.asarray(ids, dtype=np.int64))
        if not len(members) or (piece[members] < 0).any() or not safe(members):
            continue
        if whole(members, cell_codes, cell_size) and not whole(members, piece, atom_size):
            continue  # a cube cell the cube shows as c: the same c here
        atoms_ = frozenset(np.unique(piece[members]).tolist())
        ok = rest_safe(atoms_, members)
        for other, other_atoms in done:
            if not ok:
                break
            if not atoms_ & other_atoms:
                continue
            ok = rest_safe(atoms_ | other_atoms, members, other)
            common = np.intersect1d(members, other)
            for a, b in ((members, other), (other, members)):  # nested or overlapping sets
                left = np.setdiff1d(a, b)
                ok = ok and (not len(common) or not len(left) or safe(left))
        if ok:
            chosen.add(key)
            done.append((members, atoms_))
    return frozenset(chosen)


register_partition_source(published_sets)
