/**
 * The anywidget module of jupyter_dci.table(df): a paged DataFrame view.
 */
import { mount } from '../_shared/style';
import css from './style.css';
import type { TableTraits } from './traits';
import { TableView } from './view';

export default { render: mount<TableTraits>((host, model) => new TableView(host, model), [css]) };
