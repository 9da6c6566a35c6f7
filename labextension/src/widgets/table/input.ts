/** The table view's keyboard and mouse: what each key and click on a row does. */

/** What the keys act on (the TableView). */
export interface KeyTarget {
  cursor: { row: number; col: number };
  /** Rows in view (PageUp/PageDown move by this many), rows matching, and columns. */
  pageRows(): number;
  totalRows(): number | null;
  columnCount(): number;
  moveCursor(row: number, col: number): void;
  select(op: 'set' | 'range' | 'toggle' | 'clear' | 'all', viewRow: number | null): void;
  /** Whether a range selection has a row to start from. */
  hasAnchor(): boolean;
  focus(): void;
  copyCell(row: number, col: number): void;
  focusFilter(): void;
}

/** Act on a key pressed in the table; return whether the key was the table's. */
export function handleTableKey(e: KeyboardEvent, t: KeyTarget): boolean {
  const { row, col } = t.cursor;
  const page = t.pageRows();
  const mod = e.ctrlKey || e.metaKey;
  switch (e.key) {
    case 'ArrowDown':
    case 'ArrowUp':
      t.moveCursor(row + (e.key === 'ArrowDown' ? 1 : -1), col);
      if (e.shiftKey) {
        t.select('range', t.cursor.row);
      }
      return true;
    case 'ArrowRight':
      t.moveCursor(row, col + 1);
      return true;
    case 'ArrowLeft':
      t.moveCursor(row, col - 1);
      return true;
    case 'PageDown':
      t.moveCursor(row + page, col);
      return true;
    case 'PageUp':
      t.moveCursor(row - page, col);
      return true;
    case 'Home':
      t.moveCursor(mod ? 0 : row, 0);
      return true;
    case 'End':
      t.moveCursor(mod ? (t.totalRows() ?? 1) - 1 : row, t.columnCount() - 1);
      return true;
    case ' ':
      t.select('toggle', row);
      return true;
    case 'Escape':
      t.select('clear', null);
      return true;
    case 'a':
    case 'A':
      if (mod) {
        t.select('all', null);
      }
      return mod;
    case 'c':
      if (mod) {
        t.copyCell(row, col);
      }
      return mod;
    case '/':
      t.focusFilter();
      return true;
    default:
      return false;
  }
}

/**
 * A press on a row: it becomes the cursor row and is selected alone, or toggled
 * (Ctrl/Cmd), or the range from the anchor to it is (Shift).
 */
export function handleRowMouseDown(e: MouseEvent, t: KeyTarget): void {
  const td = (e.target as HTMLElement).closest('td');
  const tr = td?.parentElement as HTMLTableRowElement | null;
  if (!tr || tr.dataset.row === undefined) {
    return;
  }
  const viewRow = Number(tr.dataset.row);
  const col = td ? td.cellIndex - 2 : -1;
  if (col >= 0) {
    t.cursor.col = col;
  }
  t.cursor.row = viewRow;
  t.focus();
  if (e.shiftKey && t.hasAnchor()) {
    e.preventDefault(); // no text selection on shift-click
    t.select('range', viewRow);
  } else if (e.ctrlKey || e.metaKey) {
    t.select('toggle', viewRow);
  } else {
    t.select('set', viewRow);
  }
}
