"""Notifications through the app: the inbox, the per-user Atom feed (token in the address,
no sign-in), and e-mail copies through a local SMTP sink (off by default)."""

from __future__ import annotations

import re
import socketserver
import threading
import xml.etree.ElementTree as ET

import pytest

from dashboard.factory import create_app
from tests.conftest import fresh_database
from tests.integration.conftest import callback_key, make_config
from tests.integration.test_supplier_access import answer, login, seed_loop

ATOM = "{http://www.w3.org/2005/Atom}"


class SmtpSink(socketserver.ThreadingTCPServer):
    """A minimal SMTP server on 127.0.0.1 that keeps every message it is sent."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        super().__init__(("127.0.0.1", 0), _SmtpHandler)


class _SmtpHandler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        self.wfile.write(b"220 sink ready\r\n")
        data: list[bytes] | None = None
        for line in self.rfile:
            if data is not None:
                if line == b".\r\n":
                    self.server.messages.append(b"".join(data))
                    data = None
                    self.wfile.write(b"250 queued\r\n")
                else:
                    data.append(line)
                continue
            verb = line[:4].upper()
            if verb == b"DATA":
                data = []
                self.wfile.write(b"354 go ahead\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:  # EHLO, HELO, MAIL, RCPT, RSET, NOOP
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture(scope="module")
def sink():
    server = SmtpSink()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _app(tmp_path_factory, tag: str, **extra):
    url = fresh_database("sqlite", tmp_path_factory.mktemp(tag), tag)
    ids = seed_loop(url)
    return create_app(make_config(url, **extra)), ids


def _answer(app, rid: int, text: str = "Which event types?"):
    return answer(app, login(app, "sup"), rid, "clarification", text)


def _set_email(app, client, email: str, on: bool):
    return client.callback(
        callback_key(app, "inbox-email-msg.children"),
        [{"id": "inbox-email-save", "property": "n_clicks", "value": 1}],
        [
            {"id": "inbox-email", "property": "value", "value": email},
            {"id": "inbox-email-on", "property": "value", "value": ["on"] if on else []},
            {"id": "inbox-changed", "property": "data", "value": {"n": 0}},
        ],
    ).get_data(as_text=True)


def _inbox(client) -> str:
    return client.callback(
        "..inbox-list.children...inbox-email.value...inbox-email-on.value...inbox-email-note.children..",
        [{"id": "inbox-changed", "property": "data", "value": {"n": 0}}],
    ).get_data(as_text=True)


def test_inbox_and_feed(tmp_path_factory, sink):
    app, ids = _app(tmp_path_factory, "inbox")
    sup = login(app, "sup")
    assert sup.http.get("/inbox").status_code == 200  # a supplier reaches its inbox
    assert "Specification “OLM specification” version 1 is addressed to you" in _inbox(sup)
    assert "is recorded" in _answer(app, ids["requirement"])
    rep = login(app, "nlar")
    shown = _inbox(rep)
    assert "OLM answered R-" in shown and "New: " in shown
    made = rep.callback(
        callback_key(app, "inbox-feed-msg.children"),
        [{"id": "inbox-feed-new", "property": "n_clicks", "value": 1}],
        [{"id": "inbox-changed", "property": "data", "value": {"n": 0}}],
    ).get_data(as_text=True)
    found = re.search(r"/feeds/[A-Za-z0-9_-]+\.atom", made.replace("\\u002f", "/"))
    assert found, made
    path = found.group(0)
    anonymous = app.server.test_client()
    feed = anonymous.get(path)
    assert feed.status_code == 200 and feed.mimetype == "application/atom+xml"
    entries = ET.fromstring(feed.get_data()).findall(f"{ATOM}entry")
    assert len(entries) == 1 and "Which event types?" in entries[0].find(f"{ATOM}content").text
    assert anonymous.get("/feeds/not-a-token.atom").status_code == 404
    rep.callback(
        callback_key(app, "inbox-read-msg.children"),
        [{"id": "inbox-read-all", "property": "n_clicks", "value": 1}],
        [{"id": "inbox-changed", "property": "data", "value": {"n": 0}}],
    )
    assert "New: " not in _inbox(rep)
    assert "Give a valid e-mail" in _set_email(app, rep, "not an address", True)
    assert "Saved" in _set_email(app, rep, "rep@example.org", True)
    before = len(sink.messages)
    _answer(app, ids["requirement"], "A second question")
    assert len(sink.messages) == before  # e-mail is off unless configured


def test_email_copy_through_local_smtp(tmp_path_factory, sink):
    app, ids = _app(
        tmp_path_factory, "mail", MAIL_ENABLED=True, SMTP_HOST="127.0.0.1",
        SMTP_PORT=sink.server_address[1], MAIL_FROM="icsdash@test.example",
    )  # fmt: skip
    rep = login(app, "nlar")
    assert "available on this service" in _inbox(rep)
    assert "Saved" in _set_email(app, rep, "rep@example.org", True)
    before = len(sink.messages)
    assert "is recorded" in _answer(app, ids["requirement"])
    sent = sink.messages[before:]
    assert len(sent) == 1
    text = sent[0].decode()
    assert "To: rep@example.org" in text and "From: icsdash@test.example" in text
    assert "OLM answered R-" in text and "Which event types?" in text
