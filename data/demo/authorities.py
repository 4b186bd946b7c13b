"""Fictional local authorities for the demo and which supplier product each one used when.

Names are built from invented syllables and checked against real council names, so no chart
in the demo can be read as a comment on a real council. Codes use the real GSS prefixes but a
900000+ number range that no real authority has.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "reference"

# The 2010 mix of children's services authorities: 27 counties, 55 unitaries, 36 metropolitan
# districts and 32 London boroughs (the City of London aside).
TYPE_MIX = {"county": 27, "unitary": 55, "metropolitan_district": 36, "london_borough": 32}
LONDON = "E12000007"
# Roughly where each type of authority sits (regions E12000001..9 in order, London excluded).
REGION_MIX = {
    "county": {"E12000002": 2, "E12000003": 1, "E12000004": 4, "E12000005": 3, "E12000006": 4,
               "E12000008": 7, "E12000009": 5},
    "unitary": {"E12000001": 7, "E12000002": 8, "E12000003": 5, "E12000004": 5, "E12000005": 4,
                "E12000006": 6, "E12000008": 12, "E12000009": 11},
    "metropolitan_district": {"E12000001": 5, "E12000002": 10, "E12000003": 9, "E12000005": 7},
    "london_borough": {LONDON: 1},
}  # fmt: skip
SIZE_MIX = {
    "county": {"large": 0.75, "medium": 0.25, "small": 0.0},
    "unitary": {"small": 0.5, "medium": 0.4, "large": 0.1},
    "metropolitan_district": {"small": 0.1, "medium": 0.55, "large": 0.35},
    "london_borough": {"small": 0.3, "medium": 0.6, "large": 0.1},
}
# Supplier group sizes for 150 LAs: two big groups, several mid-size, three tiny ones.
GROUP_SIZES = {
    "CareFirst": 35, "frameworki": 30, "PROTOCOL ICS": 22, "Paris ICS": 16,
    "RAISE Children's Services": 14, "Capita ICS": 12, "Northgate ICS": 9, "OfficeBase ICS": 7,
    "ShareCare": 2, "MultiVue": 2, "KCics": 1,
}  # fmt: skip
TINY_GROUP = 2  # groups this small keep their LAs: nobody switches into or out of them
SWITCH_TARGETS = ("PROTOCOL ICS", "frameworki", "Paris ICS", "CareFirst")

_FIRST = re.findall(
    r"\w+",
    """Ash Brack Cald Dun Eller Fen Gar Hal Kes Lang Mar Nether Oak Pen
    Quen Rav Thorn Wex Yar Brom Cor Hazel Lin Mor Pel Sal Whit Ald Birch Dew Elm Fray Hed Stan Tol
    Wray Hollin Kirk Mickle Alder Sedge Rook Thrush Wold Bran Coll Dray Fern""",
)
_SECOND = re.findall(
    r"\w+",
    """by low wick wood dale combe mere ton ley worth stead ham field bury
    well thorpe hurst bridge minster cote holme gate stone marsh""",
)
_RIVERS = ("Wend", "Mardle", "Keld", "Sorrel", "Lym", "Brede", "Ouseley")
_POINTS = ("North", "South", "East", "West")
_AWKWARD = re.compile(r"(.)\1\1|lel|(.)\2l")  # "Collley", "Mickleley"
# Real English councils (2009 onwards) and well-known towns the syllables above could spell.
_REAL_COUNCILS = """Ashfield; Ashford; Elmbridge; Selby; Halton; Wakefield; Mansfield; Chesterfield;
    Sheffield; Calderdale; Bury; Salford; Oldham; Trafford; Wirral; Sunderland; Gateshead;
    Bradford; Kirklees; Barnsley; Wolverhampton; Dudley; Walsall; Solihull; Coventry; Sandwell;
    Stockport; Tameside; Rochdale; Bolton; Wigan; Knowsley; Sefton; Doncaster; Rotherham;
    Bromley; Barnet; Bexley; Brent; Camden; Croydon; Ealing; Enfield; Hackney; Haringey; Harrow;
    Havering; Hillingdon; Hounslow; Islington; Lambeth; Lewisham; Merton; Newham; Redbridge;
    Southwark; Sutton; Wandsworth; Westminster; Greenwich; Darlington; Hartlepool; Middlesbrough;
    Stockton; Redcar; Torbay; Swindon; Slough; Reading; Wokingham; Medway; Thurrock; Luton;
    Bedford; Rutland; Poole; Plymouth; Portsmouth; Southampton; Bournemouth; Blackpool;
    Blackburn; Warrington; Peterborough; Derby; Leicester; Nottingham; York; Wiltshire;
    Shropshire; Cornwall; Herefordshire; Durham; Northumberland; Cumbria; Lancashire; Kent;
    Surrey; Essex; Norfolk; Suffolk; Devon; Dorset; Somerset; Hampshire; Oxfordshire;
    Cambridgeshire; Hertfordshire; Gloucestershire; Warwickshire; Worcestershire;
    Staffordshire; Derbyshire; Nottinghamshire; Leicestershire; Lincolnshire;
    Northamptonshire; Buckinghamshire; Berkshire; Wychavon; Wyre; Hart; Eden; Dacorum; Rother;
    Fenland; Harborough; Melton; Blaby; Charnwood; Bassetlaw; Broxtowe; Gedling; Erewash;
    Bolsover; Amber Valley; Hambleton; Ryedale; Craven; Harrogate; Broadland; Breckland;
    Babergh; Tendring; Uttlesford; Maldon; Rochford; Basildon; Harlow; Stevenage; Broxbourne;
    Hertsmere; Watford; Woking; Waverley; Tandridge; Wealden; Lewes; Hastings; Adur; Arun;
    Crawley; Horsham; Worthing; Havant; Gosport; Fareham; Eastleigh; Rushmoor; Swale; Thanet;
    Dover; Dartford; Gravesham; Sevenoaks; Maidstone; Shepway; Cotswold; Stroud; Tewkesbury;
    Sedgemoor; Mendip; Teignbridge; Torridge; Purbeck; Christchurch; Wellingborough; Kettering;
    Corby; Daventry; Rugby; Warwick; Redditch; Bromsgrove; Lichfield; Tamworth; Stafford;
    Cannock Chase; Pendle; Burnley; Hyndburn; Rossendale; Chorley; Fylde; Preston; Lancaster;
    Copeland; Allerdale; Carlisle; Tynedale; Wansbeck; Alnwick; Easington; Sedgefield; Teesdale;
    Derwentside; Penwith; Kerrier; Carrick; Caradon; Restormel; Kennet; Salisbury; Congleton;
    Macclesfield; Chester; Vale Royal; Oswestry; Bridgnorth; Wealden; Runnymede; Spelthorne;
    Mole Valley; Test Valley; Surrey Heath; Bracknell Forest; Waltham Forest; Epping Forest;
    Forest Heath; Castle Point; Brentwood; Colchester; Ipswich; Waveney; Norwich; Boston;
    Lincoln; Oxford; Cherwell; Cambridge; Exeter; Gloucester; Worcester; Winchester; Canterbury;
    Guildford; Chichester; Eastbourne; Brighton; Cheltenham; Huntingdonshire; Richmondshire;
    Scarborough; Whitby; Margate; Kirkby; Kirkham; Stanley; Morley; Langley; Hedley; Oakham;
    Thornbury; Birchwood"""


def _normal(name: str) -> str:
    """Lower-case a place name and drop punctuation, for comparing names."""
    return re.sub(r"[^a-z ]", "", name.lower().replace("-", " ").replace("&", "and")).strip()


REAL_COUNCIL_NAMES = frozenset(_normal(n) for n in re.split(r";\s*", _REAL_COUNCILS))


@dataclass(frozen=True)
class Authority:
    """A fictional children's services authority (region by name, as in regions.csv)."""

    code: str
    name: str
    region: str
    la_type: str
    size_band: str


