/**
 * The "Datasets" sidebar: the tracked datasets of the current notebook's kernel with their
 * uncommitted edit counts, and a warning before those edits could be lost (closing the
 * notebook, restarting its kernel).
 *
 * The kernel side (jupyter_dci/widgets/_bridge.py) opens a comm with target
 * `jupyter-dci-datasets` when the first dataset is tracked and sends
 * `{datasets: [{name, root, head, pending}]}` after every store event. Here the target is
 * registered on every notebook's kernel; a page opened after the comm was (a reload)
 * finds it with a comm_info request and asks `{request: 'state'}`.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Dialog, ISessionContextDialogs, showDialog } from '@jupyterlab/apputils';
import type { ISessionContext } from '@jupyterlab/apputils';
import { INotebookTracker, type NotebookPanel } from '@jupyterlab/notebook';
import type { Kernel, KernelMessage } from '@jupyterlab/services';
import { tableRowsIcon } from '@jupyterlab/ui-components';
import { type Message, MessageLoop } from '@lumino/messaging';
import { Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';

export const COMM_TARGET = 'jupyter-dci-datasets';
export const SIDEBAR_ID = 'jupyter-dci-datasets';

/** One tracked dataset as the kernel reports it. */
export interface DatasetInfo {
  name: string;
  root: string;
  head: number;
  pending: number;
}

/** Parse a comm message's data; anything malformed gives null (and is ignored). */
export function parseDatasets(data: unknown): DatasetInfo[] | null {
  if (!data || typeof data !== 'object' || !Array.isArray((data as { datasets?: unknown }).datasets)) {
    return null;
  }
  const out: DatasetInfo[] = [];
  for (const d of (data as { datasets: unknown[] }).datasets) {
    if (!d || typeof d !== 'object') {
      continue;
    }
    const r = d as Record<string, unknown>;
    out.push({
      name: String(r.name ?? ''),
      root: String(r.root ?? ''),
      head: Number(r.head ?? 0),
      pending: Number(r.pending ?? 0)
    });
  }
  return out;
}

/** The words of the warnings: which datasets have how many uncommitted edits. */
export function pendingSummary(datasets: DatasetInfo[]): string {
  return datasets
    .filter(d => d.pending > 0)
    .map(d => `${d.name}: ${d.pending.toLocaleString('en-US')} uncommitted edit${d.pending === 1 ? '' : 's'}`)
    .join('; ');
}

/** The datasets of one notebook's kernel, kept in step with its comm. */
class NotebookDatasets {
  readonly changed = new Signal<this, void>(this);
  datasets: DatasetInfo[] = [];
  /** Set while a confirmed close or restart goes ahead, so it is not asked twice. */
  confirmed = false;
  private kernel: Kernel.IKernelConnection | null = null;
  private comms: Kernel.IComm[] = [];

  constructor(readonly panel: NotebookPanel) {
    const ctx = panel.sessionContext;
    ctx.kernelChanged.connect(() => this.attach(ctx.session?.kernel ?? null));
    this.attach(ctx.session?.kernel ?? null);
  }

  get pending(): number {
    return this.datasets.reduce((n, d) => n + d.pending, 0);
  }

  set(datasets: DatasetInfo[]): void {
    this.datasets = datasets;
    this.changed.emit();
  }

  private attach(kernel: Kernel.IKernelConnection | null): void {
    if (kernel === this.kernel) {
      return;
    }
    if (this.kernel) {
      this.kernel.removeCommTarget(COMM_TARGET, this.onCommOpen);
      this.kernel.statusChanged.disconnect(this.onStatus, this);
    }
    this.kernel = kernel;
    this.comms = [];
    this.set([]);
    if (!kernel) {
      return;
    }
    kernel.registerCommTarget(COMM_TARGET, this.onCommOpen);
    kernel.statusChanged.connect(this.onStatus, this);
    void this.findOpenComms(kernel);
  }

  private readonly onCommOpen = (comm: Kernel.IComm, msg: KernelMessage.ICommOpenMsg): void => {
    this.listen(comm);
    const datasets = parseDatasets(msg.content.data);
    if (datasets) {
      this.set(datasets);
    }
  };

  private listen(comm: Kernel.IComm): void {
    this.comms.push(comm);
    comm.onMsg = msg => {
      const datasets = parseDatasets(msg.content.data);
      if (datasets) {
        this.set(datasets);
      }
    };
    comm.onClose = () => {
      this.comms = this.comms.filter(c => c !== comm);
    };
  }

