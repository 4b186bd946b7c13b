"""Remove personal data from LA free text before it is stored (PRODUCT.md §3, §4).

Each hit becomes a visible ``[redacted: KIND]`` marker so the uploader can check what was
removed. Detection is a set of small finders over the original text; overlaps are resolved
earliest-then-longest, and passes repeat until nothing new is found, so redaction is
idempotent by construction.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

MARKER = "[redacted: {kind}]"
KINDS: tuple[str, ...] = (
    "email",
    "phone",
    "postcode",
    "nhs_number",
    "ni_number",
    "date_of_birth",
    "date",
    "case_reference",
    "name",
)
# Tie-break when two finders claim exactly the same span: the more specific kind wins.
_PRIORITY = {
    k: i
    for i, k in enumerate(
        (
            "email",
            "nhs_number",
            "ni_number",
            "date_of_birth",
            "date",
            "phone",
            "postcode",
            "name",
            "case_reference",
        )
    )
}
_MAX_PASSES = 4


@dataclass(frozen=True)
class Redaction:
    """One removed piece of personal data; start/end index the ORIGINAL text."""

    kind: str
    original: str
    start: int
    end: int


@dataclass(frozen=True)
class RedactionResult:
    """Redacted text plus what was removed, for the uploader's before/after check."""

    text: str
    redactions: tuple[Redaction, ...]

    @property
    def changed(self) -> bool:
        return bool(self.redactions)


Hit = tuple[int, int, str]  # start, end, kind
_MARKER_RE = re.compile(r"\[redacted: (?:" + "|".join(KINDS) + r")\]")


def _ci(*words: str) -> str:
    """Alternation of lower/Title/UPPER spellings: far faster than (?i) on a hot path."""
    spellings = {v for w in words for v in (w, w.lower(), w.capitalize(), w.upper())}
    return "(?:" + "|".join(sorted(spellings, key=len, reverse=True)) + ")"


def _scan(pattern: re.Pattern[str], text: str, not_after: str = "") -> Iterator[re.Match[str]]:
    """finditer, keeping only matches not glued to a preceding word character.

    Checked here rather than by a leading lookbehind or word-boundary so the regex engine
    can skip straight to the pattern's first character.
    """
    pos = 0
    while (m := pattern.search(text, pos)) is not None:
        s = m.start()
        before = text[s - 1] if s else " "
        if before.isalnum() or before == "_" or before in not_after:
            pos = s + 1
            continue
        yield m
        pos = max(m.end(), s + 1)


# --- e-mail, phone, NHS, NI -------------------------------------------------------------

_EMAIL_RE = re.compile(r"[\w.%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![A-Za-z0-9])")
_PHONE_RE = re.compile(
    r"(?:(?:\+|00)44[ \-]?(?:\(0\)[ \-]?)?[1237-8](?:[ \-()]{0,3}[0-9]){8,9}"  # +44 / 0044
    r"|\(?0[1237-8](?:[ \-()]{0,3}[0-9]){8,9}"  # national 01/02/03/07/08
    r")(?![0-9])"
)
_NHS_GROUPED_RE = re.compile(r"[0-9]{3}([ \-]?)[0-9]{3}\1[0-9]{4}(?![0-9])")
_NHS_CONTEXT_RE = re.compile(
    _ci("NHS")
    + r"\b[ \t]*(?:"
    + _ci("no", "number", "num")
    + r"\b\.?[ \t]*)?(?:is[ \t]+)?[:#=\-]?[ \t]*(?P<x>[0-9](?:[ \-]?[0-9]){9})(?![0-9])"
)
_NI_RE = re.compile(
    r"(?<![0-9A-Za-z])(?:[A-Z]{2} ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-D]|[a-z]{2}[0-9]{6}[a-d])"
    r"(?![0-9A-Za-z])"
)


def _nhs_check_ok(digits: str) -> bool:
    """NHS modulus-11 check digit: what tells an NHS number from other 10-digit runs."""
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    return check != 10 and (check % 11) == int(digits[9])


