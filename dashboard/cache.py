"""Result cache for page callbacks, keyed on the data version so it never serves stale data.

Redis (CACHE_URL) when several workers or hosts serve the app; a bounded in-process LRU
otherwise. Values are pickled; a cache failure only costs the recomputation.

Written here rather than with Flask-Caching: the callers memoise by hand under a key that
already names the database, data version, rules and viewer (callbacks/chart_card.py), so
a decorator adds nothing; Flask-Caching's local cache evicts in insertion order, not least
recently used, sorting every entry when full; its Redis backend raises when Redis is down
(only its decorators swallow that), where this one logs and recomputes after a 0.5 s
timeout. So the declared Flask-Caching dependency was dropped rather than adopted."""

from __future__ import annotations

import logging
import pickle
import threading
from collections import OrderedDict

log = logging.getLogger(__name__)


class LocalCache:
    def __init__(self, max_entries: int = 512) -> None:
        self._data: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()
        self.max_entries = max_entries

    def get(self, key: str):
        with self._lock:
            blob = self._data.get(key)
            if blob is None:
                return None
            self._data.move_to_end(key)
        return pickle.loads(blob)

    def set(self, key: str, value) -> None:
        blob = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        with self._lock:
            self._data[key] = blob
            self._data.move_to_end(key)
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)


class RedisCache:
    def __init__(self, url: str, ttl_seconds: int = 3600, prefix: str = "icsdash:") -> None:
        import redis

        self._client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self.ttl, self.prefix = ttl_seconds, prefix

    def get(self, key: str):
        try:
            blob = self._client.get(self.prefix + key)
        except Exception as exc:  # the cache is an optimisation, never a failure
            log.warning("cache get failed: %s", exc)
            return None
        return None if blob is None else pickle.loads(blob)

    def set(self, key: str, value) -> None:
        try:
            self._client.set(
                self.prefix + key, pickle.dumps(value, pickle.HIGHEST_PROTOCOL), ex=self.ttl
            )
        except Exception as exc:
            log.warning("cache set failed: %s", exc)


def make_cache(url: str | None):
    return RedisCache(url) if url else LocalCache()