@dataclass(frozen=True)
class ProductUse:
    """One spell of an LA using one product; `end` None means still in use."""

    authority_code: str
    product: str
    start: date
    end: date | None


def reference_rows(name: str) -> list[dict[str, str]]:
    """Read one of the reference code lists shipped in data/reference."""
    with (REFERENCE_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def quarter_end(period: str) -> date:
    """Last day of a `YYYY-Qn` period."""
    match = re.fullmatch(r"(\d{4})-Q([1-4])", period)
    if not match:
        raise ValueError(f"period {period!r} is not of the form YYYY-Qn")
    year, quarter = int(match[1]), int(match[2])
    if quarter == 4:
        return date(year, 12, 31)
    return date(year, 3 * quarter + 1, 1) - timedelta(days=1)


def apportion(weights: dict[str, float], total: int, minimum: int = 0) -> dict[str, int]:
    """Split `total` in proportion to `weights` (largest remainder); then lift any share below
    `minimum` by taking from the largest, when the total allows it."""
    keys = list(weights)
    scale = sum(weights.values())
    exact = {k: total * weights[k] / scale for k in keys}
    counts = {k: int(exact[k]) for k in keys}
    order = sorted(keys, key=lambda k: (counts[k] - exact[k], keys.index(k)))
    for k in order[: total - sum(counts.values())]:
        counts[k] += 1
    if total >= minimum * len(keys):
        for k in keys:
            while counts[k] < minimum:
                counts[max(keys, key=counts.__getitem__)] -= 1
                counts[k] += 1
    return counts


def _name(rng: np.random.Generator, la_type: str, stems: list[str]) -> str:
    """Compose a plausible place name for an authority of this type."""
    stem = stems.pop()
    roll = rng.random()
    if la_type == "county":
        return f"{rng.choice(_POINTS)} {stem}shire" if roll < 0.25 else f"{stem}shire"
    if la_type == "metropolitan_district":
        return f"{rng.choice(_POINTS[:2])} {stem}" if roll < 0.2 else stem
    if roll < 0.12:
        return f"{stem} and {stems.pop()}"
    if roll < 0.22:
        joiner = " upon " if la_type == "london_borough" else "-on-"
        return f"{stem}{joiner}{rng.choice(_RIVERS)}"
    if roll < 0.28 and la_type == "unitary":
        return f"{stem} {rng.choice(('Vale', 'Forest', 'Downs'))}"
    return stem


def make_authorities(rng: np.random.Generator, n: int) -> list[Authority]:
    """Draw `n` fictional authorities of all four types across the nine regions, sorted by code."""
    if n < 1:
        raise ValueError("n_authorities must be at least 1")
    stems = [a + b for a in _FIRST for b in _SECOND]
    stems = [s for s in stems if _normal(s) not in REAL_COUNCIL_NAMES and not _AWKWARD.search(s)]
    stems = [str(s) for s in rng.permutation(stems)]
    types = apportion(TYPE_MIX, n, minimum=1)
    prefixes = {r["code"]: r["gss_prefix"] for r in reference_rows("la_types.csv")}
    region_name = {r["code"]: r["name"] for r in reference_rows("regions.csv")}
    used_names: set[str] = set()
    used_numbers: set[int] = set()
    authorities: list[Authority] = []
    for la_type, count in types.items():
        regions = apportion(REGION_MIX[la_type], count, minimum=1)
        slots = [r for r, c in regions.items() for _ in range(c)]
        region_list = [str(r) for r in rng.permutation(slots)]
        sizes = list(SIZE_MIX[la_type])
        probs = np.array([SIZE_MIX[la_type][s] for s in sizes])
        prefix = prefixes[la_type]
        for region in region_list:
            name = _name(rng, la_type, stems)
            while _normal(name) in REAL_COUNCIL_NAMES or name in used_names:
                name = _name(rng, la_type, stems)
            used_names.add(name)
            number = int(rng.integers(900000, 1000000))
            while number in used_numbers:
                number = int(rng.integers(900000, 1000000))
            used_numbers.add(number)
            size = str(rng.choice(sizes, p=probs / probs.sum()))
            code = f"{prefix}{number}"
            authorities.append(Authority(code, name, region_name[region], la_type, size))
    return sorted(authorities, key=lambda a: a.code)


def group_sizes(n: int) -> dict[str, int]:
    """How many LAs start on each product: tiny groups stay tiny, the rest scale with `n`."""
    products = [r["product"] for r in reference_rows("products.csv")]
    if set(products) != set(GROUP_SIZES):
        raise ValueError("products.csv no longer matches the demo's supplier groups")
    tiny = {p: s for p, s in GROUP_SIZES.items() if s <= TINY_GROUP}
    sizes = {p: min(s, max(1, round(s * n / 150))) for p, s in tiny.items()} if n >= 20 else {}
    others = {p: s for p, s in GROUP_SIZES.items() if p not in sizes}
    sizes.update(apportion(others, n - sum(sizes.values()), minimum=1))
    return sizes


def assign_products(
    rng: np.random.Generator, authorities: list[Authority], periods: list[str]
) -> list[ProductUse]:
    """Give every LA a product from before the first period; 3-6 LAs switch during the periods."""
    sizes = group_sizes(len(authorities))
    order = [authorities[i] for i in rng.permutation(len(authorities))]
    # The in-house system belongs to a London borough when there is one, as KCics did.
    in_house = sizes.pop("KCics", 0)
    londoners = [a for a in order if a.la_type == "london_borough"][:in_house]
    order = londoners + [a for a in order if a not in londoners]
    rest = [p for p, c in sizes.items() for _ in range(c)]
    queue = ["KCics"] * in_house + [str(p) for p in rng.permutation(rest)]
    first_product = {a.code: p for a, p in zip(order, queue, strict=True)}
    uses: list[ProductUse] = []
    latest = quarter_end(periods[0]) - timedelta(days=180)
    first_day = latest - timedelta(days=6 * 365)
    span = (latest - first_day).days
    switch_ends = [quarter_end(p) for p in periods]
    n_switch = min(6, max(3, round(len(authorities) / 30))) if len(periods) > 1 else 0
    counts = {p: list(first_product.values()).count(p) for p in GROUP_SIZES}
    candidates = [a.code for a in authorities if counts[first_product[a.code]] >= 5]
    switchers = {str(c) for c in rng.permutation(candidates)[:n_switch]}
    for authority in authorities:
        product = first_product[authority.code]
        start = first_day + timedelta(days=int(rng.integers(0, span)))
        if authority.code not in switchers:
            uses.append(ProductUse(authority.code, product, start, None))
            continue
        k = int(rng.integers(1, len(periods)))
        gap = (switch_ends[k] - switch_ends[k - 1]).days
        new_start = switch_ends[k - 1] + timedelta(days=int(rng.integers(1, gap + 1)))
        new_product = str(rng.choice([p for p in SWITCH_TARGETS if p != product]))
        uses.append(ProductUse(authority.code, product, start, new_start - timedelta(days=1)))
        uses.append(ProductUse(authority.code, new_product, new_start, None))
    return uses


def product_on(uses: list[ProductUse], code: str, day: date) -> str:
    """The product `code` was using on `day`."""
    for use in uses:
        if use.authority_code == code and use.start <= day and (use.end is None or day <= use.end):
            return use.product
    raise LookupError(f"{code} has no product in use on {day}")
