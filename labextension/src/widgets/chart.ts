/**
 * The anywidget module of jupyter_dci.chart(altair_chart): an Altair chart rendered offline
 * whose selections reach Python (`widget.selection`).
 */
import type { AnyModel, Render } from '@anywidget/types';
import { renderChart, type ChartHandle } from './_chart';

interface ChartTraits {
  spec: Record<string, unknown>;
  selection: Record<string, unknown>;
}

const render: Render<ChartTraits> = ({ model, el }) => {
  const m = model as AnyModel<ChartTraits>;
  const host = document.createElement('div');
  host.className = 'dci-chart';
  const error = document.createElement('div');
  error.className = 'dci-chart-error';
  error.style.color = 'var(--jp-error-color1, #d32f2f)';
  el.append(host, error);
  let handle: ChartHandle | null = null;
  let generation = 0;

  const draw = async (): Promise<void> => {
    const mine = ++generation;
    handle?.finalize();
    handle = null;
    host.textContent = '';
    error.textContent = '';
    try {
      const h = await renderChart(host, m.get('spec'), (name, value) => {
        m.set('selection', { name, value: value as Record<string, unknown> });
        m.save_changes();
      });
      if (mine === generation) {
        handle = h;
      } else {
        h.finalize();
      }
    } catch (err) {
      error.textContent = `Chart could not be drawn: ${String(err)}`;
    }
  };
  const onSpec = (): void => void draw();
  m.on('change:spec', onSpec);
  void draw();
  return () => {
    m.off('change:spec', onSpec);
    handle?.finalize();
  };
};

export default { render };
