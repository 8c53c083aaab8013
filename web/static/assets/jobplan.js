// A pasted job description and the interview plan mianshi would run for
// it, shown before anything starts: the start page and the HR campaign
// form both use it.
import { api } from './api.js';
import { h, errorBox } from './dom.js';
import { t } from './i18n.js';

// maxBytes is the longest description the server plans (jobdesc.MaxBytes).
const maxBytes = 20000;

// modeChoice is the pair of radio buttons "choose a track" / "from a job
// description"; onChange(jd) follows it. It returns the fieldset, with
// jd() telling which is chosen.
export function modeChoice(name, onChange) {
  const track = h('input', { type: 'radio', name, id: name + '-track', value: 'track', checked: true });
  const jd = h('input', { type: 'radio', name, id: name + '-jd', value: 'jd' });
  const el = h('fieldset', { class: 'mode', id: name },
    h('legend', { i18n: 'plan.mode' }),
    h('div', { class: 'check' }, track, h('label', { for: track.id, i18n: 'plan.mode.track' })),
    h('div', { class: 'check' }, jd, h('label', { for: jd.id, i18n: 'plan.mode.jd' })));
  track.addEventListener('change', () => onChange(false));
  jd.addEventListener('change', () => onChange(true));
  el.jd = () => jd.checked;
  return el;
}

// jobDescription is the description's text box, a "Show the plan" button
// and the plan. field(id, key, control, hint) lays out a labelled control;
// language() is the interview language to plan in. current() is the plan
// shown for the text and language as they are now (null when none is, or
// the text changed since), show() asks the server for it and shows it.
export function jobDescription(prefix, field, language) {
  const text = h('textarea', { rows: 8, spellcheck: 'false' });
  const button = h('button', { type: 'button', class: 'secondary', id: prefix + '-plan-button', i18n: 'plan.show' });
  const error = errorBox();
  error.id = prefix + '-plan-error';
  const out = h('div', { id: prefix + '-plan', 'aria-live': 'polite' });
  const el = h('div', { class: 'jd', id: prefix + '-section' },
    field(prefix + '-text', 'plan.text', text, 'plan.text.hint'),
    h('div', { class: 'actions' }, button), error, out);
  let shown = null; // { plan, text, language }
  const clear = () => {
    shown = null;
    out.replaceChildren();
    error.show('');
  };
  text.addEventListener('input', clear);
  el.text = text;
  el.clear = clear;
  el.current = () => (shown && shown.text === text.value && shown.language === language() ? shown.plan : null);
  el.show = async () => {
    clear();
    if (new TextEncoder().encode(text.value).length > maxBytes) {
      error.show(t('plan.too_long', { max: maxBytes }));
      return null;
    }
    button.disabled = true;
    const asked = { text: text.value, language: language() };
    try {
      const plan = await api('POST', '/api/v1/job-descriptions/plan', { body: asked });
      if (asked.text !== text.value || asked.language !== language()) return null; // changed meanwhile
      shown = { plan, ...asked };
      out.replaceChildren(planView(plan, prefix));
      return plan;
    } catch (e) {
      error.show(e.message);
      text.focus();
      return null;
    } finally {
      button.disabled = false;
    }
  };
  button.addEventListener('click', () => el.show());
  return el;
}

// withPlan puts the plan shown into body (the description, and the track
// and level it planned) and resolves true. With no plan shown for the text
// as it is, it shows one and resolves false: the plan is seen before
// anything starts, and the next press goes ahead.
export async function withPlan(jd, body) {
  const plan = jd.current();
  if (!plan) {
    await jd.show();
    return false;
  }
  Object.assign(body, { job_description: jd.text.value, track: plan.track, level: plan.level });
  return true;
}

// planView shows a plan: track and level, the topics by weight with the
// description's words behind each, and what the bank cannot cover.
export function planView(p, prefix) {
  const topics = p.topics || [];
  const uncovered = p.uncovered || [];
  return h('section', { class: 'card plan', id: prefix + '-plan-view', 'aria-labelledby': prefix + '-plan-h', 'data-track': p.track, 'data-level': p.level },
    h('h3', { id: prefix + '-plan-h', i18n: 'plan.title' }),
    h('dl', { class: 'facts' },
      h('dt', { i18n: 'plan.track' }), h('dd', { class: 'plan-track' }, p.track),
      h('dt', { i18n: 'plan.level' }), h('dd', { class: 'plan-level' },
        h('span', { i18n: 'level.' + p.level }),
        p.level_reason && p.level_reason !== 'chosen' ? h('span', { class: 'muted' }, ' — ', p.level_reason) : null),
      h('dt', { i18n: 'plan.planner' }), h('dd', p.planner === 'offline' ? { i18n: 'plan.offline' } : {}, p.planner === 'offline' ? null : p.planner)),
    h('h4', { i18n: 'plan.topics' }),
    h('div', { class: 'table-wrap' }, h('table', { class: 'plan-topics' },
      h('thead', {}, h('tr', {}, ['plan.topic', 'plan.weight', 'plan.phrases'].map((k) => h('th', { scope: 'col', i18n: k })))),
      h('tbody', {}, topics.map((x) => h('tr', { 'data-topic': x.topic },
        h('td', {}, h('code', {}, x.topic)),
        h('td', { class: 'nowrap' }, h('meter', { min: 0, max: 1, value: x.weight }), ' ', Math.round(x.weight * 100) + '%'),
        h('td', {}, h('ul', { class: 'tags' }, (x.phrases || []).map((ph) => h('li', {}, ph))))))))),
    h('h4', { i18n: 'plan.uncovered' }),
    uncovered.length
      ? h('ul', { class: 'plan-uncovered' }, uncovered.map((u) => h('li', {}, u)))
      : h('p', { class: 'muted', i18n: 'plan.uncovered.none' }));
}
