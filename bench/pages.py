"""Time the server side of every page's data callbacks against a (national-scale) database.

    python bench/pages.py --database-url sqlite:///bench/out/national.db [--repeat 20]

Signs in through the real login form, then for every page builds its layout, finds each
callback that fires on page load (all inputs present, not prevent_initial_call), and posts
it to /_dash-update-component `--repeat` times with randomly chosen filter values taken from
the layout's dropdown options (realistic filter combinations). Reports p50/p95 per callback.
In the same run it times a naive baseline that reads raw ratings into pandas and aggregates
per request, and prints the ratio."""

from __future__ import annotations

import argparse
import gc
import json
import random
import re
import time

import _common  # noqa: F401
import pandas as pd
from _common import emit, peak_rss_mb, summary_ms
from sqlalchemy import text

from dashboard.config import Config
from dashboard.factory import create_app
from dashboard.warm import warm
from data.store.db import make_engine
from layouts.charts.figures import prime

PAGES = ["/", "/compare", "/themes", "/my-authority", "/requirements", "/specifications"]
ACTION_PROPS = {"n_clicks", "n_submit", "contents", "selectedRows", "cellClicked"}


def make_config(url: str) -> type[Config]:
    attrs = {
        "DATABASE_URL": url,
        "SECRET_KEY": "bench",
        "RATELIMIT_ENABLED": False,
        "TESTING": True,
    }
    return type("BenchConfig", (Config,), attrs)


def login(client, username: str, password: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )
    if response.status_code != 302:
        raise SystemExit(f"could not sign in as {username}")


def components(tree) -> dict[str, object]:
    """id -> component for every component with a string id in a layout tree."""
    found: dict[str, object] = {}
    stack = [tree]
    while stack:
        node = stack.pop()
        if node is None or isinstance(node, str | int | float):
            continue
        if isinstance(node, list | tuple):
            stack.extend(node)
            continue
        ident = getattr(node, "id", None)
        if isinstance(ident, str):
            found[ident] = node
        stack.append(getattr(node, "children", None))
        for prop in ("content", "label"):
            value = getattr(node, prop, None)
            if not isinstance(value, str):
                stack.append(value)
    return found


def option_values(component) -> list:
    options = getattr(component, "options", None) or []
    out = []
    for opt in options:
        out.append(opt["value"] if isinstance(opt, dict) else opt)
    return out


def page_callbacks(app, layout) -> list[dict]:
    """Callbacks that fire when this page loads."""
    found = components(layout)
    calls = []
    for output, spec in app.callback_map.items():
        inputs = spec.get("inputs", [])
        if not inputs or spec.get("prevent_initial_call") or "callback" not in spec:
            continue
        if not all(i["id"] in found for i in inputs) or any(
            i["property"] in ACTION_PROPS for i in inputs
        ):
            continue
        calls.append({"output": output, "spec": spec})
    return calls


def request_body(call: dict, found: dict, rng: random.Random) -> dict:
    def value(dep):
        comp = found.get(dep["id"])
        current = getattr(comp, dep["property"], None) if comp is not None else None
        if dep["property"] == "value" and comp is not None:
            choices = option_values(comp)
            if choices and rng.random() < 0.5:
                many = isinstance(current, list) or getattr(comp, "multi", False)
                pick = rng.choice(choices)
                return [pick] if many else pick
        return current

    spec = call["spec"]
    outputs = [
        {"id": o.split(".")[0], "property": o.split(".")[-1].split("@")[0]}
        for o in call["output"].strip(".").split("...")
    ]
    return {
        "output": call["output"],
        # "..a.b.." is a list of outputs even when it holds one (a dict of one Output)
        "outputs": outputs if call["output"].startswith("..") else outputs[0],
        "inputs": [{**d, "value": value(d)} for d in spec["inputs"]],
        "state": [{**d, "value": value(d)} for d in spec.get("state", [])],
        "changedPropIds": [],
    }


