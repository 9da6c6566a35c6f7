/**
 * The anywidget module of jupyter_dci.chart(altair_chart) (jupyter_dci/widgets/_chart.py).
 */
import { mount } from '../_shared/style';
import css from './style.css';
import { ChartView, type ChartTraits } from './view';

export default { render: mount<ChartTraits>((host, model) => new ChartView(host, model), [css]) };
