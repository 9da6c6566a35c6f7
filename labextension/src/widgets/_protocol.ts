/**
 * The messages the table view and the kernel exchange. The Python side of the same
 * contract lives in jupyter_dci/widgets/_protocol.py; keep the two in step.
 */

/** One column as the kernel describes it (synced trait `_columns`). */
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

/** A sort order: a column position and a direction. */
export interface SortSpec {
  column: number;
  ascending: boolean;
}

/** A cell as sent by the kernel: plain text, or a tagged object. */
export type Cell =
  | string
  | { na: string }
  | { text: string; full: string }
  | { img: string; alt: string }
  | { err: string };

export interface PageRow {
  /** Position of the row in the kernel's frame (stable across sort and filter). */
  pos: number;
  index: Cell;
  cells: Cell[];
  selected: boolean;
}

export interface PageRequest {
  type: 'page';
  id: number;
  offset: number;
  limit: number;
  sort: SortSpec | null;
  filter: string;
}

export type SelectOp = 'set' | 'toggle' | 'range' | 'all' | 'clear';

export interface SelectRequest {
  type: 'select';
  id: number;
  op: SelectOp;
  /** View position (row number under the current sort and filter) of the row acted on. */
  row: number | null;
  /** With op 'range': the view position the range starts from. */
  anchor: number | null;
  sort: SortSpec | null;
  filter: string;
}

export interface PageReply {
  type: 'page';
  id: number;
  offset: number;
  /** Rows matching the request's filter. */
  total: number;
  rows: PageRow[];
}

export interface SelectionReply {
  type: 'selection';
  id: number;
  count: number;
}

export interface ErrorReply {
  type: 'error';
  id: number;
  error: string;
}

export type Reply = PageReply | SelectionReply | ErrorReply;
