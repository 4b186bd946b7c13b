"""A finding's closest findings within its candidate group, for the requirements page.

Only the findings the viewer already sees in that group's list are compared and shown (the
caller passes that list, as data.pages.evidence.candidate_findings guards it: same anonymised
authority, same redacted text), so the similarities reveal nothing disclosure control
withholds."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy.orm import Session

from data.errors import NotFound
from data.requirements import clusters

COLUMNS = ["finding_id", "authority", "similarity", "how_alike", "description"]

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
    rows: pd.DataFrame  # COLUMNS, most similar first


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
    near = clusters.finding_neighbours(session, shown[["finding_id"]], fid, k)
    by_id = shown.assign(finding_id=shown["finding_id"].astype(str)).set_index("finding_id")
    rows = pd.DataFrame(
        [
            {
                "finding_id": n.finding_id,
                "authority": by_id.at[n.finding_id, "authority"],
                "similarity": similarity_percent(n.similarity),
                "how_alike": similarity_words(n.similarity),
                "description": by_id.at[n.finding_id, "description"],
            }
            for n in near
        ],
        columns=COLUMNS,
    )
    chosen = by_id.loc[str(fid)]
    return Closest(fid, str(chosen["authority"]), str(chosen["description"]), len(shown), rows)
