/**
 * One of the history panel's tables (pending, diff, checkout) seen as a TableWidget model, so
 * the paged TableView shows it: it reads the table's traits from the panel's `_tables` trait,
 * keeps sort and filter in the view (they travel with every request), tags every request with
 * its `target`, and passes on only the replies tagged with it.
 */
import type { TableTarget } from '../_shared/protocol';
import type { HistoryModel, TableState } from './traits';

type Handler = (...args: unknown[]) => void;

/** The table view's header height (see table/view.ts). */
const HEADER_PX = 40;

/** One table of the panel seen as a TableWidget model. */
export class TableModel {
  private readonly parent: HistoryModel;
  private readonly target: TableTarget;
  private readonly local: { _sort: unknown; filter: string } = { _sort: null, filter: '' };
  private readonly handlers = new Map<string, Set<Handler>>();
  private last: Record<string, string> = {};
  private readonly onTables: () => void;
  private readonly onHeight: () => void;
  private readonly onMsg: (msg: unknown) => void;

  constructor(parent: HistoryModel, target: TableTarget) {
    this.parent = parent;
    this.target = target;
    this.last = this.snapshot();
    this.onTables = () => {
      const now = this.snapshot();
      for (const key of Object.keys(now)) {
        if (now[key] !== this.last[key]) {
          this.last[key] = now[key];
          this.emit(`change:${key}`);
        }
      }
    };
    this.onHeight = () => this.emit('change:height');
    this.onMsg = (msg: unknown) => {
      if (msg && typeof msg === 'object' && (msg as { target?: string }).target === this.target) {
        this.emit('msg:custom', msg);
      }
    };
    parent.on('change:_tables', this.onTables);
    parent.on('change:height', this.onHeight);
    parent.on('msg:custom', this.onMsg);
  }

  private state(): Partial<TableState> {
    return (this.parent.get('_tables') || {})[this.target] ?? {};
  }

  private snapshot(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.state())) {
      out[k] = JSON.stringify(v);
    }
    return out;
  }

  private emit(name: string, ...args: unknown[]): void {
    for (const cb of this.handlers.get(name) ?? []) {
      cb(...args);
    }
  }

  get(name: string): unknown {
    if (name === '_sort' || name === 'filter') {
      return this.local[name];
    }
    if (name === 'height') {
      // As tall as the rows need (a pending list of 1 edit stays small), at most `height`.
      const rows = Math.max(2, Number(this.state().n_rows ?? 0));
      const rowHeight = Number(this.state()._row_height ?? 28);
      return Math.min(this.parent.get('height'), HEADER_PX + rows * rowHeight + 4);
    }
    const value = (this.state() as Record<string, unknown>)[name];
    if (value === undefined) {
      return name === '_columns' ? [] : name.startsWith('_') || name.startsWith('n_') ? 0 : '';
    }
    return value;
  }

  set(name: string, value: unknown): void {
    if (name === '_sort') {
      this.local._sort = value;
    } else if (name === 'filter') {
      this.local.filter = String(value);
    }
  }

  save_changes(): void {
    // Sort and filter travel with every request; the kernel keeps no copy of them.
  }

  on(name: string, cb: Handler): void {
    let set = this.handlers.get(name);
    if (!set) {
      set = new Set();
      this.handlers.set(name, set);
    }
    set.add(cb);
  }

  off(name: string, cb: Handler): void {
    this.handlers.get(name)?.delete(cb);
  }

  send(content: Record<string, unknown>): void {
    this.parent.send({ ...content, target: this.target });
  }

  dispose(): void {
    this.parent.off('change:_tables', this.onTables);
    this.parent.off('change:height', this.onHeight);
    this.parent.off('msg:custom', this.onMsg);
    this.handlers.clear();
  }
}
