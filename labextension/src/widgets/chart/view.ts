/**
 * jupyter_dci.chart(altair_chart): an Altair chart rendered offline whose selections reach
 * Python (`widget.selection`).
 */
import type { AnyModel } from '@anywidget/types';
import { el } from '../_shared/dom';
import { renderChart, type ChartHandle } from './embed';

export interface ChartTraits {
  spec: Record<string, unknown>;
  selection: Record<string, unknown>;
}

export class ChartView {
  private readonly model: AnyModel<ChartTraits>;
  private readonly root: HTMLDivElement;
  private readonly host: HTMLDivElement;
  private readonly error: HTMLDivElement;
  private handle: ChartHandle | null = null;
  /** Counts draws: a chart finished after a newer draw started is dropped. */
  private generation = 0;
  private readonly onSpec = (): void => void this.draw();

  constructor(host: HTMLElement, model: AnyModel<ChartTraits>) {
    this.model = model;
    this.root = el('div', 'dci-chart-view dci-theme');
    this.host = el('div', 'dci-chart');
    this.error = el('div', 'dci-chart-error');
    this.root.append(this.host, this.error);
    host.appendChild(this.root);
    model.on('change:spec', this.onSpec);
    void this.draw();
  }

  private async draw(): Promise<void> {
    const mine = ++this.generation;
    this.handle?.finalize();
    this.handle = null;
    this.host.textContent = '';
    this.error.textContent = '';
    try {
      const h = await renderChart(this.host, this.model.get('spec'), (name, value) => {
        this.model.set('selection', { name, value: value as Record<string, unknown> });
        this.model.save_changes();
      });
      if (mine === this.generation) {
        this.handle = h;
      } else {
        h.finalize();
      }
    } catch (err) {
      this.error.textContent = `Chart could not be drawn: ${String(err)}`;
    }
  }

  destroy(): void {
    this.model.off('change:spec', this.onSpec);
    this.handle?.finalize();
    this.root.remove();
  }
}
