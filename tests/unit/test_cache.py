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


class _FlakyRedis:
    """Stands in for the Redis client: down while ``down`` is set."""

    def __init__(self):
        self.down, self.calls, self.data = True, 0, {}

    def get(self, key):
        self.calls += 1
        if self.down:
            raise ConnectionError("connection refused")
        return self.data.get(key)

    def set(self, key, value, ex=None):
        self.calls += 1
        if self.down:
            raise ConnectionError("connection refused")
        self.data[key] = value


def test_redis_outage_is_logged_once_skipped_meanwhile_and_recovered(caplog):
    now = [0.0]
    cache = RedisCache("redis://127.0.0.1:1/0", retry_s=5, clock=lambda: now[0])
    cache._client = fake = _FlakyRedis()
    with caplog.at_level("WARNING", logger="dashboard.cache"):
        for _ in range(10):
            cache.set("k", 1)
            assert cache.get("k") is None
        assert fake.calls == 1  # tried once, then left alone until the retry time
        now[0] = 6.0
        assert cache.get("k") is None and fake.calls == 2  # tried again: still down
        fake.down = False
        now[0] = 12.0
        cache.set("k", {"v": 1})
        assert cache.get("k") == {"v": 1}
    messages = [r.getMessage() for r in caplog.records]
    assert sum("unavailable" in m for m in messages) == 1
    assert sum("is back" in m for m in messages) == 1


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
