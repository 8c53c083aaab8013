// The start page: choose what to be interviewed on (a track, or a pasted
// job description whose plan is shown first), optionally upload a résumé
// and confirm what was read from it, and start.
import { api, ApiError } from './api.js';
import { h, main, title, label, errorBox } from './dom.js';
import { t, setLang, chooseLang, hasChosenLang } from './i18n.js';
import { rememberInterview, recentInterviews } from './recent.js';
import { modeChoice, jobDescription, withPlan } from './jobplan.js';

// maxRounds is the most rounds the form offers; the API has the last word.
const maxRounds = 50;

// startPage renders the start page.
export async function startPage() {
  title('title.start');
  const m = main();
  const info = h('p', { class: 'interviewer', id: 'interviewer' });
  const err = errorBox();
  // method post: a submit the script does not catch never puts the
  // candidate's name in a URL.
  const form = h('form', { class: 'card', id: 'start-form', novalidate: true, method: 'post' });
  m.append(...[
    h('h1', { i18n: 'start.title' }),
    h('p', { class: 'lead', i18n: 'start.lead' }),
    info, recentList(), form, err].filter(Boolean));

  let tracks = [];
  try {
    const [i, tr] = await Promise.all([api('GET', '/api/v1/info'), api('GET', '/api/v1/tracks')]);
    showInterviewer(info, i.interviewer);
    tracks = tr.tracks;
  } catch (e) {
    err.show(t('error.load') + ' ' + e.message);
    return;
  }
  buildForm(form, tracks, err);
}

function showInterviewer(el, who) {
  el.dataset.mode = who.mode;
  if (who.mode === 'offline') label(el, 'start.offline');
  else label(el, 'start.model', { model: who.model || who.mode });
}

function recentList() {
  const items = recentInterviews();
  if (items.length === 0) return null;
  return h('section', { class: 'card recent', 'aria-labelledby': 'recent-h' },
    h('h2', { id: 'recent-h', i18n: 'start.recent' }),
    h('ul', {}, items.map((r) => h('li', {},
      h('a', { href: '/i/' + encodeURIComponent(r.id) + '#token=' + encodeURIComponent(r.token) }, r.track + ' · ' + r.level),
      ' ', h('span', { class: 'muted' }, new Date(r.at).toLocaleString())))));
}

// field is a label and a control, tied by id.
function field(id, key, control, hint) {
  control.id = id;
  const parts = [h('label', { for: id, i18n: key }), control];
  if (hint) {
    const hintEl = h('p', { class: 'hint', id: id + '-hint', i18n: hint });
    control.setAttribute('aria-describedby', hintEl.id);
    parts.push(hintEl);
  }
  return h('div', { class: 'field' }, parts);
}

function options(select, values, labelOf = (v) => v) {
  const keep = select.value;
  select.replaceChildren(...values.map((v) => h('option', { value: v }, labelOf(v))));
  if (values.includes(keep)) select.value = keep;
}

function buildForm(form, tracks, err) {
  const name = h('input', { type: 'text', name: 'name', required: true, maxlength: 200, autocomplete: 'name' });
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'email' });
  const track = h('select', { name: 'track' });
  const level = h('select', { name: 'level' });
  const language = h('select', { name: 'language' });
  const rounds = h('input', { type: 'number', name: 'rounds', min: 1, max: maxRounds, value: 5, required: true, inputmode: 'numeric' });
  const resume = resumeSection();
  const submit = h('button', { type: 'submit', class: 'primary', i18n: 'start.submit' });

  options(track, tracks.map((x) => x.track));
  if (tracks.some((x) => x.track === 'go-backend')) track.value = 'go-backend';
  const langName = (l) => ({ en: 'English', zh: '中文' })[l] || l;
  const jd = jobDescription('jd', field, () => language.value);
  const trackRow = h('div', { class: 'row' },
    field('track', 'start.track', track),
    field('level', 'start.level', level));
  const allLanguages = [...new Set(tracks.flatMap((x) => x.languages))].sort();
  const sync = () => {
    const info = tracks.find((x) => x.track === track.value);
    options(level, info ? info.levels : [], (l) => t('level.' + l));
    // From a description, any language a track has: the plan picks the track.
    options(language, mode.jd() ? allLanguages : info ? info.languages : [], langName);
  };
  const mode = modeChoice('start-mode', (fromJD) => {
    trackRow.hidden = fromJD;
    jd.hidden = !fromJD;
    sync();
    (fromJD ? jd.text : track).focus();
  });
  jd.hidden = true;
  sync();
  if ([...language.options].some((o) => o.value === chooseLang())) language.value = chooseLang();
  track.addEventListener('change', sync);
  language.addEventListener('change', () => {
    jd.clear();
    if (!hasChosenLang()) setLang(language.value, {});
  });

  form.append(
    field('name', 'start.name', name),
    field('email', 'start.email', email, 'start.email.hint'),
    mode,
    trackRow,
    jd,
    h('div', { class: 'row' },
      field('language', 'start.language', language),
      field('rounds', 'start.rounds', rounds)),
    resume.el,
    h('div', { class: 'actions' }, submit));

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    err.show('');
    if (!name.value.trim()) {
      err.show(t('start.name.required'));
      name.focus();
      return;
    }
    const body = {
      candidate: { name: name.value.trim(), email: email.value.trim() },
      track: track.value, level: level.value, language: language.value,
      max_rounds: Number(rounds.value) || 0,
    };
    if (mode.jd() && !(await withPlan(jd, body))) return;
    const r = resume.chosen();
    if (r) Object.assign(body, { resume_id: r.id, resume_token: r.token });
    submit.disabled = true;
    try {
      const created = await api('POST', '/api/v1/interviews', { body });
      rememberInterview({ id: created.id, token: created.token, track: body.track, level: body.level });
      location.assign('/i/' + encodeURIComponent(created.id) + '#token=' + encodeURIComponent(created.token));
    } catch (e) {
      err.show(e.message);
      submit.disabled = false;
    }
  });
}

