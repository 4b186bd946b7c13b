"""CSV in / CSV out wrapper around ``grouping.clustering`` for the command-line interface.

Administrators script clustering runs on exported findings, so this module reads a findings CSV,
validates it up front with plain-English errors, and writes every input column back unchanged
(same order) with a ``cluster_id`` column added. If the input already has ``cluster_id`` values
they are treated as the previous run's ids and kept (see ``cluster_findings(previous=...)``), so
re-running on an earlier output is stable.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from data.queries.csv_export import csv_text
from data.requirements.grouping.clustering import (
    DEFAULT_THRESHOLD,
    check_findings,
    cluster_findings,
)

INPUT_COLUMNS = (
    "finding_id",
    "authority",
    "supplier",
    "theme",
    "workflow_area",
    "category",
    "severity",
    "respondents_raising",
    "description",
    "suggested_change",
)
OUTPUT_COLUMN = "cluster_id"


def read_findings(path: str | Path) -> pd.DataFrame:
    """Findings CSV as strings (UTF-8, with or without BOM); ValueError if columns are missing."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in INPUT_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{Path(path).name}: missing required column(s): {', '.join(missing)}")
    frame["finding_id"] = frame["finding_id"].str.strip()
    try:
        check_findings(frame)
    except ValueError as exc:
        raise ValueError(f"{Path(path).name}: {exc}") from None
    return frame


def cluster_csv(
    input_path: str | Path, output_path: str | Path, *, threshold: float | None = None
) -> int:
    """Cluster the findings in input_path, write them with cluster_id; return the cluster count."""
    frame = read_findings(input_path)
    previous = None
    if OUTPUT_COLUMN in frame.columns:
        earlier = frame[frame[OUTPUT_COLUMN].str.strip() != ""]
        previous = dict(zip(earlier["finding_id"], earlier[OUTPUT_COLUMN].str.strip(), strict=True))
    labels = cluster_findings(
        frame, previous=previous, threshold=DEFAULT_THRESHOLD if threshold is None else threshold
    )
    frame[OUTPUT_COLUMN] = labels
    Path(output_path).write_text(csv_text(frame), encoding="utf-8", newline="")
    return int(labels.nunique())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Group similar findings into candidates.")
    parser.add_argument("input", type=Path, help="findings CSV")
    parser.add_argument("output", type=Path, help="where to write the CSV with cluster_id")
    parser.add_argument("--threshold", type=float, default=None)
    args = parser.parse_args(argv)
    try:
        count = cluster_csv(args.input, args.output, threshold=args.threshold)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{count} clusters written to {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
