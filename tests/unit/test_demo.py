"""Tests for the synthetic demo dataset generator (data/demo)."""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pytest

from data.demo import DemoManifest, build_demo, generate_demo
from data.demo.authorities import REAL_COUNCIL_NAMES, reference_rows
from data.demo.findings_text import PROBLEMS
from data.demo.generate import write_demo

SMALL = {"n_authorities": 30, "periods": ("2009-Q4", "2010-Q1")}
QUARTER_END = {"Q1": "03-31", "Q2": "06-30", "Q3": "09-30", "Q4": "12-31"}
PREFIX = {
    "county": "E10",
    "unitary": "E06",
    "metropolitan_district": "E08",
    "london_borough": "E09",
}


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _codes(name: str, column: str = "code") -> set[str]:
    return {row[column] for row in reference_rows(name)}


def _about(path: Path) -> dict[str, str]:
    return {row["field"]: row["value"] for row in _read(path)}


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9']+", text.lower()))


def _closest(bases: list[set[str]], words: set[str]) -> int:
    """Index of the word set most like `words` (Jaccard)."""
    return max(range(len(bases)), key=lambda i: len(bases[i] & words) / len(bases[i] | words))


def _sus_mean(path: Path) -> float:
    """Mean SUS of one responses file, computed as SCORING.md says."""
    rows = _read(path)
    items = [f"SUS{i:02d}" for i in range(1, 11)]
    scores = []
    for row in rows:
        if all(row[c] for c in items):
            raw = [int(row[c]) for c in items]
            scores.append(2.5 * sum(r - 1 if i % 2 == 0 else 5 - r for i, r in enumerate(raw)))
    return float(np.mean(scores))


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> DemoManifest:
    return generate_demo(tmp_path_factory.mktemp("small"), **SMALL)


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, DemoManifest]:
    """The default-size demo, built and written once (this is what generate_demo does)."""
    data = build_demo()
    return data, write_demo(data, tmp_path_factory.mktemp("full"))


def test_same_seed_gives_byte_identical_files(small: DemoManifest, tmp_path: Path) -> None:
    again = generate_demo(tmp_path / "again", **SMALL)
    first = [small.authorities_csv, small.product_use_csv, *sum(small.submissions, ())]
    second = [again.authorities_csv, again.product_use_csv, *sum(again.submissions, ())]
    assert [p.name for p in first] == [p.name for p in second]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(first, second, strict=True))
    other = generate_demo(tmp_path / "other", seed=7, **SMALL)
    assert other.authorities_csv.read_bytes() != small.authorities_csv.read_bytes()


def test_authorities_are_plausible_and_unique(small: DemoManifest) -> None:
    rows = _read(small.authorities_csv)
    assert len(rows) == 30
    assert len({r["code"] for r in rows}) == 30
    assert len({r["name"] for r in rows}) == 30
    for r in rows:
        assert re.fullmatch(r"E\d{8}", r["code"]) and r["code"][:3] == PREFIX[r["la_type"]]
        assert r["name"].lower() not in REAL_COUNCIL_NAMES
        assert (r["region"] == "London") == (r["la_type"] == "london_borough")
        if r["la_type"] == "metropolitan_district":
            assert r["region"] in {
                "North East",
                "North West",
                "Yorkshire and The Humber",
                "West Midlands",
            }
    assert {r["region"] for r in rows} == {r["name"] for r in reference_rows("regions.csv")}
    assert {r["la_type"] for r in rows} == _codes("la_types.csv")
    assert {r["size_band"] for r in rows} <= {"small", "medium", "large"}


@pytest.mark.slow  # the national-size demo (150 LAs)
def test_supplier_groups_are_uneven(full: tuple) -> None:
    _, manifest = full
    uses = _read(manifest.product_use_csv)
    start = Counter(u["product"] for u in uses if u["start_date"] < "2009-07-01")
    assert set(start) == {r["product"] for r in reference_rows("products.csv")}
    sizes = sorted(start.values(), reverse=True)
    assert 32 <= sizes[0] <= 38 and 27 <= sizes[1] <= 33
    assert sum(5 <= s <= 25 for s in sizes) >= 4
    assert sum(s <= 2 for s in sizes) >= 2 and 1 <= start["KCics"] <= 2
    first = Counter(_about(a)["product"] for a, _, _ in manifest.submissions if "2009-Q3" in a.name)
    assert len(first) == 11  # every group submits in the first period


