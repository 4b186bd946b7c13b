"""Compare, Themes and My authority through the Flask test client: what each role sees
(PRODUCT.md section 2) and no more, including callbacks called with crafted inputs.

The database: 13 authorities in four supplier groups (OLM 5, Corelogic 4, Liquidlogic 3,
Esprit 1), two periods. Bexford (OLM) rated navigation low in 2010-Q1 and high in 2010-Q2,
so it is the one "who improved" for its group. Carrow agreed to be named.
"""

from __future__ import annotations

import json
import random
from datetime import date

import pytest
from sqlalchemy import select

from dashboard.factory import create_app
from dashboard.users import create_user
from data.ingest import import_files
from data.reference.codes import FINDING_COLUMNS, instrument
from data.reference.seed import load_authorities, load_product_use
from data.store.db import make_engine, make_sessionmaker, session_scope
from data.store.models import Authority
from layouts.charts.figures import TRACE_TYPES
from tests.conftest import fresh_database
from tests.factories import about_file, csv_file
from tests.integration.conftest import DashClient, make_config, output_id

AUTHORITIES = [  # code, name, region, type, size, consent, product
    ("E09000801", "Ashby", "London", "london_borough", "medium", "", "CareFirst"),
    ("E09000802", "Bexford", "London", "london_borough", "medium", "", "CareFirst"),
    ("E09000803", "Carrow", "London", "london_borough", "medium", "yes", "CareFirst"),
    ("E06000804", "Dunmore", "South East", "unitary", "medium", "", "CareFirst"),
    ("E06000805", "Elmstead", "South East", "unitary", "medium", "", "CareFirst"),
    ("E10000806", "Fernshire", "South West", "county", "large", "", "frameworki"),
    ("E10000807", "Gatesby", "South West", "county", "large", "", "frameworki"),
    ("E10000808", "Hollins", "South West", "county", "large", "", "frameworki"),
    ("E06000809", "Ivybridge", "South West", "unitary", "medium", "", "frameworki"),
    (
        "E08000810",
        "Jarrow Vale",
        "North East",
        "metropolitan_district",
        "medium",
        "",
        "PROTOCOL ICS",
    ),
    ("E08000811", "Kelby", "North East", "metropolitan_district", "medium", "", "PROTOCOL ICS"),
    ("E08000812", "Lowmoor", "North West", "metropolitan_district", "medium", "", "PROTOCOL ICS"),
    ("E06000813", "Mardale", "North West", "unitary", "small", "", "ShareCare"),
]
NAMES = [a[1] for a in AUTHORITIES]
CODES = [a[0] for a in AUTHORITIES]
USERS = {  # username: role, authority code, supplier
    "la": ("la_user", "E09000801", None),
    "la2": ("la_user", "E09000802", None),
    "la_b": ("la_user", "E10000806", None),
    "nlar": ("nlar_rep", "E06000804", "OLM"),
    "coord": ("coordinator", None, None),
    "admin": ("admin", None, None),
}
PASSWORD = "pass-1234"
PERIODS = ("2010-Q1", "2010-Q2")


def files(code: str, product: str, period: str, seed: int, nav_low: bool) -> list:
    rng = random.Random(seed)
    items = [i for i in instrument(1)]
    about = about_file(code, product, period, date(2010, 3 * int(period[-1]), 28))
    rows = [
        [
            "respondent_ref",
            "role",
            "service_area",
            "years_experience_band",
            *[i.code for i in items],
            "comment",
        ]
    ]
    for r in range(12):
        role = "team_manager" if r % 4 == 0 else "social_worker"
        ratings = []
        for i in items:
            if i.theme == "NAV" and nav_low is not None:
                ratings.append(1 + r % 2 if nav_low else 4 + r % 2)
            else:
                ratings.append(rng.randint(2, 4))
        rows.append([f"R{r + 1:03d}", role, "assessment", "3-5", *ratings, ""])
    findings = csv_file(
        [
            list(FINDING_COLUMNS),
            [
                "F1",
                "NAV",
                "supplier",
                "core_assessment",
                "high",
                6,
                "Too many screens to record a visit",
                "Combine the visit screens",
            ],
            ["F2", "SPD", "technical", "general", "medium", 4, "Screens slow at month end", ""],
        ]
    )
    return [("about.csv", about), ("responses.csv", csv_file(rows)), ("findings.csv", findings)]


