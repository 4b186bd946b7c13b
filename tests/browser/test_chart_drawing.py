"""Every chart is drawn once: the margins the server reserves (layouts.charts.margins) already
hold its labels, colour bar and legend, so plotly never has to grow them and draw the
chart again (which doubled the drawing time of every page load)."""

from __future__ import annotations

import pytest

FIGURED = "gd => gd.offsetParent !== null && gd.layout && gd.layout.margin"
# Plotly has laid out the server's figure (its margins are in the full layout) and is not
# drawing: plotly sets _fullLayout._replotting while it draws, including the redraw it makes
# when a margin must grow, so a chart that passes this has been drawn for good.
SETTLED = """gd => gd._fullLayout && gd._fullLayout._size && !gd._fullLayout._replotting
    && ['l', 'r', 't', 'b'].every(side => gd.layout.margin[side] === undefined
                                  || gd._fullLayout.margin[side] === gd.layout.margin[side])"""
MARGINS = """() => [...document.querySelectorAll('.js-plotly-plot')]
    .filter(FIGURED)
    .map(gd => {
        const sent = gd.layout.margin || {}, drawn = gd._fullLayout._size;
        return {id: gd.parentElement.closest('[id]').id,
                sent: [sent.l, sent.r, sent.t, sent.b], drawn: [drawn.l, drawn.r, drawn.t, drawn.b],
                grew: ['l', 'r', 't', 'b'].filter(side => drawn[side] > sent[side])};
    })""".replace("FIGURED", FIGURED)


@pytest.mark.parametrize(
    ("user", "path", "charts"),
    [
        ("demo-coordinator", "/", 3),
        ("demo-coordinator", "/compare", 4),
        ("demo-coordinator", "/themes", 3),
        ("demo-la", "/my-authority", 3),
        ("demo-nlar", "/compare", 5),  # with the group's authority-by-authority breakdown
    ],
)
def test_charts_are_drawn_with_room_for_their_labels(as_user, user, path, charts):
    s = as_user(user)
    s.open(path)
    # dcc.Graph draws an empty plot before its figure arrives: wait for the server's figures
    # (every one sets its margins) and for plotly to have finished drawing each of them
    s.page.wait_for_function(
        f"""n => {{
            const figured = [...document.querySelectorAll('.js-plotly-plot')].filter({FIGURED});
            return figured.length >= n && figured.every({SETTLED});
        }}""",
        arg=charts,
        timeout=60_000,
    )
    drawn = s.page.evaluate(MARGINS)
    assert len(drawn) >= charts, drawn
    assert [d for d in drawn if d["grew"]] == [], "plotly had to widen these charts' margins"
    assert s.errors == []
