/**
 * A keyboard's way to a chart's bars. A click on a bar selects it (a point selection on some
 * fields); a chart drawn as SVG cannot be tabbed into, so under each chart that has such a
 * selection and inline rows sits a <select> of its bars, out of sight until it has focus
 * (class dci-chart-picker, _shared/theme.css). Picking a bar there reports the same value
 * as a click: `{field: [value], ...}`.
 */
import { el, formatCount } from '../_shared/dom';

type Row = Record<string, unknown>;

export interface PointSelection {
  name: string;
  fields: string[];
  rows: Row[];
}

function asRecord(x: unknown): Record<string, unknown> | null {
  return x !== null && typeof x === 'object' && !Array.isArray(x) ? (x as Record<string, unknown>) : null;
}

/** The rows of the dataset named `name` (specs carry their data inline, as `datasets`). */
function datasetRows(spec: Record<string, unknown>, name: unknown): Row[] | null {
  const sets = asRecord(spec.datasets);
  const rows = typeof name === 'string' && sets ? sets[name] : null;
  return Array.isArray(rows) ? (rows as Row[]) : null;
}

/** The point selection of a spec (top level, as Altair writes it) with the rows it picks from. */
export function pointSelection(spec: Record<string, unknown>): PointSelection | null {
  const params = Array.isArray(spec.params) ? spec.params : [];
  for (const p of params.map(asRecord)) {
    const select = asRecord(p?.select);
    const fields = select?.fields;
    if (!p || typeof p.name !== 'string' || select?.type !== 'point' || !Array.isArray(fields) || !fields.length) {
      continue;
    }
    // The view the selection lives in: the spec itself, or the layer it names.
    const views = Array.isArray(p.views) ? p.views : [];
    const layers = (Array.isArray(spec.layer) ? spec.layer : []).map(asRecord);
    const layer = layers.find(l => l && views.includes(l.name));
    const data = asRecord((layer ?? spec).data);
    const rows = datasetRows(spec, data?.name);
    if (rows && rows.length && rows.every(r => fields.every(f => f in r))) {
      return { name: p.name, fields: fields as string[], rows };
    }
  }
  return null;
}

function show(v: unknown): string {
  if (v === null || v === undefined) {
    return '–';
  }
  return typeof v === 'number' ? (Number.isInteger(v) ? formatCount(v) : v.toPrecision(4)) : String(v);
}

/** What an option says: the bar's fields, then its other values (its count, its rate). */
function optionText(row: Row, fields: string[]): string {
  const key = fields.length === 2 && fields[0] === 'start' ? `${show(row.start)} – ${show(row.end)}` : fields.map(f => show(row[f])).join(', ');
  const rest = Object.keys(row)
    .filter(k => !fields.includes(k))
    .map(k => `${k} ${k === 'rate' && typeof row[k] === 'number' ? `${((row[k] as number) * 100).toFixed(1)}%` : show(row[k])}`);
  return rest.length ? `${key} (${rest.join(', ')})` : key;
}

/** The picker: a labelled <select> of the bars; choosing one calls `onPick(name, value)`. */
export function makePicker(
  sel: PointSelection,
  label: string,
  onPick: (name: string, value: Record<string, unknown[]>) => void
): HTMLLabelElement {
  const box = el('label', 'dci-chart-picker');
  const select = el('select');
  select.setAttribute('aria-label', label);
  select.appendChild(el('option', '', `${label}…`)).value = '';
  sel.rows.forEach((row, i) => {
    select.appendChild(el('option', '', optionText(row, sel.fields))).value = String(i);
  });
  select.addEventListener('change', () => {
    const row = sel.rows[Number(select.value)];
    if (select.value !== '' && row) {
      onPick(sel.name, Object.fromEntries(sel.fields.map(f => [f, [row[f]]])));
    }
  });
  // Keys typed here choose a bar; they must not run notebook commands.
  select.setAttribute('data-lm-suppress-shortcuts', 'true');
  box.appendChild(select);
  return box;
}