def _find_emails(text: str) -> Iterator[Hit]:
    if "@" in text:
        for m in _EMAIL_RE.finditer(text):
            yield m.start(), m.end(), "email"


def _find_numbers(text: str) -> Iterator[Hit]:
    for m in _scan(_PHONE_RE, text, "+"):
        if not _NUMERIC_DATE_RE.match(text, m.start()):  # "01-02-2005 12 staff" is a date
            yield m.start(), m.end(), "phone"
    for m in _scan(_NHS_CONTEXT_RE, text):
        yield m.start("x"), m.end("x"), "nhs_number"
    for m in _scan(_NHS_GROUPED_RE, text):
        digits = re.sub(r"[ \-]", "", m.group())
        # A 10-digit identifier either way; the check digit says whether it is an NHS one.
        yield m.start(), m.end(), "nhs_number" if _nhs_check_ok(digits) else "case_reference"
    for m in _NI_RE.finditer(text):
        yield m.start(), m.end(), "ni_number"


# --- postcodes ------------------------------------------------------------------------

_AREA_LIST = (
    "AB AL B BA BB BD BF BH BL BN BR BS BT BX CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH "
    "DL DN DT DY E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA "
    "KT KW KY L LA LD LE LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO "
    "PR RG RH RM S SA SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W "
    "WA WC WD WF WN WR WS WV YO ZE"
)
_AREAS = frozenset(_AREA_LIST.split())
_POSTCODE_RE = re.compile(
    r"(?<![0-9A-Za-z])(?P<area>[A-Za-z]{1,2})[0-9][0-9A-Za-z]?[ \t]?"
    r"(?P<in>[0-9][ABD-HJLNP-UW-Zabd-hjlnp-uw-z]{2})(?![0-9A-Za-z])"
)
_ORDINAL_RE = re.compile(r"[0-9](?:st|nd|rd|th)")  # "M1 1st" reads as text, not a postcode


def _find_postcodes(text: str) -> Iterator[Hit]:
    for m in _POSTCODE_RE.finditer(text):
        inward = m.group("in")
        spaced = text[m.start("in") - 1] in " \t"
        if m.group("area").upper() in _AREAS and not (spaced and _ORDINAL_RE.fullmatch(inward)):
            yield m.start(), m.end(), "postcode"


# --- dates ----------------------------------------------------------------------------

_MONTH_NAMES = (
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sept sep oct nov dec"
)
_MONTH = _ci(*_MONTH_NAMES.split()) + r"\b\.?"
_ORD = r"(?:st|nd|rd|th|ST|ND|RD|TH)?"
_YEAR = r"(?:19|20)[0-9]{2}"
_NUMERIC_DATE_RE = re.compile(
    r"(?:(?P<a>[0-9]{1,2})(?P<s1>[/.\-])(?P<b>[0-9]{1,2})(?P=s1)(?P<c>(?:19|20)?[0-9]{2})"
    rf"|(?P<y>{_YEAR})(?P<s2>[/.\-])(?P<m>[0-9]{{1,2}})(?P=s2)(?P<d>[0-9]{{1,2}})"
    r")(?![0-9]|[.\-/][0-9])"
)
_DAY_MONTH_YEAR_RE = re.compile(
    rf"(?P<d>[0-9]{{1,2}}){_ORD}(?:[ \t]+of)?[ \t\-]+{_MONTH},?[ \t\-]+"
    rf"(?:{_YEAR}|'?[0-9]{{2}})(?![0-9])"
)
# "March 4, 2011": found from its digits, then the month name just before is checked.
_DAY_YEAR_RE = re.compile(rf"(?P<d>[0-9]{{1,2}}){_ORD},?[ \t]+{_YEAR}(?![0-9])")
_MONTH_BEFORE_RE = re.compile(rf"\b{_MONTH}[ \t]+$")
# Month and year only: identifying enough after a DOB cue, not elsewhere.
_MONTH_YEAR_RE = re.compile(rf"(?:{_MONTH},?[ \t]+|[0-9]{{1,2}}[/.\-]){_YEAR}(?![0-9])")
_DOB_CUES = ("dob", "d.o.b", "birth", "born", "b.")
_DOB_BEFORE_RE = re.compile(
    r"(?i:\b(?:d\.?o\.?b\.?|date[ \t]+of[ \t]+birth|birth[ \t]*date|born|b\.))"
    r"[ \t]*(?i:[:=\-]|is|was|on|in|of)?[ \t]*(?i:the[ \t]+)?\(?$"
)
_DOB_AFTER_RE = re.compile(r"[ \t]*[(\-,]?[ \t]*(?i:d\.?o\.?b|date of birth)(?![A-Za-z])")
_NOT_DATE_BEFORE_RE = re.compile(
    r"(?i:\b(?:version|ver|release|v|build|patch|update|section|para(?:graph)?|clause|step|item)"
    r"\.?[ \t]*)$"
)


