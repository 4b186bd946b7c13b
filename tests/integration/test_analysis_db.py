"""The analysis pages' queries on both SQLite and PostgreSQL: grouped finding counts, the
findings list with its listing rule, comparator profiles and contact requests."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import select

from dashboard.warm import Warmer
from data.errors import PermissionDenied
from data.pages.contact import request_contact, requests_for
from data.pages.my_authority import own_changes, profile, trend, who_improved
from data.pages.themes import finding_rows, findings_list
from data.privacy.access import Viewer
from data.privacy.disclosure import DisclosureRules
from data.privacy.narrowing import fold_period
from data.queries.filter_options import analysis_options, period_rows, summary_rows
from data.queries.filters import MY_AUTHORITY, THEMES
from data.queries.summaries import load_summaries
from data.scores.stats import plain_columns
from data.store.db import session_scope
from data.store.models import Authority
from data.store.versioning import bump_data_version
from tests.factories import load_reference
from tests.integration.conftest import import_small_submissions

RULES = DisclosureRules()


@pytest.fixture
def seeded(sessions):
    with session_scope(sessions) as s:
        load_reference(s)
    import_small_submissions(sessions)
    with session_scope(sessions) as s:
        ids = {a.code: a.id for a in s.scalars(select(Authority))}
    return sessions, ids


def test_finding_counts_and_listing_rule(seeded):
    sessions, ids = seeded
    with session_scope(sessions) as s:
        rows = finding_rows(s, "2010-Q1", RULES)
        assert rows["findings"].sum() == 6 and set(rows["authority_id"]) == set(ids.values())
        # a coordinator: 3 authorities, too few for any row to hide among at least 4
        table, note = findings_list(s, THEMES.select(period="2010-Q1"), RULES)
        assert table.empty and "not listed" in note
        # Testbury's own user: its own findings, by name, and nobody else's
        own = frozenset({ids["E09000901"]})
        table, note = findings_list(s, THEMES.select(period="2010-Q1"), RULES, own)
        assert len(table) and set(table["authority"]) == {"Testbury"} and "not listed" in note
        assert analysis_options(s).periods == ("2009-Q4", "2010-Q1")


def test_a_list_cut_at_its_limit_says_so_without_promising_the_most_severe(seeded, monkeypatch):
    import data.pages.themes as themes_view

    sessions, _ids = seeded
    monkeypatch.setattr(themes_view, "MAX_LISTED", 1)
    own = frozenset({_ids["E09000901"]})
    with session_scope(sessions) as s:
        table, note = findings_list(s, THEMES.select(period="2010-Q1"), RULES, own)
    assert len(table) == 1  # of Testbury's own findings
    assert "Only 1 are shown" in note and "not necessarily the most severe" in note


def test_profile_changes_and_contact_rules(seeded):
    sessions, ids = seeded
    viewer = Viewer(1, "la_user", ids["E09000901"])
    with session_scope(sessions) as s:
        table = profile(s, viewer, MY_AUTHORITY.select(period="2010-Q1"), RULES)
        mine = table.loc[table["comparator"] == "Your authority"]
        assert len(mine) and not mine["suppressed"].any()
        others = table.loc[table["comparator"] != "Your authority"]
        assert others["suppressed"].all()  # at most 2 other authorities anywhere
        before, changes = own_changes(s, viewer, "2010-Q1", RULES)
        assert before == "2009-Q4" and len(changes) == 13
        assert who_improved(s, viewer, "2010-Q1", RULES) == []
        with pytest.raises(PermissionDenied):
            request_contact(s, viewer, "LA-XXXX", "NAV", "2010-Q1", RULES)
        assert requests_for(s, viewer) == []
        assert len(period_rows(s, ("2010-Q1",), RULES)) > 0


def test_trend_in_one_pass_equals_the_profile_of_each_period(seeded):
    sessions, ids = seeded
    viewer = Viewer(user_id=1, role="la_user", authority_id=ids["E09000901"])
    with session_scope(sessions) as s:
        # the selection's period does not narrow the trend
        got = trend(s, viewer, MY_AUTHORITY.select(period="2010-Q1", measure="SUS"), RULES)
        want = pd.concat(
            [profile(s, viewer, MY_AUTHORITY.select(period=p), RULES, measures=["SUS"])
             .assign(period=p) for p in ("2009-Q4", "2010-Q1")],
            ignore_index=True,
        )  # fmt: skip
    assert set(got["period"]) == {"2009-Q4", "2010-Q1"}
    pd.testing.assert_frame_equal(
        got.reset_index(drop=True), want[got.columns].reset_index(drop=True), check_dtype=False
    )


def test_period_rows_are_slices_of_one_read_equal_to_reading_the_period(seeded):
    sessions, _ids = seeded
    with session_scope(sessions) as s:
        for period in ("2009-Q4", "2010-Q1"):
            got = period_rows(s, (period,), RULES)
            fresh = fold_period(load_summaries(s, (period,)), RULES)
            cols = list(fresh.columns)
            key = ["submission_id", "role", "measure_type", "measure"]
            assert isinstance(got["group"].dtype, pd.CategoricalDtype)  # kept as codes
            pd.testing.assert_frame_equal(
                plain_columns(got[cols]).sort_values(key).reset_index(drop=True),
                fresh.sort_values(key).reset_index(drop=True),
            )
        assert period_rows(s, ("1999-Q1",), RULES).empty


def test_warmer_builds_the_memos_again_after_a_new_data_version(seeded):
    sessions, _ids = seeded
    warmer = Warmer(sessions, RULES, every=60)
    warmer.check()
    first = warmer.warmed_version
    with session_scope(sessions) as s:
        store = summary_rows(s, RULES)
        assert summary_rows(s, RULES) is store  # memo hit: warm
    warmer.check()
    assert warmer.warmed_version == first and warmer.ready.is_set()
    with session_scope(sessions) as s:
        bump_data_version(s)
    warmer.check()
    assert warmer.warmed_version == first + 1
    with session_scope(sessions) as s:
        assert summary_rows(s, RULES) is not store


def test_signing_in_keeps_the_ranked_candidates_memo_but_curation_resets_it(seeded):
    from data.requirements.candidates import grouping_state
    from data.store import audit

    sessions, _ids = seeded
    with session_scope(sessions) as s:
        before = grouping_state(s)
    with session_scope(sessions) as s:
        audit.record(s, None, audit.SIGN_IN, "someone")
    with session_scope(sessions) as s:
        assert grouping_state(s) == before
    with session_scope(sessions) as s:
        audit.record(s, None, "candidates_regrouped", "all")
    with session_scope(sessions) as s:
        assert grouping_state(s) != before