@pytest.mark.slow  # the national-size demo (150 LAs)
def test_switchers_use_the_product_in_use_at_quarter_end(full: tuple) -> None:
    _, manifest = full
    uses = _read(manifest.product_use_csv)
    ended = [u for u in uses if u["end_date"]]
    assert 3 <= len(ended) <= 6
    for u in ended:
        later = [v for v in uses if v["authority_code"] == u["authority_code"] and v is not u]
        assert len(later) == 1 and later[0]["start_date"] > u["end_date"]
        assert later[0]["product"] != u["product"]
    products_seen = defaultdict(set)
    for about_path, _, _ in manifest.submissions:
        about = _about(about_path)
        year, quarter = about["period"].split("-")
        day = f"{year}-{QUARTER_END[quarter]}"
        in_use = [
            u["product"]
            for u in uses
            if u["authority_code"] == about["authority_code"]
            and u["start_date"] <= day
            and (not u["end_date"] or day <= u["end_date"])
        ]
        assert in_use == [about["product"]]
        assert about["instrument_version"] == "1" and about["survey_closed"] <= day
        products_seen[about["authority_code"]].add(about["product"])
    assert sum(len(p) > 1 for p in products_seen.values()) >= 3


@pytest.mark.slow  # the national-size demo (150 LAs)
def test_most_las_submit_every_period(full: tuple) -> None:
    data, manifest = full
    per_la = Counter(s.authority.code for s in data.submissions)
    assert sum(c == 4 for c in per_la.values()) >= 0.85 * 150
    assert 1 <= sum(c == 3 for c in per_la.values()) <= 20
    keys = [(_about(a)["period"], _about(a)["authority_code"]) for a, _, _ in manifest.submissions]
    assert keys == sorted(keys)


def test_responses_follow_the_file_format(small: DemoManifest) -> None:
    items = [r["code"] for r in reference_rows("instrument.csv") if r["version"] == "1"]
    roles = _codes("respondent_roles.csv")
    bands = _codes("experience_bands.csv")
    cells = blanks = 0
    role_counts: Counter[str] = Counter()
    for _, responses, _ in small.submissions:
        with responses.open(encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle))
        expected = ["respondent_ref", "role", "service_area", "years_experience_band"]
        assert header == [*expected, *items, "comment"]
        rows = _read(responses)
        assert 20 <= len(rows) <= 100
        assert len({r["respondent_ref"] for r in rows}) == len(rows)
        for r in rows:
            assert r["role"] in roles and r["years_experience_band"] in bands and r["service_area"]
            role_counts[r["role"]] += 1
            values = [r[c] for c in items]
            assert set(values) <= {"", "1", "2", "3", "4", "5"}
            cells += len(values)
            blanks += values.count("")
    assert 0.03 <= blanks / cells <= 0.08
    assert role_counts.most_common(1)[0][0] == "social_worker"
    assert role_counts["social_worker"] > 0.5 * sum(role_counts.values())


def test_respondent_range_is_respected(tmp_path: Path) -> None:
    manifest = generate_demo(tmp_path, n_authorities=12, periods=("2010-Q1",), respondents=(5, 9))
    assert all(5 <= len(_read(r)) <= 9 for _, r, _ in manifest.submissions)


def test_comments_carry_fake_personal_data_to_redact(small: DemoManifest) -> None:
    comments = [r["comment"] for _, resp, _ in small.submissions for r in _read(resp)]
    written = [c for c in comments if c]
    assert 0.03 < len(written) / len(comments) < 0.2
    text = " ".join(written)
    assert "01632 960" in text or "@example.org" in text
    assert re.search(r"\b(Mr|Mrs|Ms|Dr|Miss) [A-Z]", text)


