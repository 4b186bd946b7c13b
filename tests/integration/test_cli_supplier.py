"""`icsdash supplier ...` and create-user --role supplier from the command line."""

from __future__ import annotations

from sqlalchemy import select

from dashboard import cli
from data.store.models import ApiToken, Notification, User


def test_supplier_user_token_and_period_notice(cli_db, capsys, monkeypatch):
    monkeypatch.setenv("ICSDASH_PASSWORD", "long-enough-pw")
    assert cli.main(["create-user", "acme", "--role", "supplier", "--supplier", "OLM"]) == 0
    assert cli.main(["create-user", "la1", "--role", "la_user", "--authority", "E09000901"]) == 0
    capsys.readouterr()
    assert cli.main(["supplier", "api-token", "acme", "--label", "CI"]) == 0
    token = capsys.readouterr().out.strip()
    assert token.startswith("icsd_")
    opening = ["supplier", "notify-period", "2010-q3", "--opening", "--until", "2010-10-31"]
    assert cli.main(opening) == 0
    assert "1 users told that 2010-Q3 opens" in capsys.readouterr().out
    assert cli.main(["supplier", "notify-period", "autumn", "--closing"]) != 0
    assert "not a period" in capsys.readouterr().err
    assert cli.main(["supplier", "api-token", "la1"]) != 0
    with cli_db() as s:
        acme = s.scalar(select(User).where(User.username == "acme"))
        assert acme.role == "supplier" and acme.supplier_id is not None
        assert s.scalar(select(ApiToken.prefix)) == token[:11]
        titles = s.scalars(select(Notification.title)).all()
        assert titles == ["Period 2010-Q3 is open for upload until 31 October 2010"]