@pytest.fixture(scope="module")
def analysis_db(tmp_path_factory) -> str:
    url = fresh_database("sqlite", tmp_path_factory.mktemp("analysis"), "analysis")
    sessions = make_sessionmaker(make_engine(url))
    auth_csv = "code,name,region,la_type,size_band,consent_named\n" + "".join(
        f"{c},{n},{r},{t},{s},{k}\n" for c, n, r, t, s, k, _p in AUTHORITIES
    )
    use_csv = "authority_code,product,start_date,end_date\n" + "".join(
        f"{a[0]},{a[6]},2005-01-01,\n" for a in AUTHORITIES
    )
    with session_scope(sessions) as s:
        load_authorities(s, auth_csv, rng=random.Random(4))
        load_product_use(s, use_csv)
        for username, (role, code, supplier) in USERS.items():
            create_user(s, username, PASSWORD, role, authority_code=code, supplier_name=supplier)
    for p_i, period in enumerate(PERIODS):
        with session_scope(sessions) as s:
            for a_i, (code, name, *_rest, product) in enumerate(AUTHORITIES):
                nav = (p_i == 0) if name == "Bexford" else None
                import_files(
                    s,
                    files(code, product, period, 100 * p_i + a_i, nav),
                    allowed_authorities=None,
                    uploaded_by_id=None,
                )
    return url


@pytest.fixture(scope="module")
def analysis_app(analysis_db):
    return create_app(make_config(analysis_db))


@pytest.fixture
def as_(analysis_app):
    def make(username: str) -> DashClient:
        c = DashClient(analysis_app.server.test_client())
        assert c.login(username, PASSWORD).status_code == 302
        return c

    return make


def pseudonyms(url: str) -> dict[str, str]:
    with session_scope(make_sessionmaker(make_engine(url))) as s:
        return {a.name: a.pseudonym for a in s.scalars(select(Authority))}


def chart(client: DashClient, prefix: str, values: list, fields: list[str]) -> dict:
    """Call a chart card's display callback; returns {output id: value}."""
    outputs = [
        {"id": f"{prefix}-graph", "property": "figure"},
        {"id": f"{prefix}-summary", "property": "children"},
        {"id": f"{prefix}-table-data", "property": "data"},
        {"id": f"{prefix}-footnote", "property": "children"},
    ]
    out_id = "...".join(f"{o['id']}.{o['property']}" for o in outputs)
    inputs = [
        {"id": f, "property": "value", "value": v} for f, v in zip(fields, values, strict=True)
    ]
    r = client.callback(f"..{out_id}..", inputs, outputs=outputs)
    assert r.status_code == 200, r.get_data(as_text=True)[:400]
    resp = json.loads(r.get_data(as_text=True))["response"]
    return {k: v for k, v in resp.items()}


COMPARE = ["compare-period", "compare-role", "compare-la-type", "compare-region", "compare-measure"]
THEMES = [
    "themes-period",
    "themes-theme",
    "themes-category",
    "themes-workflow",
    "themes-severity",
    "themes-region",
    "themes-la-type",
    "themes-group",
]
MY = ["my-authority-period", "my-authority-measure"]


def rows_of(resp: dict, prefix: str) -> list[dict]:
    return resp[f"{prefix}-table-data"]["data"]["rows"]


# --- Compare --------------------------------------------------------------------------------


def test_compare_groups_fold_small_groups_and_show_counts(as_):
    out = chart(as_("coord"), "compare-groups", ["2010-Q2", "all", "all", "all", "SUS"], COMPARE)
    rows = {r["Supplier group"]: r for r in rows_of(out, "compare-groups")}
    assert set(rows) == {"OLM", "Corelogic", "Other suppliers", "All groups (England)"}
    assert rows["OLM"]["Authorities"] == "5"  # "Other suppliers" (4) may be c: see the cube
    assert rows["All groups (England)"]["Respondents"] != "c"
    assert "Esprit" not in json.dumps(out)


def test_compare_marks_the_viewers_own_group_and_names_england_only_unfiltered(as_):
    out = chart(as_("nlar"), "compare-groups", ["2010-Q2", "all", "all", "all", "SUS"], COMPARE)
    labels = out["compare-groups-graph"]["figure"]["data"][0]["y"]
    assert (
        "OLM (your group)" in labels
        and "England's mean" in out["compare-groups-summary"]["children"]
    )
    coord = chart(as_("coord"), "compare-groups", ["2010-Q2", "all", "all", "all", "SUS"], COMPARE)
    assert not any(
        "(your group)" in y for y in coord["compare-groups-graph"]["figure"]["data"][0]["y"]
    )
    typed = chart(
        as_("coord"), "compare-groups", ["2010-Q2", "all", "county", "all", "SUS"], COMPARE
    )
    assert "England" not in typed["compare-groups-summary"]["children"]


