/**
 * Every message a view and the kernel exchange, for every view, declared once.
 *
 * The Python side of the same contract is jupyter_dci/widgets/_protocol.py: TypedDicts with
 * the same names and fields, and CALLS, which lists what each view may ask. The test
 * tests/widgets/test_protocol_contract.py reads this file and fails when the two differ, so
 * keep to the forms it reads: `export interface Name {` (or `Name extends Base {`) with one
 * `field: type;` or `field?: type;` per line, and `export type Name = A | B;`. Types are
 * names, string literals, `number`, `string`, `boolean`, `null`, `unknown`, `T[]`, `( )` and
 * `Record<string, T>`.
 *
 * Every request carries a fresh `id`; the kernel answers it with the reply named in the view's
 * `<View>Calls`, carrying the same id, or with an ErrorReply (see request.ts).
 */

// ---- every view -----------------------------------------------------------------

/** The kernel could not answer a request: the view shows `error` inline. */
export interface ErrorReply {
  type: 'error';
  /** The request's id (null only for a request without one, which no view sends). */
  id: number | null;
  error: string;
  /** Echoed from the request when a panel's table asked (history). */
  target?: TableTarget;
}

// ---- table (TableWidget, and the history panel's tables) ---------------------------

/** Which of a panel's tables a table request is for: the history panel has three. */
export type TableTarget = 'diff' | 'pending' | 'checkout';

/** A sort order: a column position (-1 for the index) and a direction. */
export interface SortSpec {
  column: number;
  ascending: boolean;
}

/** A missing value, named as pandas shows it (NaN, <NA>, NaT and None stay distinct). */
export interface NaCell {
  na: string;
}

/** A long value shown truncated, with the full text on hover. */
export interface TextCell {
  text: string;
  full: string;
}

/** An image thumbnail as a PNG or JPEG data URL the kernel made. */
export interface ImageCell {
  img: string;
  alt: string;
}

/** A value whose repr failed. */
export interface ErrorCell {
  err: string;
}

/** A cell as the kernel sends it: plain text, or a tagged object. */
export type Cell = string | NaCell | TextCell | ImageCell | ErrorCell;

export interface PageRow {
  /** Position of the row in the kernel's frame (stable across sort and filter). */
  pos: number;
  index: Cell;
  cells: Cell[];
  selected: boolean;
}

export type SelectOp = 'set' | 'toggle' | 'range' | 'all' | 'clear';

export interface PageRequest {
  type: 'page';
  id: number;
  offset: number;
  limit: number;
  sort: SortSpec | null;
  filter: string;
  target?: TableTarget;
}

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
  target?: TableTarget;
}

/** Lift the restriction Python put on the rows shown (the caption's "show all rows"). */
export interface ShowAllRequest {
  type: 'show_all';
  id: number;
}

export interface PageReply {
  type: 'page';
  id: number;
  offset: number;
  /** Rows matching the request's filter. */
  total: number;
  rows: PageRow[];
  target?: TableTarget;
}

export interface SelectionReply {
  type: 'selection';
  id: number;
  count: number;
  target?: TableTarget;
}

export interface TableCalls {
  page: { request: PageRequest; reply: PageReply };
  select: { request: SelectRequest; reply: SelectionReply };
  show_all: { request: ShowAllRequest; reply: SelectionReply };
}

// ---- review (ReviewWidget) ---------------------------------------------------------

export type ReviewAction = 'relabel' | 'accept' | 'keep';

export interface SuspectRequest {
  type: 'suspect';
  id: number;
  /** Index in the kernel's filtered queue (0 is the worst suspect). */
  index: number;
}

export interface DecideRequest {
  type: 'decide';
  id: number;
  index: number;
  action: ReviewAction;
  /** With action 'relabel': the class to relabel to. */
  class_index?: number;
}

export interface UndoRequest {
  type: 'undo';
  id: number;
}

/** The filter the kernel is asked for: class indices ([] for any) and score bounds. */
export interface FilterRequest {
  type: 'filter';
  id: number;
  given: number[];
  suggested: number[];
  max_score: number | null;
  min_score: number | null;
  /** "clear" also lifts the rows scope (a slice clicked in the workbench). */
  scope?: 'keep' | 'clear';
}

export interface ConfusionRequest {
  type: 'confusion';
  id: number;
}

