// The HR calibrations pages: upload a file of answers your graders scored,
// follow the workflow that scores them with the interviewer, and read how
// well the two agree (summary, every answer, the report page).
import { api } from './api.js';
import { h, title, formatDate } from './dom.js';
import { t, lang, onLangChange } from './i18n.js';
import { hrShell } from './hr.js';
import { field } from './campaigns.js';

// pollEvery is how often a page asks again while a calibration is scored.
const pollEvery = 2000;
const statusKeys = { pending: 'cal.status.pending', running: 'cal.status.running', done: 'cal.status.done' };
// figures are the summary's figures in the order the pages show them.
const figures = [
  ['n', 'cal.n'], ['pearson', 'cal.pearson'], ['spearman', 'cal.spearman'], ['quadratic_weighted_kappa', 'cal.kappa'],
  ['mean_absolute_error', 'cal.mae'], ['mean_bias', 'cal.bias'], ['follow_up_agreement', 'cal.followup'],
];

// calibrationsPath is a calibration's page (or the list's, without an id).
export function calibrationsPath(id) {
  return '/hr/calibrations' + (id ? '/' + encodeURIComponent(id) : '');
}

const apiPath = (id, suffix = '') => '/api/v1/hr/calibrations/' + encodeURIComponent(id) + suffix;

function num(x) {
  if (x == null) return '–';
  return Number.isInteger(x) ? String(x) : x.toFixed(2);
}

function statusCell(c) {
  return h('td', { 'data-status': c.status, i18n: statusKeys[c.status] || 'cal.status.pending' });
}

function progress(c) {
  return h('span', { class: 'cal-progress' }, h('progress', { max: String(c.total || 1), value: String(c.done) }), ' ', c.done + ' / ' + c.total);
}

// calibrationsPage renders the upload form and the list of calibrations.
export function calibrationsPage() {
  title('title.calibrations');
  hrShell('/hr/calibrations', 'cal.title', '/api/v1/hr/calibrations?limit=1', async (page, err) => {
    const form = h('section', { class: 'card', 'aria-labelledby': 'cal-new-h' });
    const list = h('section', { 'aria-labelledby': 'cal-list-h' });
    page.append(form, list);
    let timer = 0;
    const reload = async () => {
      clearTimeout(timer);
      const busy = await showList(list, err);
      if (busy) timer = setTimeout(reload, pollEvery);
    };
    form.append(h('h2', { id: 'cal-new-h', i18n: 'cal.new' }), uploadForm(reload, err));
    await reload();
    onLangChange(() => reload());
    page.dataset.loaded = String(Date.now());
  });
}

function uploadForm(reload, err) {
  const input = h('input', { type: 'file', accept: '.jsonl,.ndjson,.json,.csv', required: true });
  const submit = h('button', { type: 'submit', class: 'primary', i18n: 'cal.upload' });
  const result = h('div', { id: 'cal-upload-result', 'aria-live': 'polite' });
  const el = h('form', { id: 'cal-form', novalidate: true },
    field('cal-file', 'cal.file', input, 'cal.file.hint'), h('div', { class: 'actions' }, submit), result);
  el.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    err.show('');
    result.replaceChildren();
    if (!input.files[0]) {
      err.show(t('cal.file.required'));
      return;
    }
    const data = new FormData();
    data.append('file', input.files[0]);
    submit.disabled = true;
    try {
      const c = await api('POST', '/api/v1/hr/calibrations', { form: data });
      result.append(h('p', { class: 'notice' },
        h('span', { i18n: ['cal.uploaded', { n: c.total }] }), ' ', h('a', { href: calibrationsPath(c.id) }, c.filename)),
      problemList(c.problems || [], c.skipped));
      el.reset();
      await reload();
    } catch (e) {
      err.show(e.message);
    } finally {
      submit.disabled = false;
    }
  });
  return el;
}

// problemList lists the lines of the file that were skipped.
function problemList(problems, skipped) {
  if (!skipped) return null;
  return h('div', { class: 'cal-problems' },
    h('p', { i18n: ['cal.skipped', { n: skipped }] }),
    h('ul', {}, problems.map((p) => h('li', {}, h('span', { i18n: ['cal.line', { n: p.line }] }), ': ' + p.reason))));
}

