"""The protected source: per period, the findings counts any view may publish.

One decision per period, taken on the data alone (never on the filters a viewer picked), and
read by every chart, table alternative, summary sentence, findings list and CSV:

1. **Atoms.** The period's findings are partitioned into *atoms*: sets of finest cells
   (supplier group x theme x category x workflow area x severity x region x LA type) built
   top-down as in Mondrian partitioning. A node is split on the next dimension of
   :data:`SPLIT_ORDER` into one child per value; values too small to stand alone are pooled
   into one "rest" child (with the smallest others until it is big enough); a split that
   leaves one child is not made. Every atom is *safe for every viewer*: it keeps at least
   ``min_las`` authorities and ``min_respondents`` respondents after removing any one
   authority (an LA user knows their own figures), and no ``min_las - 1`` authorities hold
   more than ``1 / (1 + protection)`` of its findings or respondents (dominance), so a
   suppressed figure inside it cannot be bounded to within +-``protection`` of its value.
2. **Publication rule.** A figure (any filter combination and breakdown cell, any total) is
   published if and only if it is a union of whole atoms; otherwise it is ``c``. Every
   published figure is then a sum of atom totals, so no combination of published figures,
   from any number of views, pages, periods and downloads, says anything finer than an
   atom's total (the LP auditor, data.privacy.auditor, checks this on the demo data and on
   adversarial fixtures). Secondary suppression and differencing between filter choices
   ("all LA types" minus "unitary") are covered by the same rule, with no list of views
   to keep up to date. A published figure's authority count (``n_las``), which does not
   add up over atoms, is shown only where data.privacy.count_rule allows (else ``c`` with
   ``n_las_suppressed``; findings and respondents stay).
3. **Rows.** A findings row may be listed across authorities only if its atom lies wholly
   inside the selection and names one value of every finding attribute (theme, category,
   workflow area, severity), so its text cannot sort it into anything finer than the
   atom; counting listed rows then gives atom totals, which are published anyway.

The same cell therefore has the same value or the same ``c`` everywhere, for every role.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from data.privacy.count_rule import CountRule
from data.privacy.disclosure import SUPPRESSED, DisclosureRules

FINDINGS, RESPONDENTS = "findings", "respondents_raising"
FINDING_DIMS = ("theme", "category", "workflow_area", "severity")
LA_DIMS = ("group", "region", "la_type")
DIMS = ("group", *FINDING_DIMS, "region", "la_type")
# default order; :func:`build_cube` also tries the alternatives and keeps the one that
# publishes more of the headline views
SPLIT_ORDERS = (
    ("theme", "group", "severity", "workflow_area", "category", "la_type", "region"),
    ("group", "theme", "severity", "workflow_area", "category", "la_type", "region"),
)
ALL = None
REASON_ATOM = (
    "suppressed to protect confidentiality: showing it could let the figures of fewer than "
    "{las} authorities or {resp} respondents be worked out, alone or with other figures"
)
HEADLINE_VIEWS = (("theme",), ("group",), ("group", "theme"), ("workflow_area", "severity"))


@dataclass(frozen=True)
class AtomRule:
    """When a set of cells is safe to publish as one figure, for every viewer."""

    rules: DisclosureRules = DisclosureRules()
    protection: float = 0.5

    def safe(self, per_la: np.ndarray) -> bool:
        """``per_la``: one row per contributing authority, columns findings, respondents."""
        k = len(per_la)
        if k < self.rules.min_las + 1:
            return False
        tot = per_la.sum(axis=0)
        top = min(self.rules.min_las - 1, k)
        for m in range(per_la.shape[1]):
            col = np.sort(per_la[:, m])[::-1]
            # remove nobody, or any one of the largest ``top + 1`` (the worst removals)
            for r in [None, *range(min(top + 1, k))]:
                rest = col if r is None else np.delete(col, r)
                total = tot[m] - (0 if r is None else col[r])
                if m == 1 and total < self.rules.min_respondents:
                    return False
                if total <= 0:
                    return False
                if rest[:top].sum() * (1 + self.protection) > total + 1e-9:
                    return False
                if m == 1 and (self.rules.min_respondents - 1) * (1 + self.protection) > total:
                    return False
        return True


@dataclass
class FindingsCube:
    """Finest cells x authority of one or more periods, each row in one atom."""

    rows: pd.DataFrame  # period, *DIMS, authority_id, findings, respondents_raising, atom
    atom_size: np.ndarray  # rows per atom
    atom_dims: list[dict[str, frozenset]]  # per atom: dim -> values it covers
    rules: DisclosureRules
    orders: dict[str, tuple[str, ...]]  # period -> split order used

    def __post_init__(self) -> None:
        self._codes: dict[str, np.ndarray] = {}
        self._cats: dict[str, pd.Index] = {}
        for d in ("period", *DIMS):
            codes, cats = pd.factorize(self.rows[d], sort=True)
            self._codes[d], self._cats[d] = codes.astype(np.int64), pd.Index(cats)
        self._la = self.rows["authority_id"].to_numpy(dtype=np.int64)
        self._atom = self.rows["atom"].to_numpy(dtype=np.int64)
        self._f = self.rows[FINDINGS].to_numpy(dtype=float)
        self._r = self.rows[RESPONDENTS].to_numpy(dtype=float)
        # (period, *DIMS, authority_id) -> row position, looked up a whole frame at a time
        # (a dict lookup per finding took about 1 s for a national list of all periods)
        keys = self.rows[["period", *DIMS]].astype(str)
        keys["authority_id"] = self.rows["authority_id"].astype("int64").to_numpy()
        index = pd.MultiIndex.from_frame(keys)
        last = ~index.duplicated(keep="last")  # (build_cube's rows are unique already)
        self._row_index, self._row_pos = index[last], np.flatnonzero(last)
        self._counts = CountRule(self.rows, self._atom, self.n_atoms, self.rules)

    @property
    def n_atoms(self) -> int:
        return len(self.atom_size)

    # -- reading -----------------------------------------------------------------------
    def _match(self, fixed: Mapping[str, object]) -> np.ndarray:
        mask = np.ones(len(self.rows), dtype=bool)
        for dim, value in fixed.items():
            if value is ALL:
                continue
            if dim not in self._codes:
                raise ValueError(f"unknown dimension {dim!r}")
            cats = self._cats[dim]
            if str(value) not in cats:
                return np.zeros(len(self.rows), dtype=bool)
            mask &= self._codes[dim] == cats.get_loc(str(value))
        return mask

    def table(
        self,
        by: Sequence[str],
        filters: Mapping[str, object] | None = None,
        *,
        totals: Mapping[str, object] | None = None,
    ) -> pd.DataFrame:
        """Published counts per ``by`` cell under ``filters`` (dimension -> value, None =
        all), plus total rows for ``totals`` (dimension -> label), each cell either its
        true counts or suppressed (values NA) by the publication rule; ``n_las`` alone is
        NA, with ``n_las_suppressed``, where the count rule withholds it. Filters on a
        ``by`` dimension are not applied (a chart by theme shows every theme)."""
        by, totals = list(by), dict(totals or {})
        unknown = [d for d in [*by, *totals] if d not in self._codes]
        if unknown:
            raise ValueError(f"unknown dimension {unknown[0]!r}")
        fixed = {d: v for d, v in (filters or {}).items() if d not in by and v is not ALL}
        sel = np.flatnonzero(self._match(fixed))
        parts = [self._cells(sel, by)]
        for dim, label in totals.items():
            part = self._cells(sel, [d for d in by if d != dim])
            parts.append(part.assign(**{dim: label})[parts[0].columns])
        if len(totals) > 1:  # the grand total too
            parts.append(self._cells(sel, []).assign(**dict(totals))[parts[0].columns])
        kept = [p for p in parts if len(p)]
        return pd.concat(kept, ignore_index=True) if kept else parts[0]

    def _cells(self, sel: np.ndarray, by: list[str]) -> pd.DataFrame:
        cols = [*by, FINDINGS, "n_las", RESPONDENTS, "suppressed", "reason", "n_las_suppressed"]
        if not len(sel):
            return pd.DataFrame(columns=cols)
        key = np.zeros(len(sel), dtype=np.int64)
        for d in by:
            key = key * (len(self._cats[d]) + 1) + self._codes[d][sel]
        uniq, codes = np.unique(key, return_inverse=True)
        k, n_atoms = len(uniq), self.n_atoms
        atoms = self._atom[sel]
        present, counts = np.unique(codes * n_atoms + atoms, return_counts=True)
        whole = counts == self.atom_size[present % n_atoms]
        complete = np.ones(k, dtype=bool)
        np.logical_and.at(complete, present // n_atoms, whole)
        findings = np.bincount(codes, weights=self._f[sel], minlength=k)
        resp = np.bincount(codes, weights=self._r[sel], minlength=k)
        pairs = np.unique(codes * (int(self._la.max()) + 1) + self._la[sel])
        las = np.bincount(pairs // (int(self._la.max()) + 1), minlength=k)
        data: dict[str, object] = {}
        rest = uniq.copy()
        for d in reversed(by):
            width = len(self._cats[d]) + 1
            data[d] = np.asarray(self._cats[d], dtype=object)[rest % width]
            rest //= width
        data = {d: data[d] for d in by}
        supp = ~complete
        las_supp = supp.copy()
        order = np.argsort(codes, kind="stable")
        starts = np.searchsorted(codes[order], np.arange(k + 1))
        for i in np.flatnonzero(complete):
            las_supp[i] = not self._count_publishable(sel[order[starts[i] : starts[i + 1]]])
        reason = REASON_ATOM.format(las=self.rules.min_las, resp=self.rules.min_respondents)
        for name, values in ((FINDINGS, findings), ("n_las", las), (RESPONDENTS, resp)):
            data[name] = pd.array(np.round(values).astype(np.int64), "Int64")
        out = pd.DataFrame(data)
        for c in (FINDINGS, RESPONDENTS):
            out[c] = out[c].mask(supp)
        out["n_las"] = out["n_las"].mask(las_supp)
        return out.assign(suppressed=supp, reason=np.where(supp, reason, ""),
                          n_las_suppressed=las_supp)  # fmt: skip

    def _count_publishable(self, rows: np.ndarray) -> bool:
        """Whether the LA count of the union of whole atoms at ``rows`` may be published
        (data.privacy.count_rule)."""
        return self._counts.publishable(rows)

    def count_published(self, rows: np.ndarray) -> bool:
        """Whether the authority count of the cube rows at positions ``rows`` may be shown:
        they are a union of whole atoms (:meth:`is_union`) whose count passes the count
        rule (data.privacy.count_rule), as a table cell of the same rows would."""
        rows = np.unique(np.asarray(rows, dtype=np.int64))
        return self.is_union(rows) and self._count_publishable(rows)

    def cell(self, fixed: Mapping[str, object]) -> dict[str, object]:
        """One cell: findings, n_las, respondents_raising, suppressed, n_las_suppressed."""
        t = self.table([], fixed)
        if t.empty:
            return {FINDINGS: 0, "n_las": 0, RESPONDENTS: 0, "suppressed": False,
                    "n_las_suppressed": False}  # fmt: skip
        return t.iloc[0].to_dict()

    def listable(self, filters: Mapping[str, object]) -> tuple[np.ndarray, int]:
        """Atoms whose rows may be listed under ``filters`` (see the module docstring), and
        how many findings in the selection are left out."""
        fixed = {d: v for d, v in filters.items() if v is not ALL}
        sel = self._match(fixed)
        atoms = self._atom[sel]
        present, counts = np.unique(atoms, return_counts=True)
        whole = counts == self.atom_size[present]
        specific = np.array(
            [all(len(self.atom_dims[a][d]) == 1 for d in FINDING_DIMS) for a in present],
            dtype=bool,
        )
        ok = present[whole & specific]
        left = int(self._f[sel & ~np.isin(self._atom, ok)].sum())
        return ok, left

    def atom_label(self, atom: int, dim: str, other: str) -> str:
        values = self.atom_dims[atom][dim]
        return next(iter(values)) if len(values) == 1 else other

    def row_of(self, keys: pd.DataFrame) -> np.ndarray:
        """Position in :attr:`rows` of each row of ``keys`` (period, *DIMS, authority_id);
        -1 if unknown."""
        if not len(keys):
            return np.zeros(0, dtype=np.int64)
        frame = keys[["period", *DIMS]].astype(str)
        frame["authority_id"] = keys["authority_id"].astype("int64").to_numpy()
        found = self._row_index.get_indexer(pd.MultiIndex.from_frame(frame))
        return np.where(found >= 0, self._row_pos[found], -1).astype(np.int64)

    def atom_of(self, keys: pd.DataFrame) -> np.ndarray:
        """Atom of each row of ``keys`` (period, *DIMS, authority_id); -1 if unknown."""
        rows = self.row_of(keys)
        out = np.full(len(rows), -1, dtype=np.int64)
        out[rows >= 0] = self._atom[rows[rows >= 0]]
        return out

    def is_union(self, rows: np.ndarray) -> bool:
        """Whether the cube rows at positions ``rows`` are exactly a non-empty union of
        whole atoms, i.e. whether a figure over any set of authorities, not only a filter
        selection, is a sum of atom totals and so may be published."""
        rows = np.unique(np.asarray(rows, dtype=np.int64))
        if not len(rows) or rows[0] < 0:
            return False
        present, counts = np.unique(self._atom[rows], return_counts=True)
        return bool((counts == self.atom_size[present]).all())

    def inside(self, rows: np.ndarray) -> np.ndarray:
        """For each of the cube rows at positions ``rows``, whether its whole atom is among
        them: the rows of a selection that make up its largest publishable part (a union of
        whole atoms, possibly empty)."""
        rows = np.asarray(rows, dtype=np.int64)
        known = rows >= 0
        atoms = self._atom[rows[known]]
        out = np.zeros(len(rows), dtype=bool)
        uniq = np.unique(rows[known])
        per_atom = np.bincount(self._atom[uniq], minlength=self.n_atoms)
        out[known] = per_atom[atoms] == self.atom_size[atoms]
        return out

    def closure(self, rows: np.ndarray, chosen: np.ndarray) -> np.ndarray:
        """For each of the cube rows at positions ``rows``, whether its atom holds any of
        the rows where ``chosen`` is true: the smallest union of whole atoms that contains
        the chosen rows (restricted to ``rows``, which must hold every row of those atoms
        for it to be that union; a partition's rows do)."""
        rows = np.asarray(rows, dtype=np.int64)
        chosen = np.asarray(chosen, dtype=bool)
        if chosen.shape != rows.shape:
            raise ValueError("closure: rows and chosen must have the same length")
        known = rows >= 0
        hit = np.zeros(self.n_atoms, dtype=bool)
        hit[self._atom[rows[known & chosen]]] = True
        out = np.zeros(len(rows), dtype=bool)
        out[known] = hit[self._atom[rows[known]]]
        return out


def _per_la(frame: pd.DataFrame, idx: np.ndarray, la_codes: np.ndarray, n_la: int) -> np.ndarray:
    f = np.bincount(la_codes[idx], weights=frame[0][idx], minlength=n_la)
    r = np.bincount(la_codes[idx], weights=frame[1][idx], minlength=n_la)
    live = (f > 0) | (r > 0)
    return np.column_stack([f[live], r[live]])


def _pooled_safe(children, keys, values, la_codes, n_la, rule: AtomRule) -> bool:
    merged = np.concatenate([children[v] for v in keys])
    return rule.safe(_per_la(values, merged, la_codes, n_la))


def _partition(
    idx: np.ndarray,
    dims: Sequence[str],
    codes: Mapping[str, np.ndarray],
    values: tuple[np.ndarray, np.ndarray],
    la_codes: np.ndarray,
    n_la: int,
    rule: AtomRule,
    out: list[np.ndarray],
) -> None:
    """Mondrian split of ``idx`` along ``dims`` in order; appends atoms to ``out``."""
    for dim in dims:
        col = codes[dim][idx]
        vals = np.unique(col)
        if len(vals) < 2:
            continue
        children = {v: idx[col == v] for v in vals}
        info = {v: _per_la(values, c, la_codes, n_la) for v, c in children.items()}
        small = [v for v in vals if not rule.safe(info[v])]
        big = sorted(
            (v for v in vals if v not in small),
            key=lambda v: (info[v][:, 1].sum(), len(info[v]), v),
        )
        rest = list(small)
        while rest and big and not _pooled_safe(children, rest, values, la_codes, n_la, rule):
            rest.append(big.pop(0))
        if rest and not big:  # everything pooled: no split on this dimension
            continue
        groups = [children[v] for v in big]
        if rest:
            groups.append(np.concatenate([children[v] for v in rest]))
        remaining = [d for d in dims if d != dim]
        for g in groups:
            _partition(g, remaining, codes, values, la_codes, n_la, rule, out)
        return
    out.append(idx)


def _atoms_for(part: pd.DataFrame, order: Sequence[str], rule: AtomRule) -> list[np.ndarray]:
    codes = {d: pd.factorize(part[d], sort=True)[0] for d in order}
    la_codes, las = pd.factorize(part["authority_id"])
    values = (part[FINDINGS].to_numpy(float), part[RESPONDENTS].to_numpy(float))
    idx = np.arange(len(part))
    whole = _per_la(values, idx, la_codes, len(las))
    if not rule.safe(whole):
        return [idx]  # one atom that is never published whole: see _unsafe_root below
    out: list[np.ndarray] = []
    _partition(idx, order, codes, values, la_codes, len(las), rule, out)
    return out


def _utility(part: pd.DataFrame, atoms: list[np.ndarray]) -> int:
    """Published cells of the headline views (for choosing a split order)."""
    atom = np.empty(len(part), dtype=np.int64)
    for i, a in enumerate(atoms):
        atom[a] = i
    size = np.bincount(atom, minlength=len(atoms))
    score = 0
    for by in HEADLINE_VIEWS:
        codes = part.groupby(list(by), sort=False, observed=True).ngroup().to_numpy()
        pair = codes * len(atoms) + atom
        present, counts = np.unique(pair, return_counts=True)
        bad = set((present // len(atoms))[counts != size[present % len(atoms)]].tolist())
        score += int(codes.max() + 1) - len(bad)
    return score


def _shared(pool: dict[frozenset, frozenset], values: frozenset) -> frozenset:
    """``values`` as the one equal frozenset already in ``pool``: atoms repeat the same few
    sets (one period, "-", a single group), and a national warm-up's 280 score cubes kept
    a separate copy for every atom and dimension (about 60 MB)."""
    return pool.setdefault(values, values)


def build_cube(
    rows: pd.DataFrame,
    rules: DisclosureRules | None = None,
    *,
    protection: float = 0.5,
    orders: Sequence[Sequence[str]] = SPLIT_ORDERS,
) -> FindingsCube:
    """The protected cube of finding rows (one per authority and code combination, with
    ``findings`` and ``respondents_raising`` counts; columns period, *DIMS, authority_id),
    atoms built per period."""
    need = {"period", *DIMS, "authority_id", FINDINGS, RESPONDENTS}
    missing = need - set(rows.columns)
    if missing:
        raise ValueError(f"finding rows lack columns {sorted(missing)}")
    rules = rules or DisclosureRules()
    rule = AtomRule(rules, protection)
    keys = ["period", *DIMS, "authority_id"]
    base = rows[list(need)].copy()
    for d in ["period", *DIMS]:
        base[d] = base[d].astype(str)
    base = base.groupby(keys, sort=True, observed=True, as_index=False)[[FINDINGS, RESPONDENTS]]
    base = base.sum()
    base = base.loc[(base[FINDINGS] > 0) | (base[RESPONDENTS] > 0)].reset_index(drop=True)
    atom = np.full(len(base), -1, dtype=np.int64)
    sizes: list[int] = []
    dims_of: list[dict[str, frozenset]] = []
    chosen: dict[str, tuple[str, ...]] = {}
    shared: dict[frozenset, frozenset] = {}  # one object per distinct set of values
    for period, pos in base.groupby("period", sort=True).indices.items():
        part = base.iloc[pos].reset_index(drop=True)
        best = None
        for order in orders:
            atoms = _atoms_for(part, order, rule)
            score = _utility(part, atoms)
            if best is None or score > best[0]:
                best = (score, tuple(order), atoms)
        _, order, atoms = best
        chosen[period] = order
        unsafe_root = len(atoms) == 1 and not rule.safe(
            part.groupby("authority_id")[[FINDINGS, RESPONDENTS]].sum().to_numpy(float)
        )
        # numpy columns: pandas indexing per atom (part[d].iloc[a]) took most of a national
        # warm-up's 280 cube builds
        values = {d: part[d].to_numpy() for d in ("period", *DIMS)}
        for a in atoms:
            if unsafe_root:  # the whole period is too small: every figure stays c
                sizes.append(len(base) + 1)  # never complete
            else:
                sizes.append(len(a))
            atom[pos[a]] = len(sizes) - 1
            dims_of.append(
                {d: _shared(shared, frozenset(v[a].tolist())) for d, v in values.items()}
            )
    base["atom"] = atom
    return FindingsCube(base, np.array(sizes, dtype=np.int64), dims_of, rules, chosen)


def format_count(value: object, suppressed: bool) -> str:
    """``c`` for a suppressed figure, else the integer."""
    return SUPPRESSED if suppressed else str(int(value))


def own_rows(rows: pd.DataFrame, own: Collection[int]) -> pd.DataFrame:
    """The viewer's own authority's rows (shown to them in full, never pooled)."""
    return rows.loc[rows["authority_id"].isin(list(own))]


LIST_COLUMNS = [
    "period", "supplier_group", "authority", "theme", "category", "workflow_area", "severity",
    RESPONDENTS, "description", "suggested_change",
]  # fmt: skip
OTHER_GROUPS = "Other suppliers"


@dataclass(frozen=True)
class ListChoice:
    """Which findings of a selection one viewer may see listed, and the note saying so."""

    mine: np.ndarray  # the viewer's own findings (listed in full, by name)
    listed: np.ndarray  # other authorities' findings that may be listed
    labels: np.ndarray  # per finding, its supplier group as a listed row shows it
    left_out: int  # other authorities' findings in the selection not listed
    total_published: bool  # whether the selection's total is a published figure
    atoms: np.ndarray | None = None  # per finding, its atom (saves looking each up again)

    def note(self, rules: DisclosureRules, n_listed: int) -> str:
        listed = f"{n_listed} findings are listed."
        if not self.left_out:
            return listed
        howmany = f"{self.left_out} findings" if self.total_published else "Some findings"
        return (
            f"{listed} {howmany} of other authorities in this selection are not listed: "
            "listing them could let the findings of fewer than "
            f"{rules.min_las + 1} authorities be worked out, alone or with other views. "
            f"Rows of supplier groups too small to name show {OTHER_GROUPS!r}; place names, "
            "and there product names, are redacted from the text; no row names another "
            "authority."
        )


def list_choice(
    cube: FindingsCube,
    findings: pd.DataFrame,
    filters: Mapping[str, object],
    own: Collection[int] = frozenset(),
) -> ListChoice:
    """Per finding of the selection (``findings``: one row per finding, with period,
    *DIMS, authority_id; already narrowed to ``filters``): whether it is the viewer's own,
    whether another authority's may be listed (its atom may be listed under ``filters``,
    :meth:`FindingsCube.listable`), and the supplier group a listed row shows."""
    fixed = {d: v for d, v in filters.items() if v is not ALL}
    mine = findings["authority_id"].isin(list(own)).to_numpy(dtype=bool)
    ok_atoms, _ = cube.listable(fixed)
    atom = cube.atom_of(findings)
    listed = np.isin(atom, ok_atoms) & ~mine
    labels = np.array(
        [cube.atom_label(a, "group", OTHER_GROUPS) if a >= 0 else OTHER_GROUPS for a in atom],
        dtype=object,
    )
    left_out = int((~listed & ~mine).sum())
    total = cube.cell(fixed)
    return ListChoice(mine, listed, labels, left_out, not bool(total["suppressed"]), atom)


@dataclass(frozen=True)
class Listing:
    """A findings list (as data, without a database) and the choice behind it."""

    rows: pd.DataFrame  # LIST_COLUMNS
    choice: ListChoice
    source: pd.DataFrame  # the listed findings as stored (for auditing; never shown)

    @property
    def left_out(self) -> int:
        return self.choice.left_out

    def note(self, rules: DisclosureRules) -> str:
        return self.choice.note(rules, len(self.rows))


def findings_listing(
    cube: FindingsCube,
    findings: pd.DataFrame,
    filters: Mapping[str, object],
    *,
    own: Collection[int] = frozenset(),
    own_names: Mapping[int, str] | None = None,
    place_names: Collection[str] = (),
    product_names: Collection[str] = (),
) -> Listing:
    """The findings behind a selection for one viewer (:func:`list_choice`), with text.

    ``findings``: one row per finding (period, *DIMS, authority_id, respondents_raising,
    description, suggested_change). The viewer's own findings are listed in full under
    their authority's name; another authority's with no authority column, its supplier
    group as its atom shows it, and place (and, where the group is not shown, product)
    names redacted."""
    from data.privacy.identifying import redact_names

    fixed = {d: v for d, v in filters.items() if v is not ALL}
    mask = np.ones(len(findings), dtype=bool)
    for dim, value in fixed.items():
        mask &= (findings[dim].astype(str) == str(value)).to_numpy(dtype=bool)
    chosen = findings.loc[mask].reset_index(drop=True)
    choice = list_choice(cube, chosen, fixed, own)
    keep = choice.mine | choice.listed
    names = dict(own_names or {})
    out = chosen.loc[keep].assign(
        supplier_group=np.where(
            choice.mine[keep], chosen.loc[keep, "group"].astype(str), choice.labels[keep]
        ),
        authority=[
            names.get(a, "Your authority") if m else ""
            for a, m in zip(chosen.loc[keep, "authority_id"], choice.mine[keep], strict=True)
        ],
    )
    for col in ("description", "suggested_change"):
        texts = []
        for text, mine, group in zip(out[col], choice.mine[keep], out["supplier_group"],
                                     strict=True):  # fmt: skip
            if not mine:
                text = redact_names(text, tuple(place_names), "place")
                if group == OTHER_GROUPS:
                    text = redact_names(text, tuple(product_names), "product")
            texts.append(text)
        out[col] = texts
    rows = out[LIST_COLUMNS].reset_index(drop=True)
    return Listing(rows, replace_choice(choice, keep), chosen.loc[keep].reset_index(drop=True))


def replace_choice(choice: ListChoice, keep: np.ndarray) -> ListChoice:
    """``choice`` restricted to the kept rows (the counts and flags stay)."""
    return ListChoice(
        choice.mine[keep], choice.listed[keep], choice.labels[keep], choice.left_out,
        choice.total_published, None if choice.atoms is None else choice.atoms[keep],
    )  # fmt: skip
