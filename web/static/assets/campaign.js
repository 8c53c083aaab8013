// One campaign's page: its settings, pause / resume / trigger / delete,
// running a missed occurrence, the next runs, each occurrence's counts
// and cohort report, the outbox of its messages, and its cohort (to
// edit). It refreshes itself while open.
import { api, ApiError } from './api.js';
import { h, title, label, formatDate, announce } from './dom.js';
import { t, lang, onLangChange } from './i18n.js';
import { hrShell } from './hr.js';
import { campaignsPath, campaignsProbe, scheduleText, outboxTable, campaignStatusKeys, langName } from './campaigns.js';
import { backfillForm, cohortEditor } from './campaignedit.js';

// refreshMs is how often the page asks again while invitations go out or
// for fastMs after it opens or acts, idleRefreshMs otherwise. outboxMax is
// the most messages it lists (the API's page limit).
const refreshMs = 3000;
const idleRefreshMs = 15000;
const fastMs = 30000;
const outboxMax = 1000;
// The keys of values from closed sets, spelled out so that the
// translation test sees them.
const countKeys = {
  candidates: 'camp.count.candidates', invited: 'camp.count.invited', started: 'camp.count.started',
  completed: 'camp.count.completed', missed: 'camp.count.missed',
};
const occStatusKeys = {
  inviting: 'camp.occ.status.inviting', open: 'camp.occ.status.open', closed: 'camp.occ.status.closed', reported: 'camp.occ.status.reported',
};

// campaignPage renders the campaign with this id.
export function campaignPage(id) {
  title('title.campaigns');
  hrShell(campaignsPath(id), 'camp.title', campaignsProbe, (page, err, heading) => {
    const facts = h('dl', { class: 'facts', id: 'camp-facts' });
    const status = h('p', { id: 'camp-status', class: 'status-line' });
    const buttons = {
      pause: h('button', { type: 'button', class: 'secondary', id: 'camp-pause', i18n: 'camp.pause' }),
      resume: h('button', { type: 'button', class: 'secondary', id: 'camp-resume', i18n: 'camp.resume' }),
      trigger: h('button', { type: 'button', class: 'secondary', id: 'camp-trigger', i18n: 'camp.trigger' }),
      remove: h('button', { type: 'button', class: 'secondary danger', id: 'camp-delete', i18n: 'camp.delete' }),
    };
    const next = h('section', { 'aria-labelledby': 'camp-next-h' });
    const occs = h('section', { 'aria-labelledby': 'camp-occ-h' });
    const outbox = h('section', { 'aria-labelledby': 'camp-outbox-h' });
    const campaignPath = (suffix) => '/api/v1/hr/campaigns/' + encodeURIComponent(id) + suffix;
    const backfill = backfillForm((at, fail) => act('POST', '/backfill', 'camp.backfilled', { body: { at }, fail })());
    const people = h('div');
    const editor = cohortEditor(async (csv) => {
      const saved = await api('PUT', campaignPath('/candidates'), { body: { candidates_csv: csv } });
      await load();
      return saved;
    });
    const cohort = h('section', { 'aria-labelledby': 'camp-cohort-h' },
      h('h2', { id: 'camp-cohort-h', i18n: 'camp.cohort' }), editor, people);
    page.append(h('p', {}, h('a', { href: campaignsPath(), i18n: 'camp.back' })),
      h('div', { class: 'card' }, status, facts, h('div', { class: 'actions' }, Object.values(buttons)), backfill),
      next, occs, outbox, cohort);
    const controls = [...Object.values(buttons), backfill.button, editor.button];

    let gone = false; // deleted, or never there: nothing to refresh
    let busy = true; // an occurrence is still sending invitations
    // Soon after the page opens or an action, a new occurrence may appear.
    let fastUntil = Date.now() + fastMs;
    const load = async () => {
      try {
        const [c, box] = await Promise.all([
          api('GET', campaignPath('')),
          api('GET', '/api/v1/hr/outbox?limit=' + outboxMax + '&campaign=' + encodeURIComponent(id)),
        ]);
        if (!page.contains(occs)) return; // signed out meanwhile
        heading.removeAttribute('data-i18n');
        heading.textContent = c.name;
        showStatus(status, c, buttons);
        backfill.sync(c);
        editor.sync(c);
        showFacts(facts, c);
        showNext(next, c);
        showOccurrences(occs, c.occurrences);
        busy = c.occurrences.some((o) => occStatus(o) === 'inviting');
        outbox.replaceChildren(h('h2', { id: 'camp-outbox-h', i18n: 'camp.outbox' }),
          h('p', { class: 'hint', i18n: 'camp.outbox.hint' }), outboxTable(box.messages, 'camp-outbox', false));
        if (box.messages.length >= outboxMax) outbox.append(h('p', { class: 'hint', i18n: ['camp.outbox.more', { n: outboxMax, id }] }));
        showCohort(people, c.candidates);
        page.dataset.loaded = String(Date.now());
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) {
          gone = true;
          for (const b of controls) b.disabled = true;
        }
        err.show(e.message);
      }
    };
    // act calls the API on the campaign and shows its error in fail;
    // it resolves true when the call went through.
    const act = (method, path, done, { body, fail = err } = {}) => async () => {
      err.show('');
      fail.show('');
      for (const b of controls) b.disabled = true;
      try {
        await api(method, campaignPath(path), { body });
      } catch (e) {
        fail.show(e.message);
        await load();
        return false;
      }
      announce(t(done));
      fastUntil = Date.now() + fastMs;
      if (method === 'DELETE') {
        // A deleted campaign is no longer listed or readable.
        location.assign(campaignsPath());
        return true;
      }
      await load();
      return true;
    };
    buttons.pause.addEventListener('click', act('POST', '/pause', 'camp.paused'));
    buttons.resume.addEventListener('click', act('POST', '/resume', 'camp.resumed'));
    buttons.trigger.addEventListener('click', act('POST', '/trigger', 'camp.triggered'));
    buttons.remove.addEventListener('click', (ev) => {
      if (window.confirm(t('camp.delete.confirm'))) act('DELETE', '', 'camp.deleted')(ev);
    });
    onLangChange(() => load()); // dates are formatted in the UI's language
    // Ask again soon while invitations go out, then now and then; not
    // while the person is on something the refresh would replace.
    const tick = async () => {
      if (!page.contains(occs)) return; // signed out: this page is gone
      const onIt = [occs, outbox, people].some((sec) => sec.contains(document.activeElement));
      if (document.visibilityState === 'visible' && !page.hidden && !onIt) await load();
      if (!gone) setTimeout(tick, busy || Date.now() < fastUntil ? refreshMs : idleRefreshMs);
    };
    tick();
  });
}

