/**
 * The anywidget module of the profile panel (jupyter_dci/widgets/_profile.py).
 */
import { mount } from '../_shared/style';
import chartCss from '../chart/style.css';
import css from './style.css';
import { ProfileView, type ProfileTraits } from './view';

export default { render: mount<ProfileTraits>((host, model) => new ProfileView(host, model), [chartCss, css]) };
