/**
 * Render an Altair/Vega-Lite spec offline, in the page's theme, and report its selections.
 *
 * vega, vega-lite and vega-embed are bundled into the widget module: nothing is loaded
 * from a CDN. Expressions run through vega-interpreter (no `new Function`), and the data
 * loader refuses every URL: specs carry their (aggregated) data inline.
 *
 * Colours and background come from the view's theme (theme.ts), or from the chart theme
 * set in JupyterLab's Settings Editor; a chart is drawn again when either changes. A chart
 * with a point selection gets a keyboard picker of its bars (picker.ts).
 */
import embed, { type VisualizationSpec } from 'vega-embed';
import { expressionInterpreter } from 'vega-interpreter';
import { loader as vegaLoader } from 'vega';
import { el } from '../_shared/dom';
import { onViewSettings, viewSettings } from '../_shared/settings';
import { makePicker, pointSelection } from './picker';
import { chartColors, chartConfig, onPageTheme } from './theme';

export interface ChartHandle {
  finalize(): void;
}

export type SelectionCallback = (name: string, value: unknown) => void;

export interface ChartOptions {
  /** Stretch the chart to its host's width (and follow it), however wide the spec says. */
  fitWidth?: boolean;
  /** What the keyboard picker of its bars is called (read by screen readers). */
  pickerLabel?: string;
}

function offlineLoader(): ReturnType<typeof vegaLoader> {
  const loader = vegaLoader();
  const refuse = async (uri: string): Promise<never> => {
    throw new Error(`jupyter_dci charts load no data from URLs (got ${uri}); put the data inline`);
  };
  loader.load = refuse;
  loader.sanitize = refuse;
  return loader;
}

/** Names of the selection parameters of a spec (top level, as Altair writes them). */
function selectionNames(spec: Record<string, unknown>): string[] {
  const params = Array.isArray(spec.params) ? (spec.params as Array<Record<string, unknown>>) : [];
  return params.filter(p => p && typeof p.name === 'string' && p.select !== undefined).map(p => p.name as string);
}

function fitted(spec: Record<string, unknown>): Record<string, unknown> {
  return { ...spec, width: 'container', autosize: { type: 'fit-x', contains: 'padding' } };
}

async function draw(
  target: HTMLElement,
  spec: Record<string, unknown>,
  onSelect: SelectionCallback | undefined
): Promise<{ finalize(): void }> {
  const result = await embed(target, spec as VisualizationSpec, {
    actions: false,
    renderer: 'svg',
    ast: true,
    expr: expressionInterpreter,
    loader: offlineLoader(),
    // The theme's colours; the spec's own config (merged after) wins where it sets one.
    config: chartConfig(chartColors(target, viewSettings().chartTheme)),
    // vega-embed would add its sheet to document.head; the rules the views need are in
    // chart/style.css, which goes inside the widget (see _shared/style.ts). The tooltip keeps
    // vega-tooltip's own document-level sheet: its element lives in document.body.
    defaultStyle: false,
    tooltip: true
  });
  if (onSelect) {
    for (const name of selectionNames(spec)) {
      result.view.addSignalListener(name, (_signal, value) => onSelect(name, value));
    }
  }
  return result;
}

export async function renderChart(
  host: HTMLElement,
  spec: Record<string, unknown>,
  onSelect?: SelectionCallback,
  options: ChartOptions = {}
): Promise<ChartHandle> {
  const shown = options.fitWidth ? fitted(spec) : spec;
  const target = el('div', 'dci-chart-canvas');
  host.appendChild(target);
  const picked = onSelect ? pointSelection(spec) : null;
  if (onSelect && picked) {
    host.appendChild(makePicker(picked, options.pickerLabel ?? 'Select a bar', onSelect));
  }
  let current = await draw(target, shown, onSelect);
  // Drawn again in the new colours when the page's theme or the chart theme setting changes,
  // one draw after the other (each replaces the chart in `target`).
  let finalized = false;
  let queue = Promise.resolve();
  const redraw = (): void => {
    queue = queue.then(async () => {
      if (finalized) {
        return;
      }
      // A spec that drew once draws again; if it did not, there is nothing new to keep.
      const next = await draw(target, shown, onSelect).catch(() => null);
      if (next && finalized) {
        next.finalize();
      } else if (next) {
        current.finalize();
        current = next;
      }
    });
  };
  let theme = viewSettings().chartTheme;
  const stopTheme = onPageTheme(redraw);
  const stopSettings = onViewSettings(() => {
    if (viewSettings().chartTheme !== theme) {
      theme = viewSettings().chartTheme;
      redraw();
    }
  });
  return {
    finalize: () => {
      finalized = true;
      stopTheme();
      stopSettings();
      current.finalize();
    }
  };
}
