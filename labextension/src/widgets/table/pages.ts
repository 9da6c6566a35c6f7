/** The pages of rows the table view holds, and the requests for pages still out. */
import type { PageRow, SelectOp } from '../_shared/protocol';

export const PAGE_SIZE = 100;

/** A page of rows; not `fresh` once the kernel may have changed them (a selection). */
interface CachedPage {
  rows: PageRow[];
  fresh: boolean;
}

export class PageCache {
  private readonly pages = new Map<number, CachedPage>();
  /** Page number -> the request for it still out (a token, compared by identity). */
  private readonly inflight = new Map<number, object>();

  /** Forget the requests out; `hard` drops the rows too (they moved), else they stay shown until refreshed. */
  invalidate(hard: boolean): void {
    if (hard) {
      this.pages.clear();
    } else {
      for (const page of this.pages.values()) {
        page.fresh = false;
      }
    }
    this.inflight.clear();
  }

  rowAt(viewRow: number): PageRow | undefined {
    return this.pages.get(Math.floor(viewRow / PAGE_SIZE))?.rows[viewRow % PAGE_SIZE];
  }

  /** Pages to ask for: the one holding `first` when nothing is known (`total` null), else those of rows lo..hi not held fresh. */
  wanted(first: number, lo: number, hi: number, total: number | null): number[] {
    if (total === null) {
      const page = Math.floor(first / PAGE_SIZE);
      return this.inflight.has(page) ? [] : [page];
    }
    const out = [];
    for (let page = Math.floor(lo / PAGE_SIZE); page <= Math.floor(hi / PAGE_SIZE); page++) {
      const cached = this.pages.get(page);
      if ((!cached || !cached.fresh) && !this.inflight.has(page)) {
        out.push(page);
      }
    }
    return out;
  }

  /** A request for `page` went out: it is known by `token`. */
  asked(page: number, token: object): void {
    this.inflight.set(page, token);
  }

  /** The kernel answered the request `token` with rows from `offset`. */
  store(offset: number, rows: PageRow[], token: object): void {
    const page = Math.floor(offset / PAGE_SIZE);
    if (this.inflight.get(page) === token) {
      this.inflight.delete(page);
    }
    this.pages.set(page, { rows, fresh: true });
  }

  /** The request `token` failed: its page may be asked for again. */
  failed(token: object | null): void {
    for (const [page, t] of this.inflight) {
      if (t === token) {
        this.inflight.delete(page);
      }
    }
  }

  /** Apply a selection change to the rows held at once (the kernel's answer confirms it). */
  select(op: SelectOp, viewRow: number | null, anchor: number | null): void {
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
  }
}
