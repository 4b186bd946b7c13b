"""How candidate requirements are ranked and labelled: one rule, with its weights, that the
page shows word for word (``RankingRule.describe``).

score = w_las x LAs + w_groups x supplier groups + w_severity x average severity
        + w_respondents x respondents affected

- LAs and supplier groups: distinct authorities and groups whose current findings are in it.
- Average severity: mean weight of its findings (data/reference/severities.csv: low 1 ...
  critical 4).
- Respondents affected: for each LA, the respondents raising it in that LA's period with the
  most; summed over LAs, so an LA that reports the same problem every quarter counts once.

Labels: *supplier-specific* when seen in one supplier group only; *cross-supplier* when seen in
at least half of the supplier groups that have shared results and in at least 3 groups;
otherwise *several suppliers*.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import pandas as pd

from data.reference.codes import read_reference

SUPPLIER_SPECIFIC = "supplier-specific"
CROSS_SUPPLIER = "cross-supplier"
SEVERAL = "several suppliers"
MIN_CROSS_GROUPS = 3

CANDIDATE_COLUMNS = [
    "cluster_id",
    "findings",
    "las",
    "groups",
    "avg_severity",
    "respondents",
    "score",
    "label",
    "theme",
    "workflow_area",
    "rank",
]


@cache
def severity_weights() -> dict[str, float]:
    """Severity code -> weight, from data/reference/severities.csv."""
    return {r["code"]: float(r["weight"]) for r in read_reference("severities")}


@dataclass(frozen=True)
class RankingRule:
    las: float = 3.0
    groups: float = 5.0
    severity: float = 2.0
    respondents: float = 0.1

    def score(self, las: int, groups: int, avg_severity: float, respondents: int) -> float:
        return (
            self.las * las
            + self.groups * groups
            + self.severity * avg_severity
            + self.respondents * respondents
        )

    def describe(self) -> str:
        """The rule in one sentence, as shown on the page and in exports."""
        return (
            f"Score = {self.las:g} × authorities + {self.groups:g} × supplier groups + "
            f"{self.severity:g} × average severity (low 1 … critical 4) + "
            f"{self.respondents:g} × respondents affected. Highest score first; ties by "
            "candidate id."
        )

    def weights(self) -> list[dict[str, str]]:
        """Rows for a weights table: factor, weight, how it is counted."""
        sev = ", ".join(f"{k} {v:g}" for k, v in severity_weights().items())
        return [
            {
                "Factor": "Authorities (LAs)",
                "Weight": f"{self.las:g}",
                "Counted as": "distinct LAs whose current findings are in the candidate",
            },
            {
                "Factor": "Supplier groups",
                "Weight": f"{self.groups:g}",
                "Counted as": "distinct supplier groups of those LAs",
            },
            {
                "Factor": "Average severity",
                "Weight": f"{self.severity:g}",
                "Counted as": f"mean severity weight of its findings ({sev})",
            },
            {
                "Factor": "Respondents affected",
                "Weight": f"{self.respondents:g}",
                "Counted as": "per LA the respondents raising it in its period with the most, "
                "summed over LAs",
            },
        ]


RULE = RankingRule()


def label_rule(groups_with_data: int) -> str:
    """The labelling rule in words, for the number of groups that have shared results."""
    need = cross_supplier_minimum(groups_with_data)
    return (
        f"Supplier-specific: seen in one supplier group only. Cross-supplier: seen in at least "
        f"half of the {groups_with_data} supplier groups with results and in at least "
        f"{MIN_CROSS_GROUPS} groups (so here at least {need}); often a practice or national "
        "matter rather than a supplier defect. Otherwise: several suppliers."
    )


def cross_supplier_minimum(groups_with_data: int) -> int:
    return max(MIN_CROSS_GROUPS, math.ceil(groups_with_data / 2))


def label(groups: int, groups_with_data: int) -> str:
    """supplier-specific, cross-supplier or several suppliers (see the module docstring)."""
    if groups <= 1:
        return SUPPLIER_SPECIFIC
    if groups >= cross_supplier_minimum(groups_with_data):
        return CROSS_SUPPLIER
    return SEVERAL


def respondents_affected(findings: pd.DataFrame, by: str | None = None) -> pd.Series | int:
    """Respondents affected (see module docstring), per ``by`` value or overall."""
    keys = [by] if by else []
    per_period = findings.groupby([*keys, "authority_id", "period"])["respondents_raising"].sum()
    per_la = per_period.groupby(level=[*keys, "authority_id"]).max()
    if by:
        return per_la.groupby(level=by).sum()
    return int(per_la.sum())


def _modes(f: pd.DataFrame, col: str) -> pd.Series:
    """Most frequent value of ``col`` per cluster (ties: smallest value)."""
    counts = f.groupby(["cluster_id", col], observed=True).size().rename("n").reset_index()
    counts = counts.sort_values(["cluster_id", "n", col], ascending=[True, False, True])
    return counts.drop_duplicates("cluster_id").set_index("cluster_id")[col]


def rank_candidates(
    findings: pd.DataFrame, groups_with_data: int, rule: RankingRule = RULE
) -> pd.DataFrame:
    """One row per cluster_id (CANDIDATE_COLUMNS), best first.

    ``findings`` needs cluster_id, authority_id, supplier_id, period, theme, workflow_area,
    severity and respondents_raising (data.requirements.findings.finding_stats)."""
    if findings.empty:
        return pd.DataFrame(columns=CANDIDATE_COLUMNS)
    f = findings.dropna(subset=["cluster_id"])
    f = f.assign(sev=f["severity"].map(severity_weights()).fillna(1.0))
    g = f.groupby("cluster_id")
    out = pd.DataFrame(
        {
            "findings": g.size(),
            "las": g["authority_id"].nunique(),
            "groups": g["supplier_id"].nunique(),
            "avg_severity": g["sev"].mean().round(2),
            "respondents": respondents_affected(f, "cluster_id"),
            "theme": _modes(f, "theme"),
            "workflow_area": _modes(f, "workflow_area"),
        }
    )
    out["respondents"] = out["respondents"].astype("int64")
    out["score"] = (
        rule.las * out["las"]
        + rule.groups * out["groups"]
        + rule.severity * out["avg_severity"]
        + rule.respondents * out["respondents"]
    ).round(2)
    with_data = max(groups_with_data, 1)
    need = cross_supplier_minimum(with_data)
    out["label"] = SEVERAL
    out.loc[out["groups"] >= need, "label"] = CROSS_SUPPLIER
    out.loc[out["groups"] <= 1, "label"] = SUPPLIER_SPECIFIC
    out = out.reset_index().sort_values(["score", "cluster_id"], ascending=[False, True])
    out["rank"] = range(1, len(out) + 1)
    return out[CANDIDATE_COLUMNS].reset_index(drop=True)
