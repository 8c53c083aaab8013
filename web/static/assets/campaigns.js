// The HR campaigns page: the campaigns, a form to create one (with the
// cohort pasted as CSV), and the outbox of messages not sent by e-mail.
import { api } from './api.js';
import { h, safeLink, title, label, errorBox, formatDate } from './dom.js';
import { t, lang, onLangChange } from './i18n.js';
import { hrShell } from './hr.js';
import { modeChoice, jobDescription, withPlan } from './jobplan.js';

const levels = ['junior', 'mid', 'senior'];
// outboxLimit is the most messages the list page shows (the oldest first,
// as the API lists them; each campaign's page shows its own).
const outboxLimit = 200;
// campaignStatusKeys translate a campaign's status; kindKeys a message's kind.
export const campaignStatusKeys = { active: 'camp.status.active', paused: 'camp.status.paused', deleted: 'camp.status.deleted' };
const kindKeys = { invitation: 'camp.kind.invitation', reminder: 'camp.kind.reminder' };
export const langName = (l) => ({ en: 'English', zh: '中文' })[l] || l;

// campaignsProbe is what checks the HR session on the campaign pages.
export const campaignsProbe = '/api/v1/hr/campaigns?limit=1';

// campaignsPath is a campaign's page (or the list's, without an id).
export function campaignsPath(id) {
  return '/hr/campaigns' + (id ? '/' + encodeURIComponent(id) : '');
}


// campaignsPage renders the list of campaigns and the form to create one.
export function campaignsPage() {
  title('title.campaigns');
  hrShell('/hr/campaigns', 'camp.title', campaignsProbe, async (page, err) => {
    const list = h('section', { 'aria-labelledby': 'camp-list-h' });
    const outbox = h('section', { 'aria-labelledby': 'camp-outbox-h' });
    const form = h('section', { class: 'card', 'aria-labelledby': 'camp-new-h' });
    page.append(list, form, outbox);
    const reload = () => Promise.all([showList(list, err), showOutbox(outbox, err)]);
    let tracks = [];
    try {
      tracks = (await api('GET', '/api/v1/tracks')).tracks;
    } catch (e) {
      err.show(e.message);
    }
    form.append(h('h2', { id: 'camp-new-h', i18n: 'camp.new' }), createForm(tracks, reload));
    await reload();
    onLangChange(() => reload()); // dates are formatted in the UI's language
    page.dataset.loaded = String(Date.now());
  });
}

// scheduleText describes a campaign's schedule: a node, or text.
export function scheduleText(sch) {
  if (!sch || sch.once) return label(h('span'), 'camp.schedule.once');
  const parts = [sch.cron, '(' + (sch.time_zone || 'UTC') + ')'];
  if (sch.start || sch.end) parts.push((sch.start || '…') + ' – ' + (sch.end || '…'));
  return parts.join(' ');
}

async function showList(section, err) {
  let resp;
  try {
    resp = await api('GET', '/api/v1/hr/campaigns?limit=200');
  } catch (e) {
    err.show(e.message);
    return;
  }
  const rows = resp.campaigns.map((c) => h('tr', { 'data-id': c.id, 'data-status': c.status },
    h('td', {}, h('a', { href: campaignsPath(c.id) }, c.name)),
    h('td', campaignStatusKeys[c.status] ? { i18n: campaignStatusKeys[c.status] } : {}, campaignStatusKeys[c.status] ? null : c.status),
    h('td', {}, c.track, ' · ', h('span', { i18n: 'level.' + c.level })),
    h('td', {}, scheduleText(c.schedule)),
    h('td', {}, formatDate(c.created_at, lang()))));
  if (rows.length === 0) rows.push(h('tr', {}, h('td', { colspan: 5, class: 'muted', i18n: 'camp.none' })));
  section.replaceChildren(
    h('h2', { id: 'camp-list-h', i18n: 'camp.list' }),
    h('div', { class: 'table-wrap' }, h('table', { id: 'camp-table' },
      h('thead', {}, h('tr', {}, ['camp.name', 'hr.status', 'hr.track', 'camp.schedule', 'camp.created']
        .map((k) => h('th', { scope: 'col', i18n: k })))),
      h('tbody', {}, rows))));
}

