"""`icsdash requirements relate/unrelate A B --as USERNAME` with hostile arguments: the command
line applies the requirements page's rule (data.requirements.related: only the NLAR rep of a
supplier group both groups hold findings from, or a coordinator), so another group's rep, an
LA user, a supplier, an administrator, an unknown or inactive user, unknown ids and the same
id twice each end in one line on stderr and exit 1, with no mark and no audit entry."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select, update

from dashboard import cli
from dashboard.users import create_user
from data.requirements import related
from data.store.db import session_scope
from data.store.models import AuditEvent, ClusterRelation, FindingCluster, User
from tests.integration import test_requirements_pages as pages
from tests.integration.conftest import PASSWORD

sessions, world = pages.sessions, pages.world  # that module's fixtures: its database


@pytest.fixture(scope="module")
def groups(sessions, world):
    """Two candidate groups holding OLM findings, and users of other kinds."""
    with session_scope(sessions) as s:
        held = related.supplier_groups(
            s, s.scalars(select(FindingCluster.cluster_id).distinct()).all()
        )
        for name, role, code, supplier in (
            ("capita-rep", "nlar_rep", "E09000901", "Capita"),
            ("olm-supplier", "supplier", None, "OLM"),
            ("gone-rep", "nlar_rep", "E09000901", "OLM"),
        ):
            if s.scalar(select(User).where(User.username == name)) is None:
                create_user(s, name, PASSWORD, role, authority_code=code, supplier_name=supplier)
        s.execute(update(User).where(User.username == "gone-rep").values(active=False))
    olm = sorted(c for c, g in held.items() if world["olm"] in g)
    assert len(olm) >= 2
    return olm[0], olm[1]


@pytest.fixture(autouse=True)
def cli_on_it(small_db, sessions, monkeypatch):
    """The command line pointed at the module's database, with no marks yet."""
    monkeypatch.setattr(cli.Config, "DATABASE_URL", small_db)
    with session_scope(sessions) as s:
        s.execute(delete(ClusterRelation))


def marks(sessions) -> list[tuple[str, str]]:
    with session_scope(sessions) as s:
        return s.execute(select(ClusterRelation.cluster_a, ClusterRelation.cluster_b)).all()


def audited(sessions) -> int:
    with session_scope(sessions) as s:
        actions = ("candidates_related", "candidates_unrelated")
        return s.scalar(select(func.count()).where(AuditEvent.action.in_(actions)))


def refused(capsys, args: list[str]) -> str:
    """Run the command; it must fail with exit 1 and exactly one line, no traceback."""
    assert cli.main(args) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    return lines[0]


@pytest.mark.parametrize("command", ["relate", "unrelate"])
@pytest.mark.parametrize("user", ["capita-rep", "la", "la2", "olm-supplier", "admin"])
def test_non_curators_are_refused_in_one_line(sessions, groups, capsys, command, user):
    a, b = groups
    before = audited(sessions)
    line = refused(capsys, ["requirements", command, a, b, "--as", user])
    assert line.startswith(f"Not allowed for {user}: only the NLAR representative")
    assert marks(sessions) == [] and audited(sessions) == before


def test_a_non_curator_cannot_remove_a_curators_mark(sessions, groups, capsys):
    a, b = groups
    assert cli.main(["requirements", "relate", a, b, "--as", "nlar"]) == 0
    capsys.readouterr()
    for user in ("capita-rep", "la", "admin"):
        assert "Not allowed" in refused(capsys, ["requirements", "unrelate", a, b, "--as", user])
    assert marks(sessions) == [tuple(sorted((a, b)))]


@pytest.mark.parametrize(
    "first, second, user, expected",
    [
        ("C-nothing", None, "nlar", "Error: No candidate group C-nothing."),
        (None, "C-nothing", "coord", "Error: No candidate group C-nothing."),
        (None, "same", "nlar", "a group cannot be related to itself"),
        (None, "x" * 500, "nlar", "Error: Unknown candidate group."),
        (None, "C-1\x00", "nlar", "Error: Unknown candidate group."),
        (None, None, "nobody", "no active user called 'nobody'"),
        (None, None, "gone-rep", "no active user called 'gone-rep'"),
        (None, None, "", "no active user called ''"),
    ],
    ids=[
        "unknown-first",
        "unknown-second",
        "same-twice",
        "too-long",
        "nul",
        "no-user",
        "inactive",
        "empty-user",
    ],  # fmt: skip
)
def test_bad_ids_and_users_are_one_clear_line(
    sessions, groups, capsys, first, second, user, expected
):
    a, b = groups
    first = first or a
    second = a if second == "same" else (second or b)
    assert expected in refused(capsys, ["requirements", "relate", first, second, "--as", user])
    assert marks(sessions) == []


def test_without_as_the_command_is_a_usage_error(sessions, groups, capsys):
    a, b = groups
    with pytest.raises(SystemExit) as exit_:
        cli.main(["requirements", "relate", a, b])
    assert exit_.value.code == 2
    assert "--as" in capsys.readouterr().err
    assert marks(sessions) == []


@pytest.mark.parametrize("user", ["nlar", "coord"])
def test_curators_mark_and_unmark_and_the_audit_names_them(sessions, groups, capsys, user):
    a, b = groups
    before = audited(sessions)
    assert cli.main(["requirements", "relate", b, a, "--as", user]) == 0
    assert capsys.readouterr().out.strip() == f"{b} and {a}: marked related, not the same"
    assert cli.main(["requirements", "relate", a, b, "--as", user]) == 0
    assert "(unchanged)" in capsys.readouterr().out
    with session_scope(sessions) as s:
        me = s.scalar(select(User.id).where(User.username == user))
        row = s.scalar(select(ClusterRelation))
        assert (row.cluster_a, row.cluster_b, row.created_by_id) == (*sorted((a, b)), me)
        last = s.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
        assert last.action == "candidates_related" and last.user_id == me
    assert cli.main(["requirements", "unrelate", a, b, "--as", user]) == 0
    assert "no longer marked" in capsys.readouterr().out
    assert marks(sessions) == [] and audited(sessions) == before + 2
