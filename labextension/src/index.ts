/**
 * The jupyter_dci JupyterLab extension: what is not a cell output.
 *
 * Today it registers one command, "Show a DataFrame in a jupyter_dci table", in the
 * command palette and the notebook's context menu: it asks for a variable name
 * (the selected text by default), inserts a cell below the active one that shows
 * that DataFrame with `dci.table(...)`, and runs it. A second plugin (plugin/datasets.ts)
 * adds the "Datasets" sidebar and the warnings before uncommitted edits are lost.
 *
 * Its settings (rows per page, the Inspect button under DataFrames, the chart theme) are in
 * the Settings Editor under "jupyter_dci" (schema/plugin.json; put into effect by
 * plugin/settings.ts).
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, InputDialog, showErrorMessage } from '@jupyterlab/apputils';
import { INotebookTracker, NotebookActions } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { COMMAND_TABLE, cellSource, isIdentifier, selectedIdentifier } from './plugin/table-command';
import { datasetsPlugin } from './plugin/datasets';
import { followSettings } from './plugin/settings';

const PLUGIN_ID = 'jupyter-dci:plugin';

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'Data-centric iteration in Jupyter: commands for jupyter_dci views.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [ICommandPalette, ISettingRegistry],
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    palette: ICommandPalette | null,
    registry: ISettingRegistry | null
  ) => {
    if (registry) {
      followSettings(registry, PLUGIN_ID, tracker).catch(err =>
        console.error(`jupyter_dci: its settings could not be loaded (${String(err)}); the defaults hold.`)
      );
    }
    app.commands.addCommand(COMMAND_TABLE, {
      label: 'Show a DataFrame in a jupyter_dci table…',
      caption: 'Insert and run a cell that shows a DataFrame variable with dci.table()',
      isEnabled: () => tracker.currentWidget !== null,
      execute: async args => {
        const panel = tracker.currentWidget;
        if (!panel) {
          return;
        }
        let name = typeof args.name === 'string' ? args.name : null;
        if (name === null) {
          const editor = panel.content.activeCell?.editor ?? null;
          const result = await InputDialog.getText({
            title: 'Show a DataFrame in a jupyter_dci table',
            label: 'Name of a DataFrame variable in this notebook',
            text: selectedIdentifier(editor) ?? 'df'
          });
          if (!result.button.accept || result.value === null) {
            return;
          }
          name = result.value.trim();
        }
        // Only a plain Python identifier goes into the cell: text from the dialog
        // never becomes code of any other shape.
        if (!isIdentifier(name)) {
          await showErrorMessage(
            'Not a variable name',
            `Got ${JSON.stringify(name)}. A Python variable name is letters, digits and underscores, ` +
              'not starting with a digit (e.g. df or train_df). Assign the DataFrame to a variable first.'
          );
          return;
        }
        const notebook = panel.content;
        NotebookActions.insertBelow(notebook);
        const cell = notebook.activeCell;
        if (!cell) {
          return;
        }
        cell.model.sharedModel.setSource(cellSource(name));
        await NotebookActions.run(notebook, panel.sessionContext);
      }
    });
    palette?.addItem({ command: COMMAND_TABLE, category: 'jupyter_dci' });
    app.contextMenu.addItem({ command: COMMAND_TABLE, selector: '.jp-Notebook', rank: 90 });
  }
};

export default [plugin, datasetsPlugin];
