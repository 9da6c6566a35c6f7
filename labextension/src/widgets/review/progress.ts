/** The panel's counts, class buttons and key help: what the model's traits say. */
import { formatCount } from '../_shared/dom';
import { reviewButton, type ReviewDom } from './layout';
import { isFiltered, type ReviewModel } from './traits';

/** Reviewed, fixed and kept counts, the progress bar, and what is left (or that nothing is). */
export function renderProgress(dom: ReviewDom, m: ReviewModel): void {
  const n = m.get('n_suspects');
  const reviewed = m.get('n_reviewed');
  const shown = m.get('n_shown');
  const shownReviewed = m.get('n_shown_reviewed');
  const filtered = isFiltered(m);
  dom.progressEl.textContent =
    `${formatCount(reviewed)} / ${formatCount(n)} reviewed · ${formatCount(m.get('n_relabelled'))} fixed · ` +
    `${formatCount(m.get('n_kept'))} kept`;
  dom.progressEl.title = 'reviewed / flagged suspects · relabelled · kept as given';
  dom.barEl.style.width = n > 0 ? `${(100 * reviewed) / n}%` : '0%';
  dom.filterInfoEl.textContent = filtered
    ? `${formatCount(shown)} of ${formatCount(n)} suspects match · ${formatCount(shownReviewed)} reviewed`
    : '';
  let done: string | null = null;
  if (n === 0) {
    done = 'No suspected label errors to review.';
  } else if (reviewed === n) {
    done = `All ${formatCount(n)} suspects reviewed.`;
  } else if (filtered && shown === 0) {
    done = 'No suspect matches the filter. Clear it to see the others.';
  } else if (filtered && shownReviewed === shown) {
    done = `All ${formatCount(shown)} suspects of this filter reviewed.`;
  }
  if (done !== null) {
    dom.doneEl.textContent = done;
  }
  dom.doneEl.hidden = done === null;
}

/** One button per class, labelled with its key; and the key help under the panel. */
export function renderClasses(dom: ReviewDom, m: ReviewModel, relabel: (classIndex: number) => void): void {
  const keys = m.get('class_keys');
  dom.classesEl.textContent = '';
  m.get('classes').forEach((name, i) => {
    const b = reviewButton(dom.root, name, keys[i] || '·', 'class', () => relabel(i));
    b.dataset.class = String(i);
    if (!keys[i]) {
      b.title = `${name} (no key: click)`;
    }
    dom.classesEl.appendChild(b);
  });
  const letters = keys.filter(k => k !== '');
  const range = letters.length > 0 ? `${letters[0]}–${letters[letters.length - 1]}` : '';
  dom.keyHelpEl.textContent =
    `Keys: ${range} relabel to the class shown on its button · Enter accept the suggestion · ` +
    'k keep the given label · ← → move · u undo. Click the panel first to give it the keyboard.';
}
