"""axe-core in the browser tests: WCAG A/AA checks of one panel, and chart text contrast.

axe-core comes from npm (``labextension/node_modules/axe-core``, a devDependency of the
front end, installed by its build) and is injected into the page from that file: nothing
is fetched. Two settings differ from axe's defaults, each for a reason written where it is
set (``_SETUP``); no rule is turned off.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "labextension" / "node_modules" / "axe-core" / "axe.min.js"

#: The rule sets run: WCAG 2.0 and 2.1, levels A and AA, and axe's best practices.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]

_SETUP = """() => {
  // JupyterLab's <body> is 0 px tall with overflow: hidden (its shell is absolutely
  // positioned over the page). axe-core then takes every element for clipped by the body
  // and checks the contrast of no text at all (dequelabs/axe-core#3996, #2218). Giving the
  // body the viewport's height changes nothing on screen and lets axe see the text.
  document.documentElement.style.height = '100%';
  document.body.style.height = '100%';
  if (!window.__dciAxeConfigured) {
    window.__dciAxeConfigured = true;
    // axe leaves text of one character unchecked ("too short to tell whether it is text").
    // The panels are full of one-character values (0/1 labels, row numbers, counts), which
    // are text: check them as well. Every other option keeps axe's default.
    const options = axe._audit.checks['color-contrast'].options;
    axe.configure({ checks: [{ id: 'color-contrast', options: { ...options, ignoreLength: true } }] });
  }
}"""

_RUN = """async ([selectors, tags]) => {
  const result = await axe.run(
    { include: selectors.map(s => [s]) },
    { runOnly: { type: 'tag', values: tags }, elementRef: true }
  );
  const nodes = list => list.map(n => `${n.target.join(' ')}: ${n.failureSummary || ''}`);
  const checked = result.passes.filter(p => p.id === 'color-contrast').flatMap(p => p.nodes);
  return {
    violations: result.violations.map(v => ({ id: v.id, impact: v.impact, nodes: nodes(v.nodes).slice(0, 5) })),
    contrastChecked: Object.fromEntries(selectors.map(s => [s, checked.filter(n => n.element.closest(s)).length])),
  };
}"""

# Text in the SVG of a chart: axe cannot tell its background ("contains an image node"), so
# its contrast is computed here, against the chart's own background (Vega sets it on the
# <svg>), with WCAG's formula.
_CHART_TEXT = """(selector) => {
  const parse = c => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const lin = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  const lum = c => 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2]);
  const out = [];
  for (const root of document.querySelectorAll(selector)) {
    for (const svg of root.querySelectorAll('svg.marks')) {
      const bg = parse(getComputedStyle(svg).backgroundColor);
      for (const text of svg.querySelectorAll('text')) {
        if (!text.textContent.trim()) continue;
        const cs = getComputedStyle(text);
        const fill = parse(cs.fill);
        if (!bg || !fill) { out.push({ text: text.textContent, ratio: 0, fill: cs.fill, bg: String(bg) }); continue; }
        const a = fill[3] * Number(cs.fillOpacity || 1) * Number(cs.opacity || 1);
        if (a < 0.01) continue;  // a label Vega hid (labels that would overlap)
        const fg = [0, 1, 2].map(i => fill[i] * a + bg[i] * (1 - a));
        const [hi, lo] = [lum(fg), lum(bg)].sort((x, y) => y - x);
        out.push({ text: text.textContent, ratio: (hi + 0.05) / (lo + 0.05), fill: cs.fill, bg: `rgb(${bg.slice(0, 3)})`,
                   luminance: lum(bg) });
      }
    }
  }
  return out;
}"""


@dataclass(frozen=True)
class AxeResult:
    """What axe found: its violations, and how many texts of each panel it checked for contrast."""

    violations: list[dict[str, Any]]
    contrast_checked: dict[str, int]


def inject_axe(page: Any) -> None:
    """Load axe-core into the page from node_modules (fails if it is not installed)."""
    if not AXE_JS.is_file():
        # A missing checker fails, never skips: a skipped accessibility test passes unseen.
        pytest.fail(
            f"axe-core is not installed ({AXE_JS}): run cd labextension && npm install "
            "(make test installs it with the front end's build)",
            pytrace=False,
        )
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE_JS))
    page.evaluate(_SETUP)


def run_axe(page: Any, selectors: list[str]) -> AxeResult:
    """Run axe's WCAG A/AA and best-practice rules over the elements matching ``selectors``.

    axe checks the contrast of text in view only: the page must show the panels whole (a
    tall viewport), or their text below the fold goes unchecked (see ``contrast_checked``).
    """
    inject_axe(page)
    found = page.evaluate(_RUN, [selectors, TAGS])
    return AxeResult(violations=found["violations"], contrast_checked=found["contrastChecked"])


def chart_texts(page: Any, selector: str) -> list[dict[str, Any]]:
    """Every text of the charts inside ``selector``: its contrast ratio and the chart's background."""
    return list(page.evaluate(_CHART_TEXT, selector))
