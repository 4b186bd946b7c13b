"""The one filter model (data.queries.filters), one table per page spec: parsing URL and
control values (valid, unknown, forged types, empty, "all"), the words for summaries and CSV
headers, narrowing rows and compiling to SQL."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.dialects import postgresql

from data.privacy.narrowing import RAW_GROUP
from data.queries.filter_options import reference_options
from data.queries.filters import (
    ALL,
    AUDIT,
    COMPARE,
    EVIDENCE,
    MY_AUTHORITY,
    PRODUCT_USE,
    REQUIREMENTS,
    SPECS,
    THEMES,
    FilterSpec,
    Selection,
    clean,
)

PERIODS = ("2010-Q1", "2010-Q2")
OPTS = reference_options(PERIODS, {"Alpha": "Alpha", "Beta": "Beta"})
# The pages outside the analysis ones: their allowed values, as their queries build them
# (stored suppliers, users, audit actions and authorities, by id).
PAGE_OPTS = {
    "requirements": {"suppliers": {"1", "2"}},
    "audit": {"users": {"1", "7"}, "actions": ["sign_in", "supplier_added"]},
    "product_use": {"authorities": {"3", "4"}},
}


def options(spec: FilterSpec):
    return PAGE_OPTS.get(spec.page, OPTS)


# spec, values as they arrive (URL query or controls), the selection parsed from them
PARSE = [
    # nothing chosen: each filter's fallback
    (COMPARE, {}, {"period": "2010-Q2", "measure": "SUS"}),
    (THEMES, {}, {}),
    (MY_AUTHORITY, {}, {"period": "2010-Q2", "measure": "SUS"}),
    (EVIDENCE, {}, {}),
    # valid values are kept
    (
        COMPARE,
        {"period": "2010-Q1", "role": "social_worker", "type": "county",
         "region": "North East", "measure": "NAV"},
        {"period": "2010-Q1", "role": "social_worker", "type": "county",
         "region": "North East", "measure": "NAV"},
    ),
    (
        THEMES,
        {"period": "2010-Q1", "theme": "SPD", "category": "practice", "workflow": "referral",
         "severity": "low", "region": "North West", "type": "unitary", "group": "Beta"},
        {"period": "2010-Q1", "theme": "SPD", "category": "practice", "workflow": "referral",
         "severity": "low", "region": "North West", "type": "unitary", "group": "Beta"},
    ),
    (MY_AUTHORITY, {"period": "2010-Q1", "measure": "SPD"},
     {"period": "2010-Q1", "measure": "SPD"}),
    (EVIDENCE, {"period": "2010-Q1"}, {"period": "2010-Q1"}),
    # surrounding spaces (a hand-edited URL) are not part of the value
    (COMPARE, {"region": " North East "}, {"period": "2010-Q2", "region": "North East",
                                           "measure": "SUS"}),
    # unknown values mean "all" (or the fallback), never an error or a narrower cell
    (
        COMPARE,
        {"period": "1999-Q1", "role": "<script>", "type": "E06", "region": "Atlantis",
         "measure": "GEN"},
        {"period": "2010-Q2", "measure": "SUS"},
    ),
    (
        THEMES,
        {"period": "2010-Q9", "theme": "GEN", "category": "Practice", "workflow": "nowhere",
         "severity": "High", "region": "E12000001", "type": "County", "group": "Gamma"},
        {},
    ),
    (MY_AUTHORITY, {"period": "2011-Q1", "measure": "sus"},
     {"period": "2010-Q2", "measure": "SUS"}),
    (EVIDENCE, {"period": "1999-Q1"}, {}),
    # forged types (a repeated URL key, a JSON object, numbers) mean "all"
    (
        COMPARE,
        {"period": ["2010-Q1", "2010-Q2"], "role": {"social_worker": 1}, "type": 3,
         "region": ("North East",), "measure": ["NAV"]},
        {"period": "2010-Q2", "measure": "SUS"},
    ),
    (THEMES, {"theme": ["SPD"], "severity": {"low": "low"}, "group": None, "period": 2010}, {}),
    (MY_AUTHORITY, {"period": ["2010-Q1"], "measure": {"SUS": 1}}, {"period": "2010-Q2",
                                                                   "measure": "SUS"}),
    # code-only filters are never set from a request
    (EVIDENCE, {"supplier_id": "3", "group": "Alpha", "period": "2010-Q1"}, {"period": "2010-Q1"}),
    # empty values and "all" mean "all"
    (COMPARE, {"period": "", "role": "", "type": "  ", "region": ALL, "measure": ""},
     {"period": "2010-Q2", "measure": "SUS"}),
    (THEMES, {"period": ALL, "theme": ALL, "group": "", "severity": " all "}, {}),
    (MY_AUTHORITY, {"period": ALL, "measure": ALL}, {"period": "2010-Q2", "measure": "SUS"}),
    # Requirements and Admin: a stored id or action is kept; anything else means "all"
    (REQUIREMENTS, {"group": "2"}, {"group": "2"}),
    (REQUIREMENTS, {"group": 1}, {"group": "1"}),
    (REQUIREMENTS, {"group": " 2 "}, {"group": "2"}),
    (REQUIREMENTS, {"group": "99"}, {}),  # no such group: all, never an empty list
    (REQUIREMENTS, {"group": "R-1"}, {}),
    (REQUIREMENTS, {"group": ["1", "2"]}, {}),
    (REQUIREMENTS, {"group": ALL}, {}),
    (REQUIREMENTS, {"group": ""}, {}),
    (REQUIREMENTS, {}, {}),
    (AUDIT, {"user": "7", "action": "sign_in"}, {"user": "7", "action": "sign_in"}),
    (AUDIT, {"user": "8", "action": "Sign_in"}, {}),
    (AUDIT, {"user": {"7": 1}, "action": ["sign_in"]}, {}),
    (AUDIT, {"user": ALL, "action": ALL}, {}),
    (AUDIT, {"user": None, "action": "supplier_added"}, {"action": "supplier_added"}),
    (PRODUCT_USE, {"authority": "4"}, {"authority": "4"}),
    (PRODUCT_USE, {"authority": "none"}, {}),
    (PRODUCT_USE, {"authority": "5; drop table"}, {}),
    (PRODUCT_USE, {"authority": ALL}, {}),
]  # fmt: skip


@pytest.mark.parametrize(("spec", "values", "expected"), PARSE)
def test_parse(spec: FilterSpec, values: dict, expected: dict):
    selection = spec.parse(values, options(spec))
    assert dict(selection.values) == expected
    assert {k: selection.get(k) for k in spec.keys} == {k: expected.get(k) for k in spec.keys}


@pytest.mark.parametrize("spec", list(SPECS.values()), ids=list(SPECS))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.dictionaries(st.sampled_from(["period", "role", "type", "region", "measure",
                                               "theme", "group", "severity", "supplier_id",
                                               "user", "action", "authority"]),
                              st.none() | st.text(max_size=12) | st.integers()
                              | st.lists(st.text(max_size=4), max_size=2)))  # fmt: skip
def test_parse_never_picks_a_value_that_is_not_allowed(spec: FilterSpec, values: dict):
    allowed = options(spec)
    chosen = dict(spec.parse(values, allowed).values)
    for key, value in chosen.items():
        f = spec[key]
        assert value in f.allowed(allowed)
        assert value == clean(values.get(key)) or value == spec.parse({}, allowed).get(key)


def test_value_is_the_filters_kind():
    chosen = REQUIREMENTS.parse({"group": "2"}, PAGE_OPTS["requirements"])
    assert chosen.value("group") == 2
    assert REQUIREMENTS.parse({"group": "9"}, PAGE_OPTS["requirements"]).value("group") is None
    audit = AUDIT.parse({"user": "7", "action": "sign_in"}, PAGE_OPTS["audit"])
    assert (audit.value("user"), audit.value("action")) == (7, "sign_in")


def test_parse_without_periods_leaves_the_period_unset():
    assert COMPARE.parse({"period": "2010-Q1"}, reference_options()).period is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [(" 2010-Q1 ", "2010-Q1"), ("London & SE", "London & SE"), (7, "7"), ("", None),
     ("   ", None), (ALL, None), (None, None), (["a", "b"], None), ({"a": 1}, None),
     (("a",), None)],
)  # fmt: skip
def test_clean_is_the_one_sanitising_rule(value, expected):
    assert clean(value) == expected


# spec, URL query, what each control starts on (None: its "all" or placeholder choice)
CONTROLS = [
    (COMPARE, {}, {"period": None, "role": None, "type": None, "region": None,
                   "measure": "SUS"}),
    (COMPARE, {"period": " 2010-Q1 ", "role": "<b>", "type": "county", "measure": "NAV"},
     {"period": "2010-Q1", "role": None, "type": "county", "region": None, "measure": "NAV"}),
    (THEMES, {"period": "2099-Q1", "group": "Gamma", "theme": "GEN", "severity": "high"},
     {"period": "2099-Q1", "theme": None, "category": None, "workflow": None,
      "severity": "high", "region": None, "type": None, "group": "Gamma"}),
    (MY_AUTHORITY, {"period": ["a", "b"], "measure": "x"}, {"period": None, "measure": "SUS"}),
]  # fmt: skip


@pytest.mark.parametrize(("spec", "query", "expected"), CONTROLS)
def test_control_values(spec: FilterSpec, query: dict, expected: dict):
    # periods and groups come from the data: cleaned here, checked by the charts (parse)
    assert spec.control_values(query, reference_options()) == expected


# spec, selection, its words (the wording summaries and CSV headers have always used)
DESCRIBE = [
    (COMPARE, {"period": "2010-Q2", "measure": "SUS"}, "period 2010-Q2"),
    (COMPARE, {"period": "2010-Q2", "role": "social_worker", "type": "county",
               "region": "North East", "measure": "NAV"},
     "period 2010-Q2; respondent role: Social worker; region: North East; LA type: County"),
    (COMPARE, {"role": "visitor"}, "all periods; respondent role: visitor"),  # no label
    (THEMES, {}, "all periods"),
    (THEMES, {"severity": "high"}, "all periods; severity: High"),
    (THEMES, {"period": "2010-Q1", "theme": "SPD", "category": "practice",
              "workflow": "referral", "severity": "low", "region": "North West",
              "type": "unitary", "group": "Beta"},
     "period 2010-Q1; theme: Speed and reliability; category: Practice; workflow: Referral; "
     "severity: Low; region: North West; la type: Unitary authority; group: Beta"),
    (MY_AUTHORITY, {"period": "2010-Q1", "measure": "NAV"}, "period 2010-Q1"),
    (EVIDENCE, {"supplier_id": 3, "group": "Alpha", "period": "2010-Q1"}, ""),
    (REQUIREMENTS, {}, "all supplier groups"),
    (REQUIREMENTS, {"group": 2}, "supplier group: 2"),
    (AUDIT, {"user": 7, "action": "sign_in"}, "user: 7; action: sign_in"),
]  # fmt: skip


@pytest.mark.parametrize(("spec", "values", "expected"), DESCRIBE)
def test_describe(spec: FilterSpec, values: dict, expected: str):
    assert spec.select(**values).describe(options(spec)) == expected


def test_describe_without_labels_shows_values_and_a_reset_filter_as_all():
    f = COMPARE.select(period="2010-Q2", type="county")
    assert f.describe() == "period 2010-Q2; LA type: county"
    assert f.without("period").describe(OPTS) == "all periods; LA type: County"


ROWS = pd.DataFrame(
    {
        "authority_id": [1, 2, 3, 4],
        "period": ["2010-Q1", "2010-Q1", "2010-Q2", "2010-Q2"],
        "role": ["social_worker", "team_manager", "social_worker", "social_worker"],
        "region": ["North East", "North East", "North West", "North East"],
        "la_type": ["county", "county", "unitary", "county"],
        "measure": ["SUS", "SUS", "SUS", "NAV"],
        "theme": ["NAV", "SPD", "NAV", "NAV"],
        "severity": ["low", "high", "low", "low"],
        RAW_GROUP: ["Alpha", "Beta", "Alpha", "Alpha"],
    }
)

# spec, selection, guarded narrowing (row column -> value), authorities of the narrowed rows
NARROW = [
    (COMPARE, {}, {}, [1, 2, 3, 4]),
    (COMPARE, {"period": "2010-Q1", "role": "social_worker", "measure": "SUS"},
     {"role": "social_worker"}, [1]),
    (COMPARE, {"region": "North East", "type": "county"},
     {"region": "North East", "la_type": "county"}, [1, 2, 4]),
    (THEMES, {"period": "2010-Q2", "theme": "NAV", "group": "Alpha"},
     {"theme": "NAV", RAW_GROUP: "Alpha"}, [3, 4]),
    (THEMES, {"severity": "high", "type": "unitary"}, {"severity": "high", "la_type": "unitary"},
     []),
    (MY_AUTHORITY, {"period": "2010-Q2", "measure": "NAV"}, {}, [4]),
    (EVIDENCE, {"supplier_id": 9, "group": "Alpha", "period": "2010-Q1"}, {}, [1, 2]),
]  # fmt: skip


@pytest.mark.parametrize(("spec", "values", "narrowing", "authorities"), NARROW)
def test_narrow_rows(spec: FilterSpec, values: dict, narrowing: dict, authorities: list):
    f = spec.select(**values)
    # the guard narrows on the guarded filters; the page query slices on the others
    assert f.narrowing() == narrowing
    assert f.narrow(ROWS)["authority_id"].tolist() == authorities


def test_narrowing_can_leave_out_the_columns_a_chart_breaks_down_by():
    f = THEMES.select(theme="NAV", severity="low", group="Alpha")
    assert f.narrowing(without=["theme", RAW_GROUP]) == {"severity": "low"}


def sql(clauses: list) -> list[str]:
    dialect = postgresql.dialect()
    return [str(c.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
            for c in clauses]  # fmt: skip


# spec, selection, SQL before the guard, SQL once the guard has allowed the selection
WHERE = [
    (COMPARE, {}, [], []),
    (COMPARE, {"period": "2010-Q1", "role": "social_worker", "region": "North East",
               "type": "county", "measure": "SUS"},
     ["submission.period = '2010-Q1'", "score_summary.measure_code = 'SUS'"],
     ["submission.period = '2010-Q1'", "score_summary.role = 'social_worker'",
      "authority.region = 'North East'", "authority.la_type = 'county'",
      "score_summary.measure_code = 'SUS'"]),
    (THEMES, {"period": "2010-Q2", "theme": "NAV", "workflow": "referral", "group": "O'Neil"},
     ["submission.period = '2010-Q2'"],
     ["submission.period = '2010-Q2'", "finding.theme_code = 'NAV'",
      "finding.workflow_area_code = 'referral'", "supplier.name = 'O''Neil'"]),
    (MY_AUTHORITY, {"period": "2010-Q2", "measure": "NAV"},
     ["submission.period = '2010-Q2'", "score_summary.measure_code = 'NAV'"],
     ["submission.period = '2010-Q2'", "score_summary.measure_code = 'NAV'"]),
    (EVIDENCE, {"supplier_id": 3, "group": "Alpha"}, ["submission.supplier_id = 3"],
     ["submission.supplier_id = 3"]),
    (AUDIT, {"user": "7", "action": "sign_in"},
     ["audit_event.user_id = 7", "audit_event.action = 'sign_in'"],
     ["audit_event.user_id = 7", "audit_event.action = 'sign_in'"]),
    (AUDIT, {}, [], []),
    (PRODUCT_USE, {"authority": "3"}, ["product_use.authority_id = 3"],
     ["product_use.authority_id = 3"]),
    (REQUIREMENTS, {"group": "2"}, [], []),  # the lists narrow by their own queries
]  # fmt: skip


@pytest.mark.parametrize(("spec", "values", "before", "after"), WHERE)
def test_sql(spec: FilterSpec, values: dict, before: list, after: list):
    f = spec.select(**values)
    assert sql(f.where()) == before
    assert sql(f.where(guarded=True)) == after


def test_stored_evidence_filters_keep_their_format_and_fall_back_when_unreadable():
    f = EVIDENCE.select(supplier_id=3, group="Alpha", period=None)
    text = f.to_json()
    assert text == json.dumps({"supplier_id": 3, "group": "Alpha", "period": None}, sort_keys=True)
    assert EVIDENCE.from_json(text, EVIDENCE.select()) == f
    assert f.get("supplier_id") == "3" and f.period is None
    fallback = EVIDENCE.select(group="All supplier groups")
    for bad in ("", "not json", "[1, 2]", '{"group": "Alpha"}', "null"):
        assert EVIDENCE.from_json(bad, fallback) is fallback


def test_code_made_selections_refuse_unknown_filters():
    with pytest.raises(KeyError, match="no filter 'la_type'"):
        COMPARE.select(la_type="county")
    with pytest.raises(KeyError):
        THEMES.select().get("role")
    assert isinstance(THEMES.select(), Selection)
