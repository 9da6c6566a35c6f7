/**
 * The profile panel: overview tiles, the alert list and a card per column with its chart.
 * Clicks on an alert or a bar ask the kernel to show the rows concerned in the table view
 * that sits below this widget (the two live in one VBox).
 */
import type { AnyModel } from '@anywidget/types';
import { StatusLine, el, formatCount, suppressShortcuts } from '../_shared/dom';
import type { ProfileCalls, ShownReply } from '../_shared/protocol';
import { Requests } from '../_shared/request';
import { renderChart, type ChartHandle } from '../chart/embed';

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
  /** Some figures (distinct counts of wide columns in an engine) are estimates. */
  estimated?: boolean;
  /** What a wide frame's panel leaves out (cards, alerts), and where it is. */
  notes?: string[];
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

export interface ProfileTraits {
  _overview: Overview;
  _alerts: AlertInfo[];
  _cards: Card[];
}

function drawOverview(root: HTMLElement, ov: Overview): void {
  const tiles = el('div', 'dci-tiles');
  const tile = (label: string, value: string): void => {
    const t = el('div', 'dci-tile');
    t.append(el('div', 'dci-tile-value', value), el('div', 'dci-tile-label', label));
    tiles.appendChild(t);
  };
  tile('rows', formatCount(ov.n_rows));
  tile('columns', formatCount(ov.n_columns));
  tile('duplicate rows', formatCount(ov.n_duplicate_rows));
  tile('memory', ov.memory);
  for (const sev of ['critical', 'warning', 'info']) {
    tile(`${sev} alerts`, formatCount(ov.alerts[sev] ?? 0));
  }
  root.appendChild(tiles);
  const timing = `${formatCount(ov.n_rows)} rows, ${ov.seconds.toFixed(2)} s`;
  const note = ov.sampled
    ? `Profiled on a sample of ${formatCount(ov.n_rows_profiled)} rows: counts are estimates.`
    : ov.estimated
      ? `Counts are exact; distinct counts of the widest columns are estimates (${timing}).`
      : `Every count is exact (${timing}).`;
  root.appendChild(el('div', 'dci-profile-note', ov.label ? `${note} Label column: ${ov.label}.` : note));
  for (const extra of ov.notes ?? []) {
    root.appendChild(el('div', 'dci-profile-note', extra));
  }
}

/**
 * The alerts. One with rows is a button (Enter or Space work as a click) that asks for them;
 * one about the column as a whole is plain text.
 */
function drawAlerts(root: HTMLElement, alerts: AlertInfo[], status: HTMLElement, showAlert: (index: number) => void): void {
  const box = el('section', 'dci-alerts');
  box.appendChild(el('h4', 'dci-section-title', `Alerts (${alerts.length})`));
  const list = el('ul', 'dci-alert-list');
  for (const a of alerts) {
    const item = el('li', `dci-alert dci-sev-${a.severity}`);
    item.dataset.index = String(a.index);
    const parts = [
      el('span', 'dci-badge', a.severity),
      el('span', 'dci-alert-kind', a.kind.replace(/_/g, ' ')),
      el('span', 'dci-alert-col', a.column),
      el('span', 'dci-alert-msg', a.message)
    ];
    if (a.n_rows > 0) {
      const open = el('button', 'dci-alert-open');
      open.type = 'button';
      open.title = `Show the ${formatCount(a.n_rows)} rows concerned in the table below`;
      open.append(...parts);
      open.addEventListener('click', () => showAlert(a.index));
      item.appendChild(open);
    } else {
      item.classList.add('dci-alert-whole');
      item.append(...parts);
    }
    list.appendChild(item);
  }
  if (alerts.length === 0) {
    list.appendChild(el('li', 'dci-alert dci-alert-none', 'No data-quality problem found.'));
  }
  box.append(list, status);
  root.appendChild(box);
}

function drawCard(card: Card): { card: HTMLElement; chartHost: HTMLElement | null } {
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
  let chartHost: HTMLElement | null = null;
  if (card.chart) {
    chartHost = el('div', 'dci-card-chart');
    c.appendChild(chartHost);
  }
  return { card: c, chartHost };
}

/**
 * A card per column. Charts are drawn as their cards come into view: a wide frame does not
 * pay for all at once. Returns what finalizes the charts drawn.
 */
