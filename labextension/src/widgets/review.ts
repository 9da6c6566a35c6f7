/**
 * The anywidget module of jupyter_dci.review(df, label=..., issues=...): the label review panel.
 */
import type { AnyModel, Render } from '@anywidget/types';
import css from './review.css';
import tableCss from './table.css';
import { ReviewView, type ReviewTraits } from './_review_view';
import { ensureStyle } from './_style';

const render: Render<ReviewTraits> = ({ model, el }) => {
  // The table's sheet styles the cells the panel renders with renderCell.
  ensureStyle('dci-table-style', tableCss);
  ensureStyle('dci-review-style', css);
  const view = new ReviewView(el, model as AnyModel<ReviewTraits>);
  return () => view.destroy();
};

export default { render };
