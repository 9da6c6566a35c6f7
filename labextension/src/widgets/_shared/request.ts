/**
 * The one way a view asks the kernel something.
 *
 * A request goes out with a fresh `id`; the kernel answers with one reply carrying that id
 * (jupyter_dci/widgets/_base.py, reply_safely). `send` resolves with the reply, or rejects
 * with a KernelError when the reply is `{type: "error", id, error}` or, if the view set a
 * timeout, when no reply came in time. Views show a KernelError's message inline.
 */
import type { ErrorReply } from './protocol';

/** An error the kernel reported (or a kernel that did not answer): its text is for the user. */
export class KernelError extends Error {}

/** What the helper needs of a model: anywidget's AnyModel, or a stand-in for one. */
export interface Channel {
  send(content: Record<string, unknown>): void;
  on(name: 'msg:custom', cb: (msg: unknown) => void): void;
  off(name: 'msg:custom', cb: (msg: unknown) => void): void;
}

/** A view's calls: request type -> its request and reply messages (see protocol.ts). */
export type Calls<C> = { [K in keyof C]: { request: { type: K; id: number }; reply: unknown } };

/** What the caller fills in: the request without the `type` and `id` the helper adds. */
export type Body<R> = Omit<R, 'type' | 'id'>;

export interface RequestOptions {
  /**
   * Reject a request the kernel has not answered after this many milliseconds. Without it a
   * request waits as long as the kernel takes (a busy kernel answers late, and the answer counts).
   */
  timeoutMs?: number;
}

// One counter for every helper of a bundle: several helpers that share a model (the history
// panel and its tables) never see each other's ids.
let lastId = 0;

function isError(reply: { type?: unknown }): reply is ErrorReply {
  return reply.type === 'error';
}

export class Requests<C extends Calls<C>> {
  private readonly model: Channel;
  private readonly timeoutMs: number | undefined;
  private readonly pending = new Map<number, (reply: { type?: unknown }) => void>();
  private readonly onMsg = (msg: unknown): void => {
    if (!msg || typeof msg !== 'object') {
      return;
    }
    const id = (msg as { id?: unknown }).id;
    const done = typeof id === 'number' ? this.pending.get(id) : undefined;
    if (done !== undefined) {
      this.pending.delete(id as number);
      done(msg as { type?: unknown });
    }
  };

  constructor(model: Channel, options: RequestOptions = {}) {
    this.model = model;
    this.timeoutMs = options.timeoutMs;
    model.on('msg:custom', this.onMsg);
  }

  /** How many requests are waiting for their reply. */
  get waiting(): number {
    return this.pending.size;
  }

  send<K extends keyof C & string>(type: K, body: Body<C[K]['request']>): Promise<C[K]['reply']> {
    const id = ++lastId;
    return new Promise<C[K]['reply']>((resolve, reject) => {
      const timeoutMs = this.timeoutMs;
      // A kernel that never answers (busy, restarted) must not leave the view waiting for good.
      const timer =
        timeoutMs === undefined
          ? undefined
          : window.setTimeout(() => {
              this.pending.delete(id);
              reject(
                new KernelError(
                  `The kernel did not answer within ${timeoutMs / 1000} s (busy or restarted?). ` +
                    'Run the cell again if the kernel was restarted.'
                )
              );
            }, timeoutMs);
      this.pending.set(id, reply => {
        window.clearTimeout(timer);
        if (isError(reply)) {
          reject(new KernelError(reply.error));
        } else {
          resolve(reply as C[K]['reply']);
        }
      });
      this.model.send({ ...body, type, id });
    });
  }

  /** Stop listening; requests still waiting never settle. */
  dispose(): void {
    this.model.off('msg:custom', this.onMsg);
    this.pending.clear();
  }
}

/** The text to show for a failed request: the kernel's words, or a bug of the view. */
export function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return err instanceof KernelError ? text : `Error in the view: ${text}`;
}
