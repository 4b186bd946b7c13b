"""`icsdash supplier ...`: what an administrator scripts around the supplier loop.

- ``notify-period PERIOD --opening [--until DATE]`` / ``--closing``: tell every LA's users
  that a period opens or closes for upload (inbox, feed, and e-mail where configured).
- ``api-token USERNAME [--label TEXT]``: make an API token for a supplier account; printed
  once, stored hashed.

Wired into dashboard/cli.py's build_parser with ``cli_supplier.add_parser(sub)``."""

from __future__ import annotations

import argparse
import re
from datetime import date

from data.errors import DomainError

PERIOD = re.compile(r"^\d{4}-Q[1-4]$")


def _sessions(config):
    """An existing database with the current schema (or one line saying what to do)."""
    from dashboard.cli_boundary import open_engine
    from data.store.db import make_sessionmaker

    engine = open_engine(config)
    return engine, make_sessionmaker(engine)


def _closing_date(text: str) -> str:
    """--until as a date people read ("31 March 2010"); anything else is refused."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise DomainError(
            f"{text[:40]!r} is not a date: write the closing date as YYYY-MM-DD, e.g. 2010-03-31"
        ) from None
    return f"{day.day} {day:%B %Y}"


def cmd_notify_period(args, config) -> int:
    from data.requirements import notifications
    from data.store.db import session_scope

    period = args.period.strip().upper()
    if not PERIOD.match(period):
        raise DomainError(f"{args.period!r} is not a period: write it as YYYY-Qn, e.g. 2010-Q3")
    until = _closing_date(args.until) if args.until else ""
    engine, sessions = _sessions(config)
    try:
        with session_scope(sessions) as session:
            told = notifications.upload_window(session, period, args.opening, until)
    finally:
        engine.dispose()
    print(f"{told} users told that {period} {'opens' if args.opening else 'has closed'}.")
    return 0


def cmd_api_token(args, config) -> int:
    from sqlalchemy import select

    from data.privacy.access import ADMIN, Viewer
    from data.requirements import tokens
    from data.store.db import session_scope
    from data.store.models import User

    engine, sessions = _sessions(config)
    try:
        with session_scope(sessions) as session:
            user_id = session.scalar(select(User.id).where(User.username == args.username))
            if user_id is None:
                raise DomainError(f"no user called {args.username}")
            # the command line acts as the administrator who runs the service
            token, _ = tokens.create_token(session, Viewer(0, ADMIN), user_id, args.label)
    finally:
        engine.dispose()
    print(token)
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add the `supplier` command group to icsdash's subparsers."""
    group = subparsers.add_parser("supplier", help="supplier loop: upload windows, API tokens")
    sub = group.add_subparsers(dest="supplier_command", required=True)
    note = sub.add_parser("notify-period", help="tell LA users a period opens or closes")
    note.add_argument("period", metavar="YYYY-Qn")
    which = note.add_mutually_exclusive_group(required=True)
    which.add_argument("--opening", action="store_true")
    which.add_argument("--closing", action="store_true")
    note.add_argument("--until", help="closing date to mention when opening (YYYY-MM-DD)")
    note.set_defaults(func=cmd_notify_period)
    tok = sub.add_parser("api-token", help="make an API token for a supplier account")
    tok.add_argument("username")
    tok.add_argument("--label", default="", help="what the token is for")
    tok.set_defaults(func=cmd_api_token)
