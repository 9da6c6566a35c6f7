/**
 * Render an Altair/Vega-Lite spec offline, and report its selections.
 *
 * vega, vega-lite and vega-embed are bundled into the widget module: nothing is loaded
 * from a CDN. Expressions run through vega-interpreter (no `new Function`), and the data
 * loader refuses every URL: specs carry their (aggregated) data inline.
 */
import embed, { type VisualizationSpec } from 'vega-embed';
import { expressionInterpreter } from 'vega-interpreter';
import { loader as vegaLoader } from 'vega';

export interface ChartHandle {
  finalize(): void;
}

export type SelectionCallback = (name: string, value: unknown) => void;

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

export async function renderChart(
  host: HTMLElement,
  spec: Record<string, unknown>,
  onSelect?: SelectionCallback
): Promise<ChartHandle> {
  const result = await embed(host, spec as VisualizationSpec, {
    actions: false,
    renderer: 'svg',
    ast: true,
    expr: expressionInterpreter,
    loader: offlineLoader(),
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
  return { finalize: () => result.finalize() };
}
