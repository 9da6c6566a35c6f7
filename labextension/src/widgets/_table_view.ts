/**
 * A paged, virtually scrolled DataFrame view. The kernel keeps the frame; this view
 * pulls pages of rows by request id and renders only what is on screen, so a
 * frame of millions of rows costs the browser a few hundred table cells.
 *
 * Later panels (profile, review, history) embed this class; it only needs a model
 * with the traits and messages of jupyter_dci.widgets.TableWidget.
 */
import type { AnyModel } from '@anywidget/types';
import { cellText, renderCell } from './_cells';
import type {
  Cell,
  ColumnInfo,
  PageRow,
  Reply,
  SelectOp,
  SortSpec
} from './_protocol';

/** Traits of the Python TableWidget this view reads and writes. */
export interface TableTraits {
  _columns: ColumnInfo[];
  _index_name: string;
  _index_dtype: string;
  _row_height: number;
  _data_version: number;
  _selection_version: number;
  _sort: SortSpec | null;
  filter: string;
  n_rows: number;
  n_shown: number;
  caption: string;
  selection_count: number;
  height: number;
}

const PAGE_SIZE = 100;
const OVERSCAN = 20;
const HEADER_HEIGHT = 40;
// Browsers cap an element's height (Chrome near 33.5M px, Firefox near 17.9M px):
// beyond this the scrollbar is scaled, so a scroll position maps to a row fraction.
const MAX_SCROLL_PX = 12_000_000;
const ROWNUM_WIDTH = 64;

interface CachedPage {
  rows: PageRow[];
  fresh: boolean;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, v));
}

function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

function columnWidth(col: ColumnInfo): number {
  const base = col.kind === 'image' ? 80 : col.kind === 'text' || col.kind === 'object' ? 160 : 110;
  const title = Math.max(col.name.length, col.dtype.length + 2) * 8 + 30;
  return clamp(Math.max(base, title), 60, 320);
}

export class TableView {
  readonly root: HTMLDivElement;
  private readonly model: AnyModel<TableTraits>;
  private readonly filterInput: HTMLInputElement;
  private readonly statusEl: HTMLSpanElement;
  private readonly captionEl: HTMLSpanElement;
  private readonly errorEl: HTMLDivElement;
  private readonly scroller: HTMLDivElement;
  private readonly spacer: HTMLDivElement;
  private readonly windowEl: HTMLDivElement;
  private readonly table: HTMLTableElement;
  private readonly colgroup: HTMLTableColElement;
  private readonly thead: HTMLTableSectionElement;
  private readonly tbody: HTMLTableSectionElement;

  private columns: ColumnInfo[] = [];
  private widths: number[] = [];
  private indexWidth = 100;
  private sort: SortSpec | null;
  private filter: string;
  /** Rows matching the current query; null until the kernel answers. */
  private total: number | null = null;
  private pages = new Map<number, CachedPage>();
  private inflight = new Map<number, number>(); // page number -> request id
  private requests = new Map<number, string>(); // request id -> query key
  private nextId = 1;
  private firstRow = 0;
  private cursor = { row: 0, col: 0 };
  private anchor: number | null = null;
  private frame = 0;
  private widened = false;
  private readonly listeners: Array<[string, () => void]> = [];
  private readonly onMsg: (msg: unknown) => void;

