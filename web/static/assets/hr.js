// The HR page: sign in (an HR account, or the HR token in dev), list interviews with filters and
// pages, and read one: transcript, report, and its history in Temporal UI.
import { api, ApiError } from './api.js';
import { h, safeLink, main, title, label, errorBox, formatDate } from './dom.js';
import { lang } from './i18n.js';
import { reportBody } from './report.js';
import { roundItem } from './interview.js';
import { hrNav } from './hrnav.js';
import { flags, flagBadges, attachSignals } from './signals.js';

const statuses = ['generating', 'awaiting_answer', 'evaluating', 'completed', 'abandoned', 'failed', 'missed'];
const levels = ['junior', 'mid', 'senior'];

// hrPage renders the HR page.
export function hrPage() {
  title('title.hr');
  hrShell('/hr', 'hr.title', '/api/v1/hr/interviews?page_size=1', (page, err) => listing(page, err));
}

// hrShell renders an HR page behind the sign-in, titled headingKey:
// ready(page, err, heading) fills it once the HR session is good (a GET of
// probe answers). Signing out empties it and puts the title back.
export function hrShell(current, headingKey, probe, ready) {
  const m = main();
  const heading = h('h1', { id: 'hr-heading', i18n: headingKey });
  const err = errorBox();
  const page = h('div', { id: 'hr-app', hidden: true });
  const signOut = h('button', { type: 'button', class: 'secondary', id: 'hr-signout', i18n: 'hr.signout', hidden: true });
  const login = loginForm(() => check());
  m.append(hrNav(current), h('div', { class: 'detail-head' }, heading, signOut), err, login.el, page);
  let started = false;
  signOut.addEventListener('click', async () => {
    try {
      await api('DELETE', '/api/v1/hr/session');
    } catch (e) {
      err.show(e.message);
      return;
    }
    page.hidden = signOut.hidden = true;
    page.replaceChildren();
    label(heading, headingKey);
    started = false;
    login.show();
  });
  async function check() {
    err.show('');
    try {
      await api('GET', probe);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        login.show();
        return;
      }
      err.show(e.message);
      return;
    }
    login.hide();
    page.hidden = signOut.hidden = false;
    if (!started) {
      started = true;
      ready(page, err, heading);
    }
  }
  check();
}

// loginForm is the HR sign-in form; onDone runs once HR is signed in. An
// HR account signs in with its name and password; where the server has an
// HR token (dev's single-token mode), the token alone signs in as admin.
// Either way the server keeps the session and the cookie holds only its id.
export function loginForm(onDone) {
  const name = h('input', { type: 'text', id: 'hr-name', name: 'name', autocomplete: 'username' });
  const password = h('input', { type: 'password', id: 'hr-password', name: 'password', autocomplete: 'current-password' });
  const input = h('input', { type: 'password', id: 'hr-token', name: 'token', autocomplete: 'off' });
  const err = errorBox();
  // Where the server has single sign-on, the browser goes to the issuer
  // and comes back to this page signed in.
  // (The link sits in a span: .button's display would win over hidden.)
  const sso = h('a', { id: 'hr-sso', class: 'button secondary', i18n: 'hr.sso' });
  const ssoBox = h('span', { hidden: true }, sso);
  // Without the script's handler (or with form.submit()), the browser
  // posts the form to the session endpoint itself: no secret ever goes
  // into a URL.
  const form = h('form', { id: 'hr-login', class: 'card narrow', hidden: true, method: 'post', action: '/api/v1/hr/session' },
    h('h2', { i18n: 'hr.signin' }),
    h('p', { class: 'hint', i18n: 'hr.signin.hint' }),
    h('div', { class: 'field' }, h('label', { for: 'hr-name', i18n: 'hr.name' }), name),
    h('div', { class: 'field' }, h('label', { for: 'hr-password', i18n: 'hr.password' }), password),
    h('div', { class: 'field' }, h('label', { for: 'hr-token', i18n: 'hr.token' }), input),
    err,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', i18n: 'hr.signin.button' }), ssoBox));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    err.show('');
    const body = input.value ? { token: input.value } : { name: name.value, password: password.value };
    try {
      await api('POST', '/api/v1/hr/session', { body });
      input.value = password.value = '';
      onDone();
    } catch (e) {
      err.show(e.message);
      (input.value ? input : password).focus();
    }
  });
  return {
    el: form,
    async show() {
      form.hidden = false;
      name.focus();
      try {
        const info = await api('GET', '/api/v1/info');
        sso.href = '/api/v1/hr/oidc/login?next=' + encodeURIComponent(location.pathname + location.search);
        ssoBox.hidden = !info.hr_sso;
      } catch {
        ssoBox.hidden = true;
      }
    },
    hide() {
      form.hidden = true;
    },
  };
}

