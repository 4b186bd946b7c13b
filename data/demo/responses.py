"""Practitioner ratings for the demo, drawn from a latent usability per respondent.

Each respondent has one latent view of the system; every item rating is that view plus the
product's strengths and weaknesses on the item's theme plus noise, cut into five ordered
categories. Negative SUS items are answered as agreement with the opposite, so the SUS and theme
scores computed from the files are coherent, and supplier, LA and period effects show through.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from data.demo.authorities import reference_rows
from data.demo.findings_text import pick

CUTS = np.array([-1.5, -0.5, 0.5, 1.5])  # latent -> ratings 1..5
RESPONDENT_SD, ITEM_SD, ACQUIESCENCE_SD = 0.55, 0.75, 0.2

# Everyone's weak spots in 2010-era systems (latent units; one unit is about 20 score points).
THEME_BASE = {"NAV": -0.1, "SPD": -0.1, "DUP": -0.5, "ASM": -0.35, "NAR": -0.25, "OUT": -0.35,
              "PLR": -0.1, "HRM": -0.15, "MIR": -0.05, "TRN": 0.15, "ACC": 0.05, "INT": -0.55,
              "GEN": 0.0}  # fmt: skip
# Product: (overall level, theme strengths and weaknesses).
PRODUCT_PROFILES: dict[str, tuple[float, dict[str, float]]] = {
    "CareFirst": (0.15, {"SPD": -0.7, "OUT": 0.2, "MIR": 0.2, "NAR": -0.2}),
    "frameworki": (0.35, {"NAR": -0.7, "NAV": 0.3, "PLR": 0.2, "DUP": -0.2}),
    "PROTOCOL ICS": (0.4, {"NAV": 0.2, "ASM": 0.2, "DUP": -0.3, "MIR": 0.3}),
    "Paris ICS": (0.05, {"OUT": -0.5, "ASM": -0.3, "TRN": 0.3}),
    "RAISE Children's Services": (0.1, {"HRM": -0.5, "PLR": -0.2, "SPD": 0.3}),
    "Capita ICS": (0.0, {"MIR": -0.6, "INT": 0.2, "ACC": 0.2}),
    "Northgate ICS": (0.02, {"PLR": -0.5, "NAV": -0.3, "TRN": 0.2}),
    "OfficeBase ICS": (0.1, {"ASM": -0.3, "SPD": 0.2, "OUT": 0.2}),
    "ShareCare": (0.0, {"ACC": -0.6, "NAR": 0.3}),
    "MultiVue": (0.2, {"INT": -0.6, "DUP": 0.3}),
    "KCics": (0.4, {"NAR": -0.4, "NAV": 0.4, "TRN": 0.4}),
}
# Change per period from supplier releases, e.g. CareFirst's 2009-10 speed fixes.
PRODUCT_TRENDS: dict[str, dict[str, float]] = {
    "CareFirst": {"SPD": 0.15},
    "frameworki": {"NAR": 0.08, "GEN": 0.03},
    "PROTOCOL ICS": {"GEN": 0.04, "DUP": 0.06},
    "Northgate ICS": {"PLR": -0.05},
}
# Item tweaks: few people say they need a technical person (SUS04), many that they had a lot to
# learn (SUS10).
ITEM_BASE = {"SUS01": -0.15, "SUS04": 0.35, "SUS07": -0.1, "SUS10": -0.25}
ROLES = {"social_worker": 0.62, "senior_practitioner": 0.13, "team_manager": 0.12,
         "business_support": 0.09, "other": 0.04}  # fmt: skip
ROLE_EFFECT = {"social_worker": 0.0, "senior_practitioner": -0.05, "team_manager": -0.05,
               "business_support": 0.2, "other": 0.05}  # fmt: skip
SERVICE_AREAS = {"assessment": 0.24, "child_protection": 0.2, "looked_after": 0.16,
                 "children_in_need": 0.14, "duty_and_referral": 0.1, "leaving_care": 0.06,
                 "disabled_children": 0.05, "fostering_adoption": 0.05}  # fmt: skip
EXPERIENCE = {"0-2": 0.28, "3-5": 0.3, "6-10": 0.23, "11+": 0.19}
EXPERIENCE_EFFECT = {"0-2": 0.1, "3-5": 0.0, "6-10": -0.05, "11+": -0.15}
# Themes business support and other staff often leave blank as not their work.
NOT_THEIR_WORK = {"ASM", "NAR", "PLR", "HRM", "OUT"}

GENERAL_COMMENTS = (
    "Better since the last upgrade but still slow at times.",
    "I spend more time on the computer than with families.",
    "The system is ok once you know your way round it.",
    "Please can we have more training?",
    "Much better than the old paper files for finding things.",
    "I keep my own notes on paper because I don't trust the system.",
    "Admin support has been cut so we do all the inputting ourselves.",
    "Forms don't fit the way we actually work with families.",
    "Generally fine, the helpdesk is good.",
    "Recording takes up most of my week.",
    "too many screens",
    "It would help if the system remembered where I was.",
)
_TITLES = ("Mrs", "Mr", "Ms", "Dr", "Miss")
_SURNAMES = ("Patel", "Smith", "Okafor", "Nowak", "Hughes", "Begum", "Kowalski", "O'Brien",
             "Ahmed", "Taylor", "Clarke", "Murphy", "Wright")  # fmt: skip


@dataclass(frozen=True)
class Instrument:
    """The item bank of one instrument version, in file column order."""

    version: int
    codes: tuple[str, ...]
    themes: tuple[str, ...]
    negative: np.ndarray  # bool per item

    @property
    def sus(self) -> np.ndarray:
        """Mask of the ten SUS items."""
        return np.array([c.startswith("SUS") for c in self.codes])


def load_instrument(version: int = 1) -> Instrument:
    """Read one version of the instrument from data/reference/instrument.csv."""
    rows = [r for r in reference_rows("instrument.csv") if int(r["version"]) == version]
    if not rows:
        raise ValueError(f"instrument version {version} is not in instrument.csv")
    return Instrument(
        version,
        tuple(r["code"] for r in rows),
        tuple(r["theme"] for r in rows),
        np.array([r["polarity"] == "negative" for r in rows]),
    )


@dataclass(frozen=True)
class Trajectory:
    """How one LA's results sit and move: local level, per-period trend, local theme effects."""

    level: float
    trend: float
    theme_effects: dict[str, float]
    focus: tuple[str, ...] = ()  # themes an improving LA worked on, improving faster


