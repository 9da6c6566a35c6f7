/**
 * The extension's settings (schema: labextension/schema/plugin.json), as the Settings
 * Editor shows them, put into effect:
 *
 * - `rowsPerPage` and `chartTheme` are published to the views (widgets/_shared/settings.ts),
 *   which follow them at once;
 * - `inspectButton` loads jupyter_dci's IPython extension (`%load_ext jupyter_dci`, the
 *   Inspect button under every DataFrame shown) in each notebook's Python kernel, again
 *   after a restart, and unloads it where it loaded it when turned off. The code runs
 *   silently (no output, no history) and does nothing in a kernel without jupyter_dci.
 */
import type { ISettingRegistry } from '@jupyterlab/settingregistry';
import type { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import type { Kernel } from '@jupyterlab/services';
import { checkSettings, publishViewSettings } from '../widgets/_shared/settings';

/** One expression each, so that nothing is left in the user's namespace. */
export const LOAD_CODE =
  "(lambda ip: ip is not None and __import__('importlib.util').util.find_spec('jupyter_dci') is not None" +
  " and ip.run_line_magic('load_ext', 'jupyter_dci'))(get_ipython())";
export const UNLOAD_CODE =
  "(lambda ip: ip is not None and 'jupyter_dci' in ip.extension_manager.loaded" +
  " and ip.run_line_magic('unload_ext', 'jupyter_dci'))(get_ipython())";

/** Keeps the IPython extension loaded in every notebook's Python kernel while it is wanted. */
export class InspectButtons {
  private wanted = false;
  /** The kernels this extension loaded it in (a restarted kernel is loaded again). */
  private readonly loaded = new WeakSet<Kernel.IKernelConnection>();

  constructor(private readonly tracker: INotebookTracker) {
    tracker.widgetAdded.connect((_sender, panel) => this.watch(panel));
    tracker.forEach(panel => this.watch(panel));
  }

  set enabled(on: boolean) {
    if (on !== this.wanted) {
      this.wanted = on;
      this.tracker.forEach(panel => void this.apply(panel.sessionContext.session?.kernel ?? null));
    }
  }

  private watch(panel: NotebookPanel): void {
    const ctx = panel.sessionContext;
    ctx.statusChanged.connect((_ctx, status) => {
      const kernel = ctx.session?.kernel ?? null;
      if (kernel && (status === 'restarting' || status === 'autorestarting' || status === 'starting')) {
        this.loaded.delete(kernel); // a fresh process: nothing is loaded in it any more
      } else if (status === 'idle') {
        void this.apply(kernel);
      }
    });
  }

  private async apply(kernel: Kernel.IKernelConnection | null): Promise<void> {
    if (!kernel || this.wanted === this.loaded.has(kernel)) {
      return;
    }
    // Recorded before the request: the idle status after it must not ask again.
    if (this.wanted) {
      this.loaded.add(kernel);
    } else {
      this.loaded.delete(kernel);
    }
    const info = await kernel.info;
    if (info.language_info.name !== 'python') {
      return;
    }
    kernel.requestExecute({ code: this.wanted ? LOAD_CODE : UNLOAD_CODE, silent: true, store_history: false });
  }
}

/** Load the settings of `pluginId`, put them into effect now and on every change. */
export async function followSettings(
  registry: ISettingRegistry,
  pluginId: string,
  tracker: INotebookTracker
): Promise<void> {
  const buttons = new InspectButtons(tracker);
  const settings = await registry.load(pluginId);
  const apply = (): void => {
    const composite = settings.composite as Record<string, unknown>;
    publishViewSettings(checkSettings(composite));
    buttons.enabled = composite.inspectButton === true;
  };
  apply();
  settings.changed.connect(apply);
}