async function showOutbox(section, err) {
  let resp;
  try {
    resp = await api('GET', '/api/v1/hr/outbox?limit=' + outboxLimit);
  } catch (e) {
    err.show(e.message);
    return;
  }
  // Every campaign's messages: folded, since each campaign's page shows its own.
  const open = section.querySelector('details')?.open || false;
  section.replaceChildren(
    h('h2', { id: 'camp-outbox-h', i18n: 'camp.outbox' }),
    h('p', { class: 'hint', i18n: 'camp.outbox.hint' }),
    h('details', { open },
      h('summary', { i18n: ['camp.outbox.all', { n: resp.messages.length }] }),
      outboxTable(resp.messages, 'outbox-all', true)));
}

// field is a label and a control tied by id, with an optional hint.
export function field(id, key, control, hint) {
  control.id = id;
  control.name = control.name || id;
  const parts = [h('label', { for: id, i18n: key }), control];
  if (hint) {
    const el = h('p', { class: 'hint', id: id + '-hint', i18n: hint });
    control.setAttribute('aria-describedby', el.id);
    parts.push(el);
  }
  return h('div', { class: 'field' }, parts);
}

function fill(select, values, props) {
  const keep = select.value;
  select.replaceChildren(...values.map((v) => h('option', { value: v, ...props(v) })));
  if (values.includes(keep)) select.value = keep;
}

function createForm(tracks, onCreated) {
  const name = h('input', { type: 'text', required: true, maxlength: 200 });
  const track = h('select', {});
  const level = h('select', {});
  const language = h('select', {});
  const rounds = h('input', { type: 'number', min: 1, max: 50, value: 5, required: true, inputmode: 'numeric' });
  const csv = h('textarea', { rows: 5, spellcheck: 'false', placeholder: 'name,email' });
  const once = h('input', { type: 'radio', name: 'c-when', id: 'c-once', value: 'once', checked: true });
  const repeat = h('input', { type: 'radio', name: 'c-when', id: 'c-repeat', value: 'cron' });
  const cron = h('input', { type: 'text', value: '0 9 * * MON', autocomplete: 'off', spellcheck: 'false' });
  const zone = h('input', { type: 'text', value: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC', autocomplete: 'off' });
  const startDate = h('input', { type: 'date' });
  const endDate = h('input', { type: 'date' });
  const windowIn = h('input', { type: 'text', value: '48h', required: true, autocomplete: 'off' });
  const reminders = h('input', { type: 'text', value: '24h', autocomplete: 'off' });
  const err = errorBox();
  err.id = 'c-error';
  const result = h('div', { id: 'c-result', 'aria-live': 'polite' });

  fill(track, tracks.map((x) => x.track), (v) => ({ text: v }));
  if (tracks.some((x) => x.track === 'go-backend')) track.value = 'go-backend';
  const jd = jobDescription('c-jd', field, () => language.value);
  const trackFields = [field('c-track', 'hr.track', track), field('c-level', 'hr.level', level)];
  const sync = () => {
    const info = tracks.find((x) => x.track === track.value);
    fill(level, info ? info.levels : levels, (l) => ({ i18n: 'level.' + l }));
    // From a description, any language a track has: the plan picks the track.
    const all = [...new Set(tracks.flatMap((x) => x.languages))].sort();
    fill(language, mode.jd() || !info ? (all.length ? all : ['en', 'zh']) : info.languages, (l) => ({ text: langName(l) }));
  };
  const mode = modeChoice('c-mode', (fromJD) => {
    for (const f of trackFields) f.hidden = fromJD;
    jd.hidden = !fromJD;
    sync();
  });
  jd.hidden = true;
  sync();
  track.addEventListener('change', sync);
  language.addEventListener('change', () => jd.clear());
  const cronFields = h('div', { class: 'row', id: 'c-cron-fields' },
    field('c-cron', 'camp.cron', cron, 'camp.cron.hint'),
    field('c-tz', 'camp.timezone', zone),
    field('c-start', 'camp.start', startDate),
    field('c-end', 'camp.end', endDate));
  const when = () => {
    const on = repeat.checked;
    for (const el of [cron, zone, startDate, endDate]) el.disabled = !on;
    cronFields.hidden = !on;
  };
  once.addEventListener('change', when);
  repeat.addEventListener('change', when);
  when();

  const form = h('form', { id: 'camp-form', novalidate: true, method: 'post' },
    field('c-name', 'camp.name', name),
    mode,
    jd,
    h('div', { class: 'row' },
      ...trackFields,
      field('c-language', 'start.language', language),
      field('c-rounds', 'start.rounds', rounds)),
    field('c-csv', 'camp.cohort', csv, 'camp.cohort.hint'),
    h('fieldset', {},
      h('legend', { i18n: 'camp.schedule' }),
      h('div', { class: 'check' }, once, h('label', { for: 'c-once', i18n: 'camp.schedule.once' })),
      h('div', { class: 'check' }, repeat, h('label', { for: 'c-repeat', i18n: 'camp.schedule.cron' })),
      cronFields),
    h('div', { class: 'row' },
      field('c-window', 'camp.window', windowIn, 'camp.window.hint'),
      field('c-reminders', 'camp.reminders', reminders, 'camp.reminders.hint')),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'c-submit', i18n: 'camp.create' })),
    err, result);

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    err.show('');
    result.replaceChildren();
    if (!name.value.trim()) {
      err.show(t('camp.name.required'));
      name.focus();
      return;
    }
    const body = {
      name: name.value.trim(), track: track.value, level: level.value, language: language.value,
      max_rounds: Number(rounds.value) || 0, candidates: [], candidates_csv: csv.value,
      schedule: repeat.checked
        ? { cron: cron.value.trim(), time_zone: zone.value.trim(), start: startDate.value, end: endDate.value }
        : { once: true },
      window: windowIn.value.trim(),
      reminders: reminders.value.split(/[,\s]+/).filter(Boolean),
    };
    if (mode.jd() && !(await withPlan(jd, body))) return;
    const submit = form.querySelector('#c-submit');
    submit.disabled = true;
    let created;
    try {
      created = await api('POST', '/api/v1/hr/campaigns', { body });
    } catch (e) {
      err.show(e.message);
      err.dataset.code = e.code || '';
      return;
    } finally {
      submit.disabled = false;
    }
    showCreated(result, body.name, created);
    name.value = '';
    csv.value = '';
    jd.text.value = '';
    jd.clear();
    onCreated();
  });
  return form;
}

