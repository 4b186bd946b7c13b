"""Chart margins reserved up front, so a chart is drawn once.

Plotly fits a chart's labels by drawing it, measuring what sticks out (axis labels, colour
bars, legends) and, when its margins must grow, drawing it all again: every chart was drawn
two or three times on every page load, half of each page's drawing time. A margin that
already holds everything leaves nothing to grow, so the first drawing is the last.

The widths come from Arial's character widths (the charts' font; Liberation Sans, which
browsers use where Arial is missing, has the same widths). Automatic margins stay on, so an
estimate that falls short (a font wider than Arial, say) costs the redraw it always cost and
never cuts a label off.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

FONT_SIZE = 14  # px, the charts' font size (layouts.charts.figures.FONT)
PAD = 12  # px plotly adds around whatever pushes a margin
TICKS = 8  # px of tick mark and gap between an axis and its labels
LINE = 1.3  # a line of text is this many times the font size high
TITLE_GAP = 10  # px between an axis's tick labels and its title
UNKNOWN = 1000  # width of a character not in the table: wide, so estimates stay generous

# Arial's advance widths, in thousandths of the font size, by the characters that share them.
_WIDTH_GROUPS = {
    191: "'",
    222: "ijl‘’",
    260: "|",
    278: " !,./:;I[\\]ft",
    333: "()-`r“”",
    334: "{}",
    355: '"',
    389: "*",
    469: "^",
    500: "Jckvxyzsç",
    549: "÷",
    556: "#$0123456789?L_abdeghnopqu–éèàöüñ£€",
    584: "+<=>~×",
    611: "FTZ",
    667: "&ABEKPSVXY",
    722: "CDHNRUw",
    778: "GOQ",
    833: "Mm",
    889: "%",
    944: "W",
    1000: "—…",
    1015: "@",
}
WIDTHS = {ch: width for width, chars in _WIDTH_GROUPS.items() for ch in chars}


def text_width(text: object, size: float = FONT_SIZE) -> float:
    """Width in px of ``text`` set in Arial at ``size`` px (the widest line of several)."""
    lines = str(text).replace("<br />", "\n").replace("<br>", "\n").split("\n")
    return max(sum(WIDTHS.get(ch, UNKNOWN) for ch in line) for line in lines) * size / 1000


def widest(labels: Iterable[object], size: float = FONT_SIZE) -> float:
    return max((text_width(label, size) for label in labels), default=0.0)


def _title_room(title: bool) -> float:
    """Room for an axis title (one line) and its gap from the tick labels, when there is one."""
    return LINE * FONT_SIZE + TITLE_GAP if title else 0


def left_for_labels(labels: Iterable[object], *, title: bool = False) -> int:
    """Left margin for a y axis's tick labels (and its title, set sideways, when it has one)."""
    return math.ceil(widest(labels) + TICKS + _title_room(title) + PAD)


def bottom_for_axis(*, title: bool) -> int:
    """Bottom margin for an x axis's tick labels (one line) and its title."""
    return math.ceil(LINE * FONT_SIZE + TICKS + _title_room(title) + PAD)


def top_for_slanted(labels: Iterable[object], angle: float) -> int:
    """Top margin for x tick labels drawn above the plot, slanted by ``angle`` degrees."""
    rad = math.radians(abs(angle))
    height = widest(labels) * math.sin(rad) + LINE * FONT_SIZE * math.cos(rad)
    return math.ceil(height + TICKS + PAD)


def right_for_colorbar(ticktext: Iterable[object], title: object = "") -> int:
    """Right margin for a vertical colour bar: the bar, its tick labels and its title."""
    bar = 30 + 2 * 10  # plotly's default thickness and padding either side (placed at x=1)
    return math.ceil(max(bar + TICKS + widest(ticktext), text_width(title) + 20) + PAD + 2)


def bottom_for_upright(labels: Iterable[object], *, title: bool = False) -> int:
    """Bottom margin for x tick labels that plotly may stand upright to fit (periods), and
    the axis title below them when there is one."""
    return math.ceil(widest(labels) + TICKS + _title_room(title) + PAD + 10)


def right_for_slanted(labels: Iterable[object], angle: float) -> int:
    """Right margin for x tick labels slanted by ``angle`` degrees (rising to the right from
    their ticks): the last one, near the plot's right edge, sticks out by its width across."""
    return math.ceil(widest(labels) * math.cos(math.radians(abs(angle))) + PAD)


def right_for_last_tick(labels: Iterable[object]) -> int:
    """Right margin for half an x tick label: the last one, centred on the plot's right edge,
    sticks out when the labels lie flat."""
    return math.ceil(widest(labels) / 2 + PAD)


def bottom_for_legend_below(height: int, top: int, y: float, *, legend: int = 32) -> int:
    """Bottom margin for a one-line horizontal legend hung at ``y`` (a negative plot
    fraction) in a chart ``height`` px high with ``top`` px of top margin: plotly keeps the
    legend's ``legend`` px (one line) ``-y`` plot heights below the plot, plus padding."""
    return math.ceil((legend + PAD + (height - top) * -y) / (1 - y)) + 2


def top_for_legend_above(height: int, bottom: int, y: float) -> int:
    """Top margin for a horizontal legend placed at ``y`` (a plot fraction above 1), in a
    chart ``height`` px high with ``bottom`` px of bottom margin: plotly keeps the legend's
    anchor ``y - 1`` plot heights above the plot, plus its padding."""
    return math.ceil((PAD + (height - bottom) * (y - 1)) / y) + 2
