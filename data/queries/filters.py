"""One filter model for every page: what a page may be filtered on, read once from the URL
or the controls, and used from there on by the page queries, the disclosure guard and the
words under each chart.

In the spirit of Datasette's ``filters.py``, each page has a table (:class:`FilterSpec`) of
:class:`Filter` rows: the URL key, the words that describe it, where its allowed values come
from (an attribute of :class:`data.queries.filter_options.FilterOptions` for the analysis
pages; a key of a mapping the page's query builds for the others, e.g. the audit log's
users), the row column it narrows, the SQL column it compiles to, and whether the narrowing
guard (data.privacy.narrowing) needs the rows unnarrowed on it.

The path of a filter is one way::

    URL / control values --FilterSpec.parse--> Selection --> data.pages.<page> query
        --Selection.narrowing()--> data.privacy.narrowing.guarded_cells --> layouts.charts

:func:`clean` is the only sanitising rule: anything that is not one plain value (absent,
empty, "all", a list or a dict) means "all". :meth:`FilterSpec.parse` then keeps a value only
if it is one of the filter's allowed values, so an unknown or forged value also means "all"
(or the filter's fallback, e.g. the latest period): never an error and never a narrower cell.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from data.privacy.narrowing import RAW_GROUP
from data.queries.filter_options import FilterOptions
from data.store.models import (
    AuditEvent,
    Authority,
    Finding,
    ProductUse,
    ScoreSummary,
    Submission,
    Supplier,
)

ALL = "all"  # the value of every "all" choice of a control
Options = FilterOptions | Mapping[str, Collection[str]]  # where each filter's values come from
LATEST = "latest"  # fallback: the last (newest) allowed value


def clean(value: object) -> str | None:
    """A URL or control value as one plain value: None ("all") when it is absent, empty,
    "all", or not one value (a list or dict, as a repeated URL key or a forged request
    gives)."""
    if value is None or isinstance(value, list | dict | tuple | set):
        return None
    text = str(value).strip()
    return None if text in ("", ALL) else text


@dataclass(frozen=True, eq=False)
class Filter:
    """One row of a page's filter table.

    ``choices``: the FilterOptions attribute (or options mapping key) holding the allowed
    values (value -> label, or a collection of values); None for a filter only code sets
    (never parsed from a request).
    ``column``: the row column it narrows (None: it narrows no rows). ``sql``: the SQL
    column it compiles to. ``guarded``: the narrowing guard needs the rows unnarrowed on it
    (it goes into :meth:`Selection.narrowing`, and compiles to SQL only once the guard has
    allowed the cell). ``words``: how :meth:`Selection.describe` states it (None: not
    stated); ``all_words``: what it states while the filter is "all" (None: nothing).
    ``fallback``: the value when none, or an unknown one, is chosen (:data:`LATEST`: the
    last allowed value)."""

    key: str
    label: str
    choices: str | None
    column: str | None = None
    sql: Any = None
    guarded: bool = False
    words: str | None = "{label}: {value}"
    all_words: str | None = None
    fallback: str | None = None
    kind: type = str  # how the value is stored in JSON (data.requirements.specifications)

    def allowed(self, options: Options) -> Collection[str]:
        if self.choices is None:
            return ()
        if isinstance(options, Mapping):
            return options[self.choices]
        return getattr(options, self.choices)

    @property
    def from_data(self) -> bool:
        """Whether its allowed values come from the stored data (not reference lists)."""
        return self.choices in ("periods", "groups")


@dataclass(frozen=True, eq=False)
class FilterSpec:
    """A page's filters, in the order its description lists them."""

    page: str
    filters: tuple[Filter, ...]

    def __getitem__(self, key: str) -> Filter:
        for f in self.filters:
            if f.key == key:
                return f
        raise KeyError(f"the {self.page} page has no filter {key!r}")

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.filters)

    def parse(self, values: Mapping[str, object], options: Options) -> Selection:
        """The selection URL or control ``values`` ask for: each value :func:`clean`, then
        kept only if it is allowed, else the filter's fallback (or "all")."""
        chosen = {}
        for f in self.filters:
            allowed = f.allowed(options)
            value = clean(values.get(f.key)) if f.choices is not None else None
            if value is None or value not in allowed:
                value = _fallback(f, allowed)
            chosen[f.key] = value
        return self._selection(chosen)

    def control_values(
        self, query: Mapping[str, object], options: FilterOptions
    ) -> dict[str, str | None]:
        """What each control starts on for a URL ``query`` (None: its "all" or placeholder
        choice). Values from the data (periods, groups) are only cleaned: their controls get
        their options later, and the charts check them against those (:meth:`parse`)."""
        out = {}
        for f in self.filters:
            value = clean(query.get(f.key))
            if f.from_data or (value is not None and value in f.allowed(options)):
                out[f.key] = value
            else:
                out[f.key] = None if f.fallback == LATEST else f.fallback
        return out

    def select(self, **values: object) -> Selection:
        """A selection made by code (trusted values, unknown keys refused)."""
        for key in values:
            self[key]
        return self._selection(values)

    def from_json(self, text: str | None, fallback: Selection) -> Selection:
        """A selection stored with :meth:`Selection.to_json`, or ``fallback`` when the text
        is not one (every key must be present)."""
        try:
            stored = json.loads(text or "{}")
            return self._selection({f.key: stored[f.key] for f in self.filters})
        except (ValueError, KeyError, TypeError):
            return fallback

    def _selection(self, values: Mapping[str, object]) -> Selection:
        kept = ((f.key, values.get(f.key)) for f in self.filters)
        return Selection(self, tuple((k, str(v)) for k, v in kept if v is not None))