function select(id, key, values, labelOf) {
  const el = h('select', { id, name: id },
    h('option', { value: '', i18n: 'hr.any' }),
    values.map((v) => h('option', { value: v, ...labelOf(v) })));
  return h('div', { class: 'field' }, h('label', { for: id, i18n: key }), el);
}

function input(id, key, props) {
  return h('div', { class: 'field' }, h('label', { for: id, i18n: key }), h('input', { id, name: id, ...props }));
}

async function listing(page, err) {
  let tracks = [];
  try {
    tracks = (await api('GET', '/api/v1/tracks')).tracks.map((x) => x.track);
  } catch (e) {
    err.show(e.message);
  }
  const filters = h('form', { id: 'hr-filters', class: 'card filters', method: 'post' },
    h('fieldset', {},
      h('legend', { i18n: 'hr.filters' }),
      h('div', { class: 'grid' },
        select('f-status', 'hr.status', statuses, (s) => ({ i18n: 'state.' + s })),
        select('f-track', 'hr.track', tracks, (v) => ({ text: v })),
        select('f-level', 'hr.level', levels, (l) => ({ i18n: 'level.' + l })),
        select('f-flag', 'hr.flag', flags, (f) => ({ i18n: 'flag.' + f })),
        input('f-min', 'hr.minscore', { type: 'number', min: 0, max: 100, inputmode: 'numeric' }),
        input('f-max', 'hr.maxscore', { type: 'number', min: 0, max: 100, inputmode: 'numeric' }),
        input('f-from', 'hr.from', { type: 'date' }),
        input('f-to', 'hr.to', { type: 'date' }),
        input('f-candidate', 'hr.candidate', { type: 'search', autocomplete: 'off' }))),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary', id: 'f-apply', i18n: 'hr.apply' }),
      h('button', { type: 'reset', class: 'secondary', id: 'f-reset', i18n: 'hr.reset' })));
  const source = h('p', { class: 'hint', id: 'hr-source' });
  const body = h('tbody', { id: 'hr-rows' });
  const table = h('div', { class: 'table-wrap' }, h('table', { id: 'hr-table' },
    h('caption', { class: 'visually-hidden', i18n: 'hr.title' }),
    h('thead', {}, h('tr', {}, ['hr.col.candidate', 'hr.track', 'hr.level', 'hr.status', 'hr.col.round', 'hr.col.score', 'hr.col.flags', 'hr.col.started']
      .map((k) => h('th', { scope: 'col', i18n: k })))),
    body));
  const prev = h('button', { type: 'button', class: 'secondary', id: 'hr-prev', i18n: 'hr.prev' });
  const next = h('button', { type: 'button', class: 'secondary', id: 'hr-next', i18n: 'hr.next' });
  const pageNo = h('span', { id: 'hr-page' });
  const detail = h('section', { id: 'hr-detail', class: 'detail', hidden: true, 'aria-live': 'polite' });
  page.append(filters, source, table, h('div', { class: 'pager' }, prev, pageNo, next), detail);

  const tokens = ['']; // page tokens, one per page visited
  let nextToken = '';

  const query = () => {
    const f = new FormData(filters);
    const q = new URLSearchParams();
    const put = (name, value) => value && q.set(name, value);
    put('status', f.get('f-status'));
    put('track', f.get('f-track'));
    put('level', f.get('f-level'));
    put('flag', f.get('f-flag'));
    put('min_score', f.get('f-min'));
    put('max_score', f.get('f-max'));
    put('from', f.get('f-from'));
    const to = f.get('f-to');
    if (to) {
      // The date is inclusive here; the API's "to" is exclusive.
      const d = new Date(to + 'T00:00:00Z');
      d.setUTCDate(d.getUTCDate() + 1);
      q.set('to', d.toISOString().slice(0, 10));
    }
    put('candidate', (f.get('f-candidate') || '').trim());
    q.set('page_size', '20');
    const token = tokens[tokens.length - 1];
    if (token) q.set('page_token', token);
    return q;
  };

  let latest = 0; // only the newest request's answer is shown
  const load = async () => {
    const mine = ++latest;
    err.show('');
    let resp;
    try {
      resp = await api('GET', '/api/v1/hr/interviews?' + query());
    } catch (e) {
      if (mine === latest) err.show(e.message);
      return;
    }
    if (mine !== latest) return;
    nextToken = resp.next_page_token || '';
    next.disabled = !nextToken;
    prev.disabled = tokens.length <= 1;
    label(pageNo, 'hr.page', { n: tokens.length });
    if (resp.source === 'visibility') label(source, 'hr.source.visibility', { query: resp.query || '' });
    else label(source, 'hr.source.database');
    body.replaceChildren(...resp.interviews.map((iv) => row(iv, (btn) => open(detail, iv.id, btn, err))));
    if (resp.interviews.length === 0) {
      body.append(h('tr', {}, h('td', { colspan: 8, class: 'muted', i18n: 'hr.empty' })));
    }
    page.dataset.loaded = String(Date.now());
  };

  filters.addEventListener('submit', (ev) => {
    ev.preventDefault();
    tokens.length = 1;
    load();
  });
  filters.addEventListener('reset', () => setTimeout(() => {
    tokens.length = 1;
    load();
  }));
  next.addEventListener('click', () => {
    if (!nextToken) return;
    tokens.push(nextToken);
    load();
  });
  prev.addEventListener('click', () => {
    if (tokens.length <= 1) return;
    tokens.pop();
    load();
  });
  await load();
}