function showStatus(el, c, buttons) {
  const gone = c.status === 'deleted';
  const paused = !gone && (c.paused || c.status === 'paused');
  const now = gone ? 'deleted' : paused ? 'paused' : 'active';
  el.dataset.status = now;
  el.replaceChildren(h('span', { i18n: 'hr.status' }), ': ', h('strong', { i18n: campaignStatusKeys[now] }));
  if (c.schedule_error) el.append(' ', h('span', { class: 'error' }, c.schedule_error));
  buttons.pause.disabled = gone || paused;
  buttons.resume.disabled = gone || !paused;
  buttons.trigger.disabled = gone;
  buttons.remove.disabled = gone;
}

function showFacts(dl, c) {
  const row = (key, value) => [h('dt', { i18n: key }), h('dd', {}, value)];
  dl.replaceChildren(
    ...row('hr.track', c.track),
    ...row('hr.level', label(h('span'), 'level.' + c.level)),
    ...row('start.language', langName(c.language)),
    ...row('start.rounds', String(c.max_rounds)),
    ...(c.job_description ? row('plan.text', h('details', { id: 'camp-jd' },
      h('summary', { i18n: 'camp.jd.show' }), h('pre', { class: 'jd-text' }, c.job_description))) : []),
    ...row('camp.schedule', scheduleText(c.schedule)),
    ...row('camp.window', duration(c.window)),
    ...row('camp.reminders', (c.reminders || []).map(duration).join(', ') || '—'),
    ...row('camp.cohort', String((c.candidates || []).length)),
    ...row('camp.scheduleid', h('code', {}, c.schedule_id || '—')));
}

// duration shortens a Go duration: 48h0m0s is 48h, 1h30m0s is 1h30m.
function duration(d) {
  return String(d || '').replace(/([hm])0s$/, '$1').replace(/h0m$/, 'h');
}