/** One other column of the suspect's row. */
export interface Feature {
  name: string;
  kind: string;
  cell: Cell;
}

export interface Decision {
  action: ReviewAction;
  new: string;
}

/** One suspected label error, as the review shows it. */
export interface Suspect {
  type: 'suspect';
  index: number;
  position: number;
  row: Cell;
  given: string;
  given_class: number;
  suggested: string;
  suggested_class: number;
  score: number;
  current: string;
  current_class: number;
  decision: Decision | null;
  features: Feature[];
  n_hidden: number;
}

export interface SuspectReply extends Suspect {
  id: number;
}

/** A decision was written; the next suspect rides along (one round trip per key press). */
export interface DecidedReply {
  type: 'decided';
  id: number;
  index: number;
  next: number;
  suspect: Suspect;
}

export interface UndoneReply {
  type: 'undone';
  id: number;
  /** The suspect whose decision was undone, or null when there was nothing to undo. */
  index: number | null;
}

export interface FilteredReply {
  type: 'filtered';
  id: number;
  n_shown: number;
}

/** Suspects by given label (rows) and suggested label (columns). */
export interface ConfusionReply {
  type: 'confusion';
  id: number;
  labels: string[];
  /** Class indices behind each label (several for an "other" group). */
  groups: number[][];
  counts: number[][];
  other: boolean;
}

export interface ReviewCalls {
  suspect: { request: SuspectRequest; reply: SuspectReply };
  decide: { request: DecideRequest; reply: DecidedReply };
  undo: { request: UndoRequest; reply: UndoneReply };
  filter: { request: FilterRequest; reply: FilteredReply };
  confusion: { request: ConfusionRequest; reply: ConfusionReply };
}

// ---- profile (ProfileWidget) and slices (SlicesWidget) -----------------------------

/** Show the rows an alert concerns in the table below the panel. */
export interface AlertRequest {
  type: 'alert';
  id: number;
  index: number;
}

/** Show the rows behind a bar of a column's chart (a Vega selection's value). */
export interface BarRequest {
  type: 'bar';
  id: number;
  column: string;
  value: Record<string, unknown>;
}

/** The table below the panel now shows `count` rows, described by `caption`. */
export interface ShownReply {
  type: 'shown';
  id: number;
  count: number;
  caption: string;
}

export interface ProfileCalls {
  alert: { request: AlertRequest; reply: ShownReply };
  bar: { request: BarRequest; reply: ShownReply };
}

export interface ShowSliceRequest {
  type: 'show';
  id: number;
  key: string;
}

export interface SaveSliceRequest {
  type: 'save';
  id: number;
  key: string;
  name: string;
}

export interface SavedReply {
  type: 'saved';
  id: number;
  name: string;
}

export interface SlicesCalls {
  show: { request: ShowSliceRequest; reply: ShownReply };
  save: { request: SaveSliceRequest; reply: SavedReply };
}

// ---- history (HistoryWidget) ---------------------------------------------------------

export interface CommitRequest {
  type: 'commit';
  id: number;
  message: string;
}

export interface DiscardRequest {
  type: 'discard';
  id: number;
}

export interface RevertRequest {
  type: 'revert';
  id: number;
  version: number;
}

export interface CheckoutRequest {
  type: 'checkout';
  id: number;
  version: number;
}

/** Blame a row: typed as its key (`row`), or the one row selected in a table (`from`). */
export interface BlameRequest {
  type: 'blame';
  id: number;
  row?: string;
  from?: TableTarget;
}

export interface DoneReply {
  type: 'done';
  id: number;
  text: string;
}

export interface BlameChange {
  version: number | null;
  column: string;
  old: string;
  new: string;
  author: string;
  reason: string;
  source: string;
  time: string;
}

export interface BlameReply {
  type: 'blame';
  id: number;
  row: string;
  total: number;
  changes: BlameChange[];
}

/** The panel's own requests, and its tables' (tagged with their `target`). */
export interface HistoryCalls {
  page: { request: PageRequest; reply: PageReply };
  select: { request: SelectRequest; reply: SelectionReply };
  commit: { request: CommitRequest; reply: DoneReply };
  discard: { request: DiscardRequest; reply: DoneReply };
  revert: { request: RevertRequest; reply: DoneReply };
  checkout: { request: CheckoutRequest; reply: DoneReply };
  blame: { request: BlameRequest; reply: BlameReply };
}