// showCreated says what was created and lists the CSV lines left out.
function showCreated(result, name, created) {
  result.replaceChildren(h('div', { class: 'card notice', 'data-id': created.id },
    h('p', { i18n: ['camp.done', { name, n: created.cohort }] }),
    rejectedList(created.rejected, 'c-rejected'),
    h('p', {}, h('a', { href: campaignsPath(created.id), id: 'c-open', i18n: 'camp.open' }))));
}

// rejectedList lists the CSV lines the API left out of a cohort, each
// with its number and why (nothing when none was).
export function rejectedList(rejected, id) {
  if (!rejected || rejected.length === 0) return null;
  return h('div', { class: 'error-list' },
    h('p', { class: 'error', i18n: ['camp.rejected', { n: rejected.length }] }),
    h('ul', { id }, rejected.map((r) =>
      h('li', { 'data-line': r.line }, h('span', { i18n: ['camp.line', { n: r.line }] }), ' ', r.error))));
}

// outboxTable lists messages not sent by e-mail with their links, for HR
// to pass on; withCampaign adds a column linking each one's campaign.
export function outboxTable(messages, id, withCampaign) {
  if (messages.length === 0) return h('p', { class: 'muted', id, i18n: 'camp.outbox.empty' });
  const cols = ['camp.outbox.to', 'camp.outbox.kind', 'camp.outbox.link', 'camp.created'];
  if (withCampaign) cols.push('camp.campaign');
  return h('div', { class: 'table-wrap' }, h('table', { id, class: 'outbox' },
    h('thead', {}, h('tr', {}, cols.map((k) => h('th', { scope: 'col', i18n: k })))),
    h('tbody', {}, messages.map((m) => h('tr', { 'data-interview': m.interview_id, 'data-kind': m.kind },
      h('td', {}, m.to),
      h('td', kindKeys[m.kind] ? { i18n: kindKeys[m.kind] } : {}, kindKeys[m.kind] ? null : m.kind),
      h('td', {}, safeLink(m.link)
        ? h('a', { href: safeLink(m.link), class: 'outbox-link', target: '_blank', rel: 'noopener noreferrer' }, h('code', {}, m.link))
        : h('code', {}, m.link)),
      h('td', { class: 'nowrap' }, formatDate(m.created_at, lang())),
      withCampaign ? h('td', {}, h('a', { href: campaignsPath(m.campaign_id) }, m.campaign_id)) : null)))));
}