def test_a_narrowed_view_that_would_isolate_an_authority_reads_c(as_):
    # Corelogic has 3 counties and 1 unitary: "county" passes on its own, but all types minus
    # county is one authority, so Corelogic's county figure is suppressed.
    out = chart(as_("coord"), "compare-groups", ["2010-Q2", "all", "county", "all", "SUS"], COMPARE)
    rows = {r["Supplier group"]: r for r in rows_of(out, "compare-groups")}
    assert rows["Corelogic"]["Mean"] == "c" and "worked out" in rows["Corelogic"]["Note"]


def test_crafted_filter_values_mean_all_and_are_never_echoed(as_):
    bad = ["1999-Q9", "<script>x</script>", "county' OR 1=1", ["London"], "NOPE"]
    out = chart(as_("coord"), "compare-groups", bad, COMPARE)
    text = json.dumps(out)
    assert "<script>" not in text and "OR 1=1" not in text
    assert "period 2010-Q2" in out["compare-groups-summary"]["children"]  # latest period


@pytest.mark.parametrize("user", ["la", "la_b", "coord", "nlar"])
def test_compare_charts_never_name_an_authority_outside_the_breakdown(as_, user):
    c = as_(user)
    for prefix in ("compare-groups", "compare-heatmap", "compare-spread", "compare-trend"):
        text = json.dumps(chart(c, prefix, ["2010-Q2", "all", "all", "all", "SUS"], COMPARE))
        for secret in [*NAMES, *CODES, "R001"]:
            assert secret not in text, (user, prefix, secret)


def test_every_compare_chart_has_the_house_look(as_):
    # simple_white, never plotly's grey default: the trend panels, built as a dict from
    # make_subplots' layout, once carried that layout's default template
    for prefix in ("compare-groups", "compare-heatmap", "compare-spread", "compare-trend"):
        out = chart(as_("coord"), prefix, ["2010-Q2", "all", "all", "all", "SUS"], COMPARE)
        figure = out[f"{prefix}-graph"]["figure"]
        assert figure["layout"]["template"]["layout"]["plot_bgcolor"] == "white", prefix
        assert figure["layout"]["font"]["family"].startswith("Arial"), prefix
        # only trace types the served plotly.js bundle has (tests/unit/test_plotly_bundle.py)
        assert {t.get("type", "scatter") for t in figure["data"]} <= set(TRACE_TYPES), prefix


@pytest.mark.parametrize("user", ["la", "la_b", "coord", "admin"])
def test_only_the_groups_nlar_rep_gets_the_breakdown(as_, user):
    out = chart(as_(user), "compare-breakdown", ["2010-Q2", "all", "all", "all", "SUS"], COMPARE)
    assert "Not allowed" in out["compare-breakdown-summary"]["children"]
    assert rows_of(out, "compare-breakdown") == []


def test_nlar_rep_sees_own_group_by_pseudonym(as_, analysis_db):
    out = chart(as_("nlar"), "compare-breakdown", ["2010-Q2", "all", "all", "all", "SUS"], COMPARE)
    shown = {r["Authority"] for r in rows_of(out, "compare-breakdown")}
    p = pseudonyms(analysis_db)
    # own LA (Dunmore) and Carrow (consented) by name, the others by pseudonym; no other group
    assert shown == {"Dunmore", "Carrow", p["Ashby"], p["Bexford"], p["Elmstead"]}
    assert not {"Fernshire", p["Fernshire"], "Ashby"} & shown


def test_csv_download_states_filters_version_and_suppression(as_):
    c = as_("coord")
    states = [
        {"id": f, "property": "value", "value": v}
        for f, v in zip(COMPARE, ["2010-Q2", "all", "county", "all", "SUS"], strict=True)
    ]
    r = c.callback(
        "compare-groups-download.data",
        [{"id": "compare-groups-download-button", "property": "n_clicks", "value": 1}],
        state=states,
    )
    assert r.status_code == 200
    content = json.loads(r.get_data(as_text=True))["response"]["compare-groups-download"]["data"]
    content = content["content"]
    assert "# Filters: period 2010-Q2; LA type: County" in content
    assert "# Data version: " in content and ",c," in content


