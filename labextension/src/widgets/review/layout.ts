/** The review panel's elements, made once; the view fills them. */
import { ErrorBox, el, suppressShortcuts } from '../_shared/dom';

/** What the panel's controls ask the view to do. */
export interface ReviewActions {
  accept(): void;
  keep(): void;
  move(step: number): void;
  undo(): void;
  /** The given or suggested class filter changed. */
  pickFilter(): void;
  /** The score bound changed (its text is not checked yet). */
  pickScore(): void;
  clearFilter(): void;
}

export interface ReviewDom {
  root: HTMLDivElement;
  positionEl: HTMLSpanElement;
  progressEl: HTMLSpanElement;
  barEl: HTMLDivElement;
  givenSelect: HTMLSelectElement;
  suggestedSelect: HTMLSelectElement;
  maxScoreInput: HTMLInputElement;
  filterInfoEl: HTMLSpanElement;
  scopeEl: HTMLSpanElement;
  confusionEl: HTMLDetailsElement;
  matrixEl: HTMLTableElement;
  error: ErrorBox;
  doneEl: HTMLDivElement;
  body: HTMLDivElement;
  picturesEl: HTMLDivElement;
  givenEl: HTMLSpanElement;
  suggestedEl: HTMLSpanElement;
  scoreEl: HTMLSpanElement;
  statusEl: HTMLDivElement;
  classesEl: HTMLDivElement;
  textEl: HTMLDivElement;
  featuresEl: HTMLTableElement;
  hiddenEl: HTMLDivElement;
  keyHelpEl: HTMLDivElement;
}

/** A panel button showing its key; a click keeps the keyboard on the panel, not on the button. */
export function reviewButton(
  root: HTMLElement,
  text: string,
  key: string,
  name: string,
  onClick: () => void
): HTMLButtonElement {
  const b = el('button', `dci-review-button dci-review-${name}`);
  b.type = 'button';
  b.append(el('kbd', 'dci-review-key', key), document.createTextNode(` ${text}`));
  b.title = `${text} (${key})`;
  b.addEventListener('mousedown', e => e.preventDefault());
  b.addEventListener('click', () => {
    root.focus();
    onClick();
  });
  return b;
}

function makeRoot(): HTMLDivElement {
  const root = el('div', 'dci-review dci-theme');
  root.tabIndex = 0;
  // Digits, Enter, k, u and arrows drive the review, not the notebook.
  suppressShortcuts(root);
  root.setAttribute('role', 'application');
  root.setAttribute('aria-label', 'Label review');
  return root;
}

/** The filters: the kernel recomputes the queue; these controls only say what to keep. */
function makeFilters(root: HTMLElement, actions: ReviewActions) {
  const filters = el('div', 'dci-review-filters');
  const givenSelect = el('select', 'dci-review-filter-given');
  givenSelect.title = 'Show only suspects whose given label is this class';
  const suggestedSelect = el('select', 'dci-review-filter-suggested');
  suggestedSelect.title = 'Show only suspects whose suggested label is this class';
  const maxScoreInput = el('input', 'dci-review-filter-max');
  maxScoreInput.type = 'number';
  maxScoreInput.min = '0';
  maxScoreInput.max = '1';
  maxScoreInput.step = '0.05';
  maxScoreInput.placeholder = 'any';
  maxScoreInput.title = 'Show only suspects whose score is at most this (lower is worse)';
  const filterInfoEl = el('span', 'dci-review-filter-info');
  const scopeEl = el('span', 'dci-review-scope');
  scopeEl.title = 'Only the suspects among these rows are shown; Clear filter shows all';
  const clear = el('button', 'dci-review-button dci-review-clear', 'Clear filter');
  clear.type = 'button';
  clear.addEventListener('mousedown', e => e.preventDefault());
  clear.addEventListener('click', () => {
    root.focus();
    actions.clearFilter();
  });
  const labelled = (text: string, control: HTMLElement): HTMLLabelElement => {
    const l = el('label', 'dci-review-filter');
    l.append(el('span', 'dci-review-caption', text), control);
    return l;
  };
  filters.append(
    labelled('given', givenSelect),
    labelled('suggested', suggestedSelect),
    labelled('score ≤', maxScoreInput),
    clear,
    scopeEl,
    filterInfoEl
  );
  for (const select of [givenSelect, suggestedSelect]) {
    select.addEventListener('change', () => {
      root.focus(); // the keys go back to the review
      actions.pickFilter();
    });
  }
  maxScoreInput.addEventListener('change', () => actions.pickScore());
  maxScoreInput.addEventListener('keydown', e => {
    if (e.key === 'Enter') {
      root.focus(); // blurs the input, which fires its change
    }
  });
  return { filters, givenSelect, suggestedSelect, maxScoreInput, filterInfoEl, scopeEl };
}

