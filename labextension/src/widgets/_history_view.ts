/**
 * The history panel of a tracked dataset (jupyter_dci.widgets._history.HistoryWidget):
 * the version timeline, the pending edits with a commit box, the diff of two versions,
 * the blame of a row, and checkout/revert with a confirmation step.
 *
 * Its three tables (pending, diff, checkout) are the paged TableView, each fed by a
 * TableModel: a view of the panel's model that reads the table's traits from the
 * `_tables` trait and tags every request with its `target`, so the kernel answers it
 * from that table's pager. Every text reaches the page through textContent.
 */
import type { AnyModel } from '@anywidget/types';
import { TableView, type TableTraits } from './_table_view';

export interface VersionInfo {
  id: number;
  parent: number | null;
  message: string;
  author: string;
  time: string;
  kind: string;
  revert_of: number | null;
  n_edits: number;
  n_rows: number;
  tags?: string[];
}

type TableState = Omit<TableTraits, '_sort' | 'filter' | 'height'>;
type Target = 'diff' | 'pending' | 'checkout';

export interface HistoryTraits {
  name: string;
  versions: VersionInfo[];
  n_versions: number;
  head: number;
  n_pending: number;
  diff_a: number;
  diff_b: number;
  n_diff: number;
  checked_out_version: number;
  error: string;
  height: number;
  _tables: Partial<Record<Target, TableState>>;
}

interface BlameChange {
  version: number | null;
  column: string;
  old: string;
  new: string;
  author: string;
  reason: string;
  source: string;
  time: string;
}

type PanelReply =
  | { type: 'done'; id: number; text: string; target?: string }
  | { type: 'blame'; id: number; row: string; total: number; changes: BlameChange[]; target?: string }
  | { type: 'error'; id: number; error: string; target?: string }
  | { type: 'selection'; id: number; count: number; target?: string }
  | { type: 'page'; id: number; target?: string };

type Handler = (...args: unknown[]) => void;

/** The table view's header height (see _table_view.ts). */
const HEADER_PX = 40;

/** One table of the panel seen as a TableWidget model (see the module comment). */
export class TableModel {
  private readonly parent: AnyModel<HistoryTraits>;
  private readonly target: Target;
  private readonly local: { _sort: unknown; filter: string } = { _sort: null, filter: '' };
  private readonly handlers = new Map<string, Set<Handler>>();
  private last: Record<string, string> = {};
  private readonly onTables: () => void;
  private readonly onHeight: () => void;
  private readonly onMsg: (msg: unknown) => void;

  constructor(parent: AnyModel<HistoryTraits>, target: Target) {
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

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className = '',
  text = ''
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text) {
    node.textContent = text;
  }
  return node;
}

function button(text: string, className: string, onClick: () => void): HTMLButtonElement {
  const b = el('button', `dci-button ${className}`, text);
  b.type = 'button';
  b.addEventListener('click', onClick);
  return b;
}

function shortTime(iso: string): string {
  // "2026-01-01T10:20:30.123+00:00" -> "2026-01-01 10:20" (UTC); the full time on hover.
  return iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : '';
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}

export class HistoryView {
  readonly root: HTMLDivElement;
  private readonly model: AnyModel<HistoryTraits>;
  private readonly titleEl: HTMLDivElement;
  private readonly errorEl: HTMLDivElement;
  private readonly noticeEl: HTMLDivElement;
  private readonly confirmEl: HTMLDivElement;
  private readonly pendingHead: HTMLDivElement;
  private readonly messageInput: HTMLInputElement;
  private readonly commitButton: HTMLButtonElement;
  private readonly discardButton: HTMLButtonElement;
  private readonly pendingHost: HTMLDivElement;
  private readonly timelineBody: HTMLTableSectionElement;
  private readonly diffHead: HTMLDivElement;
  private readonly blameInput: HTMLInputElement;
  private readonly blameOut: HTMLDivElement;
  private readonly checkoutSection: HTMLDivElement;
  private readonly checkoutHead: HTMLDivElement;
  private readonly tables: Array<{ model: TableModel; view: TableView }> = [];
  private readonly requests = new Map<number, string>();
  private nextId = 1;
  private readonly listeners: Array<[string, () => void]> = [];
  private readonly onMsg: (msg: unknown) => void;

