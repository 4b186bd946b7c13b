"""`icsdash`: the command line an administrator scripts (run, init-db, load-demo,
import, create-user, ...).

One error boundary (main): configuration, connection, missing-schema, file and domain
errors become one line saying what is wrong and what to do, exit code 1 (2 for usage
errors); the traceback only with --debug. Only init-db and load-demo create a database."""

from __future__ import annotations

import argparse
import os
import re
import secrets
import sys
import traceback
from pathlib import Path

from dashboard import cli_requirements, cli_supplier
from dashboard.cli_boundary import (
    CliError,
    check_readable_files,
    explain,
    open_engine,
    open_sessions,
    removed_if_refused,
    where,
)
from dashboard.config import DEFAULT_SECRET, Config, database_url, secret_key_problem
from data.errors import DomainError, IngestError
from data.store.db import make_sessionmaker, session_scope
from data.store.migrate import upgrade

GSS_CODE = re.compile(r"^[ENSW]\d{8}$")  # a letter for the nation, eight digits

DEMO_DB = "icsdash-demo.db"
__all__ = ["DEFAULT_SECRET", "Config", "main"]


def _config(demo: bool = False, **overrides) -> type[Config]:
    attrs = {"DEMO": demo, **overrides}
    return type("CliConfig", (Config,), attrs)


def _sessions(config: type[Config]):
    """Sessions on the existing database with the current schema; never creates one."""
    return open_sessions(config)


def cmd_init_db(args, config: type[Config]) -> int:
    """Create or upgrade the schema and load the code lists."""
    from data.reference.seed import load_code_lists

    with removed_if_refused(config):
        engine = open_engine(config, create=True)
        try:
            upgrade(database_url(config))
            with session_scope(make_sessionmaker(engine)) as session:
                load_code_lists(session)
        finally:
            engine.dispose()
    print(f"Database ready: {where(config)}")
    return 0


def cmd_load_demo(args, config: type[Config]) -> int:
    from dashboard.demo import demo_loaded, load_demo

    with removed_if_refused(config):
        cmd_init_db(args, config)
        sessions = _sessions(config)
        with session_scope(sessions) as session:
            if demo_loaded(session):
                print("The database already holds submissions; demo data not loaded again.")
                return 0
        load_demo(sessions, n_authorities=args.authorities)
    return 0


def cmd_run(args, config: type[Config]) -> int:
    if args.demo:
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{Path(DEMO_DB).resolve()}"
        config = _config(True, DATABASE_URL=url, SECRET_KEY=secrets.token_hex(32))
        args.authorities = 150
        cmd_load_demo(args, config)
        from dashboard.factory import create_app

        app = create_app(config)
        print(
            f"\nICS collaboration dashboard (synthetic demo data) at http://127.0.0.1:{args.port}/"
        )
        print(
            "Sign in as demo-la, demo-nlar, demo-coordinator, demo-admin or demo-supplier; "
            "password: demo\n"
        )
        app.run(host=args.host, port=args.port, debug=False, threaded=True)
        return 0
    problem = secret_key_problem(config.SECRET_KEY)
    if problem:
        raise CliError(f"Refusing to start: {problem} (or use --demo)", code=2)
    if "DATABASE_URL" not in os.environ:
        raise CliError("Refusing to start: set DATABASE_URL (or use --demo)", code=2)
    open_engine(config, upgrading=True).dispose()  # exists, answers, has an icsdash schema
    upgrade(database_url(config))
    os.execvp(
        sys.executable,
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            "python:dashboard.gunicorn_conf",
            "--workers",
            str(args.workers),
            "--bind",
            f"{args.host}:{args.port}",
            "--access-logfile",
            "-",
            "dashboard.wsgi:server",
        ],
    )
    return 0  # not reached


def _upload_rights(session, as_user: str | None) -> tuple[frozenset[int] | None, int | None]:
    """(authorities the user may upload for, user id); (None, None) without --as."""
    from sqlalchemy import select

    from data.privacy.access import Viewer, may_upload_for
    from data.store.models import User

    if not as_user:
        return None, None
    user = session.scalar(select(User).where(User.username == as_user))
    if user is None or not user.active:
        raise DomainError(f"no active user called {as_user}")
    return may_upload_for(Viewer(user.id, user.role, user.authority_id, user.supplier_id)), user.id


def _print_stored(group, result) -> None:
    state = "already stored (same file)" if result.duplicate else "stored"
    extra = f", superseding submission {result.superseded_id}" if result.superseded_id else ""
    print(f"{', '.join(n for n, _ in group)}: {state} as submission {result.submission_id}{extra}")


