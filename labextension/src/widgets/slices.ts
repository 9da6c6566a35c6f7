/**
 * The anywidget module of the slices panel: the slices found (support, error, lift), charts of
 * the error by slice, by value, and across versions. A click on a slice or a bar asks the kernel
 * to show its rows in the table below (the two live in one VBox); a slice can be saved by name.
 */
import type { AnyModel, Render } from '@anywidget/types';
import css from './slices.css';
import { renderChart, type ChartHandle } from './_chart';
import { el, requestChannel } from './_dom';
import { ensureStyle } from './_style';

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
  groups: Record<string, string>;
}

interface SlicesTraits {
  _summary: Summary;
  _slices: SliceRow[];
  _charts: ChartInfo[];
  _saved: string[];
}


const render: Render<SlicesTraits> = ({ model, el: host }) => {
  ensureStyle('dci-slices-style', css);
  const m = model as AnyModel<SlicesTraits>;
  const root = el('div', 'dci-slices');
  root.setAttribute('data-lm-suppress-shortcuts', 'true');
  host.appendChild(root);
  const charts: ChartHandle[] = [];
  const status = el('div', 'dci-slices-status');
  status.setAttribute('role', 'status');
  const channel = requestChannel(m, status, 'dci-slices-error', reply => {
    if (reply.type === 'shown') {
      return `${Number(reply.count).toLocaleString('en-US')} rows shown in the table below: ${String(reply.caption)}`;
    }
    return reply.type === 'saved' ? `saved as "${String(reply.name)}"` : null;
  });
  const send = channel.send;

  const summary = m.get('_summary');
  root.appendChild(
    el('div', summary.found ? 'dci-slices-summary' : 'dci-slices-summary dci-slices-none', summary.message)
  );
  root.appendChild(
    el('div', 'dci-slices-note', `${summary.n_rows.toLocaleString('en-US')} rows, ${summary.error_kind} ${summary.error} overall; ${summary.n_evaluated.toLocaleString('en-US')} candidate slices evaluated.`)
  );

  const rows = m.get('_slices');
  if (rows.length > 0) {
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
      for (const [cls, text] of [
        ['dci-rank', String(r.rank)],
        ['dci-expr', r.expression],
        ['', r.support],
        ['', r.error],
        ['', r.error_rest],
        ['', r.lift],
        ['', r.p_value]
      ]) {
        tr.appendChild(el('td', cls, text));
      }
      const saveCell = el('td', 'dci-save');
      const input = el('input', 'dci-save-name');
      input.placeholder = 'name';
      input.setAttribute('aria-label', `name to save slice ${r.rank} as`);
      const button = el('button', 'dci-save-button', 'save');
      button.type = 'button';
      const save = (e: Event): void => {
        e.stopPropagation();
        send({ type: 'save', key: r.key, name: input.value });
      };
      button.addEventListener('click', save);
      input.addEventListener('click', e => e.stopPropagation());
      input.addEventListener('keydown', e => {
        e.stopPropagation();
        if (e.key === 'Enter') {
          save(e);
        }
      });
      saveCell.append(input, button);
      tr.appendChild(saveCell);
      tr.addEventListener('click', () => send({ type: 'show', key: r.key }));
    }
    root.appendChild(table);
  }
  root.appendChild(status);
  const saved = el('div', 'dci-slices-saved');
  const showSaved = (): void => {
    const names = m.get('_saved');
    saved.textContent = names.length ? `Saved slices: ${names.join(', ')}` : '';
  };
  showSaved();
  m.on('change:_saved', showSaved);
  root.appendChild(saved);

  const grid = el('div', 'dci-slices-charts');
  for (const info of m.get('_charts')) {
    const box = el('div', 'dci-slices-chart');
    box.dataset.key = info.key;
    box.appendChild(el('div', 'dci-slices-chart-title', info.title));
    const target = el('div', 'dci-slices-chart-body');
    box.appendChild(target);
    grid.appendChild(box);
    renderChart(target, info.spec, (_name, value) => {
      const picked = (value as Record<string, unknown[]> | null)?.value;
      const label = Array.isArray(picked) && picked.length > 0 ? String(picked[0]) : null;
      const key = label === null ? undefined : info.groups[label];
      if (key !== undefined) {
        send({ type: 'show', key });
      }
    })
      .then(h => charts.push(h))
      .catch(err => {
        target.textContent = `chart could not be drawn: ${String(err)}`;
      });
  }
  root.appendChild(grid);

  return () => {
    channel.dispose();
    m.off('change:_saved', showSaved);
    for (const h of charts) {
      h.finalize();
    }
  };
};

export default { render };
