/** The synced traits of the Python HistoryWidget (jupyter_dci/widgets/_history.py) this view uses. */
import type { AnyModel } from '@anywidget/types';
import type { TableTarget } from '../_shared/protocol';
import type { TableTraits } from '../table/traits';

export interface VersionInfo {
  id: number;
  parent: number | null;
  message: string;
  author: string;
  time: string;
  kind: string;
  revert_of: number | null;
  n_edits: number;
  n_rows: number;
  tags?: string[];
}

/** What the kernel syncs of each of the panel's tables (sort and filter stay in the view). */
export type TableState = Omit<TableTraits, '_sort' | 'filter' | 'height'>;

export interface HistoryTraits {
  name: string;
  versions: VersionInfo[];
  n_versions: number;
  head: number;
  n_pending: number;
  diff_a: number;
  diff_b: number;
  n_diff: number;
  checked_out_version: number;
  error: string;
  height: number;
  _tables: Partial<Record<TableTarget, TableState>>;
}

export type HistoryModel = AnyModel<HistoryTraits>;

export function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}

/** "2026-01-01T10:20:30.123+00:00" -> "2026-01-01 10:20 UTC" (the full time goes on hover). */
export function shortTime(iso: string): string {
  return iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : '';
}
