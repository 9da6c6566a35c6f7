/** Pure helpers of the table command, kept apart so they are easy to read and check. */
import type { CodeEditor } from '@jupyterlab/codeeditor';

export const COMMAND_TABLE = 'jupyter-dci:show-table';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const KEYWORDS = new Set([
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue',
  'def', 'del', 'elif', 'else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in',
  'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try', 'while', 'with', 'yield'
]);

/** Whether `text` is a Python identifier that is not a keyword (ASCII only, on purpose). */
export function isIdentifier(text: string): boolean {
  return IDENTIFIER.test(text) && !KEYWORDS.has(text);
}

/** The source of the cell the command inserts. */
export function cellSource(name: string): string {
  return `import jupyter_dci as dci\ndci.table(${name})`;
}

/** The editor's selected text when it is an identifier, else null. */
export function selectedIdentifier(editor: CodeEditor.IEditor | null): string | null {
  if (!editor) {
    return null;
  }
  const { start, end } = editor.getSelection();
  const source = editor.model.sharedModel.getSource();
  const from = editor.getOffsetAt(start);
  const to = editor.getOffsetAt(end);
  const text = source.slice(Math.min(from, to), Math.max(from, to)).trim();
  return isIdentifier(text) ? text : null;
}
