/** The filter controls: drawn from the model's filter traits, read back into a filter request. */
import { el } from '../_shared/dom';
import type { Body } from '../_shared/request';
import type { FilterRequest } from '../_shared/protocol';
import type { ReviewDom } from './layout';
import type { ReviewModel } from './traits';

export type Filter = Body<FilterRequest>;

const ANY = '';
const SEVERAL = 'several';

/** The filter that shows every suspect again, the rows scope lifted too. */
export const NO_FILTER: Filter = { given: [], suggested: [], max_score: null, min_score: null, scope: 'clear' };

function fillSelect(select: HTMLSelectElement, classes: string[], chosen: number[]): void {
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
}

export function renderFilters(dom: ReviewDom, m: ReviewModel): void {
  const classes = m.get('classes');
  const scope = m.get('filter_rows');
  dom.scopeEl.textContent = scope === '' ? '' : `in: ${scope}`;
  dom.scopeEl.hidden = scope === '';
  fillSelect(dom.givenSelect, classes, m.get('filter_given'));
  fillSelect(dom.suggestedSelect, classes, m.get('filter_suggested'));
  const max = m.get('filter_max_score');
  if (document.activeElement !== dom.maxScoreInput) {
    dom.maxScoreInput.value = max === null ? '' : String(max);
  }
}

/** The score bound typed, or why it is not one. */
export function typedScoreError(dom: ReviewDom): string | null {
  const text = dom.maxScoreInput.value.trim();
  return text !== '' && !Number.isFinite(Number(text)) ? `The score filter must be a number; got ${text}.` : null;
}

/** The filter the controls say. */
export function filterFromControls(dom: ReviewDom, m: ReviewModel): Filter {
  const pick = (select: HTMLSelectElement, now: number[]): number[] => {
    if (select.value === SEVERAL) {
      return now; // the group a matrix cell chose, kept as it was
    }
    return select.value === ANY ? [] : [Number(select.value)];
  };
  const text = dom.maxScoreInput.value.trim();
  return {
    given: pick(dom.givenSelect, m.get('filter_given')),
    suggested: pick(dom.suggestedSelect, m.get('filter_suggested')),
    max_score: text === '' ? null : Number(text),
    min_score: m.get('filter_min_score')
  };
}
