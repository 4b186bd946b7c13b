"""Check the About sheet: who, what product, which period, which instrument version."""

from __future__ import annotations

from datetime import date, datetime

from data.ingest.catalogue import Catalogue
from data.ingest.periods import parse_period, period_end, period_start
from data.ingest.read import RawSubmission
from data.ingest.report import ProductChange, Report

ABOUT_FIELDS = ("authority_code", "product", "period", "instrument_version", "survey_closed")
MISSING = {
    "authority_code": "write your authority's GSS code, like E09000019",
    "product": "write the product's name as the service lists it",
    "period": "write the quarter the results are for, like 2010-Q1",
    "instrument_version": "write the questionnaire version (the template fills it in)",
    "survey_closed": "write the date the survey closed, like 2010-03-31",
}
EARLIEST_YEAR = 2000
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d")


def parse_date(text: str) -> date | None:
    """An ISO or UK-style date (a time of day after it is ignored)."""
    text = text.strip()[:10]
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


class _About:
    """Collects the About checks; `out` holds what passed."""

    def __init__(self, raw: RawSubmission, report: Report) -> None:
        self.raw, self.report, self.out = raw, report, {}

    def text(self, key: str) -> str:
        return self.raw.about.get(key, "").strip()

    def problem(self, key: str, value: str, message: str) -> None:
        """A problem with one About field, named by its label ("About, Period: ...")."""
        self.report.add("About", self.raw.about_rows.get(key), key, value, message)


def _authority(a: _About, cat: Catalogue, allowed: frozenset[int] | None) -> None:
    code = a.text("authority_code").upper()
    if not code:
        return
    found = cat.authorities.get(code)
    if found is None:
        a.problem(
            "authority_code",
            code,
            f"{code} is not the code of an authority known to the service",
        )
    elif allowed is not None and found[0] not in allowed:
        a.problem(
            "authority_code",
            code,
            f"you can only upload results for your own authority, not {code}",
        )
    else:
        a.out["authority_id"], a.out["authority_name"] = found


def _period(a: _About, today: date) -> None:
    text = a.text("period")
    if not text:
        return
    period = parse_period(text)
    if period is None:
        a.problem("period", text, f"'{text}' is not a quarter: write it like 2010-Q1")
    elif period_start(period) > today:
        a.problem(
            "period",
            text,
            f"{period} has not started yet (it starts on {period_start(period):%-d %B %Y}): "
            "results can only be reported for a quarter that has started",
        )
    elif int(period[:4]) < EARLIEST_YEAR:
        a.problem("period", text, f"{period} is before {EARLIEST_YEAR}: check the year")
    else:
        a.out["period"] = period


def _version(a: _About, cat: Catalogue) -> None:
    text = a.text("instrument_version")
    if not text:
        return
    try:
        version = int(float(text))
    except (ValueError, OverflowError):
        version = None
    if version not in cat.items:
        known = ", ".join(map(str, sorted(cat.items)))
        a.problem(
            "instrument_version",
            text,
            f"'{text}' is not a questionnaire version the service knows (known: {known})",
        )
    else:
        a.out["instrument_version"] = version


def _closed(a: _About, today: date) -> None:
    text = a.text("survey_closed")
    if not text:
        return
    closed = parse_date(text)
    if closed is None:
        a.problem("survey_closed", text, f"'{text}' is not a date: write it like 2010-03-31")
    elif closed > today:
        a.problem("survey_closed", text, f"{closed:%-d %B %Y} is in the future")
    a.out["survey_closed"] = closed


def _closed_after_start(a: _About) -> None:
    """A survey that closed before its quarter began cannot report on that quarter."""
    closed, period = a.out.get("survey_closed"), a.out.get("period")
    if closed is None or period is None or closed >= period_start(period):
        return
    a.problem(
        "survey_closed",
        a.text("survey_closed"),
        f"the survey closed on {closed:%-d %B %Y}, before {period} began "
        f"({period_start(period):%-d %B %Y}), so it cannot report on {period}: "
        "check the period and the closing date",
    )


def _product(a: _About, cat: Catalogue) -> None:
    text = a.text("product")
    if not text:
        return
    product = cat.products.get(" ".join(text.lower().split()))
    if product is None:
        a.problem("product", text, f"'{text}' is not a product known to the service")
        return
    a.out.update(product_id=product.id, product_name=product.name, supplier_id=product.supplier_id)


def _product_in_use(a: _About, cat: Catalogue) -> None:
    out = a.out
    if not {"product_id", "authority_id", "period"} <= out.keys():
        return
    in_use = cat.product_in_use(out["authority_id"], period_end(out["period"]))
    if in_use == out["product_id"]:
        return
    used = cat.product_name(in_use) if in_use else "no recorded product"
    a.problem(
        "product",
        a.text("product"),
        f"{out['authority_name']} did not use {out['product_name']} in {out['period']} "
        f"according to the service's records (it used {used}); "
        "an administrator can record the change of supplier",
    )
    a.report.product_change = ProductChange(
        out["authority_id"],
        out["authority_name"],
        out["product_id"],
        out["product_name"],
        out["period"],
    )


def check_about(
    raw: RawSubmission, cat: Catalogue, allowed: frozenset[int] | None, report: Report, today: date
) -> dict:
    """The About fields that passed; every problem goes to `report`."""
    a = _About(raw, report)
    for key in ABOUT_FIELDS:
        if not a.text(key):
            a.problem(key, "", f"missing — {MISSING[key]}")
    _authority(a, cat, allowed)
    _period(a, today)
    _version(a, cat)
    _closed(a, today)
    _closed_after_start(a)
    _product(a, cat)
    _product_in_use(a, cat)
    return a.out