// resumePoll is how often a résumé that is still being read is asked for.
const resumePoll = 2000;

// resumeSection is the optional résumé upload. A résumé the server could
// not read within its wait (a busy or restarting worker) comes back
// pending; the section asks for it until its profile is ready.
function resumeSection() {
  const input = h('input', { type: 'file', name: 'file', accept: '.pdf,.docx,.txt,.md,application/pdf,text/plain,text/markdown' });
  const status = h('p', { class: 'hint', 'aria-live': 'polite' });
  const profile = h('div', { class: 'profile', hidden: true });
  const use = h('input', { type: 'checkbox', id: 'use-resume', checked: true });
  const confirm = h('div', { class: 'check', hidden: true }, use, h('label', { for: 'use-resume', i18n: 'resume.use' }));
  const el = h('fieldset', { class: 'resume', id: 'resume' },
    h('legend', { i18n: 'resume.legend' }),
    field('resume-file', 'resume.file', input, 'resume.hint'),
    status, profile, confirm);
  let uploaded = null;
  let upload = 0; // which file the section shows; a newer choice wins

  input.addEventListener('change', async () => {
    const mine = ++upload;
    uploaded = null;
    profile.hidden = confirm.hidden = true;
    const file = input.files[0];
    if (!file) return;
    label(status, 'resume.reading');
    const form = new FormData();
    form.append('file', file);
    try {
      let r = await api('POST', '/api/v1/resumes', { form });
      const token = r.token;
      while (r.status === 'pending') {
        if (mine !== upload) return;
        uploaded = { id: r.id, token, status: 'pending' };
        label(status, 'resume.still_reading');
        await new Promise((ok) => setTimeout(ok, resumePoll));
        if (mine !== upload) return;
        try {
          r = await api('GET', '/api/v1/resumes/' + encodeURIComponent(r.id), { token });
        } catch (e) {
          // A server restarting or a dropped connection: ask again later.
          if (!(e instanceof ApiError) || !(e.status === 0 || e.status >= 500)) throw e;
        }
      }
      if (mine !== upload) return;
      uploaded = { ...r, token };
      status.textContent = '';
      showProfile(profile, uploaded.profile || {});
      profile.hidden = confirm.hidden = false;
      use.checked = true;
    } catch (e) {
      if (mine !== upload) return;
      uploaded = null;
      status.textContent = e.message;
    }
  });

  // A résumé still being read is not attached: starting now starts without it.
  return { el, chosen: () => (uploaded && uploaded.status !== 'pending' && use.checked && !el.hidden ? uploaded : null) };
}

function showProfile(el, p) {
  const list = (items) => h('ul', {}, (items || []).map((x) => h('li', {}, typeof x === 'string' ? x : JSON.stringify(x))));
  const rows = [
    ['resume.name', p.name],
    ['resume.years', p.years_experience != null && p.years_experience !== '' ? String(p.years_experience) : ''],
  ];
  el.replaceChildren(...[
    h('h3', { i18n: 'resume.profile' }),
    h('dl', {}, rows.filter(([, v]) => v).map(([k, v]) => [h('dt', { i18n: k }), h('dd', {}, v)])),
    (p.skills || []).length ? [h('h4', { i18n: 'resume.skills' }), h('ul', { class: 'tags' }, p.skills.map((s) => h('li', {}, String(s))))] : null,
    (p.jobs || []).length ? [h('h4', { i18n: 'resume.jobs' }), h('ul', {}, p.jobs.map((j) => h('li', {},
      h('strong', {}, String(j.employer || '')), j.title ? ' · ' + j.title : '',
      j.start ? ' (' + j.start + ' – ' + (j.end === 'present' ? t('resume.present') : String(j.end || '')) + ')' : '')))] : null,
    (p.projects || []).length ? [h('h4', { i18n: 'resume.projects' }), h('ul', {}, p.projects.map((pr) =>
      h('li', {}, h('strong', {}, String(pr.name || '')), pr.description ? ' — ' + pr.description : '')))] : null,
    (p.education || []).length ? [h('h4', { i18n: 'resume.education' }), list(p.education)] : null,
    (p.languages || []).length ? [h('h4', { i18n: 'resume.languages' }), list(p.languages)] : null,
  ].flat().filter(Boolean));
}
