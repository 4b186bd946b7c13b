"""Turn disclosure-controlled tables into display text ('c' for suppressed, 'x' for n/a)."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from data.privacy.disclosure import PRIVATE_COLS, format_value


def format_table(
    table: pd.DataFrame, value_cols: Iterable[str], *, decimals: int = 1, missing: str = "x"
) -> pd.DataFrame:
    """`table` with `value_cols` as text; drops contributor columns that must never be shown."""
    out = table.drop(columns=[c for c in PRIVATE_COLS if c in table])
    supp = out["suppressed"].to_numpy(dtype=bool)
    for col in value_cols:
        if col in out:
            # a figure withheld on its own (an authority count, n_las_suppressed) is c too
            own = f"{col}_suppressed"
            flags = supp | out[own].fillna(False).to_numpy(dtype=bool) if own in out else supp
            out[col] = [
                format_value(v, s, decimals=decimals, missing=missing)
                for v, s in zip(out[col].tolist(), flags, strict=True)
            ]
    return out.drop(columns=[c for c in out if c.endswith("_suppressed")])