function showNext(section, c) {
  const runs = c.next_runs || [];
  section.replaceChildren(h('h2', { id: 'camp-next-h', i18n: 'camp.next' }),
    runs.length
      ? h('ol', { id: 'camp-next' }, runs.map((r) => h('li', {}, h('time', { datetime: r }, formatDate(r, lang())))))
      : h('p', { class: 'muted', id: 'camp-next', i18n: 'camp.next.none' }));
}

function showOccurrences(section, list) {
  section.replaceChildren(h('h2', { id: 'camp-occ-h', i18n: 'camp.occurrences' }));
  if (!list || list.length === 0) {
    section.append(h('p', { class: 'muted', i18n: 'camp.occurrences.none' }));
    return;
  }
  for (const o of list) {
    const hid = 'occ-' + o.id.replace(/[^a-zA-Z0-9_-]/g, '_');
    section.append(h('article', { class: 'card occurrence', 'data-occ': o.id, 'data-status': o.status, 'aria-labelledby': hid },
      h('h3', { id: hid }, formatDate(o.scheduled_at, lang())),
      h('p', { class: 'muted' }, occStatusKeys[occStatus(o)] ? h('span', { i18n: occStatusKeys[occStatus(o)] }) : o.status, ' · ',
        h('span', { i18n: ['camp.occ.window', { at: formatDate(o.window_end, lang()) }] })),
      h('dl', { class: 'counts' }, Object.entries(countKeys).map(([k, key]) => h('div', { 'data-count': k },
        h('dt', { i18n: key }), h('dd', {}, String(o.counts[k] ?? 0))))),
      o.report ? cohortReport(o.report) : h('p', { class: 'hint', i18n: 'camp.report.later' })));
  }
}

// occStatus is an occurrence's state for people: the workflow leaves it
// "inviting" until the window closes, so once every candidate is invited
// it is shown as open.
function occStatus(o) {
  const c = o.counts || {};
  return o.status === 'inviting' && c.candidates > 0 && c.invited === c.candidates ? 'open' : o.status;
}

// cohortReport shows an occurrence's report: the score distribution, the
// cohort's weakest topics and who improved.
function cohortReport(r) {
  const buckets = Object.keys(r.score_distribution || {}).sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
  const most = Math.max(1, ...buckets.map((b) => r.score_distribution[b]));
  return h('div', { class: 'cohort-report' },
    h('h4', { i18n: 'camp.report' }),
    h('p', {}, h('span', { i18n: 'camp.report.mean' }), ': ',
      h('strong', {}, r.mean_score == null ? '—' : String(Math.round(r.mean_score)))),
    h('h4', { i18n: 'camp.report.scores' }),
    buckets.length
      ? h('ul', { class: 'dist' }, buckets.map((b) => h('li', {},
        h('span', { class: 'dist-label' }, b),
        h('meter', { min: 0, max: most, value: r.score_distribution[b], 'aria-label': b }),
        h('span', { class: 'num' }, String(r.score_distribution[b])))))
      : h('p', { class: 'muted', i18n: 'camp.report.noscores' }),
    h('h4', { i18n: 'camp.report.weak' }),
    (r.weaknesses || []).length
      ? h('ol', {}, r.weaknesses.map((w) => h('li', {}, w.topic + ' — ' + w.mean.toFixed(1) + '/10 ',
        h('span', { class: 'muted', i18n: ['camp.report.answers', { n: w.answers }] }))))
      : h('p', { class: 'muted', i18n: 'camp.report.noweak' }),
    h('h4', { i18n: 'camp.report.improved' }),
    (r.improved || []).length
      ? h('ul', {}, r.improved.map((p) => h('li', {}, p.name + ': ' + p.before + ' → ' + p.after)))
      : h('p', { class: 'muted', i18n: 'camp.report.noimproved' }));
}

function showCohort(el, people) {
  el.replaceChildren(
    h('div', { class: 'table-wrap' }, h('table', { id: 'camp-cohort' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col', i18n: 'hr.col.candidate' }), h('th', { scope: 'col', i18n: 'hr.email' }))),
      h('tbody', {}, (people || []).map((p) => h('tr', {}, h('td', {}, p.name), h('td', {}, p.email)))))));
}
