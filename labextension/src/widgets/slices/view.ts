/**
 * The slices panel: the slices found (support, error, lift), charts of the error by slice, by
 * value, and across versions. A click on a slice or a bar asks the kernel to show its rows in
 * the table below (the two live in one VBox); a slice can be saved by name.
 */
import type { AnyModel } from '@anywidget/types';
import { Listeners, StatusLine, el, formatCount, suppressShortcuts } from '../_shared/dom';
import type { SlicesCalls } from '../_shared/protocol';
import { Requests } from '../_shared/request';
import { renderChart, type ChartHandle } from '../chart/embed';

interface Summary {
  found: boolean;
  message: string;
  n_rows: number;
  error: string;
  error_kind: string;
  n_evaluated: number;
}

interface SliceRow {
  key: string;
  rank: number;
  expression: string;
  support: string;
  error: string;
  error_rest: string;
  lift: string;
  p_value: string;
}

interface ChartInfo {
  key: string;
  title: string;
  spec: Record<string, unknown>;
  /** Category shown on the chart -> the key of its slice. */
  groups: Record<string, string>;
}

export interface SlicesTraits {
  _summary: Summary;
  _slices: SliceRow[];
  _charts: ChartInfo[];
  _saved: string[];
}

/** What a click in the panel asks the kernel for. */
interface Asks {
  show(key: string): void;
  save(key: string, name: string): void;
}

function drawSummary(root: HTMLElement, summary: Summary): void {
  root.appendChild(
    el('div', summary.found ? 'dci-slices-summary' : 'dci-slices-summary dci-slices-none', summary.message)
  );
  root.appendChild(
    el(
      'div',
      'dci-slices-note',
      `${formatCount(summary.n_rows)} rows, ${summary.error_kind} ${summary.error} overall; ` +
        `${formatCount(summary.n_evaluated)} candidate slices evaluated.`
    )
  );
}

/** The name box and button that save a slice. */
function saveCell(r: SliceRow, asks: Asks): HTMLTableCellElement {
  const cell = el('td', 'dci-save');
  const input = el('input', 'dci-save-name');
  input.placeholder = 'name';
  input.setAttribute('aria-label', `name to save slice ${r.rank} as`);
  const button = el('button', 'dci-save-button', 'save');
  button.type = 'button';
  const save = (e: Event): void => {
    e.stopPropagation();
    asks.save(r.key, input.value);
  };
  button.addEventListener('click', save);
  input.addEventListener('click', e => e.stopPropagation());
  input.addEventListener('keydown', e => {
    e.stopPropagation();
    if (e.key === 'Enter') {
      save(e);
    }
  });
  cell.append(input, button);
  return cell;
}

function drawTable(root: HTMLElement, rows: SliceRow[], asks: Asks): void {
  if (rows.length === 0) {
    return;
  }
  const table = el('table', 'dci-slices-table');
  const head = table.createTHead().insertRow();
  for (const h of ['#', 'slice', 'rows', 'error', 'rest', 'lift', 'p', 'save as']) {
    head.appendChild(el('th', '', h));
  }
  const body = table.createTBody();
  for (const r of rows) {
    const tr = body.insertRow();
    tr.className = 'dci-slice-row';
    tr.dataset.key = r.key;
    tr.title = 'Show the rows of this slice in the table below';
    tr.appendChild(el('td', 'dci-rank', String(r.rank)));
    // The slice is a button too: Tab reaches it, Enter shows its rows (as a click on the row).
    const show = el('button', 'dci-slice-show', r.expression);
    show.type = 'button';
    show.title = 'Show the rows of this slice in the table below';
    tr.appendChild(el('td', 'dci-expr')).appendChild(show);
    for (const [cls, text] of [
      ['', r.support],
      ['', r.error],
      ['', r.error_rest],
      ['', r.lift],
      ['', r.p_value]
    ]) {
      tr.appendChild(el('td', cls, text));
    }
    tr.appendChild(saveCell(r, asks));
    tr.addEventListener('click', () => asks.show(r.key));
  }
  root.appendChild(table);
}

/** The charts; a click on a bar shows its slice. Returns the charts' handles as they are drawn. */
function drawCharts(root: HTMLElement, charts: ChartInfo[], asks: Asks): ChartHandle[] {
  const handles: ChartHandle[] = [];
  const grid = el('div', 'dci-slices-charts');
  for (const info of charts) {
    const box = el('div', 'dci-slices-chart');
    box.dataset.key = info.key;
    box.appendChild(el('div', 'dci-slices-chart-title', info.title));
    const target = el('div', 'dci-slices-chart-body');
    box.appendChild(target);
    grid.appendChild(box);
    const onSelect = (_name: string, value: unknown): void => {
      const picked = (value as Record<string, unknown[]> | null)?.value;
      const label = Array.isArray(picked) && picked.length > 0 ? String(picked[0]) : null;
      const key = label === null ? undefined : info.groups[label];
      if (key !== undefined) {
        asks.show(key);
      }
    };
    renderChart(target, info.spec, onSelect, { pickerLabel: `Show the rows of a bar of ${info.title}` })
      .then(h => handles.push(h))
      .catch(err => {
        target.textContent = `chart could not be drawn: ${String(err)}`;
      });
  }
  root.appendChild(grid);
  return handles;
}

export class SlicesView {
  private readonly root: HTMLDivElement;
  private readonly requests: Requests<SlicesCalls>;
  private readonly listeners: Listeners;
  private readonly charts: ChartHandle[];

  constructor(host: HTMLElement, model: AnyModel<SlicesTraits>) {
    this.root = el('div', 'dci-slices dci-theme');
    suppressShortcuts(this.root);
    host.appendChild(this.root);
    this.requests = new Requests<SlicesCalls>(model);
    const status = new StatusLine('dci-slices-status', 'dci-slices-error');
    const asks: Asks = {
      show: key =>
        status.follow(
          this.requests.send('show', { key }),
          r => `${formatCount(r.count)} rows shown in the table below: ${r.caption}`
        ),
      save: (key, name) => status.follow(this.requests.send('save', { key, name }), r => `saved as "${r.name}"`)
    };
    drawSummary(this.root, model.get('_summary'));
    drawTable(this.root, model.get('_slices'), asks);
    this.root.appendChild(status.el);
    const saved = el('div', 'dci-slices-saved');
    const showSaved = (): void => {
      const names = model.get('_saved');
      saved.textContent = names.length ? `Saved slices: ${names.join(', ')}` : '';
    };
    showSaved();
    this.listeners = new Listeners(model);
    this.listeners.onChange(['_saved'], showSaved);
    this.root.appendChild(saved);
    this.charts = drawCharts(this.root, model.get('_charts'), asks);
  }

  destroy(): void {
    this.requests.dispose();
    this.listeners.dispose();
    for (const h of this.charts) {
      h.finalize();
    }
    this.root.remove();
  }
}
