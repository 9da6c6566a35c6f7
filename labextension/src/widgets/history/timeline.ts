/** The version timeline: pick two versions to compare; check out or revert one. */
import { el } from '../_shared/dom';
import { historyButton } from './layout';
import { plural, shortTime, type VersionInfo } from './traits';

export interface TimelineState {
  versions: VersionInfo[];
  nVersions: number;
  head: number;
  diffA: number;
  diffB: number;
}

/** What a click in the timeline asks for. */
export interface TimelineActions {
  pick(which: 'diff_a' | 'diff_b', version: number): void;
  checkout(v: VersionInfo): void;
  revert(v: VersionInfo): void;
}

function pickCell(which: 'diff_a' | 'diff_b', v: VersionInfo, picked: number, actions: TimelineActions): HTMLElement {
  const td = el('td', 'dci-history-pick');
  const radio = el('input');
  radio.type = 'radio';
  radio.className = which === 'diff_a' ? 'dci-pick-a' : 'dci-pick-b';
  radio.checked = picked === v.id;
  radio.setAttribute('aria-label', `${which === 'diff_a' ? 'Compare from' : 'Compare to'} version ${v.id}`);
  radio.addEventListener('change', () => actions.pick(which, v.id));
  td.appendChild(radio);
  return td;
}

function versionRow(v: VersionInfo, s: TimelineState, actions: TimelineActions): HTMLTableRowElement {
  const tr = el('tr', 'dci-history-version');
  tr.dataset.version = String(v.id);
  if (v.id === s.diffA || v.id === s.diffB) {
    tr.classList.add('dci-picked');
  }
  tr.append(pickCell('diff_a', v, s.diffA, actions), pickCell('diff_b', v, s.diffB, actions));
  tr.appendChild(el('td', 'dci-history-id', v.id === s.head ? `${v.id} (HEAD)` : String(v.id)));
  const msg = el('td', 'dci-history-msg', v.message);
  if (v.kind !== 'commit') {
    msg.prepend(el('span', `dci-history-kind dci-kind-${v.kind}`, v.kind));
  }
  for (const tag of v.tags ?? []) {
    msg.appendChild(el('span', 'dci-history-tag', tag));
  }
  msg.title = v.message;
  tr.appendChild(msg);
  // A long author name is cut (its cell's title has it whole); the message never is.
  const author = el('td', 'dci-history-author');
  author.appendChild(el('span', 'dci-history-who', v.author)).title = v.author;
  tr.appendChild(author);
  const time = el('td', 'dci-history-time', shortTime(v.time));
  time.title = v.time;
  tr.appendChild(time);
  tr.appendChild(
    el('td', 'dci-history-edits', v.kind === 'track' ? '—' : `${plural(v.n_edits, 'cell')} in ${plural(v.n_rows, 'row')}`)
  );
  const buttons = el('td', 'dci-history-actions');
  buttons.appendChild(historyButton('Check out', 'dci-history-action dci-checkout', () => actions.checkout(v)));
  if (v.kind !== 'track') {
    buttons.appendChild(historyButton('Revert', 'dci-history-action dci-revert', () => actions.revert(v)));
  }
  tr.appendChild(buttons);
  return tr;
}

export function renderTimeline(body: HTMLTableSectionElement, s: TimelineState, actions: TimelineActions): void {
  body.textContent = '';
  for (const v of s.versions) {
    body.appendChild(versionRow(v, s, actions));
  }
  const more = s.nVersions - s.versions.length;
  if (more > 0) {
    const tr = el('tr', 'dci-history-more');
    const td = el('td', '', `… and ${plural(more, 'older version')} (ds.log() lists them all)`);
    td.colSpan = 8;
    tr.appendChild(td);
    body.appendChild(tr);
  }
}