  constructor(host: HTMLElement, model: AnyModel<TableTraits>) {
    this.model = model;
    this.sort = model.get('_sort');
    this.filter = model.get('filter');

    this.root = document.createElement('div');
    this.root.className = 'dci-table';
    this.root.tabIndex = 0;
    // Lumino (JupyterLab, Notebook 7) skips its keyboard shortcuts for events from
    // inside an element with this attribute: arrows and space drive the table, not
    // the notebook.
    this.root.setAttribute('data-lm-suppress-shortcuts', 'true');
    this.root.setAttribute('role', 'grid');

    const toolbar = document.createElement('div');
    toolbar.className = 'dci-toolbar';
    this.filterInput = document.createElement('input');
    this.filterInput.className = 'dci-filter';
    this.filterInput.type = 'text';
    this.filterInput.spellcheck = false;
    this.filterInput.placeholder = "filter rows, e.g. age > 30 and country == 'IN'   (Enter applies)";
    this.filterInput.value = this.filter;
    this.filterInput.setAttribute('aria-label', 'Filter expression');
    this.filterInput.setAttribute('data-lm-suppress-shortcuts', 'true');
    this.statusEl = document.createElement('span');
    this.statusEl.className = 'dci-status';
    // What the rows are when Python restricted the view (an alert's rows, a slice...).
    this.captionEl = document.createElement('span');
    this.captionEl.className = 'dci-caption';
    const captionText = document.createElement('span');
    captionText.className = 'dci-caption-text';
    const showAll = document.createElement('button');
    showAll.className = 'dci-show-all';
    showAll.type = 'button';
    showAll.textContent = 'show all rows';
    showAll.addEventListener('click', () => {
      const id = this.nextId++;
      this.requests.set(id, this.queryKey());
      this.model.send({ type: 'show_all', id });
    });
    this.captionEl.append(captionText, showAll);
    toolbar.append(this.filterInput, this.captionEl, this.statusEl);

    this.errorEl = document.createElement('div');
    this.errorEl.className = 'dci-error';
    this.errorEl.setAttribute('role', 'alert');
    this.errorEl.hidden = true;

    this.scroller = document.createElement('div');
    this.scroller.className = 'dci-scroll';
    this.spacer = document.createElement('div');
    this.spacer.className = 'dci-spacer';
    this.windowEl = document.createElement('div');
    this.windowEl.className = 'dci-window';
    this.table = document.createElement('table');
    this.table.className = 'dci-grid';
    this.colgroup = document.createElement('colgroup');
    this.thead = document.createElement('thead');
    this.tbody = document.createElement('tbody');
    this.table.append(this.colgroup, this.thead, this.tbody);
    this.windowEl.appendChild(this.table);
    this.spacer.appendChild(this.windowEl);
    this.scroller.appendChild(this.spacer);

    this.root.append(toolbar, this.errorEl, this.scroller);
    host.appendChild(this.root);

    this.onMsg = (msg: unknown) => this.handleReply(msg as Reply);
    model.on('msg:custom', this.onMsg);
    this.listen('change:_columns', () => this.resetColumns());
    this.listen('change:_index_name', () => this.renderHeader());
    this.listen('change:_data_version', () => this.invalidate(true));
    this.listen('change:_selection_version', () => this.invalidate(false));
    this.listen('change:selection_count', () => this.updateStatus());
    this.listen('change:caption', () => this.updateCaption());
    this.listen('change:n_shown', () => this.updateStatus());
    this.listen('change:height', () => this.layout());
    this.listen('change:_row_height', () => this.layout());
    this.listen('change:n_rows', () => this.invalidate(true));
    this.listen('change:filter', () => {
      const value = this.model.get('filter');
      if (value !== this.filter) {
        this.filterInput.value = value;
        this.applyQuery(this.sort, value, false);
      }
    });
    this.listen('change:_sort', () => {
      const value = this.model.get('_sort');
      if (JSON.stringify(value) !== JSON.stringify(this.sort)) {
        this.applyQuery(value, this.filter, false);
      }
    });

    this.scroller.addEventListener('scroll', () => this.onScroll());
    this.root.addEventListener('keydown', e => this.onKey(e));
    this.filterInput.addEventListener('keydown', e => {
      e.stopPropagation();
      if (e.key === 'Enter') {
        e.preventDefault();
        this.applyQuery(this.sort, this.filterInput.value.trim(), true);
      } else if (e.key === 'Escape') {
        this.filterInput.value = this.filter;
        this.root.focus();
      }
    });
    this.thead.addEventListener('click', e => this.onHeaderClick(e));
    this.tbody.addEventListener('mousedown', e => this.onRowMouseDown(e));

    this.resetColumns();
    this.updateCaption();
  }

  destroy(): void {
    this.model.off('msg:custom', this.onMsg);
    for (const [name, cb] of this.listeners) {
      this.model.off(name, cb);
    }
    cancelAnimationFrame(this.frame);
    this.root.remove();
  }

  // ---- model plumbing -------------------------------------------------------

  private listen(name: string, cb: () => void): void {
    this.model.on(name, cb);
    this.listeners.push([name, cb]);
  }

  private queryKey(): string {
    return JSON.stringify([this.sort, this.filter, this.model.get('_data_version')]);
  }