def naive_baseline(url: str) -> float:
    """Read raw ratings into pandas and aggregate theme means per supplier group (ms)."""
    engine = make_engine(url)
    start = time.perf_counter()
    with engine.connect() as conn:
        frame = pd.read_sql(
            text(
                "SELECT s.supplier_id, s.period, i.theme_code, i.polarity, r.value, "
                "r.respondent_id "
                "FROM rating r JOIN respondent p ON p.id = r.respondent_id "
                "JOIN submission s ON s.id = p.submission_id JOIN item i ON i.id = r.item_id "
                "WHERE s.status = 'current'"
            ),
            conn,
        )
    score = (frame["value"] - 1) * 25
    frame["score"] = score.where(frame["polarity"] == "positive", 100 - score)
    keys = ["supplier_id", "period", "theme_code", "respondent_id"]
    per_resp = frame.groupby(keys)["score"].mean()
    per_resp.groupby(level=[0, 1, 2]).agg(["mean", "std", "count"])
    engine.dispose()
    return (time.perf_counter() - start) * 1000


def run(args) -> dict:
    url = args.database_url
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    app = create_app(make_config(url))
    import layouts

    # What the app's background warmer (dashboard/warm.py) does when it starts and after each
    # upload: timed here on its own, then the callbacks are timed against warm memos.
    services = app.server.extensions["icsdash"]
    start = time.perf_counter()
    with services.sessions() as session:
        warm(session, services.rules)
    prime()  # as create_app does outside tests: plotly's classes loaded before any request
    gc.freeze()  # as dashboard.factory.warm_now does in the gunicorn master
    warm_s = time.perf_counter() - start

    rng = random.Random(args.seed)
    rows = []
    for username in args.users:
        client = app.server.test_client()
        login(client, username, args.password)
        csrf = client.get_cookie("_csrf_token").value
        for _module, path, _name, layout_fn in layouts.PAGES:
            if path not in PAGES:
                continue
            with app.server.test_request_context(path):
                layout = layout_fn()
            found = components(layout)
            for call in page_callbacks(app, layout):
                samples = []
                for _ in range(args.repeat):
                    body = request_body(call, found, rng)
                    start = time.perf_counter()
                    response = client.post(
                        "/_dash-update-component",
                        data=json.dumps(body),
                        content_type="application/json",
                        headers={"X-CSRFToken": csrf},
                    )
                    elapsed = (time.perf_counter() - start) * 1000
                    if response.status_code not in (200, 204):
                        raise SystemExit(
                            f"{call['output']} answered {response.status_code}: "
                            f"{response.get_data(as_text=True)[:300]}"
                        )
                    samples.append(elapsed)
                name = call["output"].strip(".").split("...")[0].split("@")[0]
                rows.append(
                    {"user": username, "page": path, "callback": name[:48], **summary_ms(samples)}
                )
    app_rss = peak_rss_mb()  # the app's own peak, before the baseline loads raw ratings
    baseline = [naive_baseline(url) for _ in range(args.baseline_repeat)]
    base = summary_ms(baseline)
    worst = max(r["p95_ms"] for r in rows)
    over = [r for r in rows if r["p95_ms"] > 150]
    median_p50 = sorted(r["p50_ms"] for r in rows)[len(rows) // 2]
    return {
        "rows": rows,
        "extra": {
            "warm_up_s": round(warm_s, 2),
            "naive_baseline_p50_ms": base["p50_ms"],
            "worst_callback_p95_ms": worst,
            "median_callback_p50_ms": median_p50,
            "speedup_vs_baseline_worst_p95": round(base["p50_ms"] / worst, 1),
            "callbacks_over_150ms_p95": [f"{r['user']} {r['callback']}" for r in over],
            "app_peak_rss_mb": round(app_rss, 1),
            "peak_rss_with_baseline_mb": round(peak_rss_mb(), 1),
        },
    }


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="sqlite:///bench/out/national.db")
    parser.add_argument("--users", nargs="+", default=["bench-coordinator", "bench-la"])
    parser.add_argument("--password", default="bench-password")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--baseline-repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = run(args)
    emit("Page data callbacks (server side)", result["rows"], result["extra"], as_json=args.json)
    return result


if __name__ == "__main__":
    main()
