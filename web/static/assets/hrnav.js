// The HR pages' own navigation: interviews, campaigns and calibrations.
import { h } from './dom.js';

const pages = [['/hr', 'hr.nav.interviews'], ['/hr/campaigns', 'hr.nav.campaigns'], ['/hr/calibrations', 'hr.nav.calibrations']];

// hrNav links the HR pages; current is the path of the page shown.
export function hrNav(current) {
  return h('nav', { class: 'tabs', 'aria-labelledby': 'hr-nav-h' },
    h('span', { id: 'hr-nav-h', class: 'visually-hidden', i18n: 'hr.nav' }),
    h('ul', {}, pages.map(([path, key]) =>
      h('li', {}, h('a', { href: path, i18n: key, 'aria-current': path === current ? 'page' : null })))));
}
