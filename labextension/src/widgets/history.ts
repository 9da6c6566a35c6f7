/**
 * The anywidget module of ds.history(): the history panel of a tracked dataset.
 */
import type { AnyModel, Render } from '@anywidget/types';
import css from './history.css';
import tableCss from './table.css';
import { HistoryView, type HistoryTraits } from './_history_view';
import { ensureStyle } from './_style';

const render: Render<HistoryTraits> = ({ model, el }) => {
  ensureStyle('dci-table-style', tableCss);
  ensureStyle('dci-history-style', css);
  const view = new HistoryView(el, model as AnyModel<HistoryTraits>);
  return () => view.destroy();
};

export default { render };