def test_url_records_filters_and_data_version(as_):
    c = as_("coord")
    inputs = [
        {"id": f, "property": "value", "value": v}
        for f, v in zip(COMPARE, ["2010-Q1", "social_worker", "all", "all", "NAV"], strict=True)
    ]
    r = c.callback("compare-search.data", inputs)
    search = json.loads(r.get_data(as_text=True))["response"]["compare-search"]["data"]
    assert search.startswith("?period=2010-Q1&role=social_worker&measure=NAV&v=")
    version = int(search.rsplit("v=", 1)[1])
    r = c.callback(
        "compare-version-notice.children",
        [
            {"id": "compare-loaded-version", "property": "data", "value": version},
            {"id": "compare-version-poll", "property": "n_intervals", "value": None},
        ],
        state=[
            {"id": "compare-query", "property": "data", "value": {"v": "1"}},
            {"id": "compare-search", "property": "data", "value": search},
        ],
    )
    text = json.dumps(json.loads(r.get_data(as_text=True))["response"])
    assert "This link was made on data version 1" in text


# --- Themes ---------------------------------------------------------------------------------


def findings(client: DashClient, values: list) -> dict:
    outputs = [
        {"id": "themes-list", "property": "columnDefs"},
        {"id": "themes-list", "property": "rowData"},
        {"id": "themes-list-note", "property": "children"},
    ]
    inputs = [
        {"id": f, "property": "value", "value": v} for f, v in zip(THEMES, values, strict=True)
    ]
    r = client.callback(
        "..themes-list.columnDefs...themes-list.rowData...themes-list-note.children..",
        inputs,
        outputs=outputs,
    )
    assert r.status_code == 200
    return json.loads(r.get_data(as_text=True))["response"]


ALL8 = ["2010-Q2", "all", "all", "all", "all", "all", "all", "all"]


def test_findings_list_names_no_other_authority_and_never_respondent_refs(as_, analysis_db):
    out = findings(as_("coord"), ALL8)
    rows = out["themes-list"]["rowData"]
    assert {r["authority"] for r in rows} <= {""}  # no name, no pseudonym: they link rows
    p = pseudonyms(analysis_db)
    text = json.dumps(out)
    assert p["Ashby"] not in text and "Ashby" not in text
    assert "R001" not in text and "E09000801" not in text
    assert "listed" in out["themes-list-note"]["children"]


def test_own_authority_is_named_in_its_own_findings(as_):
    rows = findings(as_("la"), ALL8)["themes-list"]["rowData"]
    assert "Ashby" in {r["authority"] for r in rows}
    assert {r["authority"] for r in rows} <= {"Ashby", ""}


def test_place_filters_name_no_other_authority(as_):
    out = findings(as_("coord"), ["2010-Q2", "all", "all", "all", "all", "London", "all", "all"])
    assert {r["authority"] for r in out["themes-list"]["rowData"]} <= {""}


def test_a_selection_too_small_to_list_lists_only_own_findings(as_):
    # Esprit is one authority: nothing listed for the coordinator ...
    small = ["2010-Q2", "all", "all", "all", "all", "all", "all", "Esprit"]
    out = findings(as_("coord"), small)
    assert out["themes-list"]["rowData"] == []
    note = out["themes-list-note"]["children"]
    assert "not listed" in note and "Some findings" in note  # its count is c: not in the note
    # ... and an LA sees only its own in a small selection (Ashby: London, OLM, NAV, high)
    narrow = ["2010-Q2", "NAV", "all", "all", "high", "London", "all", "OLM"]
    rows = findings(as_("la"), narrow)["themes-list"]["rowData"]
    assert len(rows) == 1 and rows[0]["authority"] == "Ashby"


def test_theme_charts_suppress_small_groups(as_):
    out = chart(as_("coord"), "themes-by-group", ALL8, THEMES)
    table = rows_of(out, "themes-by-group")
    assert {r["Supplier group"] for r in table} == {
        "OLM",
        "Corelogic",
        "Other suppliers",
        "All groups (England)",
    }
    assert "Esprit" not in json.dumps(out)


# --- My authority ---------------------------------------------------------------------------


@pytest.mark.parametrize("user", ["coord", "admin"])
def test_my_authority_is_only_for_authority_users(as_, user):
    out = chart(as_(user), "my-authority-profile", ["2010-Q2", "SUS"], MY)
    assert (
        "This page is for users of a local authority"
        in out["my-authority-profile-summary"]["children"]
    )
    assert rows_of(out, "my-authority-profile") == []


