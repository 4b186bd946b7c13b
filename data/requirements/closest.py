"""A finding's closest findings within its candidate group, for the requirements page.

Only the findings the viewer already sees in that group's list are compared and shown (the
caller passes that list, as data.pages.evidence.candidate_findings guards it: same anonymised
authority, same redacted text), so the similarities reveal nothing disclosure control
withholds.

Findings with the same text (data.privacy.linkage.normalise, the key Themes uses: case,
punctuation and spacing aside; no stemming or synonyms, so two wordings of one problem stay
apart) are one row with a count: several authorities often report a problem in the same
words, and five 100% rows of one sentence would hide the findings that are merely alike.
The chosen finding's own text is never its neighbour: copies of it are counted in the note
instead."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy.orm import Session

from data.errors import NotFound
from data.privacy.linkage import normalise as same_text  # the key Themes uses for "same text"
from data.requirements import clusters

if TYPE_CHECKING:
    from data.requirements.grouping.explain import Neighbour

COLUMNS = ["finding_id", "authority", "similarity", "how_alike", "description", "copies"]

# Plain words for a similarity (the cosine of grouping.explain.nearest_in_group), highest
# band first.
SIMILARITY_WORDS = (
    (0.75, "almost the same"),
    (0.5, "very similar"),
    (0.3, "similar"),
    (0.15, "somewhat similar"),
    (float("-inf"), "loosely related"),
)


def similarity_words(similarity: float) -> str:
    """How alike two findings are, in words a curator reads next to the percentage."""
    return next(words for floor, words in SIMILARITY_WORDS if similarity >= floor)


def similarity_percent(similarity: float) -> str:
    """A similarity as a whole percentage, 0 % for the (rare) negative cosines."""
    return f"{round(max(similarity, 0.0) * 100)}%"


@dataclass(frozen=True)
class Closest:
    finding_id: int
    authority: str  # the chosen finding's, as the group's list shows it
    description: str
    compared: int  # findings of the group shown to the viewer, the chosen one included
    rows: pd.DataFrame  # COLUMNS, most similar first, one row per distinct text
    same_as_chosen: int = 0  # other shown findings with the chosen finding's own text


def finding_number(value: object) -> int:
    """A finding id from a request (untrusted)."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError) as exc:
        raise NotFound("Unknown finding.") from exc
    if number <= 0:
        raise NotFound("Unknown finding.")
    return number


def closest_findings(
    session: Session,
    shown: pd.DataFrame,
    cluster_id: str,
    finding_id: object,
    k: int = 5,
) -> Closest:
    """The k findings of candidate cluster_id most similar to finding_id, among `shown` (the
    group's findings as the viewer's list shows them); refuses a finding not in it."""
    fid = finding_number(finding_id)
    if fid not in set(shown["finding_id"].astype(int)):
        raise NotFound(f"Finding {fid} is not among the findings shown to you in {cluster_id}.")
    # every neighbour, most alike first: copies are collapsed before the k rows are taken
    near = clusters.finding_neighbours(session, shown[["finding_id"]], fid, len(shown))
    by_id = shown.assign(finding_id=shown["finding_id"].astype(str)).set_index("finding_id")
    chosen = by_id.loc[str(fid)]
    rows, copies = finding_rows(by_id, str(chosen["description"]), near, k)
    return Closest(
        fid, str(chosen["authority"]), str(chosen["description"]), len(shown), rows, copies
    )


def finding_rows(
    by_id: pd.DataFrame, chosen_text: str, near: Sequence[Neighbour], k: int
) -> tuple[pd.DataFrame, int]:
    """(up to k rows of COLUMNS, one per distinct text, most alike first; how many neighbours
    have the chosen finding's own text). `by_id` is the shown list indexed by finding id as
    text; `near` the neighbours most alike first. A row stands for every finding with its
    text: the first (most alike) one's id and similarity, the authorities as the list shows
    them (each once), and their number in `copies`."""
    own = same_text(chosen_text)
    rows: dict[str, dict] = {}
    who: dict[str, list[str]] = {}
    same_as_chosen = 0
    for n in near:
        text = str(by_id.at[n.finding_id, "description"])
        key = same_text(text)
        if key == own:
            same_as_chosen += 1
            continue
        authority = str(by_id.at[n.finding_id, "authority"])
        if key not in rows:
            rows[key] = {
                "finding_id": n.finding_id,
                "similarity": similarity_percent(n.similarity),
                "how_alike": similarity_words(n.similarity),
                "description": text,
                "copies": 0,
            }
            who[key] = []
        rows[key]["copies"] += 1
        if authority not in who[key]:
            who[key].append(authority)
    kept = [{**row, "authority": "; ".join(who[key])} for key, row in list(rows.items())[:k]]
    return pd.DataFrame(kept, columns=COLUMNS), same_as_chosen