def _bulk_import(args, config: type[Config], groups) -> int:
    """--bulk: one transaction for everything, checks in --jobs processes (BulkLoad)."""
    from data.ingest.bulk import BulkLoad

    sessions = _sessions(config)
    with session_scope(sessions) as session:
        allowed, user_id = _upload_rights(session, args.as_user)
    with BulkLoad(
        sessions,
        allowed_authorities=allowed,
        uploaded_by_id=user_id,
        jobs=args.jobs,
        max_bytes=config.MAX_UPLOAD_MB * 1024 * 1024,
        warnings_confirmed=args.confirm_warnings,
    ) as load:
        results = load.add(groups)
        load.commit()
    for group, result in zip(groups, results, strict=True):
        _print_stored(group, result)
    print(f"{load.stored} new submission(s) stored in one transaction")
    return 0


def _print_checked(group, result) -> None:
    """The report the upload page shows: what was checked, redacted and warned about."""
    from data.ingest import check_summary

    print(f"{', '.join(n for n, _ in group)}: passed every check")
    for term, value in check_summary(result):
        print(f"  {term}: {value}")
    for line in result.report.warning_messages():
        print(f"  Warning: {line}")


def cmd_import(args, config: type[Config]) -> int:
    """Import submission files; with --as, the user's rights apply as on the web page."""
    import data.requirements.clusters  # noqa: F401  (registers upload-time grouping)
    from data.ingest import check_files, store_checked
    from data.store import events

    check_readable_files(args.files)
    files = [(Path(f).name, Path(f).read_bytes()) for f in args.files]
    groups = (
        [files]
        if len(files) != 1 and all(f[0].lower().endswith(".csv") for f in files)
        else [[f] for f in files]
    )
    if args.bulk:
        return _bulk_import(args, config, groups)
    with session_scope(_sessions(config)) as session:
        allowed, user_id = _upload_rights(session, args.as_user)
        for group in groups:
            checked = check_files(
                session,
                group,
                allowed_authorities=allowed,
                max_bytes=config.MAX_UPLOAD_MB * 1024 * 1024,
            )
            if checked.ok:
                _print_checked(group, checked)
            result = store_checked(
                session,
                checked.report,
                checked.valid,
                uploaded_by_id=user_id,
                warnings_confirmed=args.confirm_warnings,
            )
            if not result.duplicate:
                events.submission_stored(session, result.submission_id)  # upload-time grouping
            _print_stored(group, result)
    return 0


def cmd_template(args, config: type[Config]) -> int:
    """Write the submission template: OUT.xlsx (Excel) or OUT.zip (the three CSV files)."""
    from data.ingest.template import build_csv_zip, build_xlsx, template_spec
    from data.reference.codes import instrument_versions

    if args.version is not None and args.version not in instrument_versions():
        raise DomainError(f"no instrument version {args.version}")
    out = Path(args.out)
    if out.suffix.lower() not in (".xlsx", ".zip"):
        raise DomainError("name the template file .xlsx (Excel) or .zip (CSV files)")
    if out.is_dir():
        raise CliError(f"{out} is a folder: name the template file, e.g. {out / 'template.xlsx'}")
    if not out.parent.is_dir():
        raise CliError(f"Cannot write {out}: the folder {out.parent} does not exist")
    code = (args.authority or "").strip().upper()
    if code and not GSS_CODE.match(code):
        raise DomainError(
            f"{args.authority[:20]!r} is not a GSS code: an authority's code is a letter and "
            "eight digits, like E09000019"
        )
    spec = template_spec(args.version, authority_code=code)
    out.write_bytes(build_xlsx(spec) if out.suffix.lower() == ".xlsx" else build_csv_zip(spec))
    print(f"Template for questionnaire version {spec.version} written to {out}")
    return 0


def cmd_create_user(args, config: type[Config]) -> int:
    from dashboard.users import create_user

    sessions = _sessions(config)  # the database first: never ask for a password in vain
    password = args.password or os.environ.get("ICSDASH_PASSWORD")
    if not password:
        import getpass

        try:
            password = getpass.getpass("Password: ")
        except EOFError:
            raise CliError(
                "No password given: pass --password, set ICSDASH_PASSWORD, or run "
                "create-user in a terminal to be asked"
            ) from None
    with session_scope(sessions) as session:
        create_user(
            session,
            args.username,
            password,
            args.role,
            authority_code=args.authority,
            supplier_name=args.supplier,
            display_name=args.name or "",
        )
    print(f"User {args.username} created ({args.role}).")
    return 0


