/** Column widths and the header row of the table view. */
import type { Cell, PageRow, SortSpec } from '../_shared/protocol';
import { cellText } from './cells';
import type { ColumnInfo } from './traits';

export const ROWNUM_WIDTH = 64;

export function clamp(v: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, v));
}

/** A column's width before any row is seen: by its kind and the length of its title. */
export function columnWidth(col: ColumnInfo): number {
  const base = col.kind === 'image' ? 80 : col.kind === 'text' || col.kind === 'object' ? 160 : 110;
  const title = Math.max(col.name.length, col.dtype.length + 2) * 8 + 30;
  return clamp(Math.max(base, title), 60, 320);
}

export function indexWidth(indexName: string): number {
  return clamp(indexName.length * 8 + 40, 70, 240);
}

export interface Widths {
  columns: number[];
  index: number;
}

function measure(c: Cell): number {
  if (typeof c === 'string') {
    return c.length;
  }
  if ('img' in c) {
    return 0;
  }
  return cellText(c).length;
}

/** Grow columns to fit rows' content (the view does it once, so columns do not jump while scrolling). */
export function widenToFit(columns: ColumnInfo[], widths: Widths, rows: PageRow[]): Widths {
  const out = widths.columns.slice();
  columns.forEach((col, j) => {
    if (col.kind === 'image') {
      return;
    }
    let longest = 0;
    for (const r of rows) {
      longest = Math.max(longest, measure(r.cells[j]));
    }
    out[j] = clamp(Math.max(out[j], longest * 7.5 + 20), 60, 360);
  });
  let longestIndex = 0;
  for (const r of rows) {
    longestIndex = Math.max(longestIndex, measure(r.index));
  }
  return { columns: out, index: clamp(Math.max(widths.index, longestIndex * 7.5 + 20), 60, 280) };
}

/** The sort after a click on column `j`: ascending, then descending, then none. */
export function nextSort(sort: SortSpec | null, j: number): SortSpec | null {
  if (!sort || sort.column !== j) {
    return { column: j, ascending: true };
  }
  return sort.ascending ? { column: j, ascending: false } : null;
}

export interface HeaderState {
  columns: ColumnInfo[];
  widths: Widths;
  indexName: string;
  indexDtype: string;
  sort: SortSpec | null;
}

/** Fill the colgroup and the header row. */
export function renderHeader(colgroup: HTMLTableColElement, thead: HTMLTableSectionElement, s: HeaderState): void {
  colgroup.textContent = '';
  for (const w of [ROWNUM_WIDTH, s.widths.index, ...s.widths.columns]) {
    const col = document.createElement('col');
    col.style.width = `${w}px`;
    colgroup.appendChild(col);
  }
  thead.textContent = '';
  const tr = document.createElement('tr');
  const corner = document.createElement('th');
  corner.className = 'dci-rownum';
  corner.textContent = '#';
  corner.title = 'row number under the current sort and filter';
  tr.appendChild(corner);
  tr.appendChild(headerCell(-1, s.indexName, s.indexDtype, true, s.sort));
  s.columns.forEach((col, j) => {
    tr.appendChild(headerCell(j, col.name, col.dtype, col.sortable, s.sort));
  });
  thead.appendChild(tr);
}

function headerCell(
  j: number,
  name: string,
  dtype: string,
  sortable: boolean,
  sort: SortSpec | null
): HTMLTableCellElement {
  const th = document.createElement('th');
  th.className = j < 0 ? 'dci-index-head' : 'dci-col-head';
  th.dataset.col = String(j);
  // A sortable column's name is a button: Tab reaches it, Enter or Space sorts.
  const label = document.createElement(sortable ? 'button' : 'span');
  label.className = 'dci-colname';
  label.textContent = name;
  const type = document.createElement('span');
  type.className = 'dci-dtype';
  type.textContent = dtype;
  const arrow = document.createElement('span');
  arrow.className = 'dci-sort';
  arrow.setAttribute('aria-hidden', 'true');
  if (sort && sort.column === j) {
    arrow.textContent = sort.ascending ? ' ▲' : ' ▼';
    th.setAttribute('aria-sort', sort.ascending ? 'ascending' : 'descending');
  }
  label.appendChild(arrow);
  th.append(label, type);
  th.title = sortable ? `${name} (${dtype}): click to sort` : `${name} (${dtype}): not sortable`;
  if (sortable) {
    th.classList.add('dci-sortable');
    (label as HTMLButtonElement).type = 'button';
    label.setAttribute('aria-label', `${name}, ${dtype}: sort`);
  }
  return th;
}
