/** The confusion matrix of given vs suggested labels; a click on a count filters to that pair. */
import { el, formatCount } from '../_shared/dom';
import type { ConfusionReply } from '../_shared/protocol';

/** Draw the matrix; `pick(given, suggested)` gets the class groups of the count clicked. */
export function renderMatrix(
  table: HTMLTableElement,
  c: ConfusionReply,
  focus: () => void,
  pick: (given: number[], suggested: number[]) => void
): void {
  table.textContent = '';
  const thead = document.createElement('thead');
  const top = document.createElement('tr');
  top.appendChild(el('th', 'dci-review-corner', 'given ↓ suggested →'));
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
        const b = el('button', 'dci-review-count', formatCount(count));
        b.type = 'button';
        b.title = `${formatCount(count)} suspects given ${c.labels[i]}, suggested ${c.labels[j]}: click to review them`;
        b.addEventListener('mousedown', e => e.preventDefault());
        b.addEventListener('click', () => {
          focus();
          pick(c.groups[i], c.groups[j]);
        });
        td.appendChild(b);
      }
      tr.appendChild(td);
    });
    tbody.appendChild(tr);
  });
  table.append(thead, tbody);
}

/** Outline the cell whose pair is the filter now. */
export function markMatrix(table: HTMLTableElement, c: ConfusionReply, given: number[], suggested: number[]): void {
  const same = (a: number[], b: number[]): boolean => a.length === b.length && a.every((v, k) => v === b[k]);
  for (const td of Array.from(table.querySelectorAll<HTMLTableCellElement>('td'))) {
    const i = Number(td.dataset.given);
    const j = Number(td.dataset.suggested);
    const picked = given.length > 0 && suggested.length > 0 && same(c.groups[i], given) && same(c.groups[j], suggested);
    td.classList.toggle('dci-is-filter', picked);
    td.querySelector('button')?.setAttribute('aria-pressed', String(picked));
  }
}
