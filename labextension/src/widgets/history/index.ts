/**
 * The anywidget module of ds.history(): the history panel of a tracked dataset.
 */
import { mount } from '../_shared/style';
import tableCss from '../table/style.css';
import css from './style.css';
import { HistoryView, type HistoryTraits } from './view';

export default { render: mount<HistoryTraits>((host, model) => new HistoryView(host, model), [tableCss, css]) };
