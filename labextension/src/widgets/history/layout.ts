/** The history panel's elements, made once; the view fills them. */
import { ErrorBox, button, el, suppressShortcuts } from '../_shared/dom';

/** A panel button (class dci-button plus `className`). */
export function historyButton(text: string, className: string, onClick: () => void): HTMLButtonElement {
  return button(text, `dci-button ${className}`, onClick);
}

/** What the panel's own controls ask the view to do. */
export interface HistoryActions {
  commit(): void;
  discard(): void;
  blameTyped(): void;
  /** The commit message was edited (the Commit button follows it). */
  messageEdited(): void;
}

export interface HistoryDom {
  root: HTMLDivElement;
  titleEl: HTMLDivElement;
  error: ErrorBox;
  noticeEl: HTMLDivElement;
  confirmEl: HTMLDivElement;
  pendingHead: HTMLDivElement;
  messageInput: HTMLInputElement;
  commitButton: HTMLButtonElement;
  discardButton: HTMLButtonElement;
  pendingHost: HTMLDivElement;
  timelineBody: HTMLTableSectionElement;
  diffHead: HTMLDivElement;
  diffHost: HTMLDivElement;
  blameInput: HTMLInputElement;
  blameOut: HTMLDivElement;
  checkoutSection: HTMLDivElement;
  checkoutHead: HTMLDivElement;
  checkoutHost: HTMLDivElement;
}

/** A text box whose keys stay out of the notebook; Enter runs `onEnter`. */
function textInput(className: string, placeholder: string, label: string, onEnter: () => void): HTMLInputElement {
  const input = el('input', className);
  input.type = 'text';
  input.placeholder = placeholder;
  input.setAttribute('aria-label', label);
  suppressShortcuts(input);
  input.addEventListener('keydown', e => {
    e.stopPropagation();
    if (e.key === 'Enter') {
      e.preventDefault();
      onEnter();
    }
  });
  return input;
}

/** Pending edits and the commit box. */
function makePending(actions: HistoryActions) {
  const section = el('div', 'dci-history-section dci-history-pending');
  const pendingHead = el('div', 'dci-history-head');
  const box = el('div', 'dci-history-commitbox');
  const messageInput = textInput(
    'dci-history-message',
    'Commit message, e.g. "fix 12 mislabelled cats"',
    'Commit message',
    () => actions.commit()
  );
  messageInput.addEventListener('input', () => actions.messageEdited());
  const commitButton = historyButton('Commit', 'dci-history-commit', () => actions.commit());
  const discardButton = historyButton('Discard…', 'dci-history-discard', () => actions.discard());
  box.append(messageInput, commitButton, discardButton);
  const pendingHost = el('div', 'dci-history-table');
  section.append(pendingHead, box, pendingHost);
  return { section, pendingHead, messageInput, commitButton, discardButton, pendingHost };
}

function makeTimeline() {
  const section = el('div', 'dci-history-section dci-history-timeline');
  const head = el('div', 'dci-history-head', 'Versions (pick A and B to compare)');
  const scroll = el('div', 'dci-history-tlscroll');
  const table = el('table', 'dci-history-versions');
  const thead = el('thead');
  const hr = el('tr');
  for (const h of ['A', 'B', 'version', 'message', 'author', 'time', 'edits']) {
    hr.appendChild(el('th', '', h));
  }
  // The buttons' column has no visible title; screen readers still name it.
  hr.appendChild(el('th')).appendChild(el('span', 'dci-sr-only', 'actions'));
  thead.appendChild(hr);
  const timelineBody = el('tbody');
  table.append(thead, timelineBody);
  scroll.appendChild(table);
  section.append(head, scroll);
  return { section, timelineBody };
}

function makeBlame(actions: HistoryActions) {
  const section = el('div', 'dci-history-section dci-history-blame');
  const box = el('div', 'dci-history-blamebox');
  box.appendChild(el('span', 'dci-history-label', 'Blame a row (its key, or click a row of the diff):'));
  const blameInput = textInput('dci-history-blamekey', "row key, e.g. 17 or 'r17'", 'Row key to blame', () =>
    actions.blameTyped()
  );
  box.append(blameInput, historyButton('Blame', 'dci-history-blame-go', () => actions.blameTyped()));
  const blameOut = el('div', 'dci-history-blameout');
  section.append(box, blameOut);
  return { section, blameInput, blameOut };
}

/** A section holding one of the panel's tables, under a heading. */
function makeTableSection(className: string) {
  const section = el('div', `dci-history-section ${className}`);
  const head = el('div', 'dci-history-head');
  const host = el('div', 'dci-history-table');
  section.append(head, host);
  return { section, head, host };
}

export function buildHistoryDom(actions: HistoryActions): HistoryDom {
  const root = el('div', 'dci-history dci-theme');
  // Keys typed in the panel (commit message, row key) must not run notebook commands.
  suppressShortcuts(root);
  const titleEl = el('div', 'dci-history-title');
  const error = new ErrorBox('dci-history-error');
  const noticeEl = el('div', 'dci-history-notice');
  noticeEl.setAttribute('role', 'status');
  noticeEl.hidden = true;
  const confirmEl = el('div', 'dci-history-confirm');
  confirmEl.hidden = true;
  const pending = makePending(actions);
  const timeline = makeTimeline();
  const diff = makeTableSection('dci-history-diff');
  const blame = makeBlame(actions);
  const checkout = makeTableSection('dci-history-checkout');
  checkout.section.hidden = true;
  root.append(
    titleEl,
    error.el,
    noticeEl,
    pending.section,
    // The confirmation shows between the commit box (Discard) and the timeline (Check
    // out, Revert): next to the buttons that ask for it.
    confirmEl,
    timeline.section,
    diff.section,
    blame.section,
    checkout.section
  );
  return {
    root,
    titleEl,
    error,
    noticeEl,
    confirmEl,
    pendingHead: pending.pendingHead,
    messageInput: pending.messageInput,
    commitButton: pending.commitButton,
    discardButton: pending.discardButton,
    pendingHost: pending.pendingHost,
    timelineBody: timeline.timelineBody,
    diffHead: diff.head,
    diffHost: diff.host,
    blameInput: blame.blameInput,
    blameOut: blame.blameOut,
    checkoutSection: checkout.section,
    checkoutHead: checkout.head,
    checkoutHost: checkout.host
  };
}
