"""When the findings cube may publish a union's authority count (``n_las``).

Finding and respondent totals add up over atoms, so a union of whole atoms says nothing
finer than its atoms (data.privacy.cube). Authority counts do not add up over atoms, but
they do over *blocks*: an authority has one region and one LA type (both public), and a
viewer may assume it uses one supplier group per period, so it lies in exactly one block
(period, supplier group, region, LA type) and a union's count is the sum of its parts'
counts per block. A viewer can therefore bound the count of a suppressed part of a block
from above by subtracting lower bounds of the other blocks' parts (every published count
inside them is one). Three ways, all closed here:

1. **Inside a published union** ``U``: ``n(U in b) <= n(U) - n(U outside b)``. Every
   published figure inside ``U`` and outside block ``b`` is a union of ``U``'s atoms that
   do not touch ``b``, so the best lower bound is at most ``n(W)``, ``W`` the union of all
   those atoms, and the bound at least the number of ``U``'s authorities in no atom of
   ``W``. ``n(U)`` is published only if, for every block ``U`` touches, that number is at
   least ``need`` (``min_las``, plus one for a viewer who subtracts its own authority).
   Atoms that each lie in one block always pass (an atom has ``min_las + 1``
   authorities); an atom pooling a small group (or region, or LA type) with others must
   not be the only unexplained part of a published count. E.g. region NE (6 authorities)
   whose only atom holding group A's one authority pools it with group B, next to a
   published B-in-NE cell of the other 5: NE's count is withheld.
2. **Against the authorities of a region** (which authorities take part, and where, may
   be known; a table lists no row for an empty cell, so which finest cells are empty is
   known too): ``n(b) <= N(region) - n(region outside b)``. The test of rule 1 is made on
   each region, and each region x LA type, of a period as if its count were published,
   with the atoms lying wholly inside it; where a small block fails it, every union of the
   atoms inside the region that do not touch the block (the only published figures that
   could bound the rest of the region from below) has its count withheld.
3. **Against the authorities a count could hold**: a region x LA type in which a union
   has no finding cannot hold its authorities (a table lists no row for an empty cell),
   so a published count bounds from below the authorities of the region x LA types it
   spans, as one set. A count that leaves fewer than ``need`` of them outside it is
   withheld if it avoids a small block there (a national theme raised by all but two of
   the authorities of the regions and LA types it appears in, one of them a group's only
   authority in a region and LA type). Rule 2's zones are not made at the level of the
   country or an LA type: there every union avoiding any small block would lose its count
   (on the demo data every headline count), though a viewer needs the counts of
   block-disjoint cells covering all but a few authorities of the country to use them.

Sums of several block-disjoint counts against the authorities of several regions (rule 3
takes one count at a time) are not derived here: the LA-count auditor (data.privacy.la_counts)
checks the cube's tables on fixtures and random data (tests/unit/test_la_counts.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from data.privacy.disclosure import DisclosureRules

BLOCK_DIMS = ("period", "group", "region", "la_type")
# the sets of authorities a viewer may know whole: per period, each region and each region
# x LA type
UNIVERSES = (("period", "region"), ("period", "region", "la_type"))
# the finest sets of authorities a viewer may know whole (rule 3 unites those a count spans)
PLACES = ("period", "region", "la_type")


class CountRule:
    """The count rule of one cube's rows (``rows``: period, group, region, la_type,
    authority_id; ``atom``: each row's atom)."""

    def __init__(
        self, rows: pd.DataFrame, atom: np.ndarray, n_atoms: int, rules: DisclosureRules
    ) -> None:
        self.need = rules.min_las + (1 if rules.discount_own else 0)
        self._la = rows["authority_id"].to_numpy(dtype=np.int64)
        self._atom = np.asarray(atom, dtype=np.int64)
        self._block = _codes(rows, BLOCK_DIMS)
        blocks: list[set[int]] = [set() for _ in range(n_atoms)]
        for a, b in set(zip(self._atom.tolist(), self._block.tolist(), strict=True)):
            blocks[a].add(b)
        self.blocks = [frozenset(s) for s in blocks]  # per atom, the blocks it touches
        self._zones_of = self._zones(rows, n_atoms)  # per atom, the withheld zones it is in
        self._place = _codes(rows, PLACES)
        self._place_las: dict[int, frozenset] = {}
        self._place_small: dict[int, frozenset] = {}
        for u, pos in pd.Series(self._place).groupby(self._place).indices.items():
            self._place_las[u] = frozenset(self._la[pos].tolist())
            per_block = pd.Series(self._la[pos]).groupby(self._block[pos]).nunique()
            self._place_small[u] = frozenset(per_block.index[per_block < self.need].tolist())

    def publishable(self, rows: np.ndarray) -> bool:
        """Whether the count of the union of whole atoms at positions ``rows`` may be
        published: rules 1 and 3 of the module docstring, and not inside a zone of rule 2."""
        las, atoms = self._la[rows], self._atom[rows]
        present = np.unique(atoms).tolist()
        zones = set(self._zones_of[present[0]]) if present else set()
        for a in present[1:]:
            zones &= self._zones_of[a]
            if not zones:
                break
        if zones:
            return False
        if not self.explained(las, atoms):
            return False
        return self.apart(rows, las, present)

    def apart(self, rows: np.ndarray, las: np.ndarray, atoms: list[int]) -> bool:
        """Rule 3: a count that leaves fewer than ``need`` of the authorities it could hold
        (those of every region x LA type it has a finding in) unaccounted for must not
        avoid a small block among them."""
        places = np.unique(self._place[rows]).tolist()
        touched = frozenset().union(*(self.blocks[a] for a in atoms))
        small = frozenset().union(*(self._place_small[u] for u in places))
        if not small - touched:
            return True
        could = frozenset().union(*(self._place_las[u] for u in places))
        return len(could) - len(np.unique(las)) >= self.need

    def explained(self, las: np.ndarray, atoms: np.ndarray) -> bool:
        """Rule 1: for every block the union touches, at least ``need`` of its authorities
        are in no atom of the union that avoids that block."""
        touched: set[int] = set()
        per_la: dict[int, frozenset] = {}
        for la, a in set(zip(las.tolist(), atoms.tolist(), strict=True)):
            mine = self.blocks[a]
            touched |= mine
            per_la[la] = per_la[la] & mine if la in per_la else mine
        counts: dict[int, int] = {}
        for shared in per_la.values():  # the blocks every atom of this authority touches
            for b in shared:
                counts[b] = counts.get(b, 0) + 1
        return all(counts.get(b, 0) >= self.need for b in touched)

    def _zones(self, rows: pd.DataFrame, n_atoms: int) -> list[frozenset[int]]:
        """Rule 2: per atom, the zones (sets of atoms whose unions' counts are withheld)
        it belongs to."""
        size = np.bincount(self._atom, minlength=n_atoms)
        member: list[set[int]] = [set() for _ in range(n_atoms)]
        zone = 0
        block, touch = self._block, self.blocks
        atom_las: list[set[int]] = [set() for _ in range(n_atoms)]
        for a, la in set(zip(self._atom.tolist(), self._la.tolist(), strict=True)):
            atom_las[a].add(la)
        for dims in UNIVERSES:
            for pos in rows.groupby(list(dims), sort=False, observed=True).indices.values():
                inside_atoms = np.unique(self._atom[pos])
                inside_atoms = inside_atoms[
                    np.bincount(self._atom[pos], minlength=n_atoms)[inside_atoms]
                    == size[inside_atoms]
                ]
                everyone = set(np.unique(self._la[pos]).tolist())
                for b in np.unique(block[pos]).tolist():
                    own = block[pos] == b
                    if len(np.unique(self._la[pos][own])) >= self.need:
                        continue  # a block this large can never be pinned below min_las
                    rest = [a for a in inside_atoms.tolist() if b not in touch[a]]
                    if not rest:
                        continue
                    seen = set().union(*(atom_las[a] for a in rest))
                    if len(everyone - seen) >= self.need:
                        continue
                    for a in rest:
                        member[a].add(zone)
                    zone += 1
        return [frozenset(m) for m in member]


def _codes(rows: pd.DataFrame, dims: tuple[str, ...]) -> np.ndarray:
    return rows.groupby(list(dims), sort=False, observed=True).ngroup().to_numpy(np.int64)