  private applyQuery(sort: SortSpec | null, filter: string, save: boolean): void {
    this.sort = sort;
    this.filter = filter;
    if (save) {
      this.model.set('_sort', sort);
      this.model.set('filter', filter);
      this.model.save_changes();
    }
    this.anchor = null;
    this.cursor.row = 0;
    this.scroller.scrollTop = 0;
    this.firstRow = 0;
    this.renderHeader();
    this.invalidate(true);
  }

  /** Forget cached rows. `hard` drops them (rows moved); otherwise they stay shown until refreshed. */
  private invalidate(hard: boolean): void {
    if (hard) {
      this.pages.clear();
      this.total = null;
    } else {
      for (const page of this.pages.values()) {
        page.fresh = false;
      }
    }
    this.inflight.clear();
    this.schedule();
  }

  private requestPage(page: number): void {
    const id = this.nextId++;
    this.inflight.set(page, id);
    this.requests.set(id, this.queryKey());
    this.model.send({
      type: 'page',
      id,
      offset: page * PAGE_SIZE,
      limit: PAGE_SIZE,
      sort: this.sort,
      filter: this.filter
    });
  }

  private sendSelect(op: SelectOp, row: number | null, anchor: number | null): void {
    const id = this.nextId++;
    this.requests.set(id, this.queryKey());
    this.model.send({ type: 'select', id, op, row, anchor, sort: this.sort, filter: this.filter });
  }

  private handleReply(reply: Reply): void {
    if (!reply || typeof reply !== 'object' || !('id' in reply)) {
      return;
    }
    const key = this.requests.get(reply.id);
    this.requests.delete(reply.id);
    if (key === undefined) {
      return;
    }
    if (reply.type === 'error') {
      this.showError(reply.error);
      for (const [page, id] of this.inflight) {
        if (id === reply.id) {
          this.inflight.delete(page);
        }
      }
      if (this.total === null) {
        this.total = 0;
      }
      this.render();
      return;
    }
    if (key !== this.queryKey()) {
      return; // an answer to a query the user has since changed
    }
    if (reply.type === 'selection') {
      this.hideError();
      this.invalidate(false);
      return;
    }
    const page = Math.floor(reply.offset / PAGE_SIZE);
    if (this.inflight.get(page) === reply.id) {
      this.inflight.delete(page);
    }
    this.hideError();
    this.total = reply.total;
    this.pages.set(page, { rows: reply.rows, fresh: true });
    if (!this.widened && reply.rows.length > 0) {
      this.widenColumns(reply.rows);
    }
    this.render();
  }

  private showError(text: string): void {
    this.errorEl.textContent = text;
    this.errorEl.hidden = false;
  }

  private hideError(): void {
    this.errorEl.hidden = true;
    this.errorEl.textContent = '';
  }

  // ---- layout ---------------------------------------------------------------

  private rowHeight(): number {
    return this.model.get('_row_height') || 28;
  }

  private viewportRows(): number {
    const body = this.model.get('height') - HEADER_HEIGHT;
    return Math.max(1, Math.floor(body / this.rowHeight()));
  }

  private resetColumns(): void {
    this.columns = this.model.get('_columns') || [];
    this.widths = this.columns.map(columnWidth);
    this.indexWidth = clamp((this.model.get('_index_name') || '').length * 8 + 40, 70, 240);
    this.widened = false;
    this.cursor.col = clamp(this.cursor.col, 0, Math.max(0, this.columns.length - 1));
    this.renderHeader();
    this.invalidate(true);
  }

  /** Grow columns to fit the first page's content (once, so columns do not jump while scrolling). */
  private widenColumns(rows: PageRow[]): void {
    this.widened = true;
    const measure = (c: Cell): number => {
      if (typeof c === 'string') {
        return c.length;
      }
      if ('img' in c) {
        return 0;
      }
      return cellText(c).length;
    };
    this.columns.forEach((col, j) => {
      if (col.kind === 'image') {
        return;
      }
      let longest = 0;
      for (const r of rows) {
        longest = Math.max(longest, measure(r.cells[j]));
      }
      this.widths[j] = clamp(Math.max(this.widths[j], longest * 7.5 + 20), 60, 360);
    });
    let longestIndex = 0;
    for (const r of rows) {
      longestIndex = Math.max(longestIndex, measure(r.index));
    }
    this.indexWidth = clamp(Math.max(this.indexWidth, longestIndex * 7.5 + 20), 60, 280);
    this.renderHeader();
  }

