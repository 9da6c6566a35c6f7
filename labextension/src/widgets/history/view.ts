/**
 * The history panel of a tracked dataset (jupyter_dci.widgets._history.HistoryWidget):
 * the version timeline, the pending edits with a commit box, the diff of two versions,
 * the blame of a row, and checkout/revert with a confirmation step.
 *
 * Its three tables (pending, diff, checkout) are the paged TableView, each fed by a
 * TableModel (table-model.ts). Every text reaches the page through textContent.
 */
import type { AnyModel } from '@anywidget/types';
import { Listeners, el } from '../_shared/dom';
import type { BlameReply, DoneReply, HistoryCalls, TableTarget } from '../_shared/protocol';
import { Requests, errorText, type Body } from '../_shared/request';
import type { TableTraits } from '../table/traits';
import { TableView } from '../table/view';
import { renderBlame } from './blame';
import { buildHistoryDom, historyButton, type HistoryDom } from './layout';
import { TableModel } from './table-model';
import { renderTimeline } from './timeline';
import { plural, type HistoryModel, type VersionInfo } from './traits';

export type { HistoryTraits } from './traits';

/** The panel's own requests (its tables send theirs through TableView). */
type OwnCall = 'commit' | 'discard' | 'revert' | 'checkout' | 'blame';

export class HistoryView {
  readonly root: HTMLDivElement;
  private readonly model: HistoryModel;
  private readonly dom: HistoryDom;
  private readonly tables: Array<{ model: TableModel; view: TableView }> = [];
  // No timeout: a commit or checkout of a large frame may take long; the panel stays busy till then.
  private readonly requests: Requests<HistoryCalls>;
  private readonly listeners: Listeners;

  constructor(host: HTMLElement, model: HistoryModel) {
    this.model = model;
    this.dom = buildHistoryDom({
      commit: () => this.commit(),
      discard: () =>
        this.confirm(
          `Discard ${plural(this.model.get('n_pending'), 'pending edit')}? The frame goes back to version ${this.model.get('head')}.`,
          'Discard',
          () => this.request('discard', {})
        ),
      blameTyped: () => this.blameTyped(),
      messageEdited: () => this.renderHeads()
    });
    this.root = this.dom.root;
    host.appendChild(this.root);
    this.requests = new Requests<HistoryCalls>(model);
    this.addTable('pending', this.dom.pendingHost);
    const diff = this.addTable('diff', this.dom.diffHost);
    this.addTable('checkout', this.dom.checkoutHost);
    // A single row picked in the diff asks for its blame.
    diff.on('msg:custom', msg => {
      const reply = msg as { type?: string; count?: number };
      if (reply.type === 'selection' && reply.count === 1) {
        this.request('blame', { from: 'diff' });
      }
    });
    this.listeners = new Listeners(model);
    this.listeners.onChange(['versions', 'head', 'diff_a', 'diff_b', 'n_versions'], () => this.renderTimeline());
    this.listeners.onChange(
      ['n_pending', 'head', 'name', 'n_versions', 'n_diff', 'diff_a', 'diff_b', 'checked_out_version', '_tables'],
      () => this.renderHeads()
    );
    this.listeners.onChange(['error'], () => this.renderModelError());
    this.renderTimeline();
    this.renderHeads();
    this.renderModelError();
  }

  destroy(): void {
    this.requests.dispose();
    this.listeners.dispose();
    for (const t of this.tables) {
      t.view.destroy();
      t.model.dispose();
    }
    this.root.remove();
  }

  private addTable(target: TableTarget, host: HTMLElement): TableModel {
    const model = new TableModel(this.model, target);
    const view = new TableView(host, model as unknown as AnyModel<TableTraits>);
    this.tables.push({ model, view });
    return model;
  }

  // ---- requests -----------------------------------------------------------------

  private request<K extends OwnCall>(type: K, body: Body<HistoryCalls[K]['request']>): void {
    const reply = this.requests.send(type, body);
    this.setBusy(true);
    reply.then(
      r => {
        this.setBusy(this.requests.waiting > 0);
        this.dom.error.hide();
        this.renderModelError();
        this.answered(r);
      },
      (err: unknown) => {
        this.setBusy(this.requests.waiting > 0);
        this.dom.error.show(errorText(err));
      }
    );
  }

  private answered(reply: DoneReply | BlameReply): void {
    if (reply.type === 'done') {
      this.showNotice(reply.text);
      if (this.requests.waiting === 0 && this.model.get('n_pending') === 0) {
        this.dom.messageInput.value = '';
      }
      this.renderHeads();
    } else {
      renderBlame(this.dom.blameOut, reply);
    }
  }

