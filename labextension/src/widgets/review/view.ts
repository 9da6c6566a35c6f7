/**
 * The review panel: one suspected label error at a time, fixed with one key press.
 *
 * The kernel keeps the frame and the review state (jupyter_dci/widgets/_review.py);
 * this view pulls one suspect by request id, sends decisions, undos and filters, and shows
 * error replies inline. Actions run one after another (a queue), so keys pressed faster
 * than the kernel answers apply to the suspects they were meant for. Indices count in the
 * kernel's filtered queue; the confusion matrix of given vs suggested labels is aggregated
 * in the kernel and a click on a cell filters to that pair.
 *
 * Every string from the kernel enters the page through textContent (or renderCell,
 * which does the same): never innerHTML.
 */
import { Listeners } from '../_shared/dom';
import type { ConfusionReply, DecideRequest, ReviewAction, ReviewCalls, Suspect } from '../_shared/protocol';
import { KernelError, Requests, errorText, type Body } from '../_shared/request';
import { NO_FILTER, filterFromControls, renderFilters, typedScoreError, type Filter } from './filters';
import { handleReviewKey, type ReviewKeyTarget } from './keys';
import { buildReviewDom, type ReviewDom } from './layout';
import { markMatrix, renderMatrix } from './matrix';
import { renderClasses, renderProgress } from './progress';
import { markClasses, renderNone, renderSuspect } from './suspect';
import type { ReviewModel } from './traits';

export type { ReviewTraits } from './traits';

/** A kernel that never answers (busy, restarted) must not freeze the queue for good. */
const REPLY_TIMEOUT_MS = 30_000;

export class ReviewView implements ReviewKeyTarget {
  readonly root: HTMLDivElement;
  private readonly model: ReviewModel;
  private readonly dom: ReviewDom;
  private readonly requests: Requests<ReviewCalls>;
  private readonly listeners: Listeners;
  private suspect: Suspect | null = null;
  private confusion: ConfusionReply | null = null;
  private chain: Promise<void> = Promise.resolve();

  constructor(host: HTMLElement, model: ReviewModel) {
    this.model = model;
    this.dom = buildReviewDom({
      accept: () => this.accept(),
      keep: () => this.keep(),
      move: step => this.move(step),
      undo: () => this.undo(),
      pickFilter: () => this.applyFilter(filterFromControls(this.dom, this.model)),
      pickScore: () => this.pickScore(),
      clearFilter: () => this.applyFilter(NO_FILTER)
    });
    this.root = this.dom.root;
    host.appendChild(this.root);
    this.requests = new Requests<ReviewCalls>(model, { timeoutMs: REPLY_TIMEOUT_MS });
    this.listeners = new Listeners(model);
    this.listenToModel();
    this.listenToPage();
    this.drawClasses();
    this.drawFilters();
    this.start();
  }

  destroy(): void {
    this.requests.dispose();
    this.listeners.dispose();
    this.root.remove();
  }

  private start(): void {
    if (this.model.get('n_shown') > 0) {
      this.enqueue(() => this.fetch(this.clampIndex(this.model.get('current'))));
    } else {
      this.showNone();
    }
    if (this.model.get('n_suspects') > 0) {
      this.enqueue(() => this.loadConfusion());
    } else {
      this.dom.confusionEl.hidden = true;
    }
  }

  private listenToModel(): void {
    const counts = ['n_suspects', 'n_reviewed', 'n_relabelled', 'n_kept', 'n_shown', 'n_shown_reviewed'];
    this.listeners.onChange(counts, () => renderProgress(this.dom, this.model));
    this.listeners.onChange(['classes'], () => {
      this.drawClasses();
      this.drawFilters();
    });
    this.listeners.onChange(['class_keys'], () => this.drawClasses());
    const filters = ['filter_given', 'filter_suggested', 'filter_max_score', 'filter_min_score', 'filter_rows'];
    this.listeners.onChange(filters, () => this.drawFilters());
    this.listeners.onChange(['current'], () => {
      // Python moved the view (or this view did): show that suspect if not shown yet.
      const want = this.clampIndex(this.model.get('current'));
      if (this.model.get('n_shown') > 0 && (this.suspect === null || this.suspect.index !== want)) {
        this.enqueue(() => this.fetch(want));
      }
    });
    this.listeners.onChange(['_version'], () => {
      if (this.model.get('n_shown') > 0) {
        this.enqueue(() => this.fetch(this.clampIndex(this.model.get('current'))));
      } else {
        this.showNone();
      }
    });
  }

