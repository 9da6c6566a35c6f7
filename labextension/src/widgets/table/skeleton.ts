/** The table view's elements, made once; the view fills them. */
import { ErrorBox, el, suppressShortcuts } from '../_shared/dom';

let tables = 0;

export interface TableDom {
  root: HTMLDivElement;
  filterInput: HTMLInputElement;
  statusEl: HTMLSpanElement;
  /** What the rows are when Python restricted the view (an alert's rows, a slice...). */
  captionEl: HTMLSpanElement;
  captionText: HTMLSpanElement;
  error: ErrorBox;
  scroller: HTMLDivElement;
  spacer: HTMLDivElement;
  windowEl: HTMLDivElement;
  table: HTMLTableElement;
  colgroup: HTMLTableColElement;
  thead: HTMLTableSectionElement;
  tbody: HTMLTableSectionElement;
}

export function buildTableDom(filter: string, onShowAll: () => void): TableDom {
  const root = el('div', 'dci-table dci-theme');
  // Arrows and space drive the table, not the notebook.
  suppressShortcuts(root);
  // Ids that tie the grid to its status line and to the cell under the cursor.
  const id = `dci-table-${++tables}`;

  const toolbar = el('div', 'dci-toolbar');
  const filterInput = el('input', 'dci-filter');
  filterInput.type = 'text';
  filterInput.spellcheck = false;
  filterInput.placeholder = "filter rows, e.g. age > 30 and country == 'IN'   (Enter applies)";
  filterInput.value = filter;
  filterInput.setAttribute('aria-label', 'Filter expression');
  suppressShortcuts(filterInput);
  const statusEl = el('span', 'dci-status');
  statusEl.id = `${id}-status`;
  statusEl.setAttribute('role', 'status');
  const captionEl = el('span', 'dci-caption');
  const captionText = el('span', 'dci-caption-text');
  const showAll = el('button', 'dci-show-all', 'show all rows');
  showAll.type = 'button';
  showAll.addEventListener('click', onShowAll);
  captionEl.append(captionText, showAll);
  toolbar.append(filterInput, captionEl, statusEl);

  const error = new ErrorBox('dci-error');

  // A scroller as tall as all rows; the window inside it sticks to the top and shows the
  // rows in view (see TableView.render).
  const scroller = el('div', 'dci-scroll');
  const spacer = el('div', 'dci-spacer');
  const windowEl = el('div', 'dci-window');
  // The grid itself takes the keyboard focus (a tab stop inside the scroller); the cell
  // under the cursor is its active descendant.
  const table = el('table', 'dci-grid');
  table.id = id;
  table.tabIndex = 0;
  table.setAttribute('role', 'grid');
  table.setAttribute('aria-label', 'Rows: arrow keys move, Space selects, / filters, Enter on a header sorts');
  table.setAttribute('aria-describedby', statusEl.id);
  table.setAttribute('aria-multiselectable', 'true');
  const colgroup = el('colgroup');
  const thead = el('thead');
  const tbody = el('tbody');
  table.append(colgroup, thead, tbody);
  windowEl.appendChild(table);
  spacer.appendChild(windowEl);
  scroller.appendChild(spacer);

  root.append(toolbar, error.el, scroller);
  return {
    root,
    filterInput,
    statusEl,
    captionEl,
    captionText,
    error,
    scroller,
    spacer,
    windowEl,
    table,
    colgroup,
    thead,
    tbody
  };
}
