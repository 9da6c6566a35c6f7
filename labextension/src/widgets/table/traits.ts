/** The synced traits of the Python TableWidget (jupyter_dci/widgets/_table.py) this view uses. */
import type { SortSpec } from '../_shared/protocol';

/** One column as the kernel describes it (trait `_columns`). */
export interface ColumnInfo {
  /** Display name: non-string and tuple names are already turned into text. */
  name: string;
  /** The pandas dtype, as text. */
  dtype: string;
  /** How the view aligns and renders it. */
  kind: 'number' | 'bool' | 'datetime' | 'timedelta' | 'category' | 'text' | 'image' | 'object';
  /** Whether the kernel can sort it. */
  sortable: boolean;
}

export interface TableTraits {
  _columns: ColumnInfo[];
  _index_name: string;
  _index_dtype: string;
  _row_height: number;
  _data_version: number;
  _selection_version: number;
  _sort: SortSpec | null;
  filter: string;
  n_rows: number;
  n_shown: number;
  caption: string;
  selection_count: number;
  height: number;
  /** True when the code gave no height: the rows-per-page setting, if any, sets it. */
  _default_height: boolean;
}