function makeConfusion() {
  const confusionEl = el('details', 'dci-review-confusion');
  confusionEl.open = true;
  const summary = el('summary', 'dci-review-confusion-title', 'Given vs suggested');
  summary.title = 'Suspects by given label (rows) and suggested label (columns); click a count to review those';
  const matrixEl = el('table', 'dci-review-matrix');
  confusionEl.append(summary, matrixEl);
  return { confusionEl, matrixEl };
}

/** The suspect: its pictures, labels, status, class buttons and actions. */
function makeBody(root: HTMLElement, actions: ReviewActions) {
  const body = el('div', 'dci-review-body');
  const picturesEl = el('div', 'dci-review-pictures');
  const side = el('div', 'dci-review-side');
  const labels = el('div', 'dci-review-labels');
  const givenEl = el('span', 'dci-review-given');
  const suggestedEl = el('span', 'dci-review-suggested');
  const scoreEl = el('span', 'dci-review-score');
  labels.append(
    el('span', 'dci-review-caption', 'given'),
    givenEl,
    el('span', 'dci-review-caption', 'suggested'),
    suggestedEl,
    scoreEl
  );
  const statusEl = el('div', 'dci-review-status');
  const classesEl = el('div', 'dci-review-classes');
  const buttons = el('div', 'dci-review-actions');
  buttons.append(
    reviewButton(root, 'Accept suggestion', 'Enter', 'accept', () => actions.accept()),
    reviewButton(root, 'Keep given', 'k', 'keep', () => actions.keep()),
    reviewButton(root, 'Previous', '←', 'prev', () => actions.move(-1)),
    reviewButton(root, 'Next', '→', 'next', () => actions.move(1)),
    reviewButton(root, 'Undo', 'u', 'undo', () => actions.undo())
  );
  side.append(labels, statusEl, classesEl, buttons);
  body.append(picturesEl, side);
  return { body, picturesEl, givenEl, suggestedEl, scoreEl, statusEl, classesEl };
}

export function buildReviewDom(actions: ReviewActions): ReviewDom {
  const root = makeRoot();
  const head = el('div', 'dci-review-head');
  const positionEl = el('span', 'dci-review-position');
  const progressEl = el('span', 'dci-review-progress');
  head.append(positionEl, progressEl);
  const bar = el('div', 'dci-review-bar');
  const barEl = el('div', 'dci-review-bar-fill');
  bar.appendChild(barEl);
  const filters = makeFilters(root, actions);
  const confusion = makeConfusion();
  const error = new ErrorBox('dci-error');
  const doneEl = el('div', 'dci-review-done');
  doneEl.hidden = true;
  const body = makeBody(root, actions);
  const textEl = el('div', 'dci-review-text');
  const featuresEl = el('table', 'dci-review-features');
  const hiddenEl = el('div', 'dci-review-hidden');
  const keyHelpEl = el('div', 'dci-review-help');
  root.append(
    head,
    bar,
    filters.filters,
    confusion.confusionEl,
    error.el,
    doneEl,
    body.body,
    textEl,
    featuresEl,
    hiddenEl,
    keyHelpEl
  );
  return {
    root,
    positionEl,
    progressEl,
    barEl,
    ...filters,
    ...confusion,
    error,
    doneEl,
    ...body,
    textEl,
    featuresEl,
    hiddenEl,
    keyHelpEl
  };
}
