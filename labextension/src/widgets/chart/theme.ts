/**
 * Charts in the colours of the page: a Vega-Lite config read from the view's theme variables
 * (_shared/theme.css, over JupyterLab's --jp-* ones), so a chart is dark in a dark theme and
 * its text keeps the contrast of the view's text. The "light" and "dark" settings pin one
 * palette whatever the page's theme.
 */
import type { ChartTheme } from '../_shared/settings';

/** The colours a chart takes. */
export interface ChartColors {
  background: string;
  text: string;
  dim: string;
  grid: string;
  domain: string;
  mark: string;
}

/** Pinned palettes: JupyterLab's light and dark themes, as _shared/theme.css derives them. */
const FIXED: Record<'light' | 'dark', ChartColors> = {
  light: {
    background: 'rgb(255, 255, 255)',
    text: 'rgb(33, 33, 33)',
    dim: 'rgb(97, 97, 97)',
    grid: 'rgb(224, 224, 224)',
    domain: 'rgb(117, 117, 117)',
    mark: 'rgb(25, 118, 210)'
  },
  dark: {
    background: 'rgb(33, 33, 33)',
    text: 'rgb(222, 222, 222)',
    dim: 'rgb(176, 176, 176)',
    grid: 'rgb(66, 66, 66)',
    domain: 'rgb(158, 158, 158)',
    mark: 'rgb(100, 181, 246)'
  }
};

let canvas: HTMLCanvasElement | null = null;

/**
 * A CSS colour as plain `rgba(...)`, whatever its syntax (color-mix(), named, hsl()): Vega
 * and its tooltips read colours themselves, so they get the simplest form. Null if the
 * colour is invalid.
 */
function plainColor(css: string): [number, number, number, number] | null {
  canvas ??= document.createElement('canvas');
  canvas.width = canvas.height = 1;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx || !css) {
    return null;
  }
  ctx.clearRect(0, 0, 1, 1);
  ctx.fillStyle = '#000001'; // a sentinel: an invalid colour leaves fillStyle unchanged
  ctx.fillStyle = css;
  if (ctx.fillStyle === '#000001' && !/^#0{5}1$/i.test(css)) {
    return null;
  }
  ctx.fillRect(0, 0, 1, 1);
  const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
  return [r, g, b, a / 255];
}

function rgba(c: [number, number, number, number]): string {
  return c[3] >= 1 ? `rgb(${c[0]}, ${c[1]}, ${c[2]})` : `rgba(${c[0]}, ${c[1]}, ${c[2]}, ${c[3].toFixed(3)})`;
}

/** The colour behind `el`: the first ancestor (across shadow roots) with an opaque background. */
function backdrop(el: HTMLElement): [number, number, number, number] | null {
  let node: Element | null = el;
  while (node) {
    const c = plainColor(getComputedStyle(node).backgroundColor);
    if (c && c[3] >= 1) {
      return c;
    }
    node = node.parentElement ?? ((node.getRootNode() as ShadowRoot).host || null);
  }
  return null;
}

/** The colours of the theme in force around `host` (an element inside a .dci-theme view). */
export function themeColors(host: HTMLElement): ChartColors {
  const probe = document.createElement('span');
  probe.style.display = 'none';
  host.appendChild(probe);
  const read = (name: string, fallback: string): string => {
    probe.style.color = `var(${name}, ${fallback})`;
    const c = plainColor(getComputedStyle(probe).color);
    return c ? rgba(c) : fallback;
  };
  try {
    const background = backdrop(host);
    return {
      background: background ? rgba(background) : read('--dci-bg', FIXED.light.background),
      text: read('--dci-fg', FIXED.light.text),
      dim: read('--dci-fg-dim', FIXED.light.dim),
      grid: read('--dci-border', FIXED.light.grid),
      domain: read('--dci-fg-dim', FIXED.light.domain),
      mark: read('--dci-accent', FIXED.light.mark)
    };
  } finally {
    probe.remove();
  }
}

/** The colours of `theme` (the setting) for a chart drawn in `host`. */
export function chartColors(host: HTMLElement, theme: ChartTheme): ChartColors {
  return theme === 'jupyterlab' ? themeColors(host) : FIXED[theme];
}

/** A Vega-Lite config of those colours (the spec's own config, merged after it, wins). */
export function chartConfig(c: ChartColors): Record<string, unknown> {
  const axis = {
    labelColor: c.text,
    titleColor: c.text,
    domainColor: c.domain,
    tickColor: c.domain,
    gridColor: c.grid
  };
  return {
    background: c.background,
    view: { stroke: c.grid },
    axis,
    legend: { labelColor: c.text, titleColor: c.text },
    header: { labelColor: c.text, titleColor: c.text },
    title: { color: c.text, subtitleColor: c.dim },
    mark: { color: c.mark },
    rule: { color: c.text },
    text: { color: c.text }
  };
}

/**
 * Call `cb` when JupyterLab switches theme (it marks document.body once the new theme's
 * styles are in); returns what stops watching.
 */
export function onPageTheme(cb: () => void): () => void {
  const observer = new MutationObserver(cb);
  observer.observe(document.body, { attributes: true, attributeFilter: ['data-jp-theme-name'] });
  return () => observer.disconnect();
}