  constructor(host: HTMLElement, model: AnyModel<HistoryTraits>) {
    this.model = model;
    this.root = el('div', 'dci-history');
    // Keys typed in the panel (commit message, row key) must not run notebook commands.
    this.root.setAttribute('data-lm-suppress-shortcuts', 'true');

    this.titleEl = el('div', 'dci-history-title');
    this.errorEl = el('div', 'dci-history-error');
    this.errorEl.setAttribute('role', 'alert');
    this.errorEl.hidden = true;
    this.noticeEl = el('div', 'dci-history-notice');
    this.noticeEl.setAttribute('role', 'status');
    this.noticeEl.hidden = true;
    this.confirmEl = el('div', 'dci-history-confirm');
    this.confirmEl.hidden = true;

    // Pending edits and the commit box.
    const pending = el('div', 'dci-history-section dci-history-pending');
    this.pendingHead = el('div', 'dci-history-head');
    const box = el('div', 'dci-history-commitbox');
    this.messageInput = el('input', 'dci-history-message');
    this.messageInput.type = 'text';
    this.messageInput.placeholder = 'Commit message, e.g. "fix 12 mislabelled cats"';
    this.messageInput.setAttribute('aria-label', 'Commit message');
    this.commitButton = button('Commit', 'dci-history-commit', () => this.commit());
    this.discardButton = button('Discard…', 'dci-history-discard', () =>
      this.confirm(
        `Discard ${plural(this.model.get('n_pending'), 'pending edit')}? The frame goes back to version ${this.model.get('head')}.`,
        'Discard',
        () => this.request({ type: 'discard' })
      )
    );
    box.append(this.messageInput, this.commitButton, this.discardButton);
    this.pendingHost = el('div', 'dci-history-table');
    pending.append(this.pendingHead, box, this.pendingHost);

    // The timeline.
    const timeline = el('div', 'dci-history-section dci-history-timeline');
    const tlHead = el('div', 'dci-history-head', 'Versions (pick A and B to compare)');
    const tlScroll = el('div', 'dci-history-tlscroll');
    const tlTable = el('table', 'dci-history-versions');
    const thead = el('thead');
    const hr = el('tr');
    for (const h of ['A', 'B', 'version', 'message', 'author', 'time', 'edits', '']) {
      hr.appendChild(el('th', '', h));
    }
    thead.appendChild(hr);
    this.timelineBody = el('tbody');
    tlTable.append(thead, this.timelineBody);
    tlScroll.appendChild(tlTable);
    timeline.append(tlHead, tlScroll);

    // The diff.
    const diff = el('div', 'dci-history-section dci-history-diff');
    this.diffHead = el('div', 'dci-history-head');
    const diffHost = el('div', 'dci-history-table');
    diff.append(this.diffHead, diffHost);

    // Blame.
    const blame = el('div', 'dci-history-section dci-history-blame');
    const blameBox = el('div', 'dci-history-blamebox');
    blameBox.appendChild(el('span', 'dci-history-label', 'Blame a row (its key, or click a row of the diff):'));
    this.blameInput = el('input', 'dci-history-blamekey');
    this.blameInput.type = 'text';
    this.blameInput.placeholder = "row key, e.g. 17 or 'r17'";
    this.blameInput.setAttribute('aria-label', 'Row key to blame');
    const blameButton = button('Blame', 'dci-history-blame-go', () => this.blameTyped());
    blameBox.append(this.blameInput, blameButton);
    this.blameOut = el('div', 'dci-history-blameout');
    blame.append(blameBox, this.blameOut);

    // Checkout.
    this.checkoutSection = el('div', 'dci-history-section dci-history-checkout');
    this.checkoutHead = el('div', 'dci-history-head');
    const checkoutHost = el('div', 'dci-history-table');
    this.checkoutSection.append(this.checkoutHead, checkoutHost);
    this.checkoutSection.hidden = true;

    this.root.append(
      this.titleEl,
      this.errorEl,
      this.noticeEl,
      pending,
      // The confirmation shows between the commit box (Discard) and the timeline (Check
      // out, Revert): next to the buttons that ask for it.
      this.confirmEl,
      timeline,
      diff,
      blame,
      this.checkoutSection
    );
    host.appendChild(this.root);

    this.addTable('pending', this.pendingHost);
    this.addTable('diff', diffHost);
    this.addTable('checkout', checkoutHost);

    this.onMsg = (msg: unknown) => this.handleReply(msg as PanelReply);
    model.on('msg:custom', this.onMsg);
    for (const name of ['versions', 'head', 'diff_a', 'diff_b', 'n_versions']) {
      this.listen(`change:${name}`, () => this.renderTimeline());
    }
    for (const name of ['n_pending', 'head', 'name', 'n_versions']) {
      this.listen(`change:${name}`, () => this.renderHeads());
    }
    for (const name of ['n_diff', 'diff_a', 'diff_b', 'checked_out_version', '_tables']) {
      this.listen(`change:${name}`, () => this.renderHeads());
    }
    this.listen('change:error', () => this.renderModelError());

    for (const input of [this.messageInput, this.blameInput]) {
      input.setAttribute('data-lm-suppress-shortcuts', 'true');
      input.addEventListener('keydown', e => {
        e.stopPropagation();
        if (e.key === 'Enter') {
          e.preventDefault();
          if (input === this.messageInput) {
            this.commit();
          } else {
            this.blameTyped();
          }
        }
      });
    }
    this.messageInput.addEventListener('input', () => this.renderHeads());

    this.renderTimeline();
    this.renderHeads();
    this.renderModelError();
  }

