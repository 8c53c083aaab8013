// The forms on a campaign's page that change it beyond its buttons: run a
// missed occurrence of a repeating campaign, and edit the cohort of the
// occurrences to come.
import { h, label, errorBox } from './dom.js';
import { t } from './i18n.js';
import { field, rejectedList } from './campaigns.js';
import { instantsOf, lastRunBefore, localValue, parseLocal, rfc3339, wallOf } from './zone.js';

// backfillForm asks for a missed occurrence's time on the schedule's wall
// clock and hands run its RFC 3339 form and the form's error box; run
// resolves true once the API took it. sync(c) follows the campaign: the
// form is hidden for once-only and deleted campaigns, and until the person
// types a time it offers the schedule's most recent one that did not run.
export function backfillForm(run) {
  const input = h('input', { type: 'datetime-local', step: 60 });
  const button = h('button', { type: 'submit', class: 'secondary', id: 'camp-backfill', i18n: 'camp.backfill' });
  const error = errorBox();
  error.id = 'camp-backfill-error';
  const at = field('camp-backfill-at', 'camp.backfill.at', input, 'camp.backfill.hint');
  const form = h('form', { id: 'camp-backfill-form', class: 'backfill', novalidate: true, method: 'post' },
    at, h('div', { class: 'actions' }, button), error);
  form.button = button;
  let zone = 'UTC';
  let touched = false;
  input.addEventListener('input', () => { touched = true; });
  form.sync = (c) => {
    const sch = c.schedule || {};
    form.hidden = !!sch.once || c.status === 'deleted';
    button.disabled = form.hidden;
    zone = sch.time_zone || 'UTC';
    label(at.querySelector('label'), 'camp.backfill.at', { zone });
    if (touched) return;
    const ran = new Set((c.occurrences || []).map((o) => Date.parse(o.scheduled_at)));
    const last = lastRunBefore(c.next_runs || [], zone, Date.now(), ran, sch.start);
    input.value = Number.isNaN(last) ? '' : localValue(wallOf(last, zone));
  };
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.show('');
    const wall = parseLocal(input.value);
    // A time the clocks show twice (they go back) is taken the first time.
    const when = Number.isNaN(wall) ? undefined : instantsOf(wall, zone)[0];
    if (when === undefined) {
      error.show(Number.isNaN(wall) ? t('camp.backfill.required') : t('camp.backfill.gap', { zone }));
      input.focus();
      return;
    }
    touched = true; // keep what was sent, should the API refuse it
    if (await run(rfc3339(when, zone), error)) touched = false;
  });
  return form;
}

// cohortEditor is the Edit cohort button and the form it opens: the
// cohort as CSV, saved through save(csv) (which resolves to the API's
// answer) for the occurrences to come. sync(c) follows the campaign.
export function cohortEditor(save) {
  const edit = h('button', { type: 'button', class: 'secondary', id: 'camp-cohort-edit', i18n: 'camp.cohort.edit' });
  const csv = h('textarea', { rows: 8, spellcheck: 'false', placeholder: 'name,email' });
  const submit = h('button', { type: 'submit', class: 'primary', id: 'camp-cohort-save', i18n: 'camp.cohort.save' });
  const cancel = h('button', { type: 'button', class: 'secondary', id: 'camp-cohort-cancel', i18n: 'camp.cohort.cancel' });
  const error = errorBox();
  error.id = 'camp-cohort-error';
  const result = h('div', { id: 'camp-cohort-result', 'aria-live': 'polite' });
  const form = h('form', { id: 'camp-cohort-form', novalidate: true, method: 'post', hidden: true },
    field('camp-cohort-csv', 'camp.cohort.csv', csv, 'camp.cohort.edit.hint'),
    h('div', { class: 'actions' }, submit, cancel), error);
  const el = h('div', { class: 'cohort-edit' }, h('div', { class: 'actions' }, edit), form, result);
  el.button = edit;
  let people = [];
  el.sync = (c) => {
    people = c.candidates || [];
    edit.disabled = c.status === 'deleted';
  };
  const editing = (on) => {
    form.hidden = !on;
    edit.hidden = on;
    (on ? csv : edit).focus();
  };
  edit.addEventListener('click', () => {
    csv.value = cohortCSV(people);
    error.show('');
    result.replaceChildren();
    editing(true);
  });
  cancel.addEventListener('click', () => editing(false));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.show('');
    submit.disabled = true;
    let saved;
    try {
      saved = await save(csv.value);
    } catch (e) {
      error.show(e.message);
      return;
    } finally {
      submit.disabled = false;
    }
    editing(false);
    result.replaceChildren(h('div', { class: 'card notice' },
      h('p', { i18n: ['camp.cohort.saved', { n: saved.cohort }] }),
      rejectedList(saved.rejected, 'camp-cohort-rejected')));
  });
  return el;
}

// cohortCSV writes people as the CSV the API reads, with its header line.
function cohortCSV(people) {
  const cell = (s) => (/[",\r\n]|^\s|\s$/.test(s) ? '"' + s.replaceAll('"', '""') + '"' : s);
  return ['name,email', ...people.map((p) => cell(p.name) + ',' + cell(p.email))].join('\n') + '\n';
}
