"""Shared bits for the benchmark scripts: timing, percentiles, output as table and JSON."""

from __future__ import annotations

import json
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    """Milliseconds per call, `repeat` calls."""
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def summary_ms(samples: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(percentile(samples, 50), 2),
        "p95_ms": round(percentile(samples, 95), 2),
        "mean_ms": round(statistics.fmean(samples), 2) if samples else float("nan"),
        "n": len(samples),
    }


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def emit(title: str, rows: list[dict], extra: dict | None = None, as_json: bool = False) -> None:
    """Print a plain table, then the same figures as one JSON object."""
    payload = {"benchmark": title, "rows": rows, **(extra or {})}
    if not as_json and rows:
        cols = list(rows[0])
        widths = [max(len(str(c)), *(len(str(r.get(c, ""))) for r in rows)) for c in cols]
        print(f"\n{title}")
        print("  ".join(str(c).ljust(w) for c, w in zip(cols, widths, strict=True)))
        for r in rows:
            print("  ".join(str(r.get(c, "")).ljust(w) for c, w in zip(cols, widths, strict=True)))
        for key, value in (extra or {}).items():
            print(f"{key}: {value}")
    print(json.dumps(payload, default=str))
