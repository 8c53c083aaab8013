// A bar chart of per-round scores (0-10) as inline SVG: no library, prints
// sharply, and reads out as one sentence to screen readers.
import { s } from './dom.js';
import { t } from './i18n.js';

// scoreChart draws one bar per round.
export function scoreChart(rounds) {
  const bar = 28;
  const gap = 14;
  const top = 12;
  const left = 30;
  const height = 160;
  const bottom = 24;
  const width = left + rounds.length * (bar + gap) + gap;
  const y = (score) => top + height - (height * score) / 10;
  const described = rounds.map((r) => t('chart.round', { n: r.round, score: r.score })).join(', ');
  const svg = s('svg', {
    class: 'chart', id: 'score-chart', viewBox: `0 0 ${width} ${top + height + bottom}`,
    width, height: top + height + bottom, role: 'img', 'aria-label': t('chart.label') + ': ' + described,
  }, s('title', { i18n: 'chart.label' }));
  for (const tick of [0, 5, 10]) {
    svg.append(
      s('line', { class: 'grid', x1: left - 4, x2: width, y1: y(tick), y2: y(tick) }),
      s('text', { class: 'axis', x: left - 8, y: y(tick) + 4, 'text-anchor': 'end' }, String(tick)));
  }
  rounds.forEach((r, i) => {
    const x = left + gap + i * (bar + gap);
    const cls = 'bar' + (r.score >= 7 ? ' good' : r.score >= 4 ? ' fair' : ' weak') + (r.follow_up ? ' follow-up' : '');
    svg.append(
      s('rect', { class: cls, x, y: y(r.score), width: bar, height: Math.max(y(0) - y(r.score), 1), 'data-round': r.round, 'data-score': r.score },
        s('title', {}, t('chart.round', { n: r.round, score: r.score }))),
      s('text', { class: 'value', x: x + bar / 2, y: y(r.score) - 3, 'text-anchor': 'middle' }, String(r.score)),
      s('text', { class: 'axis', x: x + bar / 2, y: top + height + 16, 'text-anchor': 'middle' }, (r.follow_up ? '↳' : '') + r.round));
  });
  return svg;
}