  destroy(): void {
    this.model.off('msg:custom', this.onMsg);
    for (const [name, cb] of this.listeners) {
      this.model.off(name, cb);
    }
    for (const t of this.tables) {
      t.view.destroy();
      t.model.dispose();
    }
    this.root.remove();
  }

  private listen(name: string, cb: () => void): void {
    this.model.on(name, cb);
    this.listeners.push([name, cb]);
  }

  private addTable(target: Target, host: HTMLElement): void {
    const model = new TableModel(this.model, target);
    const view = new TableView(host, model as unknown as AnyModel<TableTraits>);
    this.tables.push({ model, view });
  }

  // ---- requests -----------------------------------------------------------------

  private request(content: Record<string, unknown>): void {
    const id = this.nextId++;
    this.requests.set(id, String(content.type));
    this.setBusy(true);
    this.model.send({ ...content, id });
  }

  private handleReply(reply: PanelReply): void {
    if (!reply || typeof reply !== 'object') {
      return;
    }
    if (reply.target !== undefined) {
      // A table's reply: a single row picked in the diff asks for its blame.
      if (reply.target === 'diff' && reply.type === 'selection' && reply.count === 1) {
        this.request({ type: 'blame', from: 'diff' });
      }
      return;
    }
    if (!this.requests.has(reply.id)) {
      return;
    }
    this.requests.delete(reply.id);
    this.setBusy(this.requests.size > 0);
    if (reply.type === 'error') {
      this.showError(reply.error);
      return;
    }
    this.hideError();
    if (reply.type === 'done') {
      this.showNotice(reply.text);
      if (this.requests.size === 0 && this.model.get('n_pending') === 0) {
        this.messageInput.value = '';
      }
      this.renderHeads();
    } else if (reply.type === 'blame') {
      this.renderBlame(reply.row, reply.total, reply.changes);
    }
  }

  private setBusy(busy: boolean): void {
    this.root.classList.toggle('dci-busy', busy);
    for (const b of this.root.querySelectorAll<HTMLButtonElement>('.dci-history-action')) {
      b.disabled = busy;
    }
    this.renderHeads();
  }

  private showError(text: string): void {
    this.errorEl.textContent = text;
    this.errorEl.hidden = false;
  }

