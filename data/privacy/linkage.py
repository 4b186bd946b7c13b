"""Finding text as a key: the same words listed in several places link those rows.

A listed row of another authority reveals its atom (data.privacy.cube): its period and the
groups, regions and LA types it covers. Each atom rests on at least ``min_las + 1``
contributing authorities. But an authority that repeats a finding's text in two periods
(or the same text sits in two atoms of one period) is seen twice, under two descriptions,
and a viewer who assumes one author learns that it is in *both* atoms: say NE (all LA
types) in one period and unitary (all regions) in the next. The text's anonymity set is
the intersection of the contributors of every atom it is seen in; if that leaves 1 to
``min_las - 1`` authorities, the text points at them.

:func:`linked_atoms` finds such texts (normalised: case, spacing and punctuation ignored)
and the atoms to withhold so that every text is seen only where its sightings still
intersect in at least ``min_las`` authorities, or in none of its authors (then the
narrowing points at someone who did not write it). A text written by ``min_las`` or more
authorities is a common phrase, not a key: seeing it in two atoms does not say one
authority is behind both. Whole atoms are withheld, never single rows, since counting the
rest of an atom would give the withheld rows' figures. The choice depends on the data only,
never on the filters or the viewer, so every view withholds the same atoms.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from data.privacy.cube import FINDING_DIMS, FindingsCube
from data.privacy.disclosure import DisclosureRules

MAX_SUBSETS = 8  # sightings up to which every subset is checked (else pairs and all)
_SPACE = re.compile(r"[\W_]+", re.UNICODE)


def normalise(text: object) -> str:
    """``text`` as a key: lower case, punctuation and runs of spacing as one space."""
    return _SPACE.sub(" ", str(text or "")).strip().lower()


def atom_contributors(cube: FindingsCube) -> list[frozenset[int]]:
    """Per atom, the authorities with findings in it."""
    las = cube.rows.groupby("atom")["authority_id"].agg(lambda s: frozenset(s.astype(int)))
    return [las.get(a, frozenset()) for a in range(cube.n_atoms)]


def _listable_anywhere(cube: FindingsCube) -> np.ndarray:
    """Atoms that some selection lists (they name one value of every finding attribute)."""
    return np.array([all(len(d[k]) == 1 for k in FINDING_DIMS) for d in cube.atom_dims], dtype=bool)


def _too_narrow(
    sets: Sequence[frozenset[int]], rules: DisclosureRules, authors: frozenset[int]
) -> bool:
    """Whether some sightings' contributors intersect in 1 to ``min_las - 1`` authorities,
    one of them an author of the text (else the narrowing points at someone who did not
    write it: a wrong guess, not a disclosure)."""
    if len(sets) < 2:
        return False
    if len(sets) <= MAX_SUBSETS:
        groups = (c for k in range(2, len(sets) + 1) for c in itertools.combinations(sets, k))
    else:
        groups = itertools.chain(itertools.combinations(sets, 2), [tuple(sets)])
    for group in groups:
        common = frozenset.intersection(*group)
        if 1 <= len(common) < rules.min_las and common & authors:
            return True
    return False


def linked_atoms(
    cube: FindingsCube, texts: pd.DataFrame, rules: DisclosureRules | None = None
) -> frozenset[int]:
    """Atoms to withhold from every findings list of other authorities.

    ``texts``: one row per finding (period, the cube's dims with supplier groups as the
    cube has them, authority_id, description). For each text seen in atoms whose
    contributors intersect too narrowly, all its atoms but one are withheld: the one of
    the latest period (the most contributors, then the lowest id, among ties)."""
    rules = rules or DisclosureRules()
    if texts.empty:
        return frozenset()
    atoms = cube.atom_of(texts)
    ok = _listable_anywhere(cube)
    keys = np.array([normalise(t) for t in texts["description"]], dtype=object)
    las = texts["authority_id"].astype(int).to_numpy()
    frame = pd.DataFrame({"key": keys, "atom": atoms, "la": las})
    frame = frame.loc[(frame["atom"] >= 0) & (frame["key"] != "")]
    frame = frame.loc[ok[frame["atom"].to_numpy()]].drop_duplicates()
    spread = frame.groupby("key")["atom"].nunique()  # texts seen in one atom link nothing
    frame = frame.loc[(frame["key"].map(spread) >= 2).to_numpy(dtype=bool)]
    if frame.empty:
        return frozenset()
    contributors = atom_contributors(cube)
    period = [next(iter(d["period"])) for d in cube.atom_dims]
    blocked: set[int] = set()
    for _key, part in frame.groupby("key", sort=True):
        seen = sorted(set(part["atom"].tolist()) - blocked)
        authors = frozenset(part["la"].tolist())
        if len(authors) >= rules.min_las:
            continue  # a phrase that many authorities wrote is no one authority's key
        if not _too_narrow([contributors[a] for a in seen], rules, authors):
            continue
        keep = max(seen, key=lambda a: (period[a], len(contributors[a]), -a))
        blocked.update(a for a in seen if a != keep)
    return frozenset(blocked)


def without_atoms(choice, cube: FindingsCube, found: pd.DataFrame, blocked: frozenset[int]):
    """A data.privacy.cube.ListChoice for ``found`` with the rows of ``blocked`` atoms no
    longer listed (the viewer's own rows stay)."""
    from dataclasses import replace

    if not blocked:
        return choice
    atoms = cube.atom_of(found) if choice.atoms is None else choice.atoms
    listed = choice.listed & ~np.isin(atoms, list(blocked))
    return replace(choice, listed=listed, left_out=int((~listed & ~choice.mine).sum()))