def _fallback(f: Filter, allowed: Collection[str]) -> str | None:
    if f.fallback == LATEST:
        values = list(allowed)
        return values[-1] if values else None
    return f.fallback


@dataclass(frozen=True)
class Selection:
    """The filters a page is shown with: key -> value for each filter that is set."""

    spec: FilterSpec
    values: tuple[tuple[str, str], ...] = field(default=())

    def get(self, key: str) -> str | None:
        self.spec[key]
        return dict(self.values).get(key)

    @property
    def period(self) -> str | None:
        return self.get("period")

    def value(self, key: str):
        """The filter's value as its kind (an id as an int), or None for "all"."""
        value = self.get(key)
        return None if value is None else self.spec[key].kind(value)

    def without(self, *keys: str) -> Selection:
        """The same selection with ``keys`` reset to "all"."""
        return replace(self, values=tuple((k, v) for k, v in self.values if k not in keys))

    def _set(self) -> Iterable[tuple[Filter, str]]:
        values = dict(self.values)
        return ((f, values[f.key]) for f in self.spec.filters if f.key in values)

    def narrowing(self, *, without: Collection[str] = ()) -> dict[str, str]:
        """Row column -> value of each guarded filter that is set (what the narrowing guard
        narrows the unnarrowed rows on), leaving out the columns in ``without``."""
        return {
            f.column: value
            for f, value in self._set()
            if f.guarded and f.column is not None and f.column not in without
        }

    def narrow(self, rows: pd.DataFrame) -> pd.DataFrame:
        """``rows`` matching every set filter that has a column in them."""
        mask = np.ones(len(rows), dtype=bool)
        for f, value in self._set():
            if f.column is not None and f.column in rows:
                mask &= (rows[f.column] == value).to_numpy(dtype=bool)
        return rows if mask.all() else rows.loc[mask]

    def where(self, *, guarded: bool = False) -> list:
        """SQL where-clauses of the set filters that have a SQL column: the unguarded ones,
        and the guarded ones too once the guard has allowed the cell (``guarded``)."""
        return [
            f.sql == f.kind(value)
            for f, value in self._set()
            if f.sql is not None and (guarded or not f.guarded)
        ]

    def describe(self, options: FilterOptions | None = None) -> str:
        """The selection in plain English, for chart summaries and CSV headers (values shown
        by their labels in ``options``)."""
        values, parts = dict(self.values), []
        for f in self.spec.filters:
            value = values.get(f.key)
            if value is None:
                if f.all_words is not None:
                    parts.append(f.all_words)
                continue
            if f.words is None:
                continue
            labels = f.allowed(options) if options is not None else {}
            shown = labels.get(value, value) if isinstance(labels, Mapping) else value
            parts.append(f.words.format(label=f.label, value=shown))
        return "; ".join(parts)

    def to_json(self) -> str:
        """Every filter's value (null when "all"), for storing with a record."""
        values = dict(self.values)
        return json.dumps(
            {f.key: None if values.get(f.key) is None else f.kind(values[f.key])
             for f in self.spec.filters},
            sort_keys=True,
        )  # fmt: skip


