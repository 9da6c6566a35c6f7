/**
 * A paged, virtually scrolled DataFrame view. The kernel keeps the frame; this view
 * pulls pages of rows by request id and renders only what is on screen, so a
 * frame of millions of rows costs the browser a few hundred table cells.
 *
 * Other panels (review, history) embed this class; it only needs a model with the traits
 * and messages of jupyter_dci.widgets.TableWidget (traits.ts, TableCalls in protocol.ts).
 */
import type { AnyModel } from '@anywidget/types';
import { Listeners } from '../_shared/dom';
import { onViewSettings, viewSettings } from '../_shared/settings';
import type { SelectOp, SortSpec, TableCalls } from '../_shared/protocol';
import { Requests, errorText } from '../_shared/request';
import { cellText } from './cells';
import { clamp, columnWidth, indexWidth, nextSort, renderHeader, widenToFit, type Widths } from './header';
import { handleRowMouseDown, handleTableKey, type KeyTarget } from './input';
import { HEADER_HEIGHT, applyLayout, revealColumn, statusText } from './layout';
import { PAGE_SIZE, PageCache } from './pages';
import { renderRows } from './rows';
import { buildTableDom, type TableDom } from './skeleton';
import type { ColumnInfo, TableTraits } from './traits';

/** Rows fetched beyond those in view, above and below. */
const OVERSCAN = 20;

export class TableView implements KeyTarget {
  readonly root: HTMLDivElement;
  readonly cursor = { row: 0, col: 0 };
  private readonly model: AnyModel<TableTraits>;
  private readonly dom: TableDom;
  private readonly requests: Requests<TableCalls>;
  private readonly listeners: Listeners;
  private readonly stopSettings: () => void;

  private columns: ColumnInfo[] = [];
  private widths: Widths = { columns: [], index: 100 };
  private sort: SortSpec | null;
  private filter: string;
  /** Rows matching the current query; null until the kernel answers. */
  private total: number | null = null;
  private readonly pages = new PageCache();
  private firstRow = 0;
  private anchor: number | null = null;
  private frame = 0;
  private widened = false;

  constructor(host: HTMLElement, model: AnyModel<TableTraits>) {
    this.model = model;
    this.sort = model.get('_sort');
    this.filter = model.get('filter');
    this.dom = buildTableDom(this.filter, () => this.showAll());
    this.root = this.dom.root;
    host.appendChild(this.root);
    // No timeout: a busy kernel answers pages late, and the rows are shown then.
    this.requests = new Requests<TableCalls>(model);
    this.listeners = new Listeners(model);
    this.listenToModel();
    this.listenToPage();
    this.stopSettings = onViewSettings(() => this.render());
    this.resetColumns();
    this.updateCaption();
  }

  destroy(): void {
    this.requests.dispose();
    this.listeners.dispose();
    this.stopSettings();
    cancelAnimationFrame(this.frame);
    this.root.remove();
  }

  private listenToModel(): void {
    const on = (trait: string, cb: () => void): void => this.listeners.onChange([trait], cb);
    on('_columns', () => this.resetColumns());
    on('_index_name', () => this.drawHeader());
    on('_data_version', () => this.invalidate(true));
    on('_selection_version', () => this.invalidate(false));
    this.listeners.onChange(['selection_count', 'n_shown'], () => this.updateStatus());
    on('caption', () => this.updateCaption());
    this.listeners.onChange(['height', '_row_height'], () => this.layout());
    on('n_rows', () => this.invalidate(true));
    on('filter', () => {
      const value = this.model.get('filter');
      if (value !== this.filter) {
        this.dom.filterInput.value = value;
        this.applyQuery(this.sort, value, false);
      }
    });
    on('_sort', () => {
      const value = this.model.get('_sort');
      if (JSON.stringify(value) !== JSON.stringify(this.sort)) {
        this.applyQuery(value, this.filter, false);
      }
    });
  }

  private listenToPage(): void {
    const { root, filterInput, scroller, thead, tbody } = this.dom;
    scroller.addEventListener('scroll', () => this.onScroll());
    root.addEventListener('keydown', e => this.onKey(e));
    filterInput.addEventListener('keydown', e => {
      e.stopPropagation();
      if (e.key === 'Enter') {
        e.preventDefault();
        this.applyQuery(this.sort, filterInput.value.trim(), true);
      } else if (e.key === 'Escape') {
        filterInput.value = this.filter;
        this.focus();
      }
    });
    thead.addEventListener('click', e => this.onHeaderClick(e));
    tbody.addEventListener('mousedown', e => handleRowMouseDown(e, this));
  }

  // ---- the kernel -------------------------------------------------------------

