// The interview page: the question streams in as it is written, the
// candidate answers, and the page follows the interview to its end. All
// state is rebuilt from the server's snapshot, so a reload or another
// device shows the same place with the same text.
import { api, ApiError, interviewPath, newId, sleep } from './api.js';
import { h, main, title, label, banner, announce, errorBox } from './dom.js';
import { t, setLang, chooseLang } from './i18n.js';
import { follow, later } from './stream.js';
import { messagePage } from './notfound.js';
import { rememberInterview } from './recent.js';
import { store } from './storage.js';
import { meta } from './report.js';
import { RoundSignals } from './integrity.js';
import { Voice } from './voice.js';
import { CodingPanel, codingItem } from './coding.js';

const terminal = new Set(['completed', 'abandoned', 'failed', 'missed']);

// interviewPage renders the interview page.
export function interviewPage(id, token) {
  if (!token) {
    messagePage('link.title', 'link.body');
    return;
  }
  new Interview(id, token).start();
}

class Interview {
  constructor(id, token) {
    this.id = id;
    this.token = token;
    this.status = '';
    this.round = 0;
    this.maxRounds = 0;
    this.rounds = new Map(); // round -> {round, text, done, topic, sources, follow_up, answer, score, feedback}
    this.report = null;
    this.error = '';
    this.lastId = '';
    this.sending = false;
    this.loaded = false;
    this.pending = store(`mianshi.pending.${id}`);
    this.draft = store(`mianshi.draft.${id}`);
    this.build();
    this.signals = new RoundSignals(id, this.els.answer, () => this.reportSoon());
  }