  private layout(): void {
    const height = this.model.get('height');
    const total = this.total ?? this.model.get('n_rows');
    const rowsPx = Math.min(total * this.rowHeight(), MAX_SCROLL_PX);
    const width = ROWNUM_WIDTH + this.indexWidth + this.widths.reduce((a, b) => a + b, 0);
    this.scroller.style.height = `${height}px`;
    this.spacer.style.height = `${HEADER_HEIGHT + rowsPx}px`;
    this.spacer.style.width = `${width}px`;
    this.windowEl.style.height = `${Math.min(height, HEADER_HEIGHT + rowsPx)}px`;
    this.table.style.width = `${width}px`;
    this.root.style.setProperty('--dci-row-height', `${this.rowHeight()}px`);
    this.root.style.setProperty('--dci-header-height', `${HEADER_HEIGHT}px`);
  }

  private renderHeader(): void {
    this.colgroup.textContent = '';
    const widths = [ROWNUM_WIDTH, this.indexWidth, ...this.widths];
    for (const w of widths) {
      const col = document.createElement('col');
      col.style.width = `${w}px`;
      this.colgroup.appendChild(col);
    }
    this.thead.textContent = '';
    const tr = document.createElement('tr');
    const corner = document.createElement('th');
    corner.className = 'dci-rownum';
    corner.textContent = '#';
    corner.title = 'row number under the current sort and filter';
    tr.appendChild(corner);
    tr.appendChild(this.headerCell(-1, this.model.get('_index_name') || '', this.model.get('_index_dtype') || '', true));
    this.columns.forEach((col, j) => {
      tr.appendChild(this.headerCell(j, col.name, col.dtype, col.sortable));
    });
    this.thead.appendChild(tr);
    this.layout();
  }

  private headerCell(j: number, name: string, dtype: string, sortable: boolean): HTMLTableCellElement {
    const th = document.createElement('th');
    th.className = j < 0 ? 'dci-index-head' : 'dci-col-head';
    th.dataset.col = String(j);
    const label = document.createElement('span');
    label.className = 'dci-colname';
    label.textContent = name;
    const type = document.createElement('span');
    type.className = 'dci-dtype';
    type.textContent = dtype;
    const arrow = document.createElement('span');
    arrow.className = 'dci-sort';
    if (this.sort && this.sort.column === j) {
      arrow.textContent = this.sort.ascending ? ' ▲' : ' ▼';
      th.setAttribute('aria-sort', this.sort.ascending ? 'ascending' : 'descending');
    }
    label.appendChild(arrow);
    th.append(label, type);
    th.title = sortable ? `${name} (${dtype}): click to sort` : `${name} (${dtype}): not sortable`;
    if (sortable) {
      th.classList.add('dci-sortable');
    }
    return th;
  }

  // ---- rendering --------------------------------------------------------------

  private schedule(): void {
    cancelAnimationFrame(this.frame);
    this.frame = requestAnimationFrame(() => this.render());
  }

  private maxFirstRow(): number {
    return Math.max(0, (this.total ?? 0) - this.viewportRows());
  }

  private onScroll(): void {
    const maxScroll = this.scroller.scrollHeight - this.scroller.clientHeight;
    const maxFirst = this.maxFirstRow();
    this.firstRow =
      maxScroll > 0 ? clamp(Math.round((this.scroller.scrollTop / maxScroll) * maxFirst), 0, maxFirst) : 0;
    this.schedule();
  }

  private scrollToRow(first: number): void {
    const maxFirst = this.maxFirstRow();
    this.firstRow = clamp(first, 0, maxFirst);
    const maxScroll = this.scroller.scrollHeight - this.scroller.clientHeight;
    if (maxFirst > 0 && maxScroll > 0) {
      this.scroller.scrollTop = (this.firstRow / maxFirst) * maxScroll;
    }
    this.schedule();
  }

  private rowAt(viewRow: number): PageRow | undefined {
    const page = this.pages.get(Math.floor(viewRow / PAGE_SIZE));
    return page?.rows[viewRow % PAGE_SIZE];
  }

