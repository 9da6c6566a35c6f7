/**
 * The review panel: one suspected label error at a time, fixed with one key press.
 *
 * The kernel keeps the frame and the review state (jupyter_dci/widgets/_review.py);
 * this view pulls one suspect by request id, sends decisions, undos and filters, and shows
 * `{type: "error"}` replies inline. Actions run one after another (a queue), so keys
 * pressed faster than the kernel answers apply to the suspects they were meant for.
 * Indices count in the kernel's filtered queue; the confusion matrix of given vs
 * suggested labels is aggregated in the kernel and a click on a cell filters to that pair.
 *
 * Every string from the kernel enters the page through textContent (or renderCell,
 * which does the same): never innerHTML.
 */
import type { AnyModel } from '@anywidget/types';
import { cellText, renderCell } from './_cells';
import type { Cell } from './_protocol';
import { el } from './_dom';

/** Traits of the Python ReviewWidget this view reads and writes. */
export interface ReviewTraits {
  classes: string[];
  class_keys: string[];
  label: string;
  n_suspects: number;
  n_reviewed: number;
  n_relabelled: number;
  n_kept: number;
  n_shown: number;
  n_shown_reviewed: number;
  filter_given: number[];
  filter_suggested: number[];
  filter_max_score: number | null;
  filter_min_score: number | null;
  filter_rows: string;
  current: number;
  _version: number;
}

type Action = 'relabel' | 'accept' | 'keep';

interface Feature {
  name: string;
  kind: string;
  cell: Cell;
}

interface SuspectReply {
  type: 'suspect';
  id: number;
  index: number;
  position: number;
  row: Cell;
  given: string;
  given_class: number;
  suggested: string;
  suggested_class: number;
  score: number;
  current: string;
  current_class: number;
  decision: { action: Action; new: string } | null;
  features: Feature[];
  n_hidden: number;
}

interface DecidedReply {
  type: 'decided';
  id: number;
  index: number;
  next: number;
  suspect: SuspectReply;
}

interface FilteredReply {
  type: 'filtered';
  id: number;
  n_shown: number;
}

interface ConfusionReply {
  type: 'confusion';
  id: number;
  labels: string[];
  groups: number[][];
  counts: number[][];
  other: boolean;
}

interface UndoneReply {
  type: 'undone';
  id: number;
  index: number | null;
}

interface ErrorReply {
  type: 'error';
  id: number;
  error: string;
}

type Reply = SuspectReply | DecidedReply | UndoneReply | FilteredReply | ConfusionReply | ErrorReply;

/** The filter the kernel is asked for: class indices ([] for any) and score bounds. */
interface FilterState {
  given: number[];
  suggested: number[];
  max_score: number | null;
  min_score: number | null;
  /** "clear" also lifts the rows scope (a slice clicked in the workbench). */
  scope?: 'keep' | 'clear';
}

class KernelError extends Error {}

const IMAGE_URL = /^data:image\/(png|jpeg);base64,[A-Za-z0-9+/=]+$/;
const PAIRS_PER_ROW = 3;
const REPLY_TIMEOUT_MS = 30_000;
const ANY = '';
const SEVERAL = 'several';
const ACTION_TEXT: Record<Action, string> = {
  relabel: 'relabelled',
  accept: 'suggestion accepted',
  keep: 'kept as given'
};

export class ReviewView {
  readonly root: HTMLDivElement;
  private readonly model: AnyModel<ReviewTraits>;
  private readonly progressEl: HTMLSpanElement;
  private readonly positionEl: HTMLSpanElement;
  private readonly errorEl: HTMLDivElement;
  private readonly doneEl: HTMLDivElement;
  private readonly body: HTMLDivElement;
  private readonly picturesEl: HTMLDivElement;
  private readonly givenEl: HTMLSpanElement;
  private readonly suggestedEl: HTMLSpanElement;
  private readonly scoreEl: HTMLSpanElement;
  private readonly statusEl: HTMLDivElement;
  private readonly classesEl: HTMLDivElement;
  private readonly textEl: HTMLDivElement;
  private readonly featuresEl: HTMLTableElement;
  private readonly hiddenEl: HTMLDivElement;
  private readonly keyHelpEl: HTMLDivElement;
  private readonly barEl: HTMLDivElement;
  private readonly givenSelect: HTMLSelectElement;
  private readonly suggestedSelect: HTMLSelectElement;
  private readonly maxScoreInput: HTMLInputElement;
  private readonly filterInfoEl: HTMLSpanElement;
  private readonly scopeEl: HTMLSpanElement;
  private readonly confusionEl: HTMLDetailsElement;
  private readonly matrixEl: HTMLTableElement;
  private confusion: ConfusionReply | null = null;

