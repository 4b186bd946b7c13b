"""`icsdash requirements ...`: candidate requirements from the command line.

- ``cluster INPUT.csv --output OUTPUT.csv``: group similar findings in a CSV file (the same
  code as the app: data.requirements.grouping.clustering via its csv_io); no database needed.
- ``regroup``: recompute the stored candidates of the database (FindingCluster), keeping earlier
  ids and curated decisions; run after imports (national scale is a batch job, not a page).

Wire into dashboard/cli.py's build_parser with ``cli_requirements.add_parser(sub)``."""

from __future__ import annotations

import argparse

from data.errors import DomainError


def cmd_cluster(args, config) -> int:
    """Write OUTPUT.csv: every input column plus cluster_id."""
    from data.requirements.grouping.csv_io import cluster_csv

    kwargs = {"threshold": args.threshold} if args.threshold is not None else {}
    try:
        groups = cluster_csv(args.input, args.output, **kwargs)
    except (OSError, ValueError, KeyError) as exc:
        raise DomainError(f"cannot cluster {args.input}: {exc}") from exc
    print(f"{groups} candidate groups written to {args.output}")
    return 0


def cmd_regroup(args, config) -> int:
    """Recompute stored candidates in the configured database."""
    from dashboard.cli_boundary import open_engine
    from data.requirements.clusters import regroup
    from data.store.db import make_sessionmaker, session_scope

    engine = open_engine(config)  # an existing database with the current schema, or one line
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            kwargs = {"threshold": args.threshold} if args.threshold is not None else {}
            print(regroup(session, None, **kwargs).message())
    finally:
        engine.dispose()
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add the `requirements` command group to icsdash's subparsers."""
    req = subparsers.add_parser("requirements", help="candidate requirements from findings")
    sub = req.add_subparsers(dest="requirements_command", required=True)
    cl = sub.add_parser(
        "cluster",
        help="group similar findings in a CSV file",
        description="INPUT needs finding_id,authority,supplier,theme,workflow_area,category,"
        "severity,respondents_raising,description,suggested_change (extra columns are kept). "
        "OUTPUT gets every input column plus cluster_id.",
    )
    cl.add_argument("input", metavar="INPUT.csv")
    cl.add_argument("--output", "-o", required=True, metavar="OUTPUT.csv")
    cl.add_argument("--threshold", type=float, default=None, help="merge threshold (advanced)")
    cl.set_defaults(func=cmd_cluster)
    rg = sub.add_parser("regroup", help="recompute the stored candidates in the database")
    rg.add_argument("--threshold", type=float, default=None, help="merge threshold (advanced)")
    rg.set_defaults(func=cmd_regroup)