  private listenToPage(): void {
    this.root.addEventListener('keydown', e => handleReviewKey(e, this.root, this.model.get('class_keys'), this));
    // A click anywhere in the panel gives it the keyboard.
    this.root.addEventListener('mousedown', e => {
      if (e.target instanceof HTMLElement && e.target.closest('button') === null) {
        this.root.focus();
      }
    });
  }

  // ---- the kernel -----------------------------------------------------------------

  /** Run actions one at a time, in the order asked; an error shows and the queue goes on. */
  private enqueue(action: () => Promise<void>): void {
    this.chain = this.chain.then(action).catch((err: unknown) => this.showError(err));
  }

  private showError(err: unknown): void {
    this.dom.error.show(errorText(err));
  }

  private clampIndex(i: number): number {
    return Math.max(0, Math.min(this.model.get('n_shown') - 1, i));
  }

  private async fetch(index: number): Promise<void> {
    this.show(await this.requests.send('suspect', { index }));
  }

  private show(suspect: Suspect): void {
    this.suspect = suspect;
    this.dom.body.hidden = false;
    if (this.model.get('current') !== suspect.index) {
      this.model.set('current', suspect.index);
      this.model.save_changes();
    }
    renderSuspect(this.dom, this.model, suspect);
  }

  private showNone(): void {
    this.suspect = null;
    renderNone(this.dom, this.model);
    renderProgress(this.dom, this.model);
  }

  private async loadConfusion(): Promise<void> {
    this.confusion = await this.requests.send('confusion', {});
    this.drawMatrix();
  }

  private pickScore(): void {
    const problem = typedScoreError(this.dom);
    if (problem !== null) {
      this.showError(new KernelError(problem));
      return;
    }
    this.applyFilter(filterFromControls(this.dom, this.model));
  }

  private applyFilter(filter: Filter): void {
    this.enqueue(async () => {
      this.dom.error.hide();
      const reply = await this.requests.send('filter', filter);
      if (reply.n_shown > 0) {
        await this.fetch(0);
      } else {
        this.showNone();
      }
      this.drawFilters();
    });
  }

  // ---- actions --------------------------------------------------------------------

  private decide(action: ReviewAction, classIndex?: number): void {
    this.enqueue(async () => {
      if (this.suspect === null) {
        return;
      }
      const body: Body<DecideRequest> = { index: this.suspect.index, action };
      if (classIndex !== undefined) {
        body.class_index = classIndex;
      }
      this.dom.error.hide();
      const reply = await this.requests.send('decide', body);
      this.show(reply.suspect);
    });
  }

  relabel(classIndex: number): void {
    this.decide('relabel', classIndex);
  }

  accept(): void {
    this.decide('accept');
  }

  keep(): void {
    this.decide('keep');
  }

  undo(): void {
    this.enqueue(async () => {
      this.dom.error.hide();
      const reply = await this.requests.send('undo', {});
      if (reply.index === null) {
        this.showError(new KernelError('Nothing to undo.'));
        return;
      }
      await this.fetch(reply.index);
    });
  }

  move(step: number): void {
    this.enqueue(async () => {
      if (this.model.get('n_shown') === 0) {
        return;
      }
      const from = this.suspect === null ? 0 : this.suspect.index;
      const to = this.clampIndex(from + step);
      if (this.suspect === null || to !== from) {
        this.dom.error.hide();
        await this.fetch(to);
      }
    });
  }

  // ---- drawing what the traits say ---------------------------------------------------

  private drawClasses(): void {
    renderClasses(this.dom, this.model, i => this.relabel(i));
    markClasses(this.dom, this.suspect);
  }

  private drawFilters(): void {
    renderFilters(this.dom, this.model);
    renderProgress(this.dom, this.model);
    if (this.confusion !== null) {
      markMatrix(this.dom.matrixEl, this.confusion, this.model.get('filter_given'), this.model.get('filter_suggested'));
    }
  }

  private drawMatrix(): void {
    const c = this.confusion;
    if (c === null) {
      this.dom.matrixEl.textContent = '';
      return;
    }
    renderMatrix(
      this.dom.matrixEl,
      c,
      () => this.root.focus(),
      (given, suggested) =>
        this.applyFilter({
          given,
          suggested,
          max_score: this.model.get('filter_max_score'),
          min_score: this.model.get('filter_min_score')
        })
    );
    markMatrix(this.dom.matrixEl, c, this.model.get('filter_given'), this.model.get('filter_suggested'));
  }
}
