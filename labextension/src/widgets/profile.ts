/**
 * The anywidget module of the profile panel: overview tiles, the alert list and a card per
 * column with its chart. Clicks on an alert or a bar ask the kernel to show the rows concerned
 * in the table view that sits below this widget (the two live in one VBox).
 */
import type { AnyModel, Render } from '@anywidget/types';
import css from './profile.css';
import { renderChart, type ChartHandle } from './_chart';
import { el, requestChannel } from './_dom';
import { ensureStyle } from './_style';

interface Overview {
  /** True while the kernel is still profiling (the workbench shows the panel at once). */
  pending?: boolean;
  n_rows: number;
  n_columns: number;
  n_duplicate_rows: number;
  memory: string;
  alerts: Record<string, number>;
  sampled: boolean;
  n_rows_profiled: number;
  seconds: number;
  label: string;
}

interface AlertInfo {
  index: number;
  kind: string;
  column: string;
  severity: string;
  message: string;
  n_rows: number;
}

interface Card {
  name: string;
  kind: string;
  dtype: string;
  stats: Array<[string, string]>;
  chart: Record<string, unknown> | null;
}

interface ProfileTraits {
  _overview: Overview;
  _alerts: AlertInfo[];
  _cards: Card[];
}


const count = (n: number): string => n.toLocaleString('en-US');

const render: Render<ProfileTraits> = ({ model, el: host }) => {
  ensureStyle('dci-profile-style', css);
  const m = model as AnyModel<ProfileTraits>;
  const root = el('div', 'dci-profile');
  root.setAttribute('data-lm-suppress-shortcuts', 'true');
  host.appendChild(root);
  const status = el('div', 'dci-profile-status');
  status.setAttribute('role', 'status');
  const channel = requestChannel(m, status, 'dci-profile-error', reply =>
    reply.type === 'shown'
      ? `${count(Number(reply.count))} rows shown in the table below: ${String(reply.caption)}`
      : null);
  let undraw = draw(m, root, status, channel.send);
  // The kernel sets the three traits at once when a pending profile is done: draw once.
  let queued = false;
  const redraw = (): void => {
    if (queued) {
      return;
    }
    queued = true;
    queueMicrotask(() => {
      queued = false;
      undraw();
      root.textContent = '';
      undraw = draw(m, root, status, channel.send);
    });
  };
  m.on('change:_overview', redraw);
  m.on('change:_cards', redraw);
  m.on('change:_alerts', redraw);
  return () => {
    m.off('change:_overview', redraw);
    m.off('change:_cards', redraw);
    m.off('change:_alerts', redraw);
    undraw();
    channel.dispose();
  };
};

/** Draw the panel from the model's traits into `root`; return what undoes it. */
function draw(
  m: AnyModel<ProfileTraits>,
  root: HTMLElement,
  status: HTMLElement,
  send: (msg: Record<string, unknown>) => void
): () => void {
  const charts: ChartHandle[] = [];
  const ov = m.get('_overview');
  if (ov.pending) {
    root.appendChild(
      el('div', 'dci-profile-note dci-profile-pending', `Profiling ${count(ov.n_rows)} rows × ${count(ov.n_columns)} columns…`)
    );
    return () => undefined;
  }

  // ---- overview --------------------------------------------------------------
  const tiles = el('div', 'dci-tiles');
  const tile = (label: string, value: string): void => {
    const t = el('div', 'dci-tile');
    t.append(el('div', 'dci-tile-value', value), el('div', 'dci-tile-label', label));
    tiles.appendChild(t);
  };
  tile('rows', count(ov.n_rows));
  tile('columns', count(ov.n_columns));
  tile('duplicate rows', count(ov.n_duplicate_rows));
  tile('memory', ov.memory);
  for (const sev of ['critical', 'warning', 'info']) {
    tile(`${sev} alerts`, count(ov.alerts[sev] ?? 0));
  }
  root.appendChild(tiles);
  const note = ov.sampled
    ? `Profiled on a sample of ${count(ov.n_rows_profiled)} rows: counts are estimates.`
    : `Every count is exact (${count(ov.n_rows)} rows, ${ov.seconds.toFixed(2)} s).`;
  root.appendChild(el('div', 'dci-profile-note', ov.label ? `${note} Label column: ${ov.label}.` : note));

  // ---- alerts ----------------------------------------------------------------
  const alerts = m.get('_alerts');
  const alertBox = el('section', 'dci-alerts');
  alertBox.appendChild(el('h4', 'dci-section-title', `Alerts (${alerts.length})`));
  const list = el('ul', 'dci-alert-list');
  for (const a of alerts) {
    const item = el('li', `dci-alert dci-sev-${a.severity}`);
    item.dataset.index = String(a.index);
    item.tabIndex = 0;
    item.setAttribute('role', 'button');
    item.append(
      el('span', 'dci-badge', a.severity),
      el('span', 'dci-alert-kind', a.kind.replace(/_/g, ' ')),
      el('span', 'dci-alert-col', a.column),
      el('span', 'dci-alert-msg', a.message)
    );
    if (a.n_rows > 0) {
      item.title = `Show the ${count(a.n_rows)} rows concerned in the table below`;
      const ask = (): void => send({ type: 'alert', index: a.index });
      item.addEventListener('click', ask);
      item.addEventListener('keydown', e => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          ask();
        }
      });
    } else {
      item.classList.add('dci-alert-whole');
    }
    list.appendChild(item);
  }
  if (alerts.length === 0) {
    list.appendChild(el('li', 'dci-alert dci-alert-none', 'No data-quality problem found.'));
  }
  alertBox.append(list, status);
  root.appendChild(alertBox);

  // ---- column cards ---------------------------------------------------------------
  const grid = el('section', 'dci-cards');
  const pending = new Map<Element, Card>();
  // Charts are drawn as their cards come into view: a wide frame does not pay for all at once.
  const observer = new IntersectionObserver(entries => {
    for (const entry of entries) {
      const card = pending.get(entry.target);
      if (!entry.isIntersecting || !card || !card.chart) {
        continue;
      }
      pending.delete(entry.target);
      observer.unobserve(entry.target);
      const column = card.name;
      renderChart(entry.target as HTMLElement, card.chart, (_name, value) => {
        if (value && typeof value === 'object' && Object.keys(value).length > 0) {
          send({ type: 'bar', column, value });
        }
      })
        .then(h => charts.push(h))
        .catch(err => {
          (entry.target as HTMLElement).textContent = `chart could not be drawn: ${String(err)}`;
        });
    }
  });
  for (const card of m.get('_cards')) {
    const c = el('div', `dci-card dci-kind-${card.kind}`);
    c.dataset.column = card.name;
    const head = el('div', 'dci-card-head');
    head.append(el('span', 'dci-card-name', card.name), el('span', 'dci-card-kind', `${card.kind} · ${card.dtype}`));
    const table = el('table', 'dci-card-stats');
    for (const [k, v] of card.stats) {
      const tr = table.insertRow();
      tr.append(el('th', '', k), el('td', '', v));
    }
    c.append(head, table);
    if (card.chart) {
      const chartHost = el('div', 'dci-card-chart');
      c.appendChild(chartHost);
      pending.set(chartHost, card);
      observer.observe(chartHost);
    }
    grid.appendChild(c);
  }
  root.appendChild(grid);

  return () => {
    observer.disconnect();
    for (const h of charts) {
      h.finalize();
    }
  };
}

export default { render };
