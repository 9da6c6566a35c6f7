/** Sizes of the table view's scroller and window, its status line, and horizontal scrolling. */
import { formatCount } from '../_shared/dom';
import { ROWNUM_WIDTH, type Widths } from './header';
import type { TableDom } from './skeleton';

export const HEADER_HEIGHT = 40;
// Browsers cap an element's height (Chrome near 33.5M px, Firefox near 17.9M px):
// beyond this the scrollbar is scaled, so a scroll position maps to a row fraction.
const MAX_SCROLL_PX = 12_000_000;

export function tableWidth(widths: Widths): number {
  return ROWNUM_WIDTH + widths.index + widths.columns.reduce((a, b) => a + b, 0);
}

/**
 * A scroller `height` px tall over a spacer as tall as all `rows` (capped), and a window that
 * sticks to its top and holds the rows drawn.
 */
export function applyLayout(dom: TableDom, height: number, rows: number, rowHeight: number, widths: Widths): void {
  const rowsPx = Math.min(rows * rowHeight, MAX_SCROLL_PX);
  const width = tableWidth(widths);
  dom.scroller.style.height = `${height}px`;
  dom.spacer.style.height = `${HEADER_HEIGHT + rowsPx}px`;
  dom.spacer.style.width = `${width}px`;
  dom.windowEl.style.height = `${Math.min(height, HEADER_HEIGHT + rowsPx)}px`;
  dom.table.style.width = `${width}px`;
  dom.root.style.setProperty('--dci-row-height', `${rowHeight}px`);
  dom.root.style.setProperty('--dci-header-height', `${HEADER_HEIGHT}px`);
}

/** Scroll `scroller` sideways just enough that column `col` is in view beside the frozen columns. */
export function revealColumn(scroller: HTMLElement, widths: Widths, col: number): void {
  const frozen = ROWNUM_WIDTH + widths.index;
  const left = frozen + widths.columns.slice(0, col).reduce((a, b) => a + b, 0);
  const right = left + (widths.columns[col] ?? 0);
  if (left < scroller.scrollLeft + frozen) {
    scroller.scrollLeft = Math.max(0, left - frozen);
  } else if (right > scroller.scrollLeft + scroller.clientWidth) {
    scroller.scrollLeft = right - scroller.clientWidth;
  }
}

export interface StatusState {
  /** Rows matching the query; null until the kernel answers. */
  total: number | null;
  filter: string;
  nRows: number;
  nCols: number;
  /** Python shows only some rows (show_rows). */
  restricted: boolean;
  selected: number;
}

export function statusText(s: StatusState): string {
  let text: string;
  if (s.total === null) {
    text = 'loading…';
  } else if (s.filter) {
    text = `${formatCount(s.total)} of ${formatCount(s.nRows)} rows match`;
  } else if (s.restricted) {
    text = `${formatCount(s.total)} of ${formatCount(s.nRows)} rows`;
  } else {
    text = `${formatCount(s.nRows)} rows × ${formatCount(s.nCols)} columns`;
  }
  return s.selected > 0 ? `${text} · ${formatCount(s.selected)} selected` : text;
}
