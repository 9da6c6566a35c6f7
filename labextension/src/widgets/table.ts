/**
 * The anywidget module of jupyter_dci.table(df): a paged DataFrame view.
 */
import type { AnyModel, Render } from '@anywidget/types';
import css from './table.css';
import { TableView, type TableTraits } from './_table_view';
import { ensureStyle } from './_style';

const render: Render<TableTraits> = ({ model, el }) => {
  ensureStyle('dci-table-style', css);
  const view = new TableView(el, model as AnyModel<TableTraits>);
  return () => view.destroy();
};

export default { render };