  private hideError(): void {
    this.errorEl.textContent = '';
    this.errorEl.hidden = true;
    this.renderModelError();
  }

  private renderModelError(): void {
    const text = this.model.get('error');
    if (text) {
      this.showError(text);
    } else if (this.errorEl.dataset.model === 'shown') {
      this.errorEl.hidden = true;
    }
    this.errorEl.dataset.model = text ? 'shown' : '';
  }

  private showNotice(text: string): void {
    this.noticeEl.textContent = text;
    this.noticeEl.hidden = false;
  }

  /** Ask before an action that changes the dataset or makes a new frame. */
  private confirm(text: string, yes: string, action: () => void): void {
    this.confirmEl.textContent = '';
    this.confirmEl.appendChild(el('span', 'dci-history-confirm-text', text));
    const ok = button(yes, 'dci-confirm-yes', () => {
      this.confirmEl.hidden = true;
      action();
    });
    const cancel = button('Cancel', 'dci-confirm-no', () => {
      this.confirmEl.hidden = true;
    });
    this.confirmEl.append(ok, cancel);
    this.confirmEl.hidden = false;
    ok.focus();
  }

  // ---- actions -------------------------------------------------------------------

  private commit(): void {
    const message = this.messageInput.value.trim();
    if (!message) {
      this.showError('Write a commit message first: what do these edits fix?');
      this.messageInput.focus();
      return;
    }
    this.request({ type: 'commit', message });
  }

  private blameTyped(): void {
    const row = this.blameInput.value.trim();
    if (!row) {
      this.showError("Type a row key to blame (e.g. 17 or 'r17'), or click a row of the diff.");
      return;
    }
    this.request({ type: 'blame', row });
  }

  private pick(which: 'diff_a' | 'diff_b', id: number): void {
    this.model.set(which, id);
    this.model.save_changes();
  }

  // ---- rendering -----------------------------------------------------------------

  private renderHeads(): void {
    const name = this.model.get('name');
    const head = this.model.get('head');
    this.titleEl.textContent = `History of ${name} · ${plural(this.model.get('n_versions'), 'version')} · HEAD is version ${head}`;
    const n = this.model.get('n_pending');
    const listed = this.model.get('_tables')?.pending?.n_rows ?? 0;
    let text = n > 0 ? `Uncommitted edits: ${n.toLocaleString('en-US')}` : 'Uncommitted edits: none';
    if (n > listed) {
      text += ' (too many to list here: ds.pending() lists them)';
    }
    this.pendingHead.textContent = text;
    this.pendingHead.dataset.count = String(n);
    this.pendingHost.hidden = listed === 0;
    const busy = this.requests.size > 0;
    this.commitButton.disabled = busy || n === 0 || !this.messageInput.value.trim();
    this.discardButton.disabled = busy || n === 0;
    const a = this.model.get('diff_a');
    const b = this.model.get('diff_b');
    this.diffHead.textContent = `Diff of version ${a} → ${b}: ${plural(this.model.get('n_diff'), 'changed cell')} (old → new, with who and why; click a row for its blame)`;
    const v = this.model.get('checked_out_version');
    this.checkoutSection.hidden = v === 0;
    this.checkoutHead.textContent = v ? `Checked out version ${v} (a new DataFrame: panel.checked_out)` : '';
  }