def make_trajectory(rng: np.random.Generator, kind: str) -> Trajectory:
    """Draw an LA's trajectory; `kind` is "improver", "decliner" or "steady"."""
    themes = [t for t in THEME_BASE if t != "GEN"]
    effects = {t: float(rng.normal(0, 0.3 if t == "ACC" else 0.15)) for t in themes}
    level = float(rng.normal(0, 0.12))
    if kind == "improver":
        focus = tuple(str(t) for t in rng.choice(themes, size=2, replace=False))
        return Trajectory(level - 0.1, float(rng.uniform(0.14, 0.26)), effects, focus)
    if kind == "decliner":
        return Trajectory(level, float(rng.uniform(-0.14, -0.07)), effects)
    return Trajectory(level, float(rng.normal(0, 0.03)), effects)


def item_means(
    instrument: Instrument, product: str, traj: Trajectory, step: int, new_system: bool
) -> np.ndarray:
    """Latent mean per item for one LA in one period (`step` periods after the first)."""
    level, profile = PRODUCT_PROFILES[product]
    trends = PRODUCT_TRENDS.get(product, {})
    theme_off: dict[str, float] = {}
    for theme, base in THEME_BASE.items():
        if theme == "GEN":
            continue
        boost = 0.12 if theme in traj.focus else 0.0
        theme_off[theme] = (
            base
            + profile.get(theme, 0.0)
            + traj.theme_effects[theme]
            + step * (trends.get(theme, 0.0) + boost)
        )
    # Overall usability follows how the product does across the themes.
    theme_off["GEN"] = 0.3 * float(np.mean(list(theme_off.values()))) + step * trends.get("GEN", 0)
    overall = level + traj.level + step * traj.trend
    if new_system:  # first survey after changing supplier: still learning the new system
        overall -= 0.15
        theme_off["TRN"] -= 0.3
    pairs = zip(instrument.codes, instrument.themes, strict=True)
    return np.array([overall + theme_off[t] + ITEM_BASE.get(c, 0.0) for c, t in pairs])


@dataclass(frozen=True)
class ResponseTable:
    """One submission's respondents; ratings hold 1..5, or 0 for not answered."""

    refs: list[str]
    roles: list[str]
    areas: list[str]
    bands: list[str]
    ratings: np.ndarray
    comments: list[str]