  private setBusy(busy: boolean): void {
    this.root.classList.toggle('dci-busy', busy);
    for (const b of this.root.querySelectorAll<HTMLButtonElement>('.dci-history-action')) {
      b.disabled = busy;
    }
    this.renderHeads();
  }

  /** The kernel's `error` trait (a failure outside any request) shows until it is cleared. */
  private renderModelError(): void {
    const text = this.model.get('error');
    const box = this.dom.error.el;
    if (text) {
      this.dom.error.show(text);
    } else if (box.dataset.model === 'shown') {
      box.hidden = true;
    }
    box.dataset.model = text ? 'shown' : '';
  }

  private showNotice(text: string): void {
    this.dom.noticeEl.textContent = text;
    this.dom.noticeEl.hidden = false;
  }

  /** Ask before an action that changes the dataset or makes a new frame. */
  private confirm(text: string, yes: string, action: () => void): void {
    const box = this.dom.confirmEl;
    box.textContent = '';
    box.appendChild(el('span', 'dci-history-confirm-text', text));
    const ok = historyButton(yes, 'dci-confirm-yes', () => {
      box.hidden = true;
      action();
    });
    const cancel = historyButton('Cancel', 'dci-confirm-no', () => {
      box.hidden = true;
    });
    box.append(ok, cancel);
    box.hidden = false;
    ok.focus();
  }

  // ---- actions -------------------------------------------------------------------

  private commit(): void {
    const message = this.dom.messageInput.value.trim();
    if (!message) {
      this.dom.error.show('Write a commit message first: what do these edits fix?');
      this.dom.messageInput.focus();
      return;
    }
    this.request('commit', { message });
  }

  private blameTyped(): void {
    const row = this.dom.blameInput.value.trim();
    if (!row) {
      this.dom.error.show("Type a row key to blame (e.g. 17 or 'r17'), or click a row of the diff.");
      return;
    }
    this.request('blame', { row });
  }

  private checkout(v: VersionInfo): void {
    this.confirm(
      `Check out version ${v.id}? This makes a new DataFrame (panel.checked_out); the tracked frame is left alone.`,
      'Check out',
      () => this.request('checkout', { version: v.id })
    );
  }

  private revert(v: VersionInfo): void {
    this.confirm(
      `Revert version ${v.id} ("${v.message}")? This commits a new version that undoes its ${plural(v.n_edits, 'changed cell')}, and writes the old values into the tracked frame.`,
      'Revert',
      () => this.request('revert', { version: v.id })
    );
  }

  // ---- rendering -----------------------------------------------------------------

  private renderHeads(): void {
    const m = this.model;
    const d = this.dom;
    d.titleEl.textContent = `History of ${m.get('name')} · ${plural(m.get('n_versions'), 'version')} · HEAD is version ${m.get('head')}`;
    const n = m.get('n_pending');
    const listed = m.get('_tables')?.pending?.n_rows ?? 0;
    let text = n > 0 ? `Uncommitted edits: ${n.toLocaleString('en-US')}` : 'Uncommitted edits: none';
    if (n > listed) {
      text += ' (too many to list here: ds.pending() lists them)';
    }
    d.pendingHead.textContent = text;
    d.pendingHead.dataset.count = String(n);
    d.pendingHost.hidden = listed === 0;
    const busy = this.requests.waiting > 0;
    d.commitButton.disabled = busy || n === 0 || !d.messageInput.value.trim();
    d.discardButton.disabled = busy || n === 0;
    d.diffHead.textContent = `Diff of version ${m.get('diff_a')} → ${m.get('diff_b')}: ${plural(m.get('n_diff'), 'changed cell')} (old → new, with who and why; click a row for its blame)`;
    const v = m.get('checked_out_version');
    d.checkoutSection.hidden = v === 0;
    d.checkoutHead.textContent = v ? `Checked out version ${v} (a new DataFrame: panel.checked_out)` : '';
  }

  private renderTimeline(): void {
    renderTimeline(
      this.dom.timelineBody,
      {
        versions: this.model.get('versions') || [],
        nVersions: this.model.get('n_versions'),
        head: this.model.get('head'),
        diffA: this.model.get('diff_a'),
        diffB: this.model.get('diff_b')
      },
      {
        pick: (which, id) => {
          this.model.set(which, id);
          this.model.save_changes();
        },
        checkout: v => this.checkout(v),
        revert: v => this.revert(v)
      }
    );
  }
}
