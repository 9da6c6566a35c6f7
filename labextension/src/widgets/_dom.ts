/** Small DOM and request helpers the panels share. */
import type { AnyModel } from '@anywidget/types';

/** Make an element with a class and, optionally, text (always as text, never as markup). */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  text?: string
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

/** A reply the kernel sends to a panel's request: an error, or something to describe. */
export type PanelReply = { type: string; id: number; error?: string } & Record<string, unknown>;

/**
 * Send requests with fresh ids and show their outcome in a status line: the text `describe`
 * makes of a reply, or the error in `errorClass`. Returns the sender and a disposer.
 */
export function requestChannel(
  model: AnyModel,
  status: HTMLElement,
  errorClass: string,
  describe: (reply: PanelReply) => string | null
): { send: (msg: Record<string, unknown>) => void; dispose: () => void } {
  let nextId = 1;
  const onMsg = (msg: unknown): void => {
    const reply = msg as PanelReply;
    if (reply.type === 'error') {
      status.textContent = String(reply.error ?? 'error');
      status.classList.add(errorClass);
      return;
    }
    const text = describe(reply);
    if (text !== null) {
      status.textContent = text;
      status.classList.remove(errorClass);
    }
  };
  model.on('msg:custom', onMsg);
  return {
    send: msg => {
      status.textContent = 'working…';
      status.classList.remove(errorClass);
      model.send({ ...msg, id: nextId++ });
    },
    dispose: () => model.off('msg:custom', onMsg)
  };
}