@pytest.mark.slow  # the national-size demo (150 LAs)
def test_sus_means_are_realistic_and_some_las_improve(full: tuple) -> None:
    _, manifest = full
    by_la: dict[str, dict[str, float]] = defaultdict(dict)
    by_product: dict[str, list[float]] = defaultdict(list)
    for about_path, responses, _ in manifest.submissions:
        about = _about(about_path)
        mean = _sus_mean(responses)
        by_la[about["authority_code"]][about["period"]] = mean
        by_product[about["product"]].append(mean)
    means = np.array([m for periods in by_la.values() for m in periods.values()])
    assert np.mean((means >= 45) & (means <= 65)) >= 0.8
    product_means = {p: np.mean(v) for p, v in by_product.items()}
    assert max(product_means.values()) - min(product_means.values()) >= 6
    gains = [p["2010-Q2"] - p["2009-Q3"] for p in by_la.values() if len(p) == 4]
    assert max(gains) > 5 and np.median(np.abs(gains)) < 5


@pytest.mark.slow  # the national-size demo (150 LAs)
def test_theme_scores_differ_by_supplier(full: tuple) -> None:
    data, _ = full
    inst = data.instrument
    themes = np.array(inst.themes)
    table: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for sub in data.submissions:
        r = sub.responses.ratings.astype(float)
        score = np.where(inst.negative, 5 - r, r - 1) * 25
        score[r == 0] = np.nan
        for theme in ("SPD", "NAR"):
            table[sub.product][theme].extend(np.nanmean(score[:, themes == theme], axis=0))
    mean = {p: {t: np.mean(v) for t, v in d.items()} for p, d in table.items()}
    assert min(mean, key=lambda p: mean[p]["SPD"]) == "CareFirst"  # the slow one
    assert mean["frameworki"]["NAR"] < mean["PROTOCOL ICS"]["NAR"] - 8  # weak chronologies


def test_findings_use_valid_codes(small: DemoManifest) -> None:
    themes, cats = _codes("themes.csv"), _codes("categories.csv")
    areas, severities = _codes("workflow_areas.csv"), _codes("severities.csv")
    ids = {p.pid for p in PROBLEMS}
    for _, responses, findings in small.submissions:
        n = len(_read(responses))
        rows = _read(findings)
        assert 3 <= len(rows) <= 15
        assert len({r["finding_ref"] for r in rows}) == len(rows)
        for r in rows:
            assert r["theme"] in themes and r["category"] in cats
            assert r["workflow_area"] in areas and r["severity"] in severities
            assert 1 <= int(r["respondents_raising"]) <= n
            assert r["description"].strip()
            assert not ids & set(r.values())  # nothing gives the underlying problem away


@pytest.mark.slow  # the national-size demo (150 LAs)
def test_each_problem_is_phrased_at_least_three_ways(full: tuple) -> None:
    data, _ = full
    texts: dict[str, set[str]] = defaultdict(set)
    for sub in data.submissions:
        for finding in sub.findings:
            texts[finding.problem_id].add(finding.description)
    assert set(texts) == {p.pid for p in PROBLEMS}
    for problem in PROBLEMS:
        # Match each description to the hand-written phrasing sharing most words with it: three
        # different sentences are needed, not one sentence with three typos.
        bases = [_words(p) for p in problem.phrasings]
        used = {_closest(bases, _words(text)) for text in texts[problem.pid]}
        assert len(used) >= 3, problem.pid


def test_problem_bank_is_rich() -> None:
    assert len(PROBLEMS) >= 40
    assert sum(p.product is None for p in PROBLEMS) >= 20
    assert {p.product for p in PROBLEMS if p.product} == {
        r["product"] for r in reference_rows("products.csv")
    }
    assert sum(p.near is not None for p in PROBLEMS) >= 8
    assert all(len(p.phrasings) >= 3 and p.suggestions for p in PROBLEMS)
    assert all(set(p.themes) <= _codes("themes.csv") for p in PROBLEMS)
    assert all(set(p.areas) <= _codes("workflow_areas.csv") for p in PROBLEMS)
    assert all(set(p.categories) <= _codes("categories.csv") for p in PROBLEMS)


@pytest.mark.slow  # the national-size demo (150 LAs)
def test_full_size_has_every_authority_and_period(full: tuple) -> None:
    data, manifest = full
    assert len(data.authorities) == 150 and len(manifest.submissions) >= 560