  /** What the rows depend on: a reply to an older query is dropped. */
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
    this.dom.scroller.scrollTop = 0;
    this.firstRow = 0;
    this.drawHeader();
    this.invalidate(true);
  }

  /** Forget cached rows. `hard` drops them (rows moved); otherwise they stay shown until refreshed. */
  private invalidate(hard: boolean): void {
    if (hard) {
      this.total = null;
    }
    this.pages.invalidate(hard);
    this.schedule();
  }

  private requestPage(page: number): void {
    const token = {};
    const key = this.queryKey();
    this.pages.asked(page, token);
    this.requests
      .send('page', { offset: page * PAGE_SIZE, limit: PAGE_SIZE, sort: this.sort, filter: this.filter })
      .then(
        reply => {
          if (key !== this.queryKey()) {
            return; // an answer to a query the user has since changed
          }
          this.pages.store(reply.offset, reply.rows, token);
          this.dom.error.hide();
          this.total = reply.total;
          if (!this.widened && reply.rows.length > 0) {
            this.widened = true;
            this.widths = widenToFit(this.columns, this.widths, reply.rows);
            this.drawHeader();
          }
          this.render();
        },
        err => this.failed(err, token)
      );
  }

  private sendSelect(op: SelectOp, row: number | null, anchor: number | null): void {
    const key = this.queryKey();
    this.confirmSelection(key, this.requests.send('select', { op, row, anchor, sort: this.sort, filter: this.filter }));
  }

  private showAll(): void {
    this.confirmSelection(this.queryKey(), this.requests.send('show_all', {}));
  }

  /** The kernel's answer to a selection: the rows shown are fetched again. */
  private confirmSelection(key: string, reply: Promise<unknown>): void {
    reply.then(
      () => {
        if (key === this.queryKey()) {
          this.dom.error.hide();
          this.invalidate(false);
        }
      },
      err => this.failed(err, null)
    );
  }

  /** A request failed: say why, and stop waiting for its page. */
  private failed(err: unknown, token: object | null): void {
    this.dom.error.show(errorText(err));
    this.pages.failed(token);
    if (this.total === null) {
      this.total = 0;
    }
    this.render();
  }

  // ---- layout ---------------------------------------------------------------

  private rowHeight(): number {
    return this.model.get('_row_height') || 28;
  }

  /**
   * The scroller's height: the model's, or, when the code gave none and JupyterLab's
   * settings say how many rows a table shows, as tall as those rows (and a scrollbar).
   */
  private height(): number {
    const rows = viewSettings().rowsPerPage;
    if (rows === null || !this.model.get('_default_height')) {
      return this.model.get('height');
    }
    const { scroller } = this.dom;
    const scrollbar = Math.max(0, scroller.offsetHeight - scroller.clientHeight);
    return HEADER_HEIGHT + rows * this.rowHeight() + scrollbar;
  }

  pageRows(): number {
    const body = this.height() - HEADER_HEIGHT;
    return Math.max(1, Math.floor(body / this.rowHeight()));
  }

  totalRows(): number | null {
    return this.total;
  }

  columnCount(): number {
    return this.columns.length;
  }

  private resetColumns(): void {
    this.columns = this.model.get('_columns') || [];
    this.widths = { columns: this.columns.map(columnWidth), index: indexWidth(this.model.get('_index_name') || '') };
    this.widened = false;
    this.cursor.col = clamp(this.cursor.col, 0, Math.max(0, this.columns.length - 1));
    this.drawHeader();
    this.invalidate(true);
  }

  private layout(): void {
    const rows = this.total ?? this.model.get('n_rows');
    applyLayout(this.dom, this.height(), rows, this.rowHeight(), this.widths);
    this.dom.table.setAttribute('aria-rowcount', String(rows + 1));
    this.dom.table.setAttribute('aria-colcount', String(this.columns.length + 2));
  }

  private drawHeader(): void {
    renderHeader(this.dom.colgroup, this.dom.thead, {
      columns: this.columns,
      widths: this.widths,
      indexName: this.model.get('_index_name') || '',
      indexDtype: this.model.get('_index_dtype') || '',
      sort: this.sort
    });
    this.layout();
  }

  // ---- rendering --------------------------------------------------------------

  private schedule(): void {
    cancelAnimationFrame(this.frame);
    this.frame = requestAnimationFrame(() => this.render());
  }

  private maxFirstRow(): number {
    return Math.max(0, (this.total ?? 0) - this.pageRows());
  }

  private onScroll(): void {
    const { scroller } = this.dom;
    const maxScroll = scroller.scrollHeight - scroller.clientHeight;
    const maxFirst = this.maxFirstRow();
    this.firstRow =
      maxScroll > 0 ? clamp(Math.round((scroller.scrollTop / maxScroll) * maxFirst), 0, maxFirst) : 0;
    this.schedule();
  }

  private scrollToRow(first: number): void {
    const { scroller } = this.dom;
    const maxFirst = this.maxFirstRow();
    this.firstRow = clamp(first, 0, maxFirst);
    const maxScroll = scroller.scrollHeight - scroller.clientHeight;
    if (maxFirst > 0 && maxScroll > 0) {
      scroller.scrollTop = (this.firstRow / maxFirst) * maxScroll;
    }
    this.schedule();
  }

  private render(): void {
    this.layout();
    const total = this.total ?? 0;
    const count = this.total === null ? 0 : Math.min(this.pageRows() + 1, Math.max(0, total - this.firstRow));
    this.fetchAround(total);
    renderRows(this.dom.tbody, {
      firstRow: this.firstRow,
      count,
      columns: this.columns,
      cursor: this.cursor,
      rowAt: r => this.pages.rowAt(r),
      cursorId: `${this.dom.table.id}-cursor`
    });
    const cursorCell = this.dom.tbody.querySelector('.dci-cursor');
    if (cursorCell) {
      this.dom.table.setAttribute('aria-activedescendant', cursorCell.id);
    } else {
      this.dom.table.removeAttribute('aria-activedescendant');
    }
    this.updateStatus();
  }

  /** Ask for the pages of the rows in view and around them; on a new query, the page in view first. */
  private fetchAround(total: number): void {
    if (this.total !== null && total === 0) {
      return;
    }
    const lo = Math.max(0, this.firstRow - OVERSCAN);
    const hi = Math.min(total - 1, this.firstRow + this.pageRows() + OVERSCAN);
    for (const page of this.pages.wanted(this.firstRow, lo, hi, this.total)) {
      this.requestPage(page);
    }
  }

  private updateCaption(): void {
    const caption = this.model.get('caption') || '';
    this.dom.captionText.textContent = caption;
    this.dom.captionEl.hidden = caption === '';
    this.updateStatus();
  }

  private updateStatus(): void {
    const nRows = this.model.get('n_rows');
    this.dom.statusEl.textContent = statusText({
      total: this.total,
      filter: this.filter,
      nRows,
      nCols: this.columns.length,
      restricted: this.model.get('n_shown') !== nRows || (this.model.get('caption') || '') !== '',
      selected: this.model.get('selection_count')
    });
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
    // From the keyboard (a header's button had focus), focus stays on that header.
    const fromButton = (e.target as HTMLElement).closest('button') !== null && e.detail === 0;
    this.applyQuery(nextSort(this.sort, j), this.filter, true);
    const button = this.dom.thead.querySelector<HTMLButtonElement>(`th[data-col="${j}"] button`);
    if (fromButton && button) {
      button.focus();
    } else {
      this.focus();
    }
  }

  hasAnchor(): boolean {
    return this.anchor !== null;
  }

  focus(): void {
    this.dom.table.focus({ preventScroll: true });
  }

  /** Apply a selection change to the rows on screen at once, then let the kernel confirm it. */
  select(op: SelectOp, viewRow: number | null): void {
    let anchor = this.anchor;
    if (op === 'set' || op === 'toggle' || (op === 'range' && anchor === null)) {
      anchor = viewRow;
      this.anchor = viewRow;
    }
    this.pages.select(op, viewRow, anchor);
    this.render();
    this.sendSelect(op, viewRow, op === 'range' ? anchor : null);
  }

  moveCursor(row: number, col: number): void {
    const total = this.total ?? 0;
    if (total === 0) {
      return;
    }
    this.cursor.row = clamp(row, 0, total - 1);
    this.cursor.col = clamp(col, 0, Math.max(0, this.columns.length - 1));
    const visible = this.pageRows();
    if (this.cursor.row < this.firstRow) {
      this.scrollToRow(this.cursor.row);
    } else if (this.cursor.row >= this.firstRow + visible) {
      this.scrollToRow(this.cursor.row - visible + 1);
    } else {
      this.schedule();
    }
    revealColumn(this.dom.scroller, this.widths, this.cursor.col);
  }

  copyCell(row: number, col: number): void {
    const cell = this.pages.rowAt(row)?.cells[col];
    if (cell !== undefined) {
      void navigator.clipboard?.writeText(cellText(cell));
    }
  }

  focusFilter(): void {
    this.dom.filterInput.focus();
  }

  private onKey(e: KeyboardEvent): void {
    // Only the grid's own keys: a header's button or the filter box keep theirs.
    if (e.target !== this.dom.table) {
      return;
    }
    if (handleTableKey(e, this)) {
      e.preventDefault();
      e.stopPropagation();
    }
  }
}
