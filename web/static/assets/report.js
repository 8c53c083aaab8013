// The report page: the overall score, a chart of the rounds, strengths,
// improvements, and every round's question, answer and feedback. It prints
// cleanly (see @media print in app.css).
import { api, interviewPath } from './api.js';
import { h, main, title, errorBox } from './dom.js';
import { setLang, chooseLang } from './i18n.js';
import { scoreChart } from './chart.js';
import { messagePage } from './notfound.js';
import { codingResult } from './coding.js';

// reportPage renders the report of an interview.
export async function reportPage(id, token) {
  if (!token) {
    messagePage('link.title', 'link.body');
    return;
  }
  title('title.report');
  const m = main();
  const err = errorBox();
  m.append(h('h1', { i18n: 'report.title' }), err);
  let v;
  try {
    v = await api('GET', interviewPath(id), { token });
  } catch (e) {
    err.show(e.message);
    return;
  }
  setLang(chooseLang(v.language), {});
  const back = '/i/' + encodeURIComponent(id) + '#token=' + encodeURIComponent(token);
  if (!v.report) {
    m.append(...[h('p', { i18n: v.status === 'failed' ? 'report.failed' : 'report.notready' }),
      v.error ? h('p', { class: 'error' }, v.error) : null,
      h('p', {}, h('a', { href: back, i18n: 'report.back' }))].filter(Boolean));
    return;
  }
  m.append(...reportBody(v, v.report).filter(Boolean), h('p', { class: 'actions no-print' },
    h('button', { type: 'button', class: 'primary', id: 'print', i18n: 'report.print', onclick: () => window.print() }),
    h('a', { href: back, class: 'button secondary', i18n: 'report.back' })));
}

// meta is "track · level", the level translated (and re-translated on a
// switch of language).
export function meta(track, level) {
  return [track || '', ' · ', h('span', { i18n: 'level.' + level })];
}

// reportBody renders a report (shared with the HR page).
export function reportBody(v, rep) {
  const list = (items) => ((items || []).length ? h('ul', {}, items.map((x) => h('li', {}, x))) : h('p', { class: 'muted' }, '—'));
  const rounds = rep.rounds || [];
  return [
    h('p', { class: 'meta' }, meta(v.track, v.level)),
    h('section', { class: 'card overall', 'aria-labelledby': 'overall-h' },
      h('h2', { id: 'overall-h', i18n: 'report.overall' }),
      h('p', { class: 'big-score' }, h('span', { id: 'overall-score' }, String(rep.overall_score)), h('span', { class: 'of' }, ' / 100')),
      rep.summary ? h('p', { class: 'summary' }, rep.summary) : null),
    rounds.length ? h('section', { class: 'card', 'aria-labelledby': 'chart-h' },
      h('h2', { id: 'chart-h', i18n: 'report.chart' }), h('div', { class: 'chart-wrap' }, scoreChart(rounds))) : null,
    h('div', { class: 'two' },
      h('section', { class: 'card', 'aria-labelledby': 'strengths-h' }, h('h2', { id: 'strengths-h', i18n: 'report.strengths' }), list(rep.strengths)),
      h('section', { class: 'card', 'aria-labelledby': 'improve-h' }, h('h2', { id: 'improve-h', i18n: 'report.improvements' }), list(rep.improvements))),
    h('section', { 'aria-labelledby': 'rounds-h' },
      h('h2', { id: 'rounds-h', i18n: 'report.rounds' }),
      h('ol', { class: 'history', id: 'report-rounds' }, rounds.map((r) => h('li', { class: 'card round', 'data-round': r.round },
        h('div', { class: 'q-head' },
          h('h3', { i18n: ['interview.question', { n: r.round }] }),
          r.follow_up ? h('span', { class: 'badge', i18n: 'interview.followup' }) : null,
          r.topic ? h('span', { class: 'topic' }, r.topic) : null,
          h('span', { class: 'score', i18n: ['interview.score', { score: r.score }] })),
        h('p', { class: 'question-text' }, r.question),
        r.coding ? codingResult(r.coding) : null,
        h('h4', { i18n: 'interview.youranswer' }),
        r.coding ? h('pre', { class: 'code' }, h('code', {}, r.answer)) : h('p', { class: 'answer-text' }, r.answer),
        h('h4', { i18n: 'interview.feedback' }),
        h('p', { class: 'feedback' }, r.feedback))))),
  ];
}
