/**
 * A view's stylesheet goes inside the view's own element, never into document.head: hosts
 * that mount widgets in a shadow root (marimo) only see styles inside that root. The CSS is
 * bundled as text (see build-widgets.mjs): nothing is fetched.
 */
import type { AnyModel, Render } from '@anywidget/types';
import theme from './theme.css';

/** Put the theme and `sheets` in a <style> at the start of `host`; return what removes it. */
export function attachStyle(host: HTMLElement, sheets: string[]): () => void {
  const style = document.createElement('style');
  style.setAttribute('data-dci-style', '');
  style.textContent = [theme, ...sheets].join('\n');
  host.prepend(style);
  return () => style.remove();
}

/** A view drawn into a host element; `destroy` undoes all it did. */
export interface View {
  destroy(): void;
}

/**
 * The anywidget `render` of a view: styles inside `el`, the view built by `make`, and a
 * cleanup that removes both.
 */
// `any`, as anywidget's own ObjectHash: an interface of traits has no index signature.
export function mount<T extends Record<string, any>>(
  make: (host: HTMLElement, model: AnyModel<T>) => View,
  sheets: string[]
): Render<T> {
  return ({ model, el }) => {
    const removeStyle = attachStyle(el, sheets);
    const view = make(el, model);
    return () => {
      view.destroy();
      removeStyle();
    };
  };
}