  /** A comm the kernel opened before this page existed: adopt it and ask for the state. */
  private async findOpenComms(kernel: Kernel.IKernelConnection): Promise<void> {
    try {
      const reply = await kernel.requestCommInfo({ target_name: COMM_TARGET });
      if (reply.content.status !== 'ok' || kernel !== this.kernel) {
        return;
      }
      for (const id of Object.keys(reply.content.comms)) {
        if (kernel.hasComm(id) || this.comms.some(c => c.commId === id)) {
          continue;
        }
        const comm = kernel.createComm(COMM_TARGET, id);
        this.listen(comm);
        comm.send({ request: 'state' });
      }
    } catch {
      // A kernel without comm_info (or one that went away): nothing to adopt.
    }
  }

  private onStatus(_kernel: Kernel.IKernelConnection, status: Kernel.Status): void {
    if (status === 'restarting' || status === 'autorestarting' || status === 'dead') {
      // The kernel's datasets and their uncommitted edits are gone with it.
      this.comms = [];
      this.set([]);
    }
  }
}

/** The sidebar: the current notebook's datasets. Every text goes in through textContent. */
export class DatasetsSidebar extends Widget {
  private current: NotebookDatasets | null = null;
  private readonly heading: HTMLDivElement;
  private readonly list: HTMLUListElement;
  private readonly empty: HTMLDivElement;

  constructor() {
    super();
    this.id = SIDEBAR_ID;
    this.addClass('jp-dci-datasets');
    this.title.icon = tableRowsIcon;
    this.title.caption = 'Datasets (jupyter_dci): tracked datasets and uncommitted edits';
    this.heading = document.createElement('div');
    this.heading.className = 'jp-dci-datasets-heading';
    this.list = document.createElement('ul');
    this.list.className = 'jp-dci-datasets-list';
    this.empty = document.createElement('div');
    this.empty.className = 'jp-dci-datasets-empty';
    const title = document.createElement('h2');
    title.className = 'jp-dci-datasets-title';
    title.textContent = 'Datasets';
    this.node.append(title, this.heading, this.list, this.empty);
    this.render();
  }

  showState(state: NotebookDatasets | null): void {
    if (this.current) {
      this.current.changed.disconnect(this.render, this);
    }
    this.current = state;
    if (state) {
      state.changed.connect(this.render, this);
    }
    this.render();
  }

  private render(): void {
    const state = this.current;
    this.list.textContent = '';
    if (!state) {
      this.heading.textContent = 'No notebook is active.';
      this.empty.textContent = '';
      return;
    }
    this.heading.textContent = `Kernel of ${state.panel.context.path}`;
    this.empty.textContent =
      state.datasets.length === 0
        ? 'No tracked dataset in this kernel. dci.track(df, name=...) adds one.'
        : '';
    for (const d of state.datasets) {
      const li = document.createElement('li');
      li.className = 'jp-dci-dataset';
      li.dataset.name = d.name;
      li.dataset.pending = String(d.pending);
      li.title = `${d.root}/${d.name}`;
      const name = document.createElement('span');
      name.className = 'jp-dci-dataset-name';
      name.textContent = d.name;
      const head = document.createElement('span');
      head.className = 'jp-dci-dataset-head';
      head.textContent = `v${d.head}`;
      const pending = document.createElement('span');
      pending.className = 'jp-dci-dataset-pending';
      pending.textContent = d.pending > 0 ? `${d.pending.toLocaleString('en-US')} uncommitted` : 'all committed';
      li.classList.toggle('jp-mod-pending', d.pending > 0);
      li.append(name, head, pending);
      this.list.appendChild(li);
    }
  }
}

const CSS = `
.jp-dci-datasets { padding: 8px; overflow: auto; font-size: var(--jp-ui-font-size1); color: var(--jp-ui-font-color1); background: var(--jp-layout-color1); }
.jp-dci-datasets-title { font-size: var(--jp-ui-font-size2); margin: 0 0 6px; }
.jp-dci-datasets-heading, .jp-dci-datasets-empty { color: var(--jp-ui-font-color2); margin-bottom: 6px; word-break: break-all; }
.jp-dci-datasets-list { list-style: none; padding: 0; margin: 0; }
.jp-dci-dataset { display: flex; gap: 8px; align-items: baseline; padding: 4px 2px; border-bottom: 1px solid var(--jp-border-color2); }
.jp-dci-dataset-name { font-weight: 600; flex: 1; overflow: hidden; text-overflow: ellipsis; }
.jp-dci-dataset-head { color: var(--jp-ui-font-color2); }
.jp-dci-dataset.jp-mod-pending .jp-dci-dataset-pending { color: var(--jp-warn-color0, #e65100); font-weight: 600; }
`;

