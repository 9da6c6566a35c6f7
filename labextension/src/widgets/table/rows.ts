/** Drawing the rows of the table view that are in view. */
import type { PageRow } from '../_shared/protocol';
import { formatCount } from '../_shared/dom';
import { renderCell } from './cells';
import type { ColumnInfo } from './traits';

export interface RowsState {
  /** View position of the first row drawn, and how many rows to draw. */
  firstRow: number;
  count: number;
  columns: ColumnInfo[];
  cursor: { row: number; col: number };
  rowAt: (viewRow: number) => PageRow | undefined;
  /** The id the cell under the cursor takes (the grid's active descendant). */
  cursorId: string;
}

function fillRow(tr: HTMLTableRowElement, cells: number): void {
  tr.textContent = '';
  for (let j = 0; j < cells; j++) {
    tr.appendChild(document.createElement('td'));
  }
}

/** Draw `count` rows from `firstRow` into `tbody`, reusing its row elements; '…' where a page is loading. */
export function renderRows(tbody: HTMLTableSectionElement, s: RowsState): void {
  const ncols = s.columns.length;
  while (tbody.rows.length > s.count) {
    tbody.deleteRow(-1);
  }
  while (tbody.rows.length < s.count) {
    fillRow(tbody.insertRow(), ncols + 2);
  }
  for (let i = 0; i < s.count; i++) {
    const viewRow = s.firstRow + i;
    const tr = tbody.rows[i];
    if (tr.cells.length !== ncols + 2) {
      fillRow(tr, ncols + 2);
    }
    tr.dataset.row = String(viewRow);
    // Rows are drawn a screenful at a time: each says where it is among all (1 is the header).
    tr.setAttribute('aria-rowindex', String(viewRow + 2));
    const row = s.rowAt(viewRow);
    const numCell = tr.cells[0];
    numCell.className = 'dci-rownum';
    numCell.textContent = formatCount(viewRow + 1);
    if (!row) {
      tr.className = 'dci-row dci-loading';
      delete tr.dataset.pos;
      for (let j = 1; j < ncols + 2; j++) {
        tr.cells[j].className = 'dci-cell';
        tr.cells[j].textContent = '…';
        tr.cells[j].removeAttribute('id');
      }
      continue;
    }
    tr.className = row.selected ? 'dci-row dci-selected' : 'dci-row';
    tr.setAttribute('aria-selected', String(row.selected));
    tr.dataset.pos = String(row.pos);
    renderCell(tr.cells[1], row.index);
    tr.cells[1].classList.add('dci-index');
    for (let j = 0; j < ncols; j++) {
      const td = tr.cells[j + 2];
      renderCell(td, row.cells[j]);
      td.classList.add(`dci-kind-${s.columns[j].kind}`);
      if (viewRow === s.cursor.row && j === s.cursor.col) {
        td.classList.add('dci-cursor');
        td.id = s.cursorId;
      } else if (td.id) {
        td.removeAttribute('id');
      }
    }
  }
}
