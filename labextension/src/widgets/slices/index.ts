/**
 * The anywidget module of the slices panel (jupyter_dci/widgets/_slices.py).
 */
import { mount } from '../_shared/style';
import chartCss from '../chart/style.css';
import css from './style.css';
import { SlicesView, type SlicesTraits } from './view';

export default { render: mount<SlicesTraits>((host, model) => new SlicesView(host, model), [chartCss, css]) };
