"""The supplier loop in data/: who sees and answers what, the thread, releases and the LA's
release per period, notifications, anonymised evidence for suppliers, and the Word export."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from data.errors import NotFound, PermissionDenied
from data.pages import supplier as supplier_page
from data.privacy.access import supplier_may_request
from data.privacy.disclosure import DisclosureRules
from data.requirements import answers, endorsements, evidence, export, notifications, releases
from data.requirements import specifications as specs
from data.requirements.curation import CurationError
from data.requirements.releases import ReleaseError
from data.store.db import session_scope
from data.store.models import (
    AuditEvent,
    Notification,
    Product,
    ProductUse,
    Requirement,
    RequirementEvidence,
)
from tests.unit.test_requirements_support import (  # noqa: F401 (fixture)
    clustered_findings,
    requirements_rule_alone,
    supplier_id,
    viewer,
)
from tests.unit.test_specifications import requirements, text_of

RULES = DisclosureRules()


# the requirements layer's own rule (see requirements_rule_alone)
pytestmark = pytest.mark.usefixtures("requirements_rule_alone")


@pytest.fixture
def db(sessions):
    with session_scope(sessions) as s:
        clustered_findings(s)
        yield s


@pytest.fixture
def loop(db):
    """An OLM specification with R(chron) and R(print); supplier users of OLM and Civica."""
    chron, prints, slow = requirements(db)
    olm = supplier_id(db, "OLM")
    rep = viewer(db, "nlar_rep", "E09000911", "OLM")
    spec = specs.create_specification(db, rep, "OLM joint specification 2010", olm)
    specs.new_version(db, rep, spec.id, [chron.id, prints.id])
    return {
        "chron": chron,
        "print": prints,
        "slow": slow,
        "spec": spec,
        "rep": rep,
        "olm": olm,
        "product": db.scalar(select(Product).where(Product.supplier_id == olm).limit(1)),
        "supplier": viewer(db, "supplier", None, "OLM"),
        "civica": viewer(db, "supplier", None, "Civica"),
        "la": viewer(db, "la_user", "E09000912"),
        "admin": viewer(db, "admin"),
    }


def test_supplier_sees_only_its_specifications(db, loop):
    assert [s.id for s in answers.supplier_specifications(db, loop["olm"])] == [loop["spec"].id]
    assert answers.supplier_specifications(db, supplier_id(db, "Civica")) == []
    assert answers.addressed_requirement_ids(db, loop["olm"]) == {
        loop["chron"].id,
        loop["print"].id,
    }
    options = supplier_page.spec_options(db, loop["supplier"])
    assert [o["value"] for o in options] == [loop["spec"].id]
    with pytest.raises(NotFound):
        supplier_page.supplier_spec(db, loop["civica"], RULES, loop["spec"].id)
    with pytest.raises(PermissionDenied):
        supplier_page.spec_options(db, loop["la"])


def test_supplier_view_is_anonymous(db, loop):
    """Ashbury consented to be named, so the NLAR export names it; a supplier never sees it."""
    doc = evidence.build_document(db, RULES, loop["spec"].id, viewer=loop["rep"])
    assert any("Ashbury" in q for i in doc.items for q in i.quotations)
    view = supplier_page.supplier_spec(db, loop["supplier"], RULES, loop["spec"].id)
    text = repr(view)
    assert view.items and view.items[0].evidence.quotations
    for name in ("Ashbury", "Birchley", "Cressing", "Dunmere", "Fallowfield"):
        assert name not in text
    from data.store.models import Authority

    for pseudonym in db.scalars(select(Authority.pseudonym)):
        assert pseudonym not in text


@pytest.mark.parametrize(
    ("status", "kwargs", "req_status", "summary"),
    [
        ("acknowledged", {}, "with_supplier", "Acknowledged"),
        ("clarification", {"text": "Which event types?"}, "with_supplier", "Which event types?"),
        (
            "planned",
            {"release": "v12", "expected_on": "2011-03-01"},
            "planned",
            "Planned for release v12, expected 01 March 2011",
        ),
        ("declined", {"text": "Out of scope"}, "declined", "Declined: Out of scope"),
    ],
)
def test_answers_move_status_audit_and_notify(db, loop, status, kwargs, req_status, summary):
    endorsements.endorse(db, loop["la"], loop["chron"].id)
    answer = answers.record_answer(db, loop["supplier"], loop["chron"].id, status, **kwargs)
    assert db.get(Requirement, loop["chron"].id).status == req_status
    shown = answers.current_answers(db, [loop["chron"].id])[loop["chron"].id]
    assert shown[0].id == answer.id and summary in shown[0].summary()
    audit = db.scalars(select(AuditEvent).where(AuditEvent.action == "supplier_answer")).all()
    assert len(audit) == 1 and status in audit[0].detail
    told = set(db.scalars(select(Notification.user_id).where(Notification.kind == "answer")))
    assert {loop["rep"].user_id, loop["la"].user_id} <= told
    assert loop["supplier"].user_id not in told


def test_delivered_needs_a_known_release(db, loop):
    with pytest.raises(CurationError, match="no release called “v13”"):
        answers.record_answer(db, loop["supplier"], loop["print"].id, "delivered", release="v13")
    releases.record_release(db, loop["supplier"], loop["product"].id, "v13", "2010-06-01")
    answers.record_answer(db, loop["supplier"], loop["print"].id, "delivered", release="V13")
    req = db.get(Requirement, loop["print"].id)
    assert (req.status, req.delivered_release) == ("delivered", "v13")


@pytest.mark.parametrize(
    ("status", "kwargs", "message"),
    [
        ("maybe", {}, "must be one of"),
        ("clarification", {}, "Write the question"),
        ("declined", {}, "reason for declining"),
        ("planned", {"expected_on": "2011-01-01"}, "Name the release"),
        ("planned", {"release": "v2"}, "expected"),
        ("planned", {"release": "v2", "expected_on": "next spring"}, "is not a date"),
        ("acknowledged", {"text": "x" * 2001}, "2000 characters"),
    ],
)
def test_bad_answers_get_clear_messages(db, loop, status, kwargs, message):
    with pytest.raises(CurationError, match=message):
        answers.record_answer(db, loop["supplier"], loop["chron"].id, status, **kwargs)


def test_only_the_addressed_supplier_answers(db, loop):
    with pytest.raises(NotFound):
        answers.record_answer(db, loop["civica"], loop["chron"].id, "acknowledged")
    with pytest.raises(NotFound):  # R(slow) is Civica's and in no OLM specification
        answers.record_answer(db, loop["supplier"], loop["slow"].id, "acknowledged")
    for who in ("la", "rep", "admin"):
        with pytest.raises(PermissionDenied):
            answers.record_answer(db, loop[who], loop["chron"].id, "acknowledged")


def test_thread_between_rep_and_supplier(db, loop):
    answer = answers.record_answer(
        db, loop["supplier"], loop["chron"].id, "clarification", text="Which event types?"
    )
    answers.reply(db, loop["rep"], answer.id, "Visits, meetings and conferences.")
    answers.reply(db, loop["supplier"], answer.id, "Thank you, clear.")
    for who in ("la", "civica"):
        with pytest.raises(PermissionDenied):
            answers.reply(db, loop[who], answer.id, "me too")
    other_rep = viewer(db, "nlar_rep", "E06000911", "Civica")
    with pytest.raises(PermissionDenied):
        answers.reply(db, other_rep, answer.id, "not my group")
    with pytest.raises(CurationError, match="Write a reply"):
        answers.reply(db, loop["rep"], answer.id, "   ")
    thread = answers.current_answers(db, [loop["chron"].id])[loop["chron"].id][0].thread
    assert [m.who for m in thread] == ["NLAR representative", "OLM"]
    to_supplier = db.scalars(
        select(Notification).where(Notification.user_id == loop["supplier"].user_id)
    ).all()
    assert any(n.kind == "reply" for n in to_supplier)


def test_who_sees_answers(db, loop):
    db.add(ProductUse(authority_id=loop["la"].authority_id, product_id=loop["product"].id,
                      start_date=date(2005, 1, 1)))  # fmt: skip
    answers.record_answer(db, loop["supplier"], loop["chron"].id, "acknowledged")
    rid = loop["chron"].id
    assert answers.answers_for_viewer(db, loop["la"], [rid])
    assert answers.answers_for_viewer(db, loop["rep"], [rid])
    outsider = viewer(db, "la_user", "E06000912")  # a Civica LA (no OLM product use)
    assert answers.answers_for_viewer(db, outsider, [rid]) == {}
    assert answers.answers_for_viewer(db, loop["civica"], [rid]) == {}


def test_new_version_notifies_the_supplier(db, loop):
    mine = db.scalars(
        select(Notification).where(Notification.user_id == loop["supplier"].user_id)
    ).all()
    # the supplier user was created after version 1: a new version tells it
    assert mine == []
    specs.new_version(db, loop["rep"], loop["spec"].id, [loop["print"].id])
    mine = db.scalars(
        select(Notification).where(Notification.user_id == loop["supplier"].user_id)
    ).all()
    assert [n.kind for n in mine] == ["specification"]
    assert mine[0].link == f"/supplier?spec={loop['spec'].id}"


def test_releases_and_release_use(db, loop):
    product = loop["product"]
    with pytest.raises(PermissionDenied):
        releases.record_release(db, loop["civica"], product.id, "v1", "2010-01-01")
    with pytest.raises(PermissionDenied):
        releases.record_release(db, loop["la"], product.id, "v1", "2010-01-01")
    releases.record_release(db, loop["admin"], product.id, "v1", date(2010, 1, 10))
    with pytest.raises(ReleaseError, match="already has a release"):
        releases.record_release(db, loop["supplier"], product.id, "V1", "2010-02-01")
    with pytest.raises(ReleaseError, match="not a date"):
        releases.record_release(db, loop["supplier"], product.id, "v2", "soon")
    releases.record_release(db, loop["supplier"], product.id, "v2", "2010-08-01")
    la = loop["la"]
    with pytest.raises(ReleaseError, match="No product is recorded"):
        releases.record_release_use(db, la, la.authority_id, "2010-Q3", "v1")
    db.add(ProductUse(authority_id=la.authority_id, product_id=product.id,
                      start_date=date(2005, 1, 1)))  # fmt: skip
    with pytest.raises(ReleaseError, match="Known releases: v1, v2"):
        releases.record_release_use(db, la, la.authority_id, "2010-Q3", "v9")
    with pytest.raises(ReleaseError, match="after 2010-Q2 ended"):
        releases.record_release_use(db, la, la.authority_id, "2010-Q2", "v2")
    with pytest.raises(ReleaseError, match="not a period"):
        releases.record_release_use(db, la, la.authority_id, "2010 summer", "v2")
    with pytest.raises(PermissionDenied):
        releases.record_release_use(db, loop["rep"], la.authority_id, "2010-Q3", "v2")
    releases.record_release_use(db, la, la.authority_id, "2010-Q3", "v2")
    releases.record_release_use(db, la, la.authority_id, "2010-q1", "V1")
    assert [r[0] for r in releases.release_uses(db, la.authority_id)] == ["2010-Q3", "2010-Q1"]
    releases.record_release_use(db, la, la.authority_id, "2010-Q1", "")
    assert [r[2] for r in releases.release_uses(db, la.authority_id)] == ["v2"]


def test_word_export_carries_answer(db, loop):
    releases.record_release(db, loop["supplier"], loop["product"].id, "v13", "2010-06-01")
    answers.record_answer(db, loop["supplier"], loop["print"].id, "delivered", release="v13")
    doc = evidence.build_document(db, RULES, loop["spec"].id, viewer=loop["rep"])
    item = next(i for i in doc.items if i.ref == f"R-{loop['print'].id}")
    assert item.answer == "OLM: Delivered in release v13"
    assert item.did_it_work and "Not enough data yet" in item.did_it_work[0]
    text = text_of(export.to_docx(doc))
    assert "OLM: Delivered in release v13" in text and "Did it work?" in text
    # the heading says it once; the paragraph under it does not repeat it
    assert "Did it work? Did it work?" not in " ".join(text.split())
    assert "Not enough data yet" in text
    assert "Delivered in release v13" in export.to_csv(doc)


def test_feed_token_and_atom(db, loop):
    answers.record_answer(db, loop["supplier"], loop["chron"].id, "acknowledged")
    token = notifications.new_feed_token(db, loop["rep"])
    user = notifications.feed_user(db, token)
    assert user is not None and user.id == loop["rep"].user_id
    assert notifications.feed_user(db, token + "x") is None
    xml = notifications.atom_feed(db, user, "https://ics.example")
    assert xml.startswith("<?xml") and "OLM answered" in xml
    assert 'href="https://ics.example/requirements?requirement=' in xml
    import xml.etree.ElementTree as ET

    root = ET.fromstring(xml)
    assert len(root.findall("{http://www.w3.org/2005/Atom}entry")) == 1
    notifications.new_feed_token(db, loop["rep"])
    assert notifications.feed_user(db, token) is None  # the old token stops working
    assert notifications.unread_count(db, loop["rep"]) == 1
    notifications.mark_read(db, loop["rep"])
    assert notifications.unread_count(db, loop["rep"]) == 0


@pytest.mark.parametrize(
    ("path", "outputs", "pathname", "allowed"),
    [
        ("/supplier", None, None, True),
        ("/inbox", None, None, True),
        ("/_dash-layout", None, None, True),
        ("/_dash-component-suites/dash/dcc/x.js", None, None, True),
        ("/requirements", None, None, False),
        ("/admin", None, None, False),
        ("/download/x.csv", None, None, False),
        ("/_dash-update-component", ["supplier-spec-body"], None, True),
        ("/_dash-update-component", ["supplier-spec", "req-list"], None, False),
        ("/_dash-update-component", ["overview-figure"], None, False),
        ("/_dash-update-component", [], None, False),
        ("/_dash-update-component", ["_pages_content", "_pages_store"], "/supplier", True),
        ("/_dash-update-component", ["_pages_content", "_pages_store"], "/compare", False),
        ("/_dash-update-component", ["_pages_content", "_pages_store"], None, False),
    ],
)
def test_supplier_fence_rules(path, outputs, pathname, allowed):
    assert supplier_may_request(path, outputs, pathname) is allowed


def test_evidence_rows_untouched_by_answers(db, loop):
    """Answering never changes a requirement's evidence."""
    before = db.scalars(select(RequirementEvidence.finding_id)).all()
    answers.record_answer(db, loop["supplier"], loop["chron"].id, "acknowledged")
    assert db.scalars(select(RequirementEvidence.finding_id)).all() == before