  private renderTimeline(): void {
    const versions = this.model.get('versions') || [];
    const a = this.model.get('diff_a');
    const b = this.model.get('diff_b');
    const head = this.model.get('head');
    this.timelineBody.textContent = '';
    for (const v of versions) {
      const tr = el('tr', 'dci-history-version');
      tr.dataset.version = String(v.id);
      if (v.id === a || v.id === b) {
        tr.classList.add('dci-picked');
      }
      for (const which of ['diff_a', 'diff_b'] as const) {
        const td = el('td', 'dci-history-pick');
        const radio = el('input');
        radio.type = 'radio';
        radio.className = which === 'diff_a' ? 'dci-pick-a' : 'dci-pick-b';
        radio.checked = (which === 'diff_a' ? a : b) === v.id;
        radio.setAttribute('aria-label', `${which === 'diff_a' ? 'Compare from' : 'Compare to'} version ${v.id}`);
        radio.addEventListener('change', () => this.pick(which, v.id));
        td.appendChild(radio);
        tr.appendChild(td);
      }
      const idText = v.id === head ? `${v.id} (HEAD)` : String(v.id);
      tr.appendChild(el('td', 'dci-history-id', idText));
      const msg = el('td', 'dci-history-msg', v.message);
      if (v.kind !== 'commit') {
        msg.prepend(el('span', `dci-history-kind dci-kind-${v.kind}`, v.kind));
      }
      for (const tag of v.tags ?? []) {
        msg.appendChild(el('span', 'dci-history-tag', tag));
      }
      msg.title = v.message;
      tr.appendChild(msg);
      tr.appendChild(el('td', 'dci-history-author', v.author));
      const time = el('td', 'dci-history-time', shortTime(v.time));
      time.title = v.time;
      tr.appendChild(time);
      tr.appendChild(
        el('td', 'dci-history-edits', v.kind === 'track' ? '—' : `${plural(v.n_edits, 'cell')} in ${plural(v.n_rows, 'row')}`)
      );
      const actions = el('td', 'dci-history-actions');
      actions.appendChild(
        button('Check out', 'dci-history-action dci-checkout', () =>
          this.confirm(
            `Check out version ${v.id}? This makes a new DataFrame (panel.checked_out); the tracked frame is left alone.`,
            'Check out',
            () => this.request({ type: 'checkout', version: v.id })
          )
        )
      );
      if (v.kind !== 'track') {
        actions.appendChild(
          button('Revert', 'dci-history-action dci-revert', () =>
            this.confirm(
              `Revert version ${v.id} ("${v.message}")? This commits a new version that undoes its ${plural(v.n_edits, 'changed cell')}, and writes the old values into the tracked frame.`,
              'Revert',
              () => this.request({ type: 'revert', version: v.id })
            )
          )
        );
      }
      tr.appendChild(actions);
      this.timelineBody.appendChild(tr);
    }
    const more = this.model.get('n_versions') - versions.length;
    if (more > 0) {
      const tr = el('tr', 'dci-history-more');
      const td = el('td', '', `… and ${plural(more, 'older version')} (ds.log() lists them all)`);
      td.colSpan = 8;
      tr.appendChild(td);
      this.timelineBody.appendChild(tr);
    }
  }

  private renderBlame(row: string, total: number, changes: BlameChange[]): void {
    this.blameOut.textContent = '';
    const head = el('div', 'dci-history-head');
    head.textContent =
      total === 0
        ? `Row ${row}: no committed change.`
        : `Row ${row}: ${plural(total, 'committed change')}${total > changes.length ? ` (the newest ${changes.length} shown)` : ''}`;
    this.blameOut.appendChild(head);
    if (changes.length === 0) {
      return;
    }
    const table = el('table', 'dci-history-blametable');
    const hr = el('tr');
    for (const h of ['version', 'column', 'old', 'new', 'author', 'reason', 'source', 'time']) {
      hr.appendChild(el('th', '', h));
    }
    const thead = el('thead');
    thead.appendChild(hr);
    const tbody = el('tbody');
    for (const c of changes) {
      const tr = el('tr');
      tr.appendChild(el('td', '', c.version === null ? '' : String(c.version)));
      tr.appendChild(el('td', '', c.column));
      tr.appendChild(el('td', 'dci-old', c.old));
      tr.appendChild(el('td', 'dci-new', c.new));
      tr.appendChild(el('td', '', c.author));
      tr.appendChild(el('td', '', c.reason));
      tr.appendChild(el('td', '', c.source));
      const time = el('td', '', shortTime(c.time));
      time.title = c.time;
      tr.appendChild(time);
      tbody.appendChild(tr);
    }
    table.append(thead, tbody);
    this.blameOut.appendChild(table);
  }
}