def test_my_authority_shows_own_figures_and_suppresses_small_comparators(as_):
    out = chart(as_("la"), "my-authority-profile", ["2010-Q2", "SUS"], MY)
    rows = [r for r in rows_of(out, "my-authority-profile") if r["Score"] == "SUS"]
    by = {r["Compared with"]: r for r in rows}
    assert by["Your authority"]["Authorities"] == "1" and by["Your authority"]["Mean"] != "c"
    # neighbours: other medium London boroughs = Bexford and Carrow only -> suppressed
    assert by["Your statistical neighbours"]["Mean"] == "c"
    # and so is the stand-in: London boroughs can't be told apart from other types here,
    # and the fewest authorities they can be shown with are Ashby's own supplier group
    instead = by["Other London boroughs (in place of neighbours)"]
    assert instead["Mean"] == "c"
    assert instead["Note"].startswith("not shown: no part of the other London boroughs")
    assert instead["Note"].endswith("is your supplier group, shown already")
    assert by["Other authorities in your supplier group"]["Authorities"] == "4"
    text = json.dumps(out)
    for secret in [n for n in NAMES if n != "Ashby"]:
        assert secret not in text


def test_my_authority_table_wraps_names_and_notes_and_keeps_figures_narrow(as_):
    """The table alternative's grid: a comparator's name (up to ~80 characters, "Other
    London boroughs and authorities combined with them (in place of neighbours)") and its
    note wrap instead of being cut off at a fixed 200 px; figures take a narrow column."""
    out = chart(as_("la"), "my-authority-profile", ["2010-Q2", "SUS"], MY)
    columns = {c["field"]: c for c in out["my-authority-profile-table-data"]["data"]["columns"]}
    for text in ("Score", "Compared with", "Note"):
        assert columns[text].get("wrapText") and columns[text].get("autoHeight"), text
    assert columns["Note"]["minWidth"] > columns["Compared with"]["minWidth"]
    for figure in ("Mean", "Respondents", "Authorities"):
        assert "flex" not in columns[figure] and columns[figure]["width"] <= 160, figure
    # ... but wide enough for its header's one word beside the filter icon (8 px a letter)
    assert columns["Respondents"]["width"] >= 8 * len("Respondents") + 60


def test_my_authority_neighbours_note_says_what_is_shown_instead(as_):
    from tests.integration.test_upload_page import Page

    values = {"my-authority-query.data": {}}
    note = Page(as_("la")).call("my-authority-query.data", values, "neighbours-note")
    text = note["my-authority-neighbours-note.children"]
    assert text.startswith("Your statistical neighbours are authorities of the same type and")
    assert "pooled" not in text and "other authorities of your type instead" in text


def test_crafted_period_cannot_reach_another_authority(as_):
    # la_b's authority (Fernshire) has both periods; a crafted period falls back to its own latest
    out = chart(as_("la_b"), "my-authority-profile", ["1999-Q1", "SUS"], MY)
    assert "2010-Q2" in out["my-authority-profile-summary"]["children"]
    assert "Ashby" not in json.dumps(out)


def act(client: DashClient, kind: str, index: str, period: str = "2010-Q2"):
    """Click one pattern-matched button of the My authority page."""
    ask = (
        [{"id": {"type": "my-authority-ask", "index": index}, "property": "n_clicks", "value": 1}]
        if kind == "ask"
        else []
    )
    decide = (
        [
            {
                "id": {"type": "my-authority-decide", "index": index},
                "property": "n_clicks",
                "value": 1,
            }
        ]
        if kind == "decide"
        else []
    )
    trigger = {"index": index, "type": f"my-authority-{kind}"}
    r = client.callback(
        output_id(["my-authority-action-message.children", "my-authority-refresh.data"]),
        [ask, decide],
        [
            {"id": "my-authority-period", "property": "value", "value": period},
            {"id": "my-authority-refresh", "property": "data", "value": 0},
        ],
        changed=[json.dumps(trigger, separators=(",", ":"), sort_keys=True) + ".n_clicks"],
    )
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    return json.loads(r.get_data(as_text=True))["response"]["my-authority-action-message"][
        "children"
    ]