// showList shows the calibrations and says whether any is still scored.
async function showList(section, err) {
  let resp;
  try {
    resp = await api('GET', '/api/v1/hr/calibrations?limit=100');
  } catch (e) {
    err.show(e.message);
    return false;
  }
  const rows = resp.calibrations.map((c) => h('tr', { 'data-id': c.id, 'data-status': c.status },
    h('td', {}, h('a', { href: calibrationsPath(c.id) }, c.filename || c.id)),
    statusCell(c),
    h('td', {}, progress(c)),
    h('td', { class: 'num' }, num(c.summary && c.summary.pearson)),
    h('td', { class: 'num' }, num(c.summary && c.summary.mean_absolute_error)),
    h('td', {}, formatDate(c.created_at, lang()))));
  if (rows.length === 0) rows.push(h('tr', {}, h('td', { colspan: 6, class: 'muted', i18n: 'cal.none' })));
  section.replaceChildren(
    h('h2', { id: 'cal-list-h', i18n: 'cal.list' }),
    h('div', { class: 'table-wrap' }, h('table', { id: 'cal-table' },
      h('thead', {}, h('tr', {}, ['cal.file.name', 'hr.status', 'cal.progress', 'cal.pearson', 'cal.mae', 'cal.created']
        .map((k) => h('th', { scope: 'col', i18n: k })))),
      h('tbody', {}, rows))));
  return resp.calibrations.some((c) => c.status !== 'done');
}

// calibrationPage renders one calibration: progress, summary, the report
// link, skipped lines and every answer's two scores.
export function calibrationPage(id) {
  title('title.calibrations');
  hrShell(calibrationsPath(id), 'cal.title', apiPath(id), async (page, err, heading) => {
    let timer = 0;
    const show = async () => {
      clearTimeout(timer);
      let c;
      try {
        c = await api('GET', apiPath(id));
      } catch (e) {
        err.show(e.message);
        return;
      }
      heading.removeAttribute('data-i18n');
      heading.textContent = c.filename || c.id;
      page.replaceChildren(detail(c));
      page.dataset.status = c.status;
      if (c.status !== 'done') timer = setTimeout(show, pollEvery);
    };
    await show();
    onLangChange(() => show());
    page.dataset.loaded = String(Date.now());
  });
}

function detail(c) {
  const s = c.summary;
  return h('div', { id: 'cal-detail' },
    h('p', { class: 'status-line' }, h('a', { href: calibrationsPath(), i18n: 'cal.back' })),
    h('section', { class: 'card', 'aria-labelledby': 'cal-sum-h' },
      h('h2', { id: 'cal-sum-h', i18n: 'cal.summary' }),
      h('p', { class: 'meta' }, h('span', { i18n: statusKeys[c.status] || 'cal.status.pending' }), ' · ', progress(c),
        c.interviewer ? h('span', {}, ' · ', h('span', { i18n: 'cal.interviewer' }), ' ' + c.interviewer) : null,
        ' · ', h('span', { i18n: 'cal.by' }), ' ' + c.created_by),
      s ? h('dl', { class: 'counts', id: 'cal-summary' }, figures.map(([k, key]) => h('div', { 'data-figure': k },
        h('dt', { i18n: key }), h('dd', {}, num(s[k]))))) : h('p', { class: 'hint', i18n: 'cal.scoring' }),
      s && s.failed ? h('p', { class: 'error', i18n: ['cal.failed', { n: s.failed }] }) : null,
      h('p', { class: 'hint', i18n: 'cal.explain' }),
      c.status === 'done' ? h('p', {}, h('a', { id: 'cal-report', href: apiPath(c.id, '/report'), target: '_blank', rel: 'noopener', i18n: 'cal.report' })) : null),
    problemList(c.problems || [], c.skipped),
    h('section', { 'aria-labelledby': 'cal-rows-h' },
      h('h2', { id: 'cal-rows-h', i18n: 'cal.rows' }),
      h('div', { class: 'table-wrap' }, h('table', { id: 'cal-rows' },
        h('thead', {}, h('tr', {}, ['cal.row.id', 'cal.row.question', 'cal.row.human', 'cal.row.score', 'cal.row.followup', 'cal.row.feedback']
          .map((k) => h('th', { scope: 'col', i18n: k })))),
        h('tbody', {}, (c.rows || []).map((r) => h('tr', { 'data-row': r.id },
          h('td', {}, r.id), h('td', {}, r.question),
          h('td', { class: 'num' }, num(r.human)),
          h('td', { class: 'num' }, r.scored ? num(r.score) : '…'),
          h('td', r.scored && !r.error ? { i18n: r.follow_up ? 'cal.yes' : 'cal.no' } : {}),
          h('td', r.error ? { class: 'error' } : {}, r.error || r.feedback || ''))))))));
}