def _plausible_numeric(m: re.Match[str]) -> bool:
    """Day/month in range, read either UK (d/m) or US (m/d) way round."""
    if m.group("y"):
        day, month = int(m.group("d")), int(m.group("m"))
        return 1 <= day <= 31 and 1 <= month <= 12
    a, b = int(m.group("a")), int(m.group("b"))
    return (1 <= a <= 31 and 1 <= b <= 12) or (1 <= a <= 12 and 1 <= b <= 31)


def _dob_before(text: str, start: int) -> bool:
    return _DOB_BEFORE_RE.search(text, max(0, start - 30), start) is not None


def _date_kind(text: str, start: int, end: int) -> str:
    dob = _dob_before(text, start) or _DOB_AFTER_RE.match(text, end) is not None
    return "date_of_birth" if dob else "date"


def _find_dates(text: str) -> Iterator[Hit]:
    for m in _scan(_NUMERIC_DATE_RE, text, ".-/"):
        s = m.start()
        if _plausible_numeric(m) and not _NOT_DATE_BEFORE_RE.search(text, max(0, s - 20), s):
            yield s, m.end(), _date_kind(text, s, m.end())
    for m in _scan(_DAY_MONTH_YEAR_RE, text):
        if 1 <= int(m.group("d")) <= 31:
            yield m.start(), m.end(), _date_kind(text, m.start(), m.end())
    for m in _scan(_DAY_YEAR_RE, text):
        month = _MONTH_BEFORE_RE.search(text, max(0, m.start() - 16), m.start())
        if month and 1 <= int(m.group("d")) <= 31:
            yield month.start(), m.end(), _date_kind(text, month.start(), m.end())
    lowered = text.lower()
    if any(cue in lowered for cue in _DOB_CUES):
        for m in _scan(_MONTH_YEAR_RE, text):
            if _dob_before(text, m.start()):
                yield m.start(), m.end(), "date_of_birth"


# --- case references ------------------------------------------------------------------

_ENTITY_WORDS = (
    "case client child person pupil family CIN CP CPP LAC CLA CiC mosaic LCS EHM record file "
    "referral"
)
_ENTITY = _ci(*_ENTITY_WORDS.split())
# A case reference is found from its value (digits are rare, so this is fast), then
# confirmed by the cue just before it: "case ref 123456", "client ID: AB123456", "CIN 12345".
_CASE_VALUE_RE = re.compile(r"[0-9]+(?:[\-/][0-9]+)*[A-Za-z]?(?!\w)")
_CASE_PREFIX_RE = re.compile(r"[A-Za-z]{1,4}[\-/]?$")  # AB123456, CR-004512
_CASE_CUE_RE = re.compile(
    rf"\b(?:{_ENTITY}[ \t\-]*(?P<rw>{_ci('ref', 'reference', 'no', 'nos', 'num', 'number', 'id')}"
    rf"\b\.?|\#)?|(?P<rw2>{_ci('ref', 'reference', 'id')})\b\.?)"
    rf"(?:[ \t]*{_ci('no', 'num', 'number')}\b\.?)?(?:[ \t]*(?:is|was))?[ \t]*[:#=\-]?[ \t]*$"
)
_LONG_NUMBER_RE = re.compile(r"[0-9]{6,}(?![0-9])(?![.,][0-9])")
_LETTER_PREFIX_RE = re.compile(r"(?<!\w)[A-Za-z]{1,3}[\-/]?")
_YEAR_RE = re.compile(_YEAR)


