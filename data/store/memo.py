"""A small per-process memo for query results that only change with the data version.

Keys always start with the database URL and the data version, so an upload (which bumps
the version) makes older entries unreachable and one process may serve several databases."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock
from typing import TypeVar

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from data.store.versioning import current_data_version

T = TypeVar("T")


class VersionMemo:
    def __init__(self, size: int) -> None:
        self._entries: OrderedDict[tuple, object] = OrderedDict()
        self._lock = Lock()
        self.size = size

    def get(self, session: Session, key: tuple[Hashable, ...], build: Callable[[], T]) -> T:
        """The memoised value for `key` in this database at its current data version."""
        full = (str(session.get_bind().url), current_data_version(session), *key)
        with self._lock:
            if full in self._entries:
                self._entries.move_to_end(full)
                return self._entries[full]  # type: ignore[return-value]
        value = build()
        with self._lock:
            self._entries[full] = value
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value


def _map_text(frame: pd.DataFrame, convert) -> pd.DataFrame:
    """The same frame with ``convert(column)`` applied to each text column."""
    out = {}
    for col in frame.columns:
        values = frame[col]
        is_text = values.dtype == object or pd.api.types.is_string_dtype(values)
        out[col] = convert(values) if is_text else values
    return pd.DataFrame(out, index=frame.index)


def _shared_strings(values: pd.Series) -> pd.Series:
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    shared = np.array([*uniques, None], dtype=object)  # code -1 (missing) -> None
    return pd.Series(shared[codes], index=values.index, dtype=values.dtype)


def compact_strings(frame: pd.DataFrame) -> pd.DataFrame:
    """The same frame with one string object per distinct value in each text column.

    Database drivers return a new string per row; in a memoised frame of a few hundred
    thousand rows (group, region, role, measure ...) those copies are most of its memory."""
    return _map_text(frame, _shared_strings)


def categorical_text(frame: pd.DataFrame) -> pd.DataFrame:
    """The same frame with each text column as a categorical, categories sorted.

    For the memoised rows every analysis request slices and groups: comparing or grouping
    a text column of 80,000 Python strings costs milliseconds per column and request, its
    integer codes next to nothing (see data.privacy.narrowing.group_codes). Values, order and
    missing values are unchanged; tables built from these rows have text columns again."""
    return _map_text(frame, pd.Categorical)  # categories: the sorted distinct values


CHUNK_ROWS = 50_000


def read_compact(result, columns: list[str], chunk_rows: int = CHUNK_ROWS) -> pd.DataFrame:
    """A query result as a frame, built ``chunk_rows`` rows at a time with
    :func:`compact_strings`, so a few hundred thousand rows never sit in memory as row
    objects all at once (that transient peak was most of a process's memory). Execute the
    query with ``yield_per`` so the driver streams it too."""
    parts = [
        compact_strings(pd.DataFrame(chunk, columns=columns))
        for chunk in result.partitions(chunk_rows)
    ]
    if not parts:
        return pd.DataFrame(columns=columns)
    return compact_strings(pd.concat(parts, ignore_index=True)) if len(parts) > 1 else parts[0]