function row(iv, onOpen) {
  const btn = h('button', { type: 'button', class: 'link-button open', 'data-id': iv.id }, iv.candidate.name || iv.id);
  btn.addEventListener('click', () => onOpen(btn));
  return h('tr', { 'data-id': iv.id, 'data-status': iv.status },
    h('td', {}, btn, iv.candidate.email ? h('div', { class: 'muted small' }, iv.candidate.email) : null),
    h('td', { class: 'nowrap' }, iv.track),
    h('td', { class: 'nowrap', i18n: 'level.' + iv.level }),
    h('td', { i18n: 'state.' + iv.status }),
    h('td', {}, String(iv.round)),
    h('td', { class: 'num' }, iv.score == null ? '—' : String(Math.round(iv.score))),
    h('td', { class: 'flags' }, flagBadges(iv.integrity)),
    h('td', {}, formatDate(iv.created_at, lang())));
}

async function open(detail, id, opener, err) {
  let v;
  try {
    v = await api('GET', '/api/v1/hr/interviews/' + encodeURIComponent(id));
  } catch (e) {
    err.show(e.message);
    return;
  }
  const heading = h('h2', { id: 'detail-h', tabindex: -1 }, v.candidate.name || v.id);
  const close = h('button', { type: 'button', class: 'secondary', id: 'detail-close', i18n: 'hr.close' });
  close.addEventListener('click', () => {
    detail.hidden = true;
    detail.replaceChildren();
    opener.focus();
  });
  const link = safeLink(v.temporal_ui || '');
  const status = h('span', { i18n: 'state.' + v.status });
  const transcript = (v.transcript || []).map((e) => roundItem({ ...e, text: e.question }));
  detail.replaceChildren(
    h('div', { class: 'card', 'data-id': v.id },
      h('div', { class: 'detail-head' }, heading, close),
      h('dl', { class: 'facts' },
        h('dt', { i18n: 'hr.email' }), h('dd', {}, v.candidate.email || '—'),
        h('dt', { i18n: 'hr.status' }), h('dd', {}, status),
        h('dt', { i18n: 'hr.col.round' }), h('dd', {}, `${v.round} / ${v.max_rounds}`),
        h('dt', { i18n: 'hr.col.started' }), h('dd', {}, formatDate(v.created_at, lang())),
        h('dt', { i18n: 'hr.id' }), h('dd', {}, h('code', {}, v.id))),
      link ? h('p', {}, h('a', { href: link, id: 'temporal-link', target: '_blank', rel: 'noopener noreferrer', i18n: 'hr.temporal' })) : null,
      v.error ? h('p', { class: 'error' }, v.error) : null),
    v.report ? h('section', { 'aria-labelledby': 'hr-report-h' }, h('h2', { id: 'hr-report-h', i18n: 'report.title' }), ...reportBody(v, v.report),
      // Coding rounds: the program, every run and the verdicts.
      transcript.filter((li, i) => v.transcript[i].coding).length ? h('section', { 'aria-labelledby': 'hr-coding-h' },
        h('h2', { id: 'hr-coding-h', i18n: 'hr.coding' }),
        h('ol', { class: 'history' }, transcript.filter((li, i) => v.transcript[i].coding))) : null)
      : h('section', { 'aria-labelledby': 'hr-transcript-h' },
        h('h2', { id: 'hr-transcript-h', i18n: 'hr.transcript' }),
        v.question ? h('div', { class: 'card current', 'data-round': v.question.round }, h('h3', { i18n: ['interview.question', { n: v.question.round }] }), h('p', { class: 'question-text' }, v.question.text), h('p', { class: 'muted', i18n: 'status.awaiting_answer.hr' })) : null,
        transcript.length ? h('ol', { class: 'history' }, transcript) : h('p', { class: 'muted', i18n: 'hr.notranscript' })));
  attachSignals(detail, v.signals);
  detail.hidden = false;
  heading.focus();
}