def _draw(rng: np.random.Generator, mix: dict[str, float], n: int) -> list[str]:
    keys = list(mix)
    probs = np.array([mix[k] for k in keys])
    return [keys[i] for i in rng.choice(len(keys), size=n, p=probs / probs.sum())]


def _blanks(rng: np.random.Generator, instrument: Instrument, roles: list[str]) -> np.ndarray:
    """Which answers are left blank: a few skipped SUS items, more skipping elsewhere."""
    n, k = len(roles), len(instrument.codes)
    sus = instrument.sus
    skip_rate = np.where(rng.random(n) < 0.2, 0.12, 0.015)
    blank = (rng.random((n, k)) < skip_rate[:, None]) & ~sus[None, :]
    side_line = np.isin(roles, ["business_support", "other"])
    not_theirs = np.array([t in NOT_THEIR_WORK for t in instrument.themes])
    blank |= side_line[:, None] & not_theirs[None, :] & (rng.random((n, k)) < 0.4)
    sus_idx = np.flatnonzero(sus)
    for r in np.flatnonzero(rng.random(n) < 0.06):
        blank[r, rng.choice(sus_idx, size=int(rng.integers(1, 3)), replace=False)] = True
    return blank


def personal_detail(rng: np.random.Generator) -> str:
    """Return a fake personal-data aside (Ofcom drama numbers, example.org) for redaction."""
    name = f"{pick(rng, _TITLES)} {pick(rng, _SURNAMES)}"
    phone = f"01632 960{int(rng.integers(0, 1000)):03d}"
    mailbox = f"{pick(rng, 'jasm')}.{pick(rng, _SURNAMES)}".lower().replace("'", "")
    dob = (
        f"{int(rng.integers(1, 29)):02d}/{int(rng.integers(1, 13)):02d}/{rng.integers(1995, 2009)}"
    )
    options = (
        f"ring {name} on {phone}",
        f"e.g. the case of {name}, DOB {dob}",
        f"contact me on {mailbox}@example.org for examples",
        f"see case ref CR{int(rng.integers(100000, 999999))} ({name})",
        f"{name} (tel {phone}) can give details",
        f"the family at 12 Orchard Close, ZZ99 {int(rng.integers(1, 9))}AB had this",
        f"NI number QQ 12 34 {int(rng.integers(10, 99))} C was lost",
    )
    return pick(rng, options)


def make_comment(rng: np.random.Generator, complaints: Sequence[str]) -> str:
    """A respondent's free-text comment: often a local complaint, sometimes with personal data."""
    if complaints and rng.random() < 0.55:
        text = pick(rng, complaints).rstrip(".")
        text = text[0].lower() + text[1:] if rng.random() < 0.3 else text
    else:
        text = pick(rng, GENERAL_COMMENTS).rstrip(".")
    if rng.random() < 0.3:
        text = f"{text} - {personal_detail(rng)}"
    return text + ("." if rng.random() < 0.7 else "")


def simulate_responses(
    rng: np.random.Generator,
    n: int,
    means: np.ndarray,
    instrument: Instrument,
    complaints: Sequence[str],
) -> ResponseTable:
    """Draw `n` respondents' roles, areas, experience, ratings and comments for one submission."""
    roles = _draw(rng, ROLES, n)
    bands = _draw(rng, EXPERIENCE, n)
    areas = [
        "business_support" if role == "business_support" else area
        for role, area in zip(roles, _draw(rng, SERVICE_AREAS, n), strict=True)
    ]
    person = np.array(
        [ROLE_EFFECT[r] + EXPERIENCE_EFFECT[b] for r, b in zip(roles, bands, strict=True)]
    )
    person = person + rng.normal(0, RESPONDENT_SD, n)
    quality = means[None, :] + person[:, None] + rng.normal(0, ITEM_SD, (n, len(means)))
    agree = np.where(instrument.negative[None, :], -quality, quality)
    agree += rng.normal(0, ACQUIESCENCE_SD, n)[:, None]
    ratings = (np.searchsorted(CUTS, agree) + 1).astype(np.int8)
    ratings[_blanks(rng, instrument, roles)] = 0
    refs = [f"R{x:06d}" for x in rng.choice(900000, size=n, replace=False) + 100000]
    comments = [make_comment(rng, complaints) if rng.random() < 0.08 else "" for _ in range(n)]
    return ResponseTable(refs, roles, areas, bands, ratings, comments)