def _digits(s: str) -> int:
    return sum(c.isdigit() for c in s)


def _find_case_refs(text: str) -> Iterator[Hit]:
    for m in _CASE_VALUE_RE.finditer(text):
        digits = _digits(m.group())
        if digits < 3 or _YEAR_RE.fullmatch(m.group()):
            continue
        start = m.start()
        prefix = _CASE_PREFIX_RE.search(text, max(0, start - 5), start)
        start = prefix.start() if prefix else start
        if start and (text[start - 1].isalnum() or text[start - 1] == "_"):
            continue
        cue = _CASE_CUE_RE.search(text, max(0, start - 40), start)
        # "case ref 123" needs 3 digits; a bare "case 12345" needs 5 to not be a count.
        if cue and digits >= (3 if cue.group("rw") or cue.group("rw2") else 5):
            yield start, m.end(), "case_reference"
    for m in _LONG_NUMBER_RE.finditer(text):
        start = m.start()
        before = text[start - 1] if start else " "
        if before in ".,£$€":  # decimals and money
            continue
        prefix = _LETTER_PREFIX_RE.search(text, max(0, start - 4), start)
        if prefix and prefix.end() == start:
            start = prefix.start()
        elif before.isalnum() or before == "_":
            continue
        yield start, m.end(), "case_reference"


# --- names ----------------------------------------------------------------------------

_TITLE_RE = re.compile(
    r"(?:Mrs|Mr|Ms|Miss|Mx|Dr|Master|MRS|MR|MS|MISS|MX|DR|MASTER|mrs|mr|ms|mx|dr)"
    r"(?:\.[ \t]*|[ \t]+)"
)
_CALLED_RE = re.compile(r"(?:called|named|known[ \t]+as|name[ \t]+(?:is|was))[ \t]+")
_CALLED_CUE_RE = re.compile(  # what must come just before "called ..." for a name to follow
    r"(?i:\b(?:child|young[ \t]+person|person|boy|girl|baby|infant|toddler|teenager|"
    r"mother|father|mum|dad|parent|carer|sibling|brother|sister|son|daughter|grandmother|"
    r"grandfather|grandparent|aunt|uncle|man|woman|lady|someone|somebody|client|pupil|"
    r"student)[ \t]*,?[ \t]+"
    r"|\b(?:his|her|their)[ \t]+(?:first[ \t]+|last[ \t]+|sur|full[ \t]+)?)$"
)
_WORD_RE = re.compile(r"(?>[^\W\d_]+(?:['’\-][^\W\d_]+)*)(?![\d_])")
_GAP_RE = re.compile(r"[ \t]{1,3}")
# Capitalised words that follow a title but are not names ("MS Word", "Master Data").
_NOT_NAME_LIST = (
    "the a an and or but of in on at to for from with by as is was were are has had have "
    "said says told asked rang called wrote emailed who which that this these those he she "
    "they we i it his her their our my you your social worker team manager council service "
    "services department word excel teams office outlook access forms sharepoint onedrive "
    "powerpoint dynamics windows edge project visio onenote data index person record "
    "records file list plan copy key nhs gp la"
)
_NOT_NAMES = frozenset(_NOT_NAME_LIST.split())
_MAX_NAME_WORDS = 4