  private suspect: SuspectReply | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, (reply: Reply) => void>();
  private chain: Promise<void> = Promise.resolve();
  private readonly listeners: Array<[string, () => void]> = [];
  private readonly onMsg: (msg: unknown) => void;

  constructor(host: HTMLElement, model: AnyModel<ReviewTraits>) {
    this.model = model;
    this.root = el('div', 'dci-review');
    this.root.tabIndex = 0;
    // Lumino (JupyterLab, Notebook 7) skips its shortcuts for events from inside an
    // element with this attribute: digits, Enter, k, u and arrows drive the review.
    this.root.setAttribute('data-lm-suppress-shortcuts', 'true');
    this.root.setAttribute('role', 'application');
    this.root.setAttribute('aria-label', 'Label review');

    const head = el('div', 'dci-review-head');
    this.positionEl = el('span', 'dci-review-position');
    this.progressEl = el('span', 'dci-review-progress');
    head.append(this.positionEl, this.progressEl);
    const bar = el('div', 'dci-review-bar');
    this.barEl = el('div', 'dci-review-bar-fill');
    bar.appendChild(this.barEl);

    // Filters: the kernel recomputes the queue; these controls only say what to keep.
    const filters = el('div', 'dci-review-filters');
    this.givenSelect = el('select', 'dci-review-filter-given');
    this.givenSelect.title = 'Show only suspects whose given label is this class';
    this.suggestedSelect = el('select', 'dci-review-filter-suggested');
    this.suggestedSelect.title = 'Show only suspects whose suggested label is this class';
    this.maxScoreInput = el('input', 'dci-review-filter-max');
    this.maxScoreInput.type = 'number';
    this.maxScoreInput.min = '0';
    this.maxScoreInput.max = '1';
    this.maxScoreInput.step = '0.05';
    this.maxScoreInput.placeholder = 'any';
    this.maxScoreInput.title = 'Show only suspects whose score is at most this (lower is worse)';
    this.filterInfoEl = el('span', 'dci-review-filter-info');
    this.scopeEl = el('span', 'dci-review-scope');
    this.scopeEl.title = 'Only the suspects among these rows are shown; Clear filter shows all';
    const clear = el('button', 'dci-review-button dci-review-clear', 'Clear filter');
    clear.type = 'button';
    clear.addEventListener('mousedown', e => e.preventDefault());
    clear.addEventListener('click', () => {
      this.root.focus();
      this.applyFilter({ given: [], suggested: [], max_score: null, min_score: null, scope: 'clear' });
    });
    const labelled = (text: string, control: HTMLElement): HTMLLabelElement => {
      const l = el('label', 'dci-review-filter');
      l.append(el('span', 'dci-review-caption', text), control);
      return l;
    };
    filters.append(
      labelled('given', this.givenSelect),
      labelled('suggested', this.suggestedSelect),
      labelled('score ≤', this.maxScoreInput),
      clear,
      this.scopeEl,
      this.filterInfoEl
    );
    for (const select of [this.givenSelect, this.suggestedSelect]) {
      select.addEventListener('change', () => {
        this.root.focus(); // the keys go back to the review
        this.applyFilter(this.filterFromControls());
      });
    }
    this.maxScoreInput.addEventListener('change', () => {
      const text = this.maxScoreInput.value.trim();
      if (text !== '' && !Number.isFinite(Number(text))) {
        this.showError(new KernelError(`The score filter must be a number; got ${text}.`));
        return;
      }
      this.applyFilter(this.filterFromControls());
    });
    this.maxScoreInput.addEventListener('keydown', e => {
      if (e.key === 'Enter') {
        this.root.focus(); // blurs the input, which fires its change
      }
    });

    this.confusionEl = el('details', 'dci-review-confusion');
    this.confusionEl.open = true;
    const summary = el('summary', 'dci-review-confusion-title', 'Given vs suggested');
    summary.title = 'Suspects by given label (rows) and suggested label (columns); click a count to review those';
    this.matrixEl = el('table', 'dci-review-matrix');
    this.confusionEl.append(summary, this.matrixEl);

    this.errorEl = el('div', 'dci-error');
    this.errorEl.setAttribute('role', 'alert');
    this.errorEl.hidden = true;
    this.doneEl = el('div', 'dci-review-done');
    this.doneEl.hidden = true;

    this.body = el('div', 'dci-review-body');
    this.picturesEl = el('div', 'dci-review-pictures');
    const side = el('div', 'dci-review-side');
    const labels = el('div', 'dci-review-labels');
    this.givenEl = el('span', 'dci-review-given');
    this.suggestedEl = el('span', 'dci-review-suggested');
    this.scoreEl = el('span', 'dci-review-score');
    labels.append(
      el('span', 'dci-review-caption', 'given'),
      this.givenEl,
      el('span', 'dci-review-caption', 'suggested'),
      this.suggestedEl,
      this.scoreEl
    );
    this.statusEl = el('div', 'dci-review-status');
    this.classesEl = el('div', 'dci-review-classes');
    const actions = el('div', 'dci-review-actions');
    actions.append(
      this.button('Accept suggestion', 'Enter', 'accept', () => this.decide('accept')),
      this.button('Keep given', 'k', 'keep', () => this.decide('keep')),
      this.button('Previous', '←', 'prev', () => this.move(-1)),
      this.button('Next', '→', 'next', () => this.move(1)),
      this.button('Undo', 'u', 'undo', () => this.undo())
    );
    side.append(labels, this.statusEl, this.classesEl, actions);
    this.body.append(this.picturesEl, side);

    this.textEl = el('div', 'dci-review-text');
    this.featuresEl = el('table', 'dci-review-features');
    this.hiddenEl = el('div', 'dci-review-hidden');
    this.keyHelpEl = el('div', 'dci-review-help');

    this.root.append(
      head,
      bar,
      filters,
      this.confusionEl,
      this.errorEl,
      this.doneEl,
      this.body,
      this.textEl,
      this.featuresEl,
      this.hiddenEl,
      this.keyHelpEl
    );
    host.appendChild(this.root);

    this.onMsg = (msg: unknown) => this.onReply(msg as Reply);
    model.on('msg:custom', this.onMsg);
    const counts = () => this.renderProgress();
    for (const name of ['n_suspects', 'n_reviewed', 'n_relabelled', 'n_kept', 'n_shown', 'n_shown_reviewed']) {
      this.listen(`change:${name}`, counts);
    }
    this.listen('change:classes', () => {
      this.renderClasses();
      this.renderFilters();
    });
    this.listen('change:class_keys', () => this.renderClasses());
    for (const name of ['filter_given', 'filter_suggested', 'filter_max_score', 'filter_min_score', 'filter_rows']) {
      this.listen(`change:${name}`, () => this.renderFilters());
    }
    this.listen('change:current', () => {
      // Python moved the view (or this view did): show that suspect if not shown yet.
      const want = this.clampIndex(this.model.get('current'));
      if (this.model.get('n_shown') > 0 && (this.suspect === null || this.suspect.index !== want)) {
        this.enqueue(() => this.fetch(want));
      }
    });
    this.listen('change:_version', () => {
      if (this.model.get('n_shown') > 0) {
        this.enqueue(() => this.fetch(this.clampIndex(this.model.get('current'))));
      } else {
        this.showNone();
      }
    });
    this.root.addEventListener('keydown', e => this.onKey(e));
    // A click anywhere in the panel gives it the keyboard.
    this.root.addEventListener('mousedown', e => {
      if (e.target instanceof HTMLElement && e.target.closest('button') === null) {
        this.root.focus();
      }
    });

    this.renderClasses();
    this.renderFilters();
    this.renderProgress();
    if (this.model.get('n_shown') > 0) {
      this.enqueue(() => this.fetch(this.clampIndex(this.model.get('current'))));
    } else {
      this.showNone();
    }
    if (this.model.get('n_suspects') > 0) {
      this.enqueue(() => this.loadConfusion());
    } else {
      this.confusionEl.hidden = true;
    }
  }

