/** The blame of a row: every committed change to it, newest last. */
import { el } from '../_shared/dom';
import type { BlameReply } from '../_shared/protocol';
import { plural, shortTime } from './traits';

export function renderBlame(out: HTMLElement, { row, total, changes }: BlameReply): void {
  out.textContent = '';
  const head = el('div', 'dci-history-head');
  head.textContent =
    total === 0
      ? `Row ${row}: no committed change.`
      : `Row ${row}: ${plural(total, 'committed change')}${total > changes.length ? ` (the newest ${changes.length} shown)` : ''}`;
  out.appendChild(head);
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
  out.appendChild(table);
}
