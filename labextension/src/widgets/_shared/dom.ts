/**
 * Small DOM helpers every view shares. Text always goes in through textContent, never as
 * markup: a value such as `<img src=x onerror=...>` shows as the characters it is.
 */
import { errorText } from './request';

/** Make an element with a class and, optionally, text. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className = '',
  text?: string
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text) {
    node.textContent = text;
  }
  return node;
}

/** A button that runs `onClick`. */
export function button(text: string, className: string, onClick: () => void): HTMLButtonElement {
  const b = el('button', className, text);
  b.type = 'button';
  b.addEventListener('click', onClick);
  return b;
}

/** Lumino (JupyterLab, Notebook 7) skips its keyboard shortcuts for events from inside. */
export function suppressShortcuts(node: HTMLElement): void {
  node.setAttribute('data-lm-suppress-shortcuts', 'true');
}

/** A line that shows an error inline (hidden while there is none). */
export class ErrorBox {
  readonly el: HTMLDivElement;

  constructor(className: string) {
    this.el = el('div', className);
    this.el.setAttribute('role', 'alert');
    this.el.hidden = true;
  }

  show(text: string): void {
    this.el.textContent = text;
    this.el.hidden = false;
  }

  hide(): void {
    this.el.hidden = true;
    this.el.textContent = '';
  }
}

/** A status line that follows requests: "working…", then what the reply says, or the error. */
export class StatusLine {
  readonly el: HTMLDivElement;
  private readonly errorClass: string;

  constructor(className: string, errorClass: string) {
    this.el = el('div', className);
    this.el.setAttribute('role', 'status');
    this.errorClass = errorClass;
  }

  follow<T>(reply: Promise<T>, describe: (reply: T) => string): void {
    this.set('working…', false);
    reply.then(
      r => this.set(describe(r), false),
      (err: unknown) => this.set(errorText(err), true)
    );
  }

  private set(text: string, failed: boolean): void {
    this.el.textContent = text;
    this.el.classList.toggle(this.errorClass, failed);
  }
}

/** What Listeners needs of a model. */
interface Observable {
  on(name: string, cb: () => void): void;
  off(name: string, cb: () => void): void;
}

/** Model event handlers, kept so that a view removes them all when it goes. */
export class Listeners {
  private readonly model: Observable;
  private readonly bound: Array<[string, () => void]> = [];

  constructor(model: Observable) {
    this.model = model;
  }

  /** Call `cb` on each event named (e.g. 'change:height'). */
  on(names: string | string[], cb: () => void): void {
    for (const name of typeof names === 'string' ? [names] : names) {
      this.model.on(name, cb);
      this.bound.push([name, cb]);
    }
  }

  /** Call `cb` when any of these traits changes. */
  onChange(traits: string[], cb: () => void): void {
    this.on(
      traits.map(t => `change:${t}`),
      cb
    );
  }

  dispose(): void {
    for (const [name, cb] of this.bound) {
      this.model.off(name, cb);
    }
    this.bound.length = 0;
  }
}

/** Numbers as the views write them: 12,345. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