function drawCards(
  root: HTMLElement,
  cards: Card[],
  showBar: (column: string, value: Record<string, unknown>) => void
): () => void {
  const charts: ChartHandle[] = [];
  const pending = new Map<Element, Card>();
  const observer = new IntersectionObserver(entries => {
    for (const entry of entries) {
      const card = pending.get(entry.target);
      if (!entry.isIntersecting || !card || !card.chart) {
        continue;
      }
      pending.delete(entry.target);
      observer.unobserve(entry.target);
      const column = card.name;
      const onSelect = (_name: string, value: unknown): void => {
        if (value && typeof value === 'object' && Object.keys(value).length > 0) {
          showBar(column, value as Record<string, unknown>);
        }
      };
      // As wide as its card, whatever width the spec says: a card is 320 px and up.
      renderChart(entry.target as HTMLElement, card.chart, onSelect, {
        fitWidth: true,
        pickerLabel: `Show the rows of a bar of ${column}`
      })
        .then(h => charts.push(h))
        .catch(err => {
          (entry.target as HTMLElement).textContent = `chart could not be drawn: ${String(err)}`;
        });
    }
  });
  const grid = el('section', 'dci-cards');
  for (const card of cards) {
    const drawn = drawCard(card);
    if (drawn.chartHost) {
      pending.set(drawn.chartHost, card);
      observer.observe(drawn.chartHost);
    }
    grid.appendChild(drawn.card);
  }
  root.appendChild(grid);
  return () => {
    observer.disconnect();
    for (const h of charts) {
      h.finalize();
    }
  };
}

/** What a click on an alert or a bar asks the kernel for. */
interface Asks {
  alert(index: number): void;
  bar(column: string, value: Record<string, unknown>): void;
}

/** Draw the panel from the model's traits into `root`; return what undoes it. */
function draw(m: AnyModel<ProfileTraits>, root: HTMLElement, status: HTMLElement, asks: Asks): () => void {
  const ov = m.get('_overview');
  if (ov.pending) {
    root.appendChild(
      el(
        'div',
        'dci-profile-note dci-profile-pending',
        `Profiling ${formatCount(ov.n_rows)} rows × ${formatCount(ov.n_columns)} columns…`
      )
    );
    return () => undefined;
  }
  drawOverview(root, ov);
  drawAlerts(root, m.get('_alerts'), status, index => asks.alert(index));
  return drawCards(root, m.get('_cards'), (column, value) => asks.bar(column, value));
}

export class ProfileView {
  private readonly model: AnyModel<ProfileTraits>;
  private readonly root: HTMLDivElement;
  private readonly status = new StatusLine('dci-profile-status', 'dci-profile-error');
  private readonly requests: Requests<ProfileCalls>;
  private undraw: () => void;
  private queued = false;
  private readonly redraw = (): void => {
    // The kernel sets the three traits at once when a pending profile is done: draw once.
    if (this.queued) {
      return;
    }
    this.queued = true;
    queueMicrotask(() => {
      this.queued = false;
      this.undraw();
      this.root.textContent = '';
      this.undraw = this.draw();
    });
  };

  constructor(host: HTMLElement, model: AnyModel<ProfileTraits>) {
    this.model = model;
    this.root = el('div', 'dci-profile dci-theme');
    suppressShortcuts(this.root);
    host.appendChild(this.root);
    this.requests = new Requests<ProfileCalls>(model);
    this.undraw = this.draw();
    for (const name of ['change:_overview', 'change:_cards', 'change:_alerts']) {
      model.on(name, this.redraw);
    }
  }

  private draw(): () => void {
    const shown = (reply: Promise<ShownReply>): void =>
      this.status.follow(reply, r => `${formatCount(r.count)} rows shown in the table below: ${r.caption}`);
    return draw(this.model, this.root, this.status.el, {
      alert: index => shown(this.requests.send('alert', { index })),
      bar: (column, value) => shown(this.requests.send('bar', { column, value }))
    });
  }

  destroy(): void {
    for (const name of ['change:_overview', 'change:_cards', 'change:_alerts']) {
      this.model.off(name, this.redraw);
    }
    this.undraw();
    this.requests.dispose();
    this.root.remove();
  }
}