  build() {
    const m = main();
    title('title.interview');
    const e = (this.els = {});
    e.meta = h('p', { class: 'meta' });
    e.roundLabel = h('span', { id: 'round-label' });
    e.progress = h('progress', { id: 'progress', max: 1, value: 0, 'aria-labelledby': 'round-label' });
    e.status = h('p', { id: 'status', class: 'status' });
    e.qHeading = h('h2', { id: 'q-heading' });
    e.followUp = h('span', { class: 'badge', id: 'q-followup', i18n: 'interview.followup', hidden: true });
    e.topic = h('span', { class: 'topic', id: 'q-topic' });
    e.qText = h('p', { id: 'question-text', class: 'question-text', 'data-phase': 'empty' });
    e.sourcesList = h('ul', { class: 'sources' });
    e.sources = h('details', { id: 'q-sources', hidden: true }, h('summary', { i18n: 'interview.sources' }), e.sourcesList);
    e.question = h('section', { id: 'question', class: 'card question', 'aria-labelledby': 'q-heading' },
      h('div', { class: 'q-head' }, e.qHeading, e.followUp, e.topic), e.qText, e.sources);

    e.answer = h('textarea', { id: 'answer', name: 'answer', rows: 8, 'aria-describedby': 'answer-hint', spellcheck: 'true' });
    e.send = h('button', { type: 'submit', id: 'send', class: 'primary', i18n: 'interview.send' });
    e.end = h('button', { type: 'button', id: 'end', class: 'secondary', i18n: 'interview.end' });
    e.err = errorBox();
    // Spoken answers: a recording's transcript lands in the answer box.
    this.voice = new Voice(this.id, this.token, e.answer, (on) => {
      this.recording = on;
      this.update();
    });
    e.form = h('form', { id: 'answer-form', class: 'card answer', method: 'post', 'aria-labelledby': 'answer-label' },
      h('label', { for: 'answer', id: 'answer-label', i18n: 'interview.answer' }),
      e.answer,
      h('p', { class: 'hint', id: 'answer-hint', i18n: 'interview.hint' }),
      e.err,
      h('div', { class: 'actions' }, e.send, e.end),
      this.voice.el);

    e.finishedText = h('p', { id: 'finished-text' });
    e.reportLink = h('a', { id: 'report-link', class: 'button primary', href: this.reportHref(), i18n: 'interview.report' });
    e.finished = h('section', { id: 'finished', class: 'card finished', hidden: true, 'aria-labelledby': 'finished-h' },
      h('h2', { id: 'finished-h', i18n: 'interview.over' }), e.finishedText, h('p', {}, e.reportLink));

    this.coding = new CodingPanel(this);

    e.historyList = h('ol', { id: 'history-list', class: 'history' });
    e.history = h('section', { id: 'history', hidden: true, 'aria-labelledby': 'history-h' },
      h('h2', { id: 'history-h', i18n: 'interview.history' }), e.historyList);

    // Told before the first question, and kept in view: what the page
    // records, who sees it, and that it never changes a score.
    e.notice = h('section', { id: 'integrity-notice', class: 'card notice', 'aria-labelledby': 'notice-h' },
      h('h2', { id: 'notice-h', i18n: 'interview.notice.title' }),
      h('p', { i18n: 'interview.notice' }));

    m.append(
      h('h1', { i18n: 'interview.title' }), e.meta,
      h('div', { class: 'progress-row' }, e.roundLabel, e.progress),
      e.status, e.finished, e.notice, e.question, this.coding.els.section, e.form, e.history);

    e.answer.value = this.draft.get() || '';
    e.answer.addEventListener('input', () => this.draft.set(e.answer.value));
    e.answer.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) {
        ev.preventDefault();
        this.send();
      }
    });
    e.form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.send();
    });
    e.end.addEventListener('click', () => this.endEarly());
  }

  reportHref() {
    return '/i/' + encodeURIComponent(this.id) + '/report#token=' + encodeURIComponent(this.token);
  }

  start() {
    this.update();
    this.voice.enable();
    this.stream = follow({
      url: interviewPath(this.id, '/events') + '?token=' + encodeURIComponent(this.token),
      onEvent: (type, data, id) => this.onEvent(type, data, id),
      onState: (state) => banner(state === 'reconnecting' ? 'banner.reconnecting' : null, 'warn'),
      beforeRetry: () => this.beforeRetry(),
      position: () => this.lastId,
    });
  }

  // beforeRetry checks, before opening the stream again, that there is
  // something left to follow.
  async beforeRetry() {
    try {
      const v = await api('GET', interviewPath(this.id), { token: this.token });
      if (terminal.has(v.status)) {
        this.applySnapshot({ ...v, streaming: null, last_event_id: this.lastId });
        this.update();
        return false;
      }
    } catch (e) {
      if (e instanceof ApiError && (e.status === 401 || e.status === 404)) {
        this.els.err.show(e.message);
        return false;
      }
    }
    return true;
  }

  onEvent(type, d, id) {
    if (id) {
      if (!later(id, this.lastId)) return; // already applied
      this.lastId = id;
    }
    switch (type) {
      case 'snapshot':
      case 'resync':
        this.applySnapshot(d);
        break;
      case 'question.delta': {
        const r = this.entry(d.round);
        if (!r.done) r.text += d.text;
        this.round = Math.max(this.round, d.round);
        break;
      }
      case 'question.done': {
        const r = this.entry(d.round);
        Object.assign(r, whole(d));
        this.round = Math.max(this.round, d.round);
        announce(t('interview.ready', { n: d.round }));
        break;
      }
      case 'turn.reset': {
        const r = this.rounds.get(d.round);
        if (r && !r.answer) Object.assign(r, { text: '', done: false });
        break;
      }
      case 'evaluation': {
        const r = this.entry(d.round);
        Object.assign(r, { score: d.score, feedback: d.feedback, nextFollowUp: !!d.follow_up });
        if (d.coding && r.coding) {
          r.coding.submission = { ...(r.coding.submission || {}), ...d.coding };
          // The follow-up about the program comes next.
          r.nextFollowUp = true;
        }
        break;
      }
      case 'report':
        this.report = d;
        break;
      case 'status': {
        this.status = d.status;
        if (d.round) this.round = Math.max(this.round, d.round);
        // Awaiting an answer, the status carries the question whole: it
        // stands in for a question.done this client missed.
        const q = d.question;
        const r = q && this.entry(q.round);
        if (r && !r.answer) {
          Object.assign(r, whole(q));
        }
        break;
      }
    }
    this.update(type);
  }

  // entry returns a round's entry, creating it; a new question after an
  // evaluation that announced a follow-up is marked as one at once.
  entry(n) {
    let r = this.rounds.get(n);
    if (!r) {
      const prev = this.rounds.get(n - 1);
      r = { round: n, text: '', done: false, topic: '', sources: [], follow_up: !!(prev && prev.nextFollowUp) };
      this.rounds.set(n, r);
    }
    return r;
  }

  applySnapshot(s) {
    this.rounds.clear();
    for (const e of s.transcript || []) {
      this.rounds.set(e.round, {
        round: e.round, text: e.question, done: true, topic: e.topic || '', sources: e.sources || [],
        follow_up: !!e.follow_up, answer: e.answer, score: e.score, feedback: e.feedback, coding: e.coding || null,
      });
    }
    if (s.question) {
      const q = s.question;
      this.rounds.set(q.round, { round: q.round, ...whole(q) });
    }
    if (s.streaming && !this.rounds.has(s.streaming.round)) {
      this.entry(s.streaming.round).text = s.streaming.text;
    }
    Object.assign(this, {
      // A coding round is two rounds: the program, then the follow-up about it.
      status: s.status, round: s.round, maxRounds: s.max_rounds + 2 * (s.coding_rounds || 0), report: s.report, error: s.error || '',
      track: s.track, level: s.level, lastId: s.last_event_id || '',
    });
    if (!this.loaded) {
      this.loaded = true;
      setLang(chooseLang(s.language), {});
      rememberInterview({ id: this.id, token: this.token, track: s.track, level: s.level });
      this.resumePending();
    }
  }

  // current is the round being asked: the latest one not yet answered.
  current() {
    let cur = null;
    for (const r of this.rounds.values()) {
      if (!r.answer && (!cur || r.round > cur.round)) cur = r;
    }
    return cur;
  }

  update(type) {
    const e = this.els;
    const over = terminal.has(this.status);
    const cur = over ? null : this.current();
    if (this.track && !e.meta.firstChild) e.meta.append(...meta(this.track, this.level));
    label(e.roundLabel, 'interview.round', { n: this.round || 0, max: this.maxRounds || '?' });
    e.progress.max = this.maxRounds || 1;
    e.progress.value = Math.min(this.answeredCount(), this.maxRounds || 0);
    label(e.status, this.statusKey(cur));
    e.status.dataset.status = this.status || 'connecting';

    const task = cur && cur.coding && cur.coding.task;
    e.question.hidden = over || !!task;
    this.coding.show(task ? cur.round : 0, task, this.status === 'awaiting_code');
    if (cur) {
      label(e.qHeading, 'interview.question', { n: cur.round });
      e.followUp.hidden = !cur.follow_up;
      e.topic.textContent = cur.topic || '';
      e.qText.textContent = cur.text;
      e.qText.dataset.round = cur.round;
      e.qText.dataset.phase = cur.done ? 'done' : 'streaming';
      this.showSources(cur.done ? cur.sources : []);
    } else {
      label(e.qHeading, 'interview.waiting');
      e.followUp.hidden = true;
      e.topic.textContent = '';
      e.qText.textContent = '';
      e.qText.dataset.phase = 'empty';
      delete e.qText.dataset.round;
      this.showSources([]);
    }
    if (type === 'question.delta') return;

    const ready = this.status === 'awaiting_answer' && cur && cur.done;
    if (ready) this.signals.begin(cur.round);
    e.notice.hidden = over;
    e.form.hidden = over || !!task;
    e.answer.disabled = over;
    e.send.disabled = !ready || this.sending || this.recording;
    this.voice.setEnabled(!over);
    e.end.disabled = over || !this.status;
    this.showHistory();
    if (over) this.finish();
    // A question just became answerable: put the cursor in the answer box.
    if (ready && !this.wasReady && this.mayFocus()) e.answer.focus();
    if (ready && !this.wasReady) this.voice.speak(cur.text);
    this.wasReady = !!ready;
  }

  statusKey(cur) {
    if (!this.status) return 'status.connecting';
    if (this.status === 'generating') return cur && cur.text ? 'status.writing' : (this.round >= this.maxRounds && this.answeredCount() >= this.maxRounds ? 'status.reporting' : 'status.preparing');
    if (this.status === 'awaiting_answer') return this.sending ? 'status.sending' : 'status.yourturn';
    if (this.status === 'evaluating' && this.latestAnswered()?.coding) return 'status.judging';
    return 'status.' + this.status;
  }

  latestAnswered() {
    let last = null;
    for (const r of this.rounds.values()) if (r.answer && (!last || r.round > last.round)) last = r;
    return last;
  }

  // submitted marks a coding round's program as taken: it is judged now.
  submitted(round, sub) {
    const r = this.entry(round);
    r.answer = sub.source;
    r.coding = { ...(r.coding || {}), submission: sub };
    if (this.status === 'awaiting_code') this.status = 'evaluating';
    this.update();
  }

  answeredCount() {
    let n = 0;
    for (const r of this.rounds.values()) if (r.answer) n++;
    return n;
  }

  // mayFocus: move focus to the answer box only when the candidate is not
  // doing something else on the page.
  mayFocus() {
    const a = document.activeElement;
    return !a || a === document.body || a === this.els.send || a === document.getElementById('main');
  }

  showSources(ids) {
    const e = this.els;
    const key = ids.join('\n');
    if (e.sourcesList.dataset.key === key) return;
    e.sourcesList.dataset.key = key;
    e.sourcesList.replaceChildren(...ids.map((id) => h('li', {}, h('code', {}, id))));
    e.sources.hidden = ids.length === 0;
    e.sources.open = false;
  }

  showHistory() {
    const e = this.els;
    const answered = [...this.rounds.values()].filter((r) => r.answer).sort((a, b) => a.round - b.round);
    e.history.hidden = answered.length === 0;
    e.historyList.replaceChildren(...answered.reverse().map((r) => roundItem(r)));
  }

  finish() {
    const e = this.els;
    if (this.stream) this.stream.close();
    banner(null);
    this.pending.clear();
    e.finished.hidden = false;
    // A missed interview (a campaign's window closed before any answer) has no report.
    e.reportLink.hidden = this.status === 'failed' || this.status === 'missed';
    if (this.status === 'missed') {
      label(e.finishedText, 'interview.over.missed');
    } else if (this.status === 'failed') {
      e.finishedText.textContent = t('status.failed') + (this.error ? ' ' + this.error : '');
    } else {
      label(e.finishedText, this.status === 'abandoned' ? 'interview.over.abandoned' : 'interview.over.completed');
    }
  }

  async send() {
    const e = this.els;
    const cur = this.current();
    if (this.sending || this.status !== 'awaiting_answer' || !cur || !cur.done) return;
    const text = e.answer.value;
    if (!text.trim()) {
      e.err.show(t('interview.empty'));
      return;
    }
    e.err.show('');
    const p = { answer_id: newId(), text, round: cur.round };
    if (this.signals.round === cur.round) p.signals = this.signals.snapshot();
    this.pending.set(JSON.stringify(p));
    await this.post(p);
  }

  // resumePending sends again, with the same answer_id, an answer whose
  // acceptance the page never saw (it was reloaded or lost its network):
  // the server counts it once.
  resumePending() {
    let p;
    try {
      p = JSON.parse(this.pending.get() || 'null');
    } catch {
      p = null;
    }
    if (!p) return;
    const r = this.rounds.get(p.round);
    if (r && !r.answer && this.status === 'awaiting_answer' && r.done) this.post(p);
    else this.pending.clear();
  }

  async post(p) {
    const e = this.els;
    this.sending = true;
    this.update();
    for (let attempt = 0; ; attempt++) {
      try {
        await api('POST', interviewPath(this.id, '/answers'), { token: this.token, body: { answer_id: p.answer_id, text: p.text, signals: p.signals } });
        if (this.signals.round === p.round) this.signals.end();
        const r = this.entry(p.round);
        r.answer = p.text;
        if (this.status === 'awaiting_answer') this.status = 'evaluating';
        this.pending.clear();
        this.draft.clear();
        e.answer.value = '';
        e.err.show('');
        break;
      } catch (err) {
        if (err instanceof ApiError && (err.status === 0 || err.status >= 500)) {
          e.err.show(t('interview.retrying'));
          await sleep(Math.min(1000 * 2 ** attempt, 10000));
          continue;
        }
        this.pending.clear();
        e.err.show(err.message);
        break;
      }
    }
    this.sending = false;
    this.update();
  }

  // reportSoon sends the round's signals so far a moment after a paste or
  // a return to the page, so they are on record even if no answer comes.
  // At most one report is waiting; losing one is harmless (the next, or
  // the answer, carries everything).
  reportSoon() {
    if (this.reportTimer) return;
    this.reportTimer = setTimeout(async () => {
      this.reportTimer = null;
      const round = this.signals.round;
      if (!round || this.sending || this.status !== 'awaiting_answer' || !this.signals.worthSending()) return;
      try {
        await api('POST', interviewPath(this.id, '/signals'), { token: this.token, body: { round, signals: this.signals.snapshot() } });
      } catch {
        // Refused (the answer was sent meanwhile) or unreachable: the
        // answer carries the round's signals anyway.
      }
    }, 2000);
  }

  async endEarly() {
    if (!window.confirm(t('interview.end.confirm'))) return;
    try {
      await api('POST', interviewPath(this.id, '/end'), { token: this.token, body: { reason: 'ended by the candidate' } });
      label(this.els.status, 'status.ending');
    } catch (err) {
      this.els.err.show(err.message);
    }
  }
}

