// HR's view of the integrity signals: per round, sentences with their
// context ("82% of this answer was pasted"), never a verdict. The candidate
// pages never import this.
import { h } from './dom.js';

// flags are the integrity flags, in the order the API lists them.
export const flags = ['pasted', 'left_page', 'fast_answer'];

// flagBadges shows flags as badges.
export function flagBadges(list) {
  return (list || []).map((f) => h('span', { class: 'badge flag', 'data-flag': f, i18n: 'flag.' + f }));
}

// signalsNote is one round's signals as HR reads them.
export function signalsNote(rs) {
  const s = rs.signals;
  const sec = (ms) => Math.round(ms / 1000);
  const lines = [];
  if (s.pastes > 0) {
    const pct = s.answer_chars ? Math.round((100 * s.pasted_chars) / s.answer_chars) : 0;
    lines.push(['signals.pasted', { pct, pasted: s.pasted_chars, chars: s.answer_chars, n: s.pastes }]);
  }
  if (s.hidden_count > 0) {
    lines.push([rs.answered ? 'signals.away' : 'signals.away.sofar', { n: s.hidden_count, s: sec(s.hidden_ms) }]);
  }
  if (s.first_key_ms > 0) lines.push(['signals.firstkey', { s: sec(s.first_key_ms) }]);
  else if (s.answer_chars > 0) lines.push(['signals.notyped', {}]);
  if (rs.answered) {
    const rate = s.answer_ms ? (s.answer_chars / (s.answer_ms / 1000)).toFixed(1) : '—';
    lines.push(['signals.pace', { s: sec(s.answer_ms), chars: s.answer_chars, rate }]);
  }
  return h('div', { class: 'signals', 'data-round': rs.round, 'data-flags': (rs.flags || []).join(' ') },
    h('h4', {}, h('span', { i18n: rs.answered ? 'signals.title' : 'signals.title.sofar' }), ' ', flagBadges(rs.flags)),
    h('ul', {}, lines.map(([key, args]) => h('li', { i18n: [key, args] }))),
    h('p', { class: 'hint', i18n: 'signals.context' }));
}

// attachSignals puts each round's signals under its entry (an element
// with data-round) in root.
export function attachSignals(root, signals) {
  for (const rs of signals || []) {
    for (const el of root.querySelectorAll(`li.round[data-round="${Number(rs.round)}"], .card.current[data-round="${Number(rs.round)}"]`)) {
      el.append(signalsNote(rs));
    }
  }
}