  destroy(): void {
    this.model.off('msg:custom', this.onMsg);
    for (const [name, cb] of this.listeners) {
      this.model.off(name, cb);
    }
    this.pending.clear();
    this.root.remove();
  }

  // ---- kernel plumbing ------------------------------------------------------------

  private listen(name: string, cb: () => void): void {
    this.model.on(name, cb);
    this.listeners.push([name, cb]);
  }

  private request<T extends Reply>(content: Record<string, unknown>): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      // A kernel that never answers (busy, restarted) must not freeze the queue for good.
      const timer = window.setTimeout(() => {
        this.pending.delete(id);
        reject(
          new KernelError(
            `The kernel did not answer within ${REPLY_TIMEOUT_MS / 1000} s (busy or restarted?). ` +
              'Run the cell again if the kernel was restarted.'
          )
        );
      }, REPLY_TIMEOUT_MS);
      this.pending.set(id, (reply: Reply) => {
        window.clearTimeout(timer);
        if (reply.type === 'error') {
          reject(new KernelError(reply.error));
        } else {
          resolve(reply as T);
        }
      });
      this.model.send({ ...content, id });
    });
  }

  private onReply(reply: Reply): void {
    if (!reply || typeof reply.id !== 'number') {
      return;
    }
    const done = this.pending.get(reply.id);
    if (done !== undefined) {
      this.pending.delete(reply.id);
      done(reply);
    }
  }

  /** Run actions one at a time, in the order asked; an error shows and the queue goes on. */
  private enqueue(action: () => Promise<void>): void {
    this.chain = this.chain.then(action).catch((err: unknown) => this.showError(err));
  }

  private showError(err: unknown): void {
    const text = err instanceof Error ? err.message : String(err);
    this.errorEl.textContent = err instanceof KernelError ? text : `Error in the view: ${text}`;
    this.errorEl.hidden = false;
  }

  private clearError(): void {
    this.errorEl.hidden = true;
    this.errorEl.textContent = '';
  }

  private clampIndex(i: number): number {
    return Math.max(0, Math.min(this.model.get('n_shown') - 1, i));
  }

  private async fetch(index: number): Promise<void> {
    this.show(await this.request<SuspectReply>({ type: 'suspect', index }));
  }

  private show(reply: SuspectReply): void {
    this.suspect = reply;
    this.body.hidden = false;
    if (this.model.get('current') !== reply.index) {
      this.model.set('current', reply.index);
      this.model.save_changes();
    }
    this.renderSuspect();
  }

  /** No suspect matches the filter (or there are none): nothing to decide on. */
  private showNone(): void {
    this.suspect = null;
    this.body.hidden = true;
    this.textEl.textContent = '';
    this.featuresEl.textContent = '';
    this.hiddenEl.textContent = '';
    delete this.root.dataset.index;
    this.positionEl.textContent = `No suspect to show · column ${this.model.get('label')}`;
    this.renderProgress();
  }

  private async loadConfusion(): Promise<void> {
    this.confusion = await this.request<ConfusionReply>({ type: 'confusion' });
    this.renderMatrix();
  }

  private filterFromControls(): FilterState {
    const pick = (select: HTMLSelectElement, now: number[]): number[] => {
      if (select.value === SEVERAL) {
        return now; // the group a matrix cell chose, kept as it was
      }
      return select.value === ANY ? [] : [Number(select.value)];
    };
    const text = this.maxScoreInput.value.trim();
    return {
      given: pick(this.givenSelect, this.model.get('filter_given')),
      suggested: pick(this.suggestedSelect, this.model.get('filter_suggested')),
      max_score: text === '' ? null : Number(text),
      min_score: this.model.get('filter_min_score')
    };
  }

  private applyFilter(filter: FilterState): void {
    this.enqueue(async () => {
      this.clearError();
      const reply = await this.request<FilteredReply>({ type: 'filter', ...filter });
      if (reply.n_shown > 0) {
        await this.fetch(0);
      } else {
        this.showNone();
      }
      this.renderFilters();
    });
  }

  // ---- actions --------------------------------------------------------------------

  private decide(action: Action, classIndex?: number): void {
    this.enqueue(async () => {
      if (this.suspect === null) {
        return;
      }
      const msg: Record<string, unknown> = { type: 'decide', index: this.suspect.index, action };
      if (classIndex !== undefined) {
        msg.class_index = classIndex;
      }
      this.clearError();
      const reply = await this.request<DecidedReply>(msg);
      this.show(reply.suspect);
    });
  }

  private undo(): void {
    this.enqueue(async () => {
      this.clearError();
      const reply = await this.request<UndoneReply>({ type: 'undo' });
      if (reply.index === null) {
        this.showError(new KernelError('Nothing to undo.'));
        return;
      }
      await this.fetch(reply.index);
    });
  }

  private move(step: number): void {
    this.enqueue(async () => {
      if (this.model.get('n_shown') === 0) {
        return;
      }
      const from = this.suspect === null ? 0 : this.suspect.index;
      const to = this.clampIndex(from + step);
      if (this.suspect === null || to !== from) {
        this.clearError();
        await this.fetch(to);
      }
    });
  }

  private onKey(e: KeyboardEvent): void {
    if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing) {
      return;
    }
    if (e.target instanceof HTMLElement && e.target !== this.root) {
      if (e.target.closest('input, textarea, select')) {
        // Typing in a filter: the control takes the key, the notebook must not.
        e.stopPropagation();
        return;
      }
      if (e.target.closest('button') !== null && (e.key === 'Enter' || e.key === ' ')) {
        // A button reached with Tab: let the browser click it, but keep the key from the notebook.
        e.stopPropagation();
        return;
      }
    }
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    const classIndex = key.length === 1 ? this.model.get('class_keys').indexOf(key) : -1;
    let handled = true;
    if (classIndex >= 0) {
      this.decide('relabel', classIndex);
    } else if (key === 'Enter') {
      this.decide('accept');
    } else if (key === 'k') {
      this.decide('keep');
    } else if (key === 'u') {
      this.undo();
    } else if (key === 'ArrowRight' || key === 'ArrowDown') {
      this.move(1);
    } else if (key === 'ArrowLeft' || key === 'ArrowUp') {
      this.move(-1);
    } else {
      handled = false;
    }
    if (handled) {
      // The notebook must never see these keys (Enter would enter edit mode, digits
      // change the cell type, arrows move the active cell).
      e.preventDefault();
      e.stopPropagation();
    }
  }

  // ---- rendering ------------------------------------------------------------------

  private button(text: string, key: string, name: string, onClick: () => void): HTMLButtonElement {
    const b = el('button', `dci-review-button dci-review-${name}`);
    b.type = 'button';
    b.append(el('kbd', 'dci-review-key', key), document.createTextNode(` ${text}`));
    b.title = `${text} (${key})`;
    // Keep the keyboard on the panel after a click, not on the button.
    b.addEventListener('mousedown', e => e.preventDefault());
    b.addEventListener('click', () => {
      this.root.focus();
      onClick();
    });
    return b;
  }

  private renderClasses(): void {
    const classes = this.model.get('classes');
    const keys = this.model.get('class_keys');
    this.classesEl.textContent = '';
    classes.forEach((name, i) => {
      const b = this.button(name, keys[i] || '·', 'class', () => this.decide('relabel', i));
      b.dataset.class = String(i);
      if (!keys[i]) {
        b.title = `${name} (no key: click)`;
      }
      this.classesEl.appendChild(b);
    });
    const letters = keys.filter(k => k !== '');
    const range = letters.length > 0 ? `${letters[0]}–${letters[letters.length - 1]}` : '';
    this.keyHelpEl.textContent =
      `Keys: ${range} relabel to the class shown on its button · Enter accept the suggestion · ` +
      'k keep the given label · ← → move · u undo. Click the panel first to give it the keyboard.';
    this.markClasses();
  }

  private markClasses(): void {
    const s = this.suspect;
    for (const b of Array.from(this.classesEl.querySelectorAll<HTMLButtonElement>('button'))) {
      const i = Number(b.dataset.class);
      b.classList.toggle('dci-is-given', s !== null && s.given_class === i);
      b.classList.toggle('dci-is-suggested', s !== null && s.suggested_class === i);
      b.classList.toggle('dci-is-current', s !== null && s.current_class === i);
    }
  }

  private filtered(): boolean {
    return (
      this.model.get('filter_given').length > 0 ||
      this.model.get('filter_suggested').length > 0 ||
      this.model.get('filter_max_score') !== null ||
      this.model.get('filter_min_score') !== null ||
      this.model.get('filter_rows') !== ''
    );
  }

  private renderProgress(): void {
    const fmt = (v: number): string => v.toLocaleString('en-US');
    const n = this.model.get('n_suspects');
    const reviewed = this.model.get('n_reviewed');
    const fixed = this.model.get('n_relabelled');
    const kept = this.model.get('n_kept');
    const shown = this.model.get('n_shown');
    const shownReviewed = this.model.get('n_shown_reviewed');
    this.progressEl.textContent =
      `${fmt(reviewed)} / ${fmt(n)} reviewed · ${fmt(fixed)} fixed · ${fmt(kept)} kept`;
    this.progressEl.title = 'reviewed / flagged suspects · relabelled · kept as given';
    this.barEl.style.width = n > 0 ? `${(100 * reviewed) / n}%` : '0%';
    this.filterInfoEl.textContent = this.filtered()
      ? `${fmt(shown)} of ${fmt(n)} suspects match · ${fmt(shownReviewed)} reviewed`
      : '';
    if (n === 0) {
      this.doneEl.textContent = 'No suspected label errors to review.';
      this.doneEl.hidden = false;
    } else if (reviewed === n) {
      this.doneEl.textContent = `All ${fmt(n)} suspects reviewed.`;
      this.doneEl.hidden = false;
    } else if (this.filtered() && shown === 0) {
      this.doneEl.textContent = 'No suspect matches the filter. Clear it to see the others.';
      this.doneEl.hidden = false;
    } else if (this.filtered() && shownReviewed === shown) {
      this.doneEl.textContent = `All ${fmt(shown)} suspects of this filter reviewed.`;
      this.doneEl.hidden = false;
    } else {
      this.doneEl.hidden = true;
    }
  }

  private renderFilters(): void {
    const classes = this.model.get('classes');
    const fill = (select: HTMLSelectElement, chosen: number[]): void => {
      select.textContent = '';
      const any = el('option', '', 'all');
      any.value = ANY;
      select.appendChild(any);
      classes.forEach((name, i) => {
        const o = el('option', '', name);
        o.value = String(i);
        select.appendChild(o);
      });
      if (chosen.length > 1 || (chosen.length === 1 && chosen[0] >= classes.length)) {
        // A matrix cell's "other" group: several classes at once.
        const several = el('option', '', `other (${chosen.length} classes)`);
        several.value = SEVERAL;
        select.appendChild(several);
        select.value = SEVERAL;
      } else {
        select.value = chosen.length === 1 ? String(chosen[0]) : ANY;
      }
    };
    const scope = this.model.get('filter_rows');
    this.scopeEl.textContent = scope === '' ? '' : `in: ${scope}`;
    this.scopeEl.hidden = scope === '';
    fill(this.givenSelect, this.model.get('filter_given'));
    fill(this.suggestedSelect, this.model.get('filter_suggested'));
    const max = this.model.get('filter_max_score');
    if (document.activeElement !== this.maxScoreInput) {
      this.maxScoreInput.value = max === null ? '' : String(max);
    }
    this.renderProgress();
    this.markMatrix();
  }

  private renderMatrix(): void {
    const c = this.confusion;
    this.matrixEl.textContent = '';
    if (c === null) {
      return;
    }
    const fmt = (v: number): string => v.toLocaleString('en-US');
    const thead = document.createElement('thead');
    const top = document.createElement('tr');
    const corner = el('th', 'dci-review-corner', 'given ↓ suggested →');
    top.appendChild(corner);
    for (const label of c.labels) {
      const th = el('th', 'dci-review-col', label);
      th.title = `suggested ${label}`;
      top.appendChild(th);
    }
    thead.appendChild(top);
    const tbody = document.createElement('tbody');
    c.counts.forEach((row, i) => {
      const tr = document.createElement('tr');
      const th = el('th', 'dci-review-rowhead', c.labels[i]);
      th.title = `given ${c.labels[i]}`;
      tr.appendChild(th);
      row.forEach((count, j) => {
        const td = el('td', i === j ? 'dci-review-cell dci-review-diag' : 'dci-review-cell');
        td.dataset.given = String(i);
        td.dataset.suggested = String(j);
        if (count > 0) {
          const b = el('button', 'dci-review-count', fmt(count));
          b.type = 'button';
          b.title = `${fmt(count)} suspects given ${c.labels[i]}, suggested ${c.labels[j]}: click to review them`;
          b.addEventListener('mousedown', e => e.preventDefault());
          b.addEventListener('click', () => {
            this.root.focus();
            this.applyFilter({
              given: c.groups[i],
              suggested: c.groups[j],
              max_score: this.model.get('filter_max_score'),
              min_score: this.model.get('filter_min_score')
            });
          });
          td.appendChild(b);
        }
        tr.appendChild(td);
      });
      tbody.appendChild(tr);
    });
    this.matrixEl.append(thead, tbody);
    this.markMatrix();
  }

  /** Outline the cell whose pair is the filter now. */
  private markMatrix(): void {
    const c = this.confusion;
    if (c === null) {
      return;
    }
    const same = (a: number[], b: number[]): boolean =>
      a.length === b.length && a.every((v, k) => v === b[k]);
    const given = this.model.get('filter_given');
    const suggested = this.model.get('filter_suggested');
    for (const td of Array.from(this.matrixEl.querySelectorAll<HTMLTableCellElement>('td'))) {
      const i = Number(td.dataset.given);
      const j = Number(td.dataset.suggested);
      td.classList.toggle(
        'dci-is-filter',
        given.length > 0 && suggested.length > 0 && same(c.groups[i], given) && same(c.groups[j], suggested)
      );
    }
  }

  private renderSuspect(): void {
    const s = this.suspect;
    if (s === null) {
      return;
    }
    const n = this.model.get('n_shown');
    this.root.dataset.index = String(s.index);
    this.positionEl.textContent =
      `Suspect ${(s.index + 1).toLocaleString('en-US')} of ${n.toLocaleString('en-US')}` +
      `${this.filtered() ? ' (filtered)' : ''} · row ${cellText(s.row)} · column ${this.model.get('label')}`;
    this.givenEl.textContent = s.given;
    this.suggestedEl.textContent = s.suggested;
    // Scores of clear errors are tiny: two decimals would show them all as 0.00.
    const score = s.score >= 0.01 || s.score === 0 ? s.score.toFixed(2) : s.score.toExponential(1);
    this.scoreEl.textContent = `score ${score}`;
    this.scoreEl.title = 'Estimated probability that the given label is right (lower is worse)';
    if (s.decision === null) {
      this.statusEl.textContent = `Not reviewed yet · label now ${s.current}`;
      this.statusEl.className = 'dci-review-status';
    } else {
      this.statusEl.textContent = `Label now ${s.current} · ${ACTION_TEXT[s.decision.action]}`;
      this.statusEl.className = `dci-review-status dci-review-did-${s.decision.action}`;
    }
    this.markClasses();
    this.renderFeatures(s);
  }

  private renderFeatures(s: SuspectReply): void {
    this.picturesEl.textContent = '';
    this.textEl.textContent = '';
    this.featuresEl.textContent = '';
    const plain: Feature[] = [];
    for (const f of s.features) {
      const cell = f.cell;
      if (typeof cell === 'object' && 'img' in cell && IMAGE_URL.test(cell.img)) {
        // Only data URLs of PNG or JPEG made by the kernel; anything else is text.
        const figure = el('figure', 'dci-review-figure');
        const img = el('img', 'dci-review-picture');
        img.src = cell.img;
        img.alt = cell.alt;
        img.title = `${f.name}: ${cell.alt}`;
        figure.append(img, el('figcaption', 'dci-review-figcaption', f.name));
        this.picturesEl.appendChild(figure);
      } else if (f.kind === 'text' && typeof cell === 'object' && 'full' in cell) {
        const block = el('div', 'dci-review-textblock');
        block.append(el('div', 'dci-review-textname', f.name), el('div', 'dci-review-textbody', cell.full));
        this.textEl.appendChild(block);
      } else {
        plain.push(f);
      }
    }
    this.picturesEl.hidden = this.picturesEl.childElementCount === 0;
    this.textEl.hidden = this.textEl.childElementCount === 0;
    const tbody = document.createElement('tbody');
    for (let i = 0; i < plain.length; i += PAIRS_PER_ROW) {
      const tr = document.createElement('tr');
      for (const f of plain.slice(i, i + PAIRS_PER_ROW)) {
        const th = el('th', 'dci-review-fname', f.name);
        th.title = f.name;
        const td = document.createElement('td');
        renderCell(td, f.cell);
        tr.append(th, td);
      }
      tbody.appendChild(tr);
    }
    this.featuresEl.appendChild(tbody);
    this.featuresEl.hidden = plain.length === 0;
    this.hiddenEl.textContent =
      s.n_hidden > 0 ? `${s.n_hidden.toLocaleString('en-US')} more columns not shown.` : '';
  }
}
