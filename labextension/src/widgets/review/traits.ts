/** The synced traits of the Python ReviewWidget (jupyter_dci/widgets/_review.py) this view uses. */
import type { AnyModel } from '@anywidget/types';

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

export type ReviewModel = AnyModel<ReviewTraits>;

/** Whether any filter (classes, scores, a rows scope) narrows the queue. */
export function isFiltered(m: ReviewModel): boolean {
  return (
    m.get('filter_given').length > 0 ||
    m.get('filter_suggested').length > 0 ||
    m.get('filter_max_score') !== null ||
    m.get('filter_min_score') !== null ||
    m.get('filter_rows') !== ''
  );
}
