"""Run axe-core (bundled by the axe-playwright-python package) in a Playwright page.

The script is injected as-is and run against the whole document with the WCAG 2.0, 2.1 and
2.2 A/AA tags; nothing is excluded, so a violation is fixed in the page, not hidden here."""

from __future__ import annotations

from functools import cache
from pathlib import Path

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@cache
def axe_source() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text("utf-8")


def axe_violations(page) -> list[dict]:
    """Violations on the current page (each with id, impact, help and failing targets)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, which the page's content-security policy
        # (no inline scripts) rightly does not cover; a <script> tag would be refused.
        page.evaluate(axe_source() + "\n;true")
    result = page.evaluate(
        """async (tags) => {
            const r = await window.axe.run(document, {runOnly: {type: 'tag', values: tags},
                                                      resultTypes: ['violations']});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(n => n.target.join(' ')).slice(0, 8),
                summary: v.nodes.map(n => n.failureSummary).slice(0, 2)}));
        }""",
        TAGS,
    )
    return list(result)


def describe(violations: list[dict]) -> str:
    """Readable report for an assertion message."""
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        lines += [f"    {t}" for t in v["targets"]]
        lines += [f"    {s}" for s in v["summary"]]
    return "\n".join(lines)
