"""The demo shows the whole requirements loop: candidates left open and accepted, requirements
at every status endorsed by several LAs, and a joint specification (two versions) for every
large supplier group."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from dashboard.demo import load_demo
from data.demo.curation import LARGE_GROUP_LAS, SPEC_TITLE, curate_demo
from data.privacy.access import Viewer
from data.privacy.disclosure import DisclosureRules
from data.requirements.candidates import candidate_table
from data.store.db import make_engine, make_sessionmaker, session_scope
from data.store.models import (
    Endorsement,
    Requirement,
    Specification,
    SpecificationVersion,
    Submission,
)
from data.store.models.requirements import STATUSES
from tests.conftest import fresh_database

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    url = fresh_database("sqlite", tmp_path_factory.mktemp("curation"), "demo")
    sessions = make_sessionmaker(make_engine(url))
    load_demo(sessions, n_authorities=24, periods=("2010-Q1", "2010-Q2"), log=lambda *_: None)
    return sessions


def test_requirements_at_every_status_endorsed_by_several_las(demo):
    with session_scope(demo) as s:
        statuses = Counter(s.scalars(select(Requirement.status)))
        assert set(statuses) == set(STATUSES)
        per_req = Counter(s.scalars(select(Endorsement.requirement_id)))
        assert len(per_req) >= len(statuses)
        assert max(per_req.values()) >= 3
        delivered = s.scalars(select(Requirement).where(Requirement.status == "delivered")).all()
        assert all(r.delivered_release for r in delivered)


def test_every_large_group_has_a_specification_in_two_versions(demo):
    with session_scope(demo) as s:
        las = dict(
            s.execute(
                select(Submission.supplier_id, func.count(func.distinct(Submission.authority_id)))
                .where(Submission.status == "current")
                .group_by(Submission.supplier_id)
            ).all()
        )
        large = {g for g, n in las.items() if n >= LARGE_GROUP_LAS}
        every = s.scalars(select(Specification)).all()
        assert large and large <= {sp.supplier_id for sp in every}
        specs = [sp for sp in every if sp.title.endswith(SPEC_TITLE)]
        assert specs  # the supplier loop's demo specifies the largest group; this, the others
        for sp in specs:
            versions = s.scalar(
                select(func.count()).where(SpecificationVersion.specification_id == sp.id)
            )
            assert versions == 2


def test_candidates_both_open_and_accepted_and_curation_runs_once(demo):
    with session_scope(demo) as s:
        table = candidate_table(s, Viewer(1, "coordinator"), DisclosureRules())
        accepted = table["accepted_as"].astype(bool)
        assert accepted.any() and (~accepted).any()
        before = s.scalar(select(func.count()).select_from(Requirement))
        assert curate_demo(s).requirements == 0
        assert s.scalar(select(func.count()).select_from(Requirement)) == before