function addStyle(): void {
  if (document.getElementById('jp-dci-datasets-style')) {
    return;
  }
  const style = document.createElement('style');
  style.id = 'jp-dci-datasets-style';
  style.textContent = CSS;
  document.head.appendChild(style);
}

/** Ask whether to go on although edits are uncommitted; true to go on. */
async function confirmLoss(state: NotebookDatasets, action: string, verb: string): Promise<boolean> {
  const body =
    `${pendingSummary(state.datasets)}.\n\nThese edits are in the kernel's memory only: ` +
    `commit them first with ds.commit("message") (or the history panel), or ${action} anyway.`;
  const result = await showDialog({
    title: `Uncommitted jupyter_dci edits in ${state.panel.context.path}`,
    body,
    buttons: [Dialog.cancelButton({ label: 'Cancel' }), Dialog.warnButton({ label: verb })]
  });
  return result.button.accept;
}

/** Intercept closing a notebook (tab close, Close command, Close All) with pending edits. */
function guardClose(state: NotebookDatasets): void {
  const panel = state.panel;
  MessageLoop.installMessageHook(panel, (_handler, msg: Message) => {
    if (msg.type !== 'close-request' || state.confirmed || state.pending === 0) {
      return true;
    }
    void confirmLoss(state, 'close the notebook', 'Close anyway').then(ok => {
      if (ok && !panel.isDisposed) {
        state.confirmed = true;
        panel.close();
        state.confirmed = false;
      }
    });
    return false;
  });
}

/** Intercept kernel restarts from any path (menu, toolbar, command, code) with pending edits. */
function guardRestart(state: NotebookDatasets): void {
  const ctx = state.panel.sessionContext;
  const restartKernel = ctx.restartKernel.bind(ctx);
  ctx.restartKernel = async () => {
    if (!state.confirmed && state.pending > 0) {
      if (!(await confirmLoss(state, 'restart the kernel', 'Restart anyway'))) {
        // Rejecting stops callers such as "restart and run all" from going on.
        throw new Error('Kernel restart cancelled: uncommitted jupyter_dci edits.');
      }
    }
    return restartKernel();
  };
}

export function activateDatasets(
  app: JupyterFrontEnd,
  tracker: INotebookTracker,
  dialogs: ISessionContext.IDialogs | null
): DatasetsSidebar {
  addStyle();
  const states = new Map<NotebookPanel, NotebookDatasets>();
  const sidebar = new DatasetsSidebar();
  app.shell.add(sidebar, 'left', { rank: 900 });

  // Ask before the restart dialog of JupyterLab itself, so a cancelled restart returns
  // false and "restart and run all" does not run the cells.
  if (dialogs) {
    const restart = dialogs.restart.bind(dialogs);
    dialogs.restart = async (ctx: ISessionContext, options?: unknown) => {
      const state = [...states.values()].find(s => s.panel.sessionContext === ctx);
      if (state && state.pending > 0) {
        if (!(await confirmLoss(state, 'restart the kernel', 'Restart anyway'))) {
          return false;
        }
        state.confirmed = true;
        try {
          return await (restart as (c: ISessionContext, o?: unknown) => Promise<boolean>)(ctx, options);
        } finally {
          state.confirmed = false;
        }
      }
      return (restart as (c: ISessionContext, o?: unknown) => Promise<boolean>)(ctx, options);
    };
  }

  tracker.widgetAdded.connect((_sender, panel) => {
    const state = new NotebookDatasets(panel);
    states.set(panel, state);
    guardClose(state);
    guardRestart(state);
    panel.disposed.connect(() => states.delete(panel));
    if (tracker.currentWidget === panel) {
      sidebar.showState(state);
    }
  });
  tracker.currentChanged.connect((_sender, panel) => {
    sidebar.showState(panel ? states.get(panel) ?? null : null);
  });
  // No beforeunload warning: leaving or reloading the page does not stop the kernels, so
  // their uncommitted edits are still there when the page comes back.
  return sidebar;
}

export const datasetsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-dci:datasets',
  description: 'A sidebar of the tracked datasets of the current kernel, and warnings before uncommitted edits are lost.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [ISessionContextDialogs],
  activate: (app: JupyterFrontEnd, tracker: INotebookTracker, dialogs: ISessionContext.IDialogs | null) => {
    activateDatasets(app, tracker, dialogs);
  }
};
