/** Drawing the suspect shown: its labels, status, class buttons, pictures, text and features. */
import { el, formatCount } from '../_shared/dom';
import type { Feature, ReviewAction, Suspect } from '../_shared/protocol';
import { IMAGE_URL, cellText, renderCell } from '../table/cells';
import type { ReviewDom } from './layout';
import { isFiltered, type ReviewModel } from './traits';

const PAIRS_PER_ROW = 3;
const ACTION_TEXT: Record<ReviewAction, string> = {
  relabel: 'relabelled',
  accept: 'suggestion accepted',
  keep: 'kept as given'
};

/** Mark the class buttons of the suspect's given, suggested and current label. */
export function markClasses(dom: ReviewDom, s: Suspect | null): void {
  for (const b of Array.from(dom.classesEl.querySelectorAll<HTMLButtonElement>('button'))) {
    const i = Number(b.dataset.class);
    b.classList.toggle('dci-is-given', s !== null && s.given_class === i);
    b.classList.toggle('dci-is-suggested', s !== null && s.suggested_class === i);
    b.classList.toggle('dci-is-current', s !== null && s.current_class === i);
    // Screen readers hear which button is the label the row has now.
    if (s !== null && s.current_class === i) {
      b.setAttribute('aria-current', 'true');
    } else {
      b.removeAttribute('aria-current');
    }
  }
}

export function renderSuspect(dom: ReviewDom, m: ReviewModel, s: Suspect): void {
  dom.root.dataset.index = String(s.index);
  dom.positionEl.textContent =
    `Suspect ${formatCount(s.index + 1)} of ${formatCount(m.get('n_shown'))}` +
    `${isFiltered(m) ? ' (filtered)' : ''} · row ${cellText(s.row)} · column ${m.get('label')}`;
  dom.givenEl.textContent = s.given;
  dom.suggestedEl.textContent = s.suggested;
  // Scores of clear errors are tiny: two decimals would show them all as 0.00.
  const score = s.score >= 0.01 || s.score === 0 ? s.score.toFixed(2) : s.score.toExponential(1);
  dom.scoreEl.textContent = `score ${score}`;
  dom.scoreEl.title = 'Estimated probability that the given label is right (lower is worse)';
  if (s.decision === null) {
    dom.statusEl.textContent = `Not reviewed yet · label now ${s.current}`;
    dom.statusEl.className = 'dci-review-status';
  } else {
    dom.statusEl.textContent = `Label now ${s.current} · ${ACTION_TEXT[s.decision.action]}`;
    dom.statusEl.className = `dci-review-status dci-review-did-${s.decision.action}`;
  }
  markClasses(dom, s);
  renderFeatures(dom, s);
}

/** Pictures large, long texts whole, the other columns as name/value pairs. */
function renderFeatures(dom: ReviewDom, s: Suspect): void {
  dom.picturesEl.textContent = '';
  dom.textEl.textContent = '';
  dom.featuresEl.textContent = '';
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
      dom.picturesEl.appendChild(figure);
    } else if (f.kind === 'text' && typeof cell === 'object' && 'full' in cell) {
      const block = el('div', 'dci-review-textblock');
      block.append(el('div', 'dci-review-textname', f.name), el('div', 'dci-review-textbody', cell.full));
      dom.textEl.appendChild(block);
    } else {
      plain.push(f);
    }
  }
  dom.picturesEl.hidden = dom.picturesEl.childElementCount === 0;
  dom.textEl.hidden = dom.textEl.childElementCount === 0;
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
  dom.featuresEl.appendChild(tbody);
  dom.featuresEl.hidden = plain.length === 0;
  dom.hiddenEl.textContent = s.n_hidden > 0 ? `${formatCount(s.n_hidden)} more columns not shown.` : '';
}

/** No suspect matches the filter (or there are none): nothing to decide on. */
export function renderNone(dom: ReviewDom, m: ReviewModel): void {
  dom.body.hidden = true;
  dom.textEl.textContent = '';
  dom.featuresEl.textContent = '';
  dom.hiddenEl.textContent = '';
  delete dom.root.dataset.index;
  dom.positionEl.textContent = `No suspect to show · column ${m.get('label')}`;
}
