"""The callback result cache: bounded LRU in-process, Redis when configured."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.cache import LocalCache, RedisCache, make_cache


def test_local_cache_round_trip_and_eviction():
    cache = LocalCache(max_entries=2)
    cache.set("a", pd.DataFrame({"x": [1]}))
    cache.set("b", 2)
    assert cache.get("a")["x"].tolist() == [1]  # 'a' is now most recent
    cache.set("c", 3)
    assert cache.get("b") is None and cache.get("a") is not None and cache.get("c") == 3


def test_local_cache_returns_copies():
    cache = LocalCache()
    cache.set("k", {"v": [1]})
    cache.get("k")["v"].append(2)
    assert cache.get("k") == {"v": [1]}


def test_redis_cache_round_trip():
    cache = RedisCache("redis://127.0.0.1:6379/0", ttl_seconds=30, prefix="icsdash-test:")
    try:
        cache._client.ping()
    except Exception:
        pytest.skip("no Redis on 127.0.0.1:6379")
    cache.set("k", {"rows": [1, 2]})
    assert cache.get("k") == {"rows": [1, 2]}


def test_unreachable_redis_is_only_a_miss():
    cache = RedisCache("redis://127.0.0.1:1/0")
    cache.set("k", 1)
    assert cache.get("k") is None


def test_make_cache_picks_backend():
    assert isinstance(make_cache(None), LocalCache)
    assert isinstance(make_cache("redis://127.0.0.1:6379/0"), RedisCache)


def test_chart_cache_key_separates_databases_thresholds_versions_and_viewers():
    from callbacks.chart_card import cache_key
    from data.privacy.access import Viewer
    from data.privacy.disclosure import DisclosureRules

    la = Viewer(1, "la_user", authority_id=5, supplier_id=2)
    base = ("compare-groups", "sqlite:///a.db", 7, DisclosureRules(), la, ["2010-Q1", None])
    key = cache_key(*base)
    assert key == cache_key(*base)
    variants = [
        ("compare-groups", "sqlite:///b.db", 7, DisclosureRules(), la, ["2010-Q1", None]),
        ("compare-groups", "sqlite:///a.db", 8, DisclosureRules(), la, ["2010-Q1", None]),
        ("compare-groups", "sqlite:///a.db", 7, DisclosureRules(min_las=5), la, ["2010-Q1", None]),
        ("compare-groups", "sqlite:///a.db", 7, DisclosureRules(), Viewer(1, "la_user", 6, 2),
         ["2010-Q1", None]),
        ("compare-groups", "sqlite:///a.db", 7, DisclosureRules(), la, ["2010-Q2", None]),
    ]  # fmt: skip
    assert len({cache_key(*v) for v in variants} | {key}) == len(variants) + 1