  private render(): void {
    this.layout();
    const total = this.total ?? 0;
    const count = this.total === null ? 0 : Math.min(this.viewportRows() + 1, Math.max(0, total - this.firstRow));
    this.fetchAround(total);
    const ncols = this.columns.length;
    while (this.tbody.rows.length > count) {
      this.tbody.deleteRow(-1);
    }
    while (this.tbody.rows.length < count) {
      const tr = this.tbody.insertRow();
      for (let j = 0; j < ncols + 2; j++) {
        tr.appendChild(document.createElement('td'));
      }
    }
    for (let i = 0; i < count; i++) {
      const viewRow = this.firstRow + i;
      const tr = this.tbody.rows[i];
      if (tr.cells.length !== ncols + 2) {
        tr.textContent = '';
        for (let j = 0; j < ncols + 2; j++) {
          tr.appendChild(document.createElement('td'));
        }
      }
      tr.dataset.row = String(viewRow);
      const row = this.rowAt(viewRow);
      const numCell = tr.cells[0];
      numCell.className = 'dci-rownum';
      numCell.textContent = formatCount(viewRow + 1);
      if (!row) {
        tr.className = 'dci-row dci-loading';
        delete tr.dataset.pos;
        for (let j = 1; j < ncols + 2; j++) {
          tr.cells[j].className = 'dci-cell';
          tr.cells[j].textContent = '…';
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
        td.classList.add(`dci-kind-${this.columns[j].kind}`);
        if (viewRow === this.cursor.row && j === this.cursor.col) {
          td.classList.add('dci-cursor');
        }
      }
    }
    this.updateStatus();
  }

  private fetchAround(total: number): void {
    if (this.total === null) {
      // Nothing known yet: ask for the page in view (the first page on a new query).
      const page = Math.floor(this.firstRow / PAGE_SIZE);
      if (!this.inflight.has(page)) {
        this.requestPage(page);
      }
      return;
    }
    if (total === 0) {
      return;
    }
    const lo = Math.max(0, this.firstRow - OVERSCAN);
    const hi = Math.min(total - 1, this.firstRow + this.viewportRows() + OVERSCAN);
    for (let page = Math.floor(lo / PAGE_SIZE); page <= Math.floor(hi / PAGE_SIZE); page++) {
      const cached = this.pages.get(page);
      if ((!cached || !cached.fresh) && !this.inflight.has(page)) {
        this.requestPage(page);
      }
    }
  }

  private updateCaption(): void {
    const caption = this.model.get('caption') || '';
    (this.captionEl.firstChild as HTMLElement).textContent = caption;
    this.captionEl.hidden = caption === '';
    this.updateStatus();
  }

  private updateStatus(): void {
    const nRows = this.model.get('n_rows');
    const nCols = this.columns.length;
    const restricted = this.model.get('n_shown') !== nRows || (this.model.get('caption') || '') !== '';
    let text: string;
    if (this.total === null) {
      text = 'loading…';
    } else if (this.filter) {
      text = `${formatCount(this.total)} of ${formatCount(nRows)} rows match`;
    } else if (restricted) {
      text = `${formatCount(this.total)} of ${formatCount(nRows)} rows`;
    } else {
      text = `${formatCount(nRows)} rows × ${formatCount(nCols)} columns`;
    }
    const selected = this.model.get('selection_count');
    if (selected > 0) {
      text += ` · ${formatCount(selected)} selected`;
    }
    this.statusEl.textContent = text;
  }

  // ---- interaction ------------------------------------------------------------

  private onHeaderClick(e: MouseEvent): void {
    const th = (e.target as HTMLElement).closest('th');
    if (!th || th.dataset.col === undefined) {
      return;
    }
    const j = Number(th.dataset.col);
    const sortable = j < 0 || this.columns[j]?.sortable;
    if (!sortable) {
      return;
    }
    let next: SortSpec | null;
    if (!this.sort || this.sort.column !== j) {
      next = { column: j, ascending: true };
    } else if (this.sort.ascending) {
      next = { column: j, ascending: false };
    } else {
      next = null;
    }
    this.applyQuery(next, this.filter, true);
    this.root.focus();
  }

  private onRowMouseDown(e: MouseEvent): void {
    const td = (e.target as HTMLElement).closest('td');
    const tr = td?.parentElement as HTMLTableRowElement | null;
    if (!tr || tr.dataset.row === undefined) {
      return;
    }
    const viewRow = Number(tr.dataset.row);
    const col = td ? td.cellIndex - 2 : -1;
    if (col >= 0) {
      this.cursor.col = col;
    }
    this.cursor.row = viewRow;
    this.root.focus({ preventScroll: true });
    if (e.shiftKey && this.anchor !== null) {
      e.preventDefault(); // no text selection on shift-click
      this.select('range', viewRow);
    } else if (e.ctrlKey || e.metaKey) {
      this.select('toggle', viewRow);
    } else {
      this.select('set', viewRow);
    }
  }

  /** Apply a selection change to the rows on screen at once, then let the kernel confirm it. */
  private select(op: SelectOp, viewRow: number | null): void {
    let anchor = this.anchor;
    if (op === 'set' || op === 'toggle') {
      anchor = viewRow;
      this.anchor = viewRow;
    }
    if (op === 'range' && anchor === null) {
      anchor = viewRow;
      this.anchor = viewRow;
    }
    for (const [pageNo, page] of this.pages) {
      page.rows.forEach((row, i) => {
        const r = pageNo * PAGE_SIZE + i;
        if (op === 'all') {
          row.selected = true;
        } else if (op === 'clear') {
          row.selected = false;
        } else if (op === 'set') {
          row.selected = r === viewRow;
        } else if (op === 'toggle') {
          row.selected = r === viewRow ? !row.selected : row.selected;
        } else if (viewRow !== null && anchor !== null) {
          row.selected = r >= Math.min(anchor, viewRow) && r <= Math.max(anchor, viewRow);
        }
      });
    }
    this.render();
    this.sendSelect(op, viewRow, op === 'range' ? anchor : null);
  }

  private moveCursor(row: number, col: number): void {
    const total = this.total ?? 0;
    if (total === 0) {
      return;
    }
    this.cursor.row = clamp(row, 0, total - 1);
    this.cursor.col = clamp(col, 0, Math.max(0, this.columns.length - 1));
    const visible = this.viewportRows();
    if (this.cursor.row < this.firstRow) {
      this.scrollToRow(this.cursor.row);
    } else if (this.cursor.row >= this.firstRow + visible) {
      this.scrollToRow(this.cursor.row - visible + 1);
    } else {
      this.schedule();
    }
    // Keep the cursor column in view horizontally.
    const left = ROWNUM_WIDTH + this.indexWidth + this.widths.slice(0, this.cursor.col).reduce((a, b) => a + b, 0);
    const right = left + (this.widths[this.cursor.col] ?? 0);
    if (left < this.scroller.scrollLeft + ROWNUM_WIDTH + this.indexWidth) {
      this.scroller.scrollLeft = Math.max(0, left - ROWNUM_WIDTH - this.indexWidth);
    } else if (right > this.scroller.scrollLeft + this.scroller.clientWidth) {
      this.scroller.scrollLeft = right - this.scroller.clientWidth;
    }
  }

  private onKey(e: KeyboardEvent): void {
    if (e.target === this.filterInput) {
      return;
    }
    const { row, col } = this.cursor;
    const page = this.viewportRows();
    const mod = e.ctrlKey || e.metaKey;
    let handled = true;
    switch (e.key) {
      case 'ArrowDown':
        this.moveCursor(row + 1, col);
        if (e.shiftKey) {
          this.select('range', this.cursor.row);
        }
        break;
      case 'ArrowUp':
        this.moveCursor(row - 1, col);
        if (e.shiftKey) {
          this.select('range', this.cursor.row);
        }
        break;
      case 'ArrowRight':
        this.moveCursor(row, col + 1);
        break;
      case 'ArrowLeft':
        this.moveCursor(row, col - 1);
        break;
      case 'PageDown':
        this.moveCursor(row + page, col);
        break;
      case 'PageUp':
        this.moveCursor(row - page, col);
        break;
      case 'Home':
        this.moveCursor(mod ? 0 : row, 0);
        break;
      case 'End':
        this.moveCursor(mod ? (this.total ?? 1) - 1 : row, this.columns.length - 1);
        break;
      case ' ':
        this.select('toggle', row);
        break;
      case 'Escape':
        this.select('clear', null);
        break;
      case 'a':
      case 'A':
        if (mod) {
          this.select('all', null);
        } else {
          handled = false;
        }
        break;
      case 'c':
        if (mod) {
          const cell = this.rowAt(row)?.cells[col];
          if (cell !== undefined) {
            void navigator.clipboard?.writeText(cellText(cell));
          }
        } else {
          handled = false;
        }
        break;
      case '/':
        this.filterInput.focus();
        break;
      default:
        handled = false;
    }
    if (handled) {
      e.preventDefault();
      e.stopPropagation();
    }
  }
}