// roundItem is one answered round in the history list.
export function roundItem(r) {
  const score = r.score == null ? h('span', { class: 'score pending', i18n: 'interview.evaluating' })
    : h('span', { class: 'score' }, h('span', { i18n: ['interview.score', { score: r.score }] }));
  return h('li', { class: 'card round', 'data-round': r.round },
    h('div', { class: 'q-head' },
      h('h3', { i18n: ['interview.question', { n: r.round }] }),
      r.follow_up ? h('span', { class: 'badge', i18n: 'interview.followup' }) : null,
      r.topic ? h('span', { class: 'topic' }, r.topic) : null,
      score),
    h('p', { class: 'question-text' }, r.text),
    r.coding && r.coding.submission ? codingItem(r.coding) : [h('h4', { i18n: 'interview.youranswer' }), h('p', { class: 'answer-text' }, r.answer)],
    r.feedback ? [h('h4', { i18n: 'interview.feedback' }), h('p', { class: 'feedback' }, r.feedback)] : null);
}

// whole is what a round's entry takes from a whole question (a
// question.done, a snapshot's question, or an awaiting_answer status).
function whole(q) {
  return { text: q.text, topic: q.topic || '', sources: q.sources || [], follow_up: !!q.follow_up, done: true, coding: q.coding ? { task: q.coding } : null };
}
