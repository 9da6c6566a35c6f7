/**
 * The anywidget module of jupyter_dci.review(df, label=..., issues=...): the label review panel.
 */
import { mount } from '../_shared/style';
// The table's sheet styles the cells the panel renders with renderCell.
import tableCss from '../table/style.css';
import css from './style.css';
import { ReviewView, type ReviewTraits } from './view';

export default { render: mount<ReviewTraits>((host, model) => new ReviewView(host, model), [tableCss, css]) };