def _period(fallback: str | None) -> Filter:
    return Filter("period", "period", "periods", "period", Submission.period,
                  words="period {value}", all_words="all periods", fallback=fallback)  # fmt: skip


def _measure() -> Filter:
    return Filter("measure", "score", "measures", "measure", ScoreSummary.measure_code,
                  words=None, fallback="SUS")  # fmt: skip


COMPARE = FilterSpec(
    "compare",
    (
        _period(LATEST),
        Filter("role", "respondent role", "roles", "role", ScoreSummary.role, guarded=True),
        Filter("region", "region", "regions", "region", Authority.region, guarded=True),
        Filter("type", "LA type", "la_types", "la_type", Authority.la_type, guarded=True),
        _measure(),
    ),
)

THEMES = FilterSpec(
    "themes",
    (
        _period(None),
        Filter("theme", "theme", "themes", "theme", Finding.theme_code, guarded=True),
        Filter("category", "category", "categories", "category", Finding.category_code,
               guarded=True),
        Filter("workflow", "workflow", "workflow_areas", "workflow_area",
               Finding.workflow_area_code, guarded=True),
        Filter("severity", "severity", "severities", "severity", Finding.severity, guarded=True),
        Filter("region", "region", "regions", "region", Authority.region, guarded=True),
        Filter("type", "la type", "la_types", "la_type", Authority.la_type, guarded=True),
        Filter("group", "group", "groups", RAW_GROUP, Supplier.name, guarded=True),
    ),
)  # fmt: skip

MY_AUTHORITY = FilterSpec("my_authority", (_period(LATEST), _measure()))

# What a specification version's evidence is built with (stored with the version as JSON):
# the group is set by code from the specification, the period parsed from the control.
EVIDENCE = FilterSpec(
    "specifications",
    (
        Filter("group", "supplier group", None, words=None),
        Filter("period", "period", "periods", "period", Submission.period, words=None),
        Filter(
            "supplier_id",
            "supplier",
            None,
            "supplier_id",
            Submission.supplier_id,
            words=None,
            kind=int,
        ),  # fmt: skip
    ),
)

# Requirements page: the candidate and requirement lists by supplier group (its id; the
# allowed ones are every supplier's, data.queries.summaries.supplier_names).
REQUIREMENTS = FilterSpec(
    "requirements",
    (Filter("group", "supplier group", "suppliers", "supplier_id", kind=int,
            all_words="all supplier groups"),),
)  # fmt: skip

# Admin page: the audit log by user (id) and action, and product use by authority (id);
# the allowed values are the stored users, actions and authorities (data.pages.admin).
AUDIT = FilterSpec(
    "audit",
    (
        Filter("user", "user", "users", sql=AuditEvent.user_id, kind=int),
        Filter("action", "action", "actions", sql=AuditEvent.action),
    ),
)
PRODUCT_USE = FilterSpec(
    "product_use",
    (Filter("authority", "authority", "authorities", sql=ProductUse.authority_id, kind=int),),
)

SPECS = {
    s.page: s for s in (COMPARE, THEMES, MY_AUTHORITY, EVIDENCE, REQUIREMENTS, AUDIT, PRODUCT_USE)
}