def _name_end(text: str, pos: int) -> int:
    """End of the run of capitalised name words starting at pos (pos itself if none)."""
    end = pos
    for _ in range(_MAX_NAME_WORDS):
        m = _WORD_RE.match(text, pos)
        if not m:
            break
        word = m.group()
        if not word[0].isupper() or word.casefold() in _NOT_NAMES:
            break
        possessive = len(word) > 2 and word.endswith(("'s", "’s"))
        end = m.end() - 2 if possessive else m.end()
        if len(word) == 1 and text.startswith(".", end):  # initial: "J. Smith"
            end += 1
        gap = None if possessive else _GAP_RE.match(text, end)
        if gap is None:
            break
        pos = gap.end()
    return end


def _find_names(text: str) -> Iterator[Hit]:
    for m in _scan(_TITLE_RE, text):
        end = _name_end(text, m.end())
        if end > m.end():
            yield m.end(), end, "name"
    for m in _CALLED_RE.finditer(text):
        if _CALLED_CUE_RE.search(text, max(0, m.start() - 30), m.start()):
            end = _name_end(text, m.end())
            if end > m.end():
                yield m.end(), end, "name"


# --- resolution -----------------------------------------------------------------------

_Finder = Callable[[str], Iterator[Hit]]
_TEXT_FINDERS: tuple[_Finder, ...] = (_find_emails, _find_names)
# Everything else needs a digit; most comments have none, so skip them cheaply.
_ALL_FINDERS = _TEXT_FINDERS + (_find_numbers, _find_postcodes, _find_dates, _find_case_refs)
_DIGIT_RE = re.compile(r"[0-9]")


def _spans(text: str) -> list[Hit]:
    """Non-overlapping hits: earliest start, then longest, then most specific kind."""
    protected = [m.span() for m in _MARKER_RE.finditer(text)] if "[redacted: " in text else []
    finders = _ALL_FINDERS if _DIGIT_RE.search(text) else _TEXT_FINDERS
    hits = sorted(
        (h for f in finders for h in f(text)),
        key=lambda h: (h[0], h[0] - h[1], _PRIORITY[h[2]]),
    )
    chosen: list[Hit] = []
    last_end = 0
    for start, end, kind in hits:
        if start < last_end or any(s < end and start < e for s, e in protected):
            continue
        chosen.append((start, end, kind))
        last_end = end
    return chosen


def redact(text: str | None) -> RedactionResult:
    """Replace personal data in free text with ``[redacted: KIND]`` markers."""
    if text is None or not text.strip():
        return RedactionResult("", ())
    # Pieces of the output: (text, original start) for kept text, or a Redaction.
    pieces: list[tuple[str, int] | Redaction] = [(text, 0)]
    for _ in range(_MAX_PASSES):
        current = "".join(_piece_text(p) for p in pieces)
        found = _spans(current)
        if not found:
            break
        pieces = _apply(pieces, found)
    redactions = tuple(p for p in pieces if isinstance(p, Redaction))
    return RedactionResult("".join(_piece_text(p) for p in pieces), redactions)


def _piece_text(piece: tuple[str, int] | Redaction) -> str:
    return MARKER.format(kind=piece.kind) if isinstance(piece, Redaction) else piece[0]


def _apply(
    pieces: list[tuple[str, int] | Redaction], found: list[Hit]
) -> list[tuple[str, int] | Redaction]:
    """Split kept pieces around hits (given in current-text positions)."""
    out: list[tuple[str, int] | Redaction] = []
    offset = 0  # position of the current piece in the current text
    queue = iter(found)
    hit = next(queue, None)
    for piece in pieces:
        chunk = _piece_text(piece)
        if isinstance(piece, Redaction):
            out.append(piece)
            offset += len(chunk)
            continue
        kept, orig = piece
        cursor = 0  # within this piece
        while hit is not None and hit[0] < offset + len(chunk):
            start, end, kind = hit[0] - offset, hit[1] - offset, hit[2]
            if start > cursor:
                out.append((kept[cursor:start], orig + cursor))
            out.append(Redaction(kind, kept[start:end], orig + start, orig + end))
            cursor = end
            hit = next(queue, None)
        if cursor < len(kept):
            out.append((kept[cursor:], orig + cursor))
        offset += len(chunk)
    return out