def test_admin_creates_supplier_accounts(db, loop):
    from data.errors import DomainError
    from data.pages.admin import create_user

    with pytest.raises(DomainError, match="must belong to a supplier"):
        create_user(db, loop["admin"], username="acme", password_hash="x", role="supplier")
    user = create_user(
        db, loop["admin"], username="acme", password_hash="x", role="supplier",
        supplier_id=loop["olm"], authority_id=1,
    )  # fmt: skip
    assert (user.role, user.supplier_id, user.authority_id) == ("supplier", loop["olm"], None)
    with pytest.raises(PermissionDenied):
        create_user(db, loop["rep"], username="acme2", password_hash="x", role="supplier",
                    supplier_id=loop["olm"])  # fmt: skip


@pytest.mark.parametrize(
    ("body", "allowed"),
    [
        ({"output": "supplier-spec-body.children",
          "outputs": {"id": "supplier-spec-body", "property": "children"}}, True),
        # names another page's callback but claims the supplier's outputs: refused
        ({"output": "..req-list.rowData...req-footnote.children..",
          "outputs": [{"id": "supplier-a", "property": "x"}]}, False),
        ({"output": "supplier-x.children", "outputs": {"id": "req-list", "property": "x"}},
         False),
        ({"output": '{"index":1,"type":"supplier-row"}.children',
          "outputs": {"id": {"index": 1, "type": "supplier-row"}, "property": "children"}}, True),
        ({"output": "supplier-x.children"}, False),
        ({"outputs": {"id": "supplier-x", "property": "children"}}, False),
        ("not a dict", False),
        ({"output": ".._pages_content.children..._pages_store.data..",
          "outputs": [{"id": "_pages_content", "property": "children"},
                      {"id": "_pages_store", "property": "data"}],
          "inputs": [{"id": "_pages_location", "property": "pathname", "value": "/supplier"}]},
         True),
        ({"output": ".._pages_content.children..._pages_store.data..",
          "outputs": [{"id": "_pages_content", "property": "children"},
                      {"id": "_pages_store", "property": "data"}],
          "inputs": [{"id": "_pages_location", "property": "pathname", "value": "/admin"}]},
         False),
    ],
)  # fmt: skip
def test_callback_bodies_are_read_whole(body, allowed):
    from data.privacy.access import callback_target

    outputs, pathname = callback_target(body)
    assert supplier_may_request("/_dash-update-component", outputs, pathname) is allowed