def _count(low: int, high: int, what: str):
    """An argparse type: a whole number from `low` to `high` (a usage error otherwise)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = low - 1
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text!r}: give {what} from {low} to {high}")
        return value

    return parse


MAX_JOBS = 4 * (os.cpu_count() or 1)  # more worker processes than that only thrash


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="icsdash", description=__doc__)
    parser.add_argument(
        "--debug", action="store_true", help="show the Python traceback of a failure"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="serve the app")
    run.add_argument("--demo", action="store_true", help="SQLite demo with synthetic data")
    run.add_argument("--port", type=int, default=8050)
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--workers", type=int, default=2)
    run.set_defaults(func=cmd_run)
    sub.add_parser("init-db", help="create or upgrade the schema").set_defaults(func=cmd_init_db)
    demo = sub.add_parser("load-demo", help="load the synthetic demo dataset")
    demo.add_argument("--authorities", type=_count(1, 5000, "a number of authorities"), default=150)
    demo.set_defaults(func=cmd_load_demo)
    imp = sub.add_parser("import", help="import submission files (.xlsx, or the three CSVs)")
    imp.add_argument("files", nargs="+")
    imp.add_argument("--as", dest="as_user", help="apply this user's upload rights")
    imp.add_argument(
        "--bulk",
        action="store_true",
        help="initial load of many files (.xlsx or .zip, one submission each): one "
        "transaction, all or nothing, foreign keys checked once at the end on PostgreSQL; "
        "locks the submission tables until it commits, so not while the service is in use",
    )
    imp.add_argument(
        "--jobs",
        type=_count(1, MAX_JOBS, "a number of processes"),
        default=1,
        help="with --bulk: processes checking files in parallel",
    )
    imp.add_argument(
        "--confirm-warnings",
        action="store_true",
        help="store files whose only findings are warnings (implausible but possible values), "
        "as the Confirm button does on the upload page",
    )
    imp.set_defaults(func=cmd_import)
    tpl = sub.add_parser("template", help="write the submission template (.xlsx or .zip)")
    tpl.add_argument("out", help="OUT.xlsx for Excel, OUT.zip for the three CSV files")
    tpl.add_argument("--version", type=int, help="instrument version (default: the latest)")
    tpl.add_argument("--authority", help="pre-fill this GSS code in About")
    tpl.set_defaults(func=cmd_template)
    user = sub.add_parser("create-user", help="add a user")
    user.add_argument("username")
    user.add_argument(
        "--role", required=True, choices=["la_user", "nlar_rep", "coordinator", "admin", "supplier"]
    )
    user.add_argument("--authority", help="GSS code of the user's authority")
    user.add_argument("--supplier", help="supplier group an nlar_rep represents (or a supplier's)")
    user.add_argument("--name", help="display name")
    user.add_argument("--password", help="(or ICSDASH_PASSWORD, or asked)")
    user.set_defaults(func=cmd_create_user)
    cli_requirements.add_parser(sub)
    cli_supplier.add_parser(sub)
    return parser


def _fail(message: str, debug: bool, code: int = 1) -> int:
    if debug:
        traceback.print_exc(file=sys.stderr)
    print(message, file=sys.stderr)
    return code


def main(argv: list[str] | None = None) -> int:
    """Run one command; every failure ends as one line on stderr and exit status 1 (2 for
    usage errors and refusals to start), with the traceback only under --debug."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv or os.environ.get("ICSDASH_DEBUG") == "1"
    argv = [a for a in argv if a != "--debug"]  # accepted before or after the command
    args = build_parser().parse_args(argv)  # usage errors: argparse prints them, exit 2
    try:
        return args.func(args, _config())
    except IngestError as exc:
        code = _fail(f"Refused: {exc}", debug)
        if exc.report is not None:
            if exc.report.banner:
                print(f"  {exc.report.banner}", file=sys.stderr)
            for line in exc.report.messages():
                print(f"  - {line}", file=sys.stderr)
            if exc.report.dropped:
                print(f"  ... and {exc.report.dropped} more", file=sys.stderr)
        return code
    except CliError as exc:
        return _fail(str(exc), debug, exc.code)
    except DomainError as exc:
        return _fail(f"Error: {exc}", debug)
    except KeyboardInterrupt:
        return _fail("Interrupted: nothing more was done", debug, 130)
    except Exception as exc:  # the boundary: never a bare traceback without --debug
        return _fail(explain(exc), debug)


if __name__ == "__main__":
    raise SystemExit(main())
