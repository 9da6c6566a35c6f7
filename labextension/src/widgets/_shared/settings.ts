/**
 * The front-end settings the views follow, set once in JupyterLab's Settings Editor.
 *
 * The JupyterLab extension (src/plugin/settings.ts) reads them from the setting registry
 * (schema: labextension/schema/plugin.json) and publishes them on `window`; each view is a
 * separate ES module (anywidget), so a global and an event are how they reach it. Where no
 * extension runs (marimo, VS Code, an exported page) the defaults hold: the table takes its
 * height from Python and charts follow the page's theme.
 */

/** How charts are coloured: after the JupyterLab theme (the default), or always light or dark. */
export type ChartTheme = 'jupyterlab' | 'light' | 'dark';

export interface ViewSettings {
  /** Rows a table shows at once when its code gives no height; null: the code's default. */
  rowsPerPage: number | null;
  chartTheme: ChartTheme;
}

export const DEFAULT_SETTINGS: ViewSettings = { rowsPerPage: null, chartTheme: 'jupyterlab' };

const GLOBAL = '__jupyterDciSettings';
const EVENT = 'jupyter-dci:settings';
const THEMES: ChartTheme[] = ['jupyterlab', 'light', 'dark'];

type Holder = { [GLOBAL]?: Partial<ViewSettings> };

/** Keep what is well formed; anything else falls back to its default. */
export function checkSettings(raw: Partial<Record<keyof ViewSettings, unknown>> | undefined): ViewSettings {
  const rows = raw?.rowsPerPage;
  const theme = raw?.chartTheme;
  return {
    rowsPerPage: typeof rows === 'number' && Number.isInteger(rows) && rows > 0 ? rows : null,
    chartTheme: THEMES.includes(theme as ChartTheme) ? (theme as ChartTheme) : DEFAULT_SETTINGS.chartTheme
  };
}

/** The settings in force now. */
export function viewSettings(): ViewSettings {
  return checkSettings((globalThis as Holder)[GLOBAL]);
}

/** Call `cb` whenever the settings change; returns what stops it. */
export function onViewSettings(cb: () => void): () => void {
  window.addEventListener(EVENT, cb);
  return () => window.removeEventListener(EVENT, cb);
}

/** Make `settings` the ones in force and tell every view (the extension calls this). */
export function publishViewSettings(settings: ViewSettings): void {
  (globalThis as Holder)[GLOBAL] = settings;
  window.dispatchEvent(new Event(EVENT));
}
