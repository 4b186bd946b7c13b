() => {
  // What tests/browser/test_journeys.py measures in a page, in one pass; each problem is one
  // readable line. Evaluated by Playwright as a function.
  const problems = [];
  const visible = (el) => el.checkVisibility() && el.getBoundingClientRect().width > 0;
  const label = (el) => {
    const id = el.id ? '#' + el.id : '';
    const cls = (typeof el.className === 'string' && el.className) ?
      '.' + el.className.trim().split(/\s+/).slice(0, 2).join('.') : '';
    return el.tagName.toLowerCase() + id + cls;
  };
  const where = (el) => {
    const card = el.closest('.figure-card, section, main');
    const h = card && card.querySelector('h1, h2, h3');
    return h ? `"${h.textContent.trim().slice(0, 60)}"` : '(page)';
  };
  const scrolls = (el, card) => {  // clipped by a scrolling box inside the card
    for (let p = el.parentElement; p && p !== card; p = p.parentElement) {
      const s = getComputedStyle(p);
      if (/(auto|scroll|hidden)/.test(s.overflowX)) return true;
    }
    return false;
  };
  // 1. Nothing sticks out of its card (horizontally or vertically).
  for (const card of document.querySelectorAll('.figure-card')) {
    if (!visible(card)) continue;
    const c = card.getBoundingClientRect();
    for (const el of card.querySelectorAll(
        'svg.main-svg, .ag-root-wrapper, button, .btn, table, img, input, select, textarea, summary, p, h2, h3')) {
      if (!visible(el) || scrolls(el, card)) continue;
      const r = el.getBoundingClientRect();
      if (r.right > c.right + 1 || r.left < c.left - 1 || r.bottom > c.bottom + 1) {
        problems.push(`overflow: ${label(el)} (${Math.round(r.left)}–${Math.round(r.right)} × ` +
          `${Math.round(r.top)}–${Math.round(r.bottom)}) sticks out of card ${where(card)} ` +
          `(${Math.round(c.left)}–${Math.round(c.right)} × ${Math.round(c.top)}–${Math.round(c.bottom)})`);
        break;
      }
    }
    // a chart must not cover the card's own controls
    const plots = [...card.querySelectorAll('.js-plotly-plot')].filter(visible);
    const controls = [...card.querySelectorAll('summary, button, .btn, a')].filter(visible);
    for (const plot of plots) {
      const svg = plot.querySelector('svg.main-svg') || plot;
      const p = svg.getBoundingClientRect();
      for (const ctl of controls) {
        if (plot.contains(ctl)) continue;
        const r = ctl.getBoundingClientRect();
        if (r.left < p.right && r.right > p.left && r.top < p.bottom && r.bottom > p.top) {
          problems.push(`overlap: chart ${label(plot.parentElement)} covers ` +
            `"${ctl.textContent.trim().slice(0, 40)}" in ${where(card)}`);
        }
      }
    }
  }
  // 2. Grids: no wider than their container unless they scroll; no text cut off unread.
  for (const grid of document.querySelectorAll('.ag-root-wrapper')) {
    if (!visible(grid)) continue;
    const g = grid.getBoundingClientRect();
    const box = grid.closest('.figure-card, main');
    const b = box.getBoundingClientRect();
    if (g.right > b.right + 1) problems.push(`grid wider than its card: ${where(grid)}`);
    const viewport = grid.querySelector('.ag-center-cols-viewport');
    const cols = grid.querySelector('.ag-center-cols-container');
    const bar = grid.querySelector('.ag-body-horizontal-scroll');
    if (viewport && cols && cols.scrollWidth > viewport.clientWidth + 1) {
      const shown = bar && visible(bar) && !bar.classList.contains('ag-hidden') &&
        bar.getBoundingClientRect().height > 0 &&
        !bar.classList.contains('ag-scrollbar-invisible');
      if (!shown) problems.push(`grid clipped without a scroll bar: ${where(grid)} ` +
        `(${cols.scrollWidth}px of columns in ${viewport.clientWidth}px)`);
    }
    for (const cell of grid.querySelectorAll('.ag-cell')) {
      const text = cell.querySelector('.ag-cell-value') || cell;
      if (!visible(cell)) continue;
      const cut = text.scrollWidth > text.clientWidth + 2 || text.scrollHeight > text.clientHeight + 2;
      const readable = cell.title || text.title || cell.closest('[title]') ||
        getComputedStyle(text).whiteSpace === 'normal' && text.scrollHeight <= cell.clientHeight + 2;
      if (cut && !readable) {
        problems.push(`text cut off in grid ${where(grid)}: "${cell.textContent.trim().slice(0, 50)}"`);
        break;
      }
    }
  }
  // 3. Buttons with nothing to do are disabled.
  for (const btn of document.querySelectorAll('button, .btn')) {
    if (!visible(btn) || btn.disabled || btn.getAttribute('aria-disabled') === 'true') continue;
    const text = btn.textContent.trim();
    const card = btn.closest('.figure-card, section') || document.body;
    const grids = [...card.querySelectorAll('.ag-root-wrapper')].filter(visible);
    const rows = grids.reduce((n, g) => n + g.querySelectorAll('.ag-center-cols-container .ag-row').length, 0);
    if (/\bselected\b/i.test(text) && grids.length && !card.querySelector('.ag-row-selected')) {
      problems.push(`button enabled with nothing selected: "${text}" in ${where(btn)}`);
    }
    if (/^Download/i.test(text) && grids.length && rows === 0 && !card.querySelector('.js-plotly-plot')) {
      problems.push(`download enabled with nothing to download: "${text}" in ${where(btn)}`);
    }
  }
  // 4. The page itself never scrolls sideways.
  if (document.documentElement.scrollWidth > window.innerWidth + 1) {
    problems.push(`page scrolls sideways: ${document.documentElement.scrollWidth}px wide ` +
      `in a ${window.innerWidth}px window`);
  }
  return problems;
}
