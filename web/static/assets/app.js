// The router: one index.html serves every page; the path picks it.
import { relabel } from './dom.js';
import { otherLang, setLang, onLangChange, chooseLang } from './i18n.js';
import { startPage } from './start.js';
import { interviewPage } from './interview.js';
import { reportPage } from './report.js';
import { hrPage } from './hr.js';
import { campaignsPage } from './campaigns.js';
import { calibrationsPage, calibrationPage } from './calibrations.js';
import { campaignPage } from './campaign.js';
import { notFoundPage } from './notfound.js';

const toggle = document.getElementById('lang-toggle');

function showToggle() {
  const other = otherLang();
  toggle.textContent = other === 'zh' ? '中文' : 'English';
  toggle.lang = other === 'zh' ? 'zh-CN' : 'en';
  toggle.setAttribute('aria-label', other === 'zh' ? '切换到中文' : 'Switch to English');
}

toggle.addEventListener('click', () => setLang(otherLang(), { chosen: true }));
onLangChange(() => {
  relabel(document);
  showToggle();
});

// The candidate token travels in the fragment (#token=…), which browsers
// never send to a server. A ?token= link is moved there at once.
function tokenFromURL() {
  const query = new URLSearchParams(location.search);
  const hash = new URLSearchParams(location.hash.slice(1));
  const token = hash.get('token') || query.get('token') || '';
  if (query.has('token')) {
    query.delete('token');
    const q = query.toString();
    history.replaceState(null, '', location.pathname + (q ? '?' + q : '') + '#token=' + encodeURIComponent(token));
  }
  return token;
}

function route() {
  setLang(chooseLang(), {});
  showToggle();
  const path = location.pathname.replace(/\/+$/, '') || '/';
  let m;
  if (path === '/') return startPage();
  if (path === '/hr') return hrPage();
  if (path === '/hr/campaigns') return campaignsPage();
  if ((m = path.match(/^\/hr\/campaigns\/([a-z0-9]{1,64})$/))) return campaignPage(m[1]);
  if (path === '/hr/calibrations') return calibrationsPage();
  if ((m = path.match(/^\/hr\/calibrations\/([a-z0-9]{1,64})$/))) return calibrationPage(m[1]);
  // Interview ids: random ones are [a-z0-9]; a campaign's are
  // <campaign>-<occurrence>-<candidate>, such as c…-20261207T010000Z-k….
  if ((m = path.match(/^\/i\/([A-Za-z0-9-]{1,128})\/report$/))) return reportPage(m[1], tokenFromURL());
  if ((m = path.match(/^\/i\/([A-Za-z0-9-]{1,128})$/))) return interviewPage(m[1], tokenFromURL());
  return notFoundPage();
}

route();
