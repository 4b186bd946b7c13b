"""`icsdash requirements ...`: candidate requirements from the command line.

- ``cluster INPUT.csv --output OUTPUT.csv [--explain]``: group similar findings in a CSV file
  (the same code as the app: data.requirements.grouping.clustering via its csv_io); no database
  needed. --explain adds each group's typical finding and shared phrases.
- ``regroup``: recompute the stored candidates of the database (FindingCluster), keeping earlier
  ids and curated decisions; run after imports (national scale is a batch job, not a page).
- ``relate A B --as USERNAME`` / ``unrelate A B --as USERNAME``: mark two candidate groups
  "related, not the same" (they stay apart in every regroup and are shown as linked), or
  remove the mark, as that user. The mark is curation, so the requirements page's rule
  applies, through the same function (data.requirements.related.relate): only the NLAR rep of
  a supplier group both groups hold findings from, or a coordinator, and the audit names them.

Wire into dashboard/cli.py's build_parser with ``cli_requirements.add_parser(sub)``."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import pandas as pd

from data.errors import DomainError


def threshold(text: str) -> float:
    """--threshold: a similarity strictly between 0 and 1 (argparse shows the message)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 < value < 1:  # also refuses nan and inf
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a threshold: give a number between 0 and 1, e.g. 0.2"
        )
    return value


def check_paths(source: str, target: str) -> None:
    """Refuse, before any work, an input that is not a readable file and an output that
    would land in a missing folder, on a folder, or over the input."""
    from dashboard.cli_boundary import CliError, check_readable_files

    check_readable_files([source])
    out = Path(target)
    if out.is_dir():
        raise CliError(f"{target} is a folder: name the output file, e.g. {out / 'groups.csv'}")
    if not out.resolve().parent.is_dir():
        raise CliError(f"Cannot write {target}: the folder {out.parent} does not exist")
    if out.exists() and out.resolve() == Path(source).resolve():
        raise CliError(f"{target} is the input file: write the output to another file")


def cmd_cluster(args, config) -> int:
    """Write OUTPUT.csv: every input column plus cluster_id."""
    from data.requirements.grouping.clustering import model_status
    from data.requirements.grouping.csv_io import INPUT_COLUMNS, cluster_csv

    check_paths(args.input, args.output)
    kwargs = {"threshold": args.threshold} if args.threshold is not None else {}
    try:
        groups = cluster_csv(
            args.input, args.output, explain=getattr(args, "explain", False), **kwargs
        )
    except UnicodeDecodeError:
        raise DomainError(
            f"cannot cluster {args.input}: it is not UTF-8 text; save it as CSV UTF-8"
        ) from None
    except OSError as exc:
        if exc.filename is not None and Path(exc.filename) == Path(args.output):
            why = exc.strerror or str(exc)
            raise DomainError(f"cannot write {args.output}: {why}") from exc
        raise DomainError(f"cannot cluster {args.input}: {exc}") from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        why = str(exc).strip()
        raise DomainError(
            f"cannot cluster {args.input}: it is not a CSV table of findings ({why}); it needs "
            f"a header row naming {', '.join(INPUT_COLUMNS)}"
        ) from exc
    except (ValueError, KeyError) as exc:
        raise DomainError(f"cannot cluster {args.input}: {exc}") from exc
    print(f"{groups} candidate groups written to {args.output}")
    status = model_status()
    if not status.available:
        print(f"note: {status.notice()}")
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


def acting_user(session, username: str):
    """The Viewer of an active user named on the command line (--as), or one line saying so."""
    from sqlalchemy import select

    from data.privacy.access import Viewer
    from data.store.models import User

    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        raise DomainError(f"no active user called {username[:40]!r}: --as names the curator")
    return Viewer(user.id, user.role, user.authority_id, user.supplier_id)


def cmd_relate(args, config) -> int:
    """Mark (or with args.remove, unmark) two candidate groups as related, not the same, as
    the --as user, with the requirements page's rule (data.requirements.related)."""
    from dashboard.cli_boundary import CliError, open_engine
    from data.errors import PermissionDenied
    from data.requirements import related
    from data.store.db import make_sessionmaker, session_scope

    engine = open_engine(config)  # an existing database with the current schema, or one line
    change = related.unrelate if args.remove else related.relate
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            viewer = acting_user(session, args.as_user)
            try:
                changed = change(session, viewer, args.first, args.second)
            except PermissionDenied as exc:
                raise CliError(f"Not allowed for {args.as_user}: {exc}") from None
    finally:
        engine.dispose()
    state = "no longer marked" if args.remove else "marked"
    print(f"{args.first} and {args.second}: {state} related, not the same"
          + ("" if changed else " (unchanged)"))  # fmt: skip
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
    cl.add_argument(
        "--threshold", type=threshold, default=None, help="merge threshold, 0-1 (advanced)"
    )
    cl.add_argument(
        "--explain",
        action="store_true",
        help="add typical_finding and shared_phrases columns: why each group formed",
    )
    cl.set_defaults(func=cmd_cluster)
    rg = sub.add_parser("regroup", help="recompute the stored candidates in the database")
    rg.add_argument(
        "--threshold", type=threshold, default=None, help="merge threshold, 0-1 (advanced)"
    )
    rg.set_defaults(func=cmd_regroup)
    for name, remove, text in (
        ("relate", False, "mark two candidate groups related, not the same (kept apart)"),
        ("unrelate", True, "remove a related, not the same mark"),
    ):
        rel = sub.add_parser(name, help=text)
        rel.add_argument("first", metavar="GROUP_A", help="candidate id, e.g. C-123")
        rel.add_argument("second", metavar="GROUP_B")
        rel.add_argument(
            "--as",
            dest="as_user",
            required=True,
            metavar="USERNAME",
            help="the curator doing it: the NLAR rep of a supplier group both groups hold "
            "findings from, or a coordinator (recorded in the audit)",
        )
        rel.set_defaults(func=cmd_relate, remove=remove)