def requests_of(client: DashClient) -> str:
    r = client.callback(
        "..my-authority-requests.children..",
        [
            {"id": "my-authority-query", "property": "data", "value": {}},
            {"id": "my-authority-refresh", "property": "data", "value": 1},
        ],
    )
    return json.dumps(json.loads(r.get_data(as_text=True))["response"])


def improved_of(client: DashClient) -> str:
    r = client.callback(
        "..my-authority-improved.children..",
        [
            {"id": "my-authority-period", "property": "value", "value": "2010-Q2"},
            {"id": "my-authority-refresh", "property": "data", "value": 0},
        ],
    )
    return json.dumps(json.loads(r.get_data(as_text=True))["response"])


def decide_index(tree) -> str:
    """The index of the first Accept button in a rendered component tree."""
    if isinstance(tree, dict):
        ident = tree.get("id")
        if isinstance(ident, dict) and ident.get("type") == "my-authority-decide":
            return ident["index"]
        found = [decide_index(v) for v in tree.values()]
    elif isinstance(tree, list):
        found = [decide_index(v) for v in tree]
    else:
        return ""
    return next((f for f in found if f), "")


def test_contact_request_journey(as_, analysis_db):
    p = pseudonyms(analysis_db)
    la, la2, la_b = as_("la"), as_("la2"), as_("la_b")
    listed = improved_of(la)
    assert p["Bexford"] in listed and "Bexford" not in listed
    # crafted: an authority that did not improve, one in another group, a theme not listed
    for target in (f"{p['Carrow']}|NAV", f"{p['Fernshire']}|NAV", f"{p['Bexford']}|SPD"):
        assert "Not allowed" in act(la, "ask", target)
    assert "has been sent" in act(la, "ask", f"{p['Bexford']}|NAV")
    assert "already asked" in act(la, "ask", f"{p['Bexford']}|NAV")
    # Bexford sees the request under Ashby's pseudonym, not its name
    incoming = requests_of(la2)
    assert p["Ashby"] in incoming and "Ashby" not in incoming and "Accept" in incoming
    request_id = decide_index(json.loads(incoming)).split("|")[0]
    # crafted: another LA (and the requester itself) cannot decide on it
    assert "no such request" in act(la_b, "decide", f"{request_id}|accept")
    assert "no such request" in act(la, "decide", f"{request_id}|accept")
    assert "both authorities can now see" in act(la2, "decide", f"{request_id}|accept")
    assert "Bexford" in requests_of(la) and "Ashby" in requests_of(la2)
    assert "Bexford" not in requests_of(la_b) and "Ashby" not in requests_of(la_b)
    assert "already been answered" in act(la2, "decide", f"{request_id}|decline")


def _search(client, page: str, fields: list[str], values: list) -> str:
    inputs = [
        {"id": f, "property": "value", "value": v} for f, v in zip(fields, values, strict=True)
    ]
    r = client.callback(f"{page}-search.data", inputs)
    assert r.status_code == 200, r.get_data(as_text=True)[:400]
    return json.loads(r.get_data(as_text=True))["response"][f"{page}-search"]["data"]


@pytest.mark.parametrize("period", ["", "1999-Q9", None])
def test_period_left_on_latest_is_named_in_the_url(as_, period):
    # the select starts on "" (latest) and the charts do not wait for its options: the URL
    # still names the period they show, so a shared link keeps showing it
    c = as_("coord")
    search = _search(c, "compare", COMPARE, [period, "all", "all", "all", "SUS"])
    assert search.startswith("?period=2010-Q2&measure=SUS&v=")
    out = chart(c, "compare-groups", [period, "all", "all", "all", "SUS"], COMPARE)
    assert "period 2010-Q2" in out["compare-groups-summary"]["children"]
    # themes read no period (or an unknown one) as all periods, and say nothing of it
    themes = _search(c, "themes", THEMES, [period or "all", *["all"] * 7])
    assert "period=" not in themes
    # my authority: the authority's own latest period
    mine = _search(as_("la"), "my-authority", MY, [period, "SUS"])
    assert mine.startswith("?period=2010-Q2&measure=SUS&v=")


def test_period_options_come_without_a_value(as_):
    r = as_("coord").callback(
        "compare-period.options", [{"id": "compare-query", "property": "data", "value": {}}]
    )
    assert r.status_code == 200
    opts = json.loads(r.get_data(as_text=True))["response"]["compare-period"]["options"]
    assert [o["value"] for o in opts] == ["2010-Q2", "2010-Q1"]  # newest first
