// The coding round of the interview page: the problem, a code editor (Ace,
// vendored under /assets/vendor/ace and loaded on first use), a language picker,
// "Run" on the visible examples and "Submit". The verdict and the
// follow-up question come back through the interview's own stream.
import { api, ApiError, interviewPath, newId } from './api.js';
import { h, label } from './dom.js';
import { t } from './i18n.js';
import { store } from './storage.js';

const aceModes = { go: 'ace/mode/golang', python: 'ace/mode/python', javascript: 'ace/mode/javascript' };
const languageNames = { go: 'Go', python: 'Python', javascript: 'JavaScript' };

// loadAce adds Ace's script and stylesheet once. Ace runs in strict-CSP
// mode: it injects no <style> and starts no worker, so the page's
// Content-Security-Policy (scripts and styles from this origin only) holds.
let aceLoading = null;
function loadAce() {
  if (!aceLoading) {
    aceLoading = new Promise((resolve, reject) => {
      document.head.append(h('link', { rel: 'stylesheet', href: '/assets/vendor/ace/ace.css' }));
      const s = h('script', { src: '/assets/vendor/ace/ace.js' });
      s.addEventListener('load', () => {
        window.ace.config.set('useStrictCSP', true);
        window.ace.config.set('basePath', '/assets/vendor/ace');
        resolve(window.ace);
      });
      s.addEventListener('error', () => reject(new Error('the code editor did not load')));
      document.head.append(s);
    });
  }
  return aceLoading;
}

// CodingPanel shows one coding round at a time.
export class CodingPanel {
  constructor(interview) {
    this.iv = interview;
    this.task = null;
    this.round = 0;
    this.busy = false;
    const e = (this.els = {});
    e.heading = h('h2', { id: 'coding-h' });
    e.statement = h('p', { id: 'coding-statement', class: 'statement' });
    e.limits = h('p', { class: 'hint', id: 'coding-limits' });
    e.examples = h('ol', { id: 'coding-examples', class: 'examples' });
    e.lang = h('select', { id: 'code-lang', name: 'language' });
    e.lang.addEventListener('change', () => this.switchLanguage());
    e.editorBox = h('div', { id: 'code-editor', class: 'code-editor', role: 'group', 'aria-labelledby': 'code-label' });
    // The editor falls back to a plain text area if Ace cannot load.
    e.plain = h('textarea', { id: 'code-plain', class: 'code-plain', rows: 16, spellcheck: 'false', hidden: true, 'aria-labelledby': 'code-label' });
    e.run = h('button', { type: 'button', id: 'code-run', class: 'secondary', i18n: 'coding.run' });
    e.submit = h('button', { type: 'button', id: 'code-submit', class: 'primary', i18n: 'coding.submit' });
    e.run.addEventListener('click', () => this.runExamples());
    e.submit.addEventListener('click', () => this.submitCode());
    e.msg = h('p', { id: 'code-msg', class: 'error', role: 'alert', hidden: true });
    e.results = h('ol', { id: 'code-results', class: 'results' });
    e.resultsBox = h('section', { id: 'code-run-results', hidden: true, 'aria-labelledby': 'code-results-h' },
      h('h3', { id: 'code-results-h', i18n: 'coding.results' }), e.results);
    e.section = h('section', { id: 'coding', class: 'card coding', hidden: true, 'aria-labelledby': 'coding-h' },
      e.heading, e.statement, e.limits,
      h('h3', { i18n: 'coding.examples' }), e.examples,
      h('div', { class: 'code-bar' },
        h('span', { id: 'code-label', i18n: 'coding.editor' }),
        h('label', { for: 'code-lang', i18n: 'coding.language' }), e.lang),
      e.editorBox, e.plain, e.msg,
      h('div', { class: 'actions' }, e.run, e.submit),
      e.resultsBox);
  }

  // show sets the round's problem, or hides the panel with null.
  async show(round, task, editable) {
    const e = this.els;
    e.section.hidden = !task;
    if (!task) return;
    e.run.disabled = e.submit.disabled = !editable || this.busy;
    if (this.task && this.round === round) return;
    this.task = task;
    this.round = round;
    e.heading.textContent = t('coding.heading', { n: round }) + ' · ' + task.title;
    e.statement.textContent = task.statement;
    label(e.limits, 'coding.limits', { ms: task.time_ms, mb: task.memory_mb });
    e.examples.replaceChildren(...task.examples.map((x, i) => h('li', { class: 'example' },
      h('h4', { i18n: ['coding.example', { n: i + 1 }] }),
      h('div', { class: 'io' },
        h('div', {}, h('span', { class: 'io-label', i18n: 'coding.input' }), h('pre', {}, x.stdin)),
        h('div', {}, h('span', { class: 'io-label', i18n: 'coding.output' }), h('pre', {}, x.stdout))))));
    e.lang.replaceChildren(...task.languages.map((l) => h('option', { value: l }, languageNames[l] || l)));
    const saved = store(`mianshi.codelang.${this.iv.id}.${round}`).get();
    e.lang.value = task.languages.includes(saved) ? saved : task.languages[0];
    e.results.replaceChildren();
    e.resultsBox.hidden = true;
    await this.openEditor();
    this.load();
  }

  async openEditor() {
    if (this.editor || this.els.plain.hidden === false) return;
    try {
      const ace = await loadAce();
      this.editor = ace.edit(this.els.editorBox, { useWorker: false, tabSize: 4, fontSize: 14, minLines: 14, maxLines: 30, showPrintMargin: false });
      this.editor.textInput.getElement().setAttribute('aria-labelledby', 'code-label');
      this.editor.session.on('change', () => this.save());
    } catch {
      this.els.editorBox.hidden = true;
      this.els.plain.hidden = false;
      this.els.plain.addEventListener('input', () => this.save());
    }
  }

  language() { return this.els.lang.value; }

  draft() { return store(`mianshi.code.${this.iv.id}.${this.round}.${this.language()}`); }

  value() { return this.editor ? this.editor.getValue() : this.els.plain.value; }

  // load puts the language's draft, or its starter code, in the editor.
  load() {
    const code = this.draft().get() ?? ((this.task.starter || {})[this.language()] || '');
    if (this.editor) {
      this.editor.session.setMode(aceModes[this.language()] || 'ace/mode/text');
      this.loading = true;
      this.editor.setValue(code, -1);
      this.loading = false;
    } else {
      this.els.plain.value = code;
    }
  }

  save() {
    if (!this.loading && this.task) this.draft().set(this.value());
  }

  switchLanguage() {
    store(`mianshi.codelang.${this.iv.id}.${this.round}`).set(this.language());
    this.load();
  }

  message(text) {
    this.els.msg.textContent = text || '';
    this.els.msg.hidden = !text;
  }

  body(id) { return { id, language: this.language(), source: this.value() }; }

  async runExamples() {
    if (this.busy) return;
    const source = this.value();
    if (!source.trim()) return this.message(t('coding.empty'));
    this.setBusy(true, 'coding.running');
    try {
      const r = await api('POST', interviewPath(this.iv.id, '/code/run'), { token: this.iv.token, body: this.body(newId()) });
      this.message('');
      this.showRun(r.run);
    } catch (err) {
      this.message(err instanceof ApiError ? err.message : String(err));
    }
    this.setBusy(false);
  }

  showRun(run) {
    const e = this.els;
    e.resultsBox.hidden = false;
    const items = [h('li', { class: 'verdict', 'data-verdict': run.verdict || 'error' }, verdictLine(run))];
    if (run.compile) items.push(h('li', {}, h('h4', { i18n: 'coding.compile' }), h('pre', {}, run.compile)));
    let n = 0;
    for (const c of run.cases || []) {
      n++;
      items.push(h('li', { class: 'case', 'data-verdict': c.verdict },
        h('h4', { i18n: ['coding.case', { n, verdict: t('verdict.' + c.verdict), ms: c.time_ms }] }),
        c.output != null ? [h('span', { class: 'io-label', i18n: 'coding.youroutput' }), h('pre', {}, c.output)] : null,
        c.stderr ? [h('span', { class: 'io-label', i18n: 'coding.stderr' }), h('pre', {}, c.stderr)] : null));
    }
    e.results.replaceChildren(...items);
  }

  async submitCode() {
    if (this.busy) return;
    const source = this.value();
    if (!source.trim()) return this.message(t('coding.empty'));
    if (!window.confirm(t('coding.submit.confirm'))) return;
    this.setBusy(true, 'coding.submitting');
    const id = newId();
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await api('POST', interviewPath(this.iv.id, '/code/submit'), { token: this.iv.token, body: this.body(id) });
        this.message('');
        this.iv.submitted(this.round, { language: this.language(), source });
        break;
      } catch (err) {
        if (err instanceof ApiError && (err.status === 0 || err.status >= 500)) continue;
        this.message(err instanceof ApiError ? err.message : String(err));
        break;
      }
    }
    this.setBusy(false);
  }

  setBusy(busy, key) {
    this.busy = busy;
    const e = this.els;
    e.run.disabled = e.submit.disabled = busy;
    if (busy) label(key === 'coding.running' ? e.run : e.submit, key);
    else {
      label(e.run, 'coding.run');
      label(e.submit, 'coding.submit');
    }
  }
}

// verdictLine says how a run or submission did.
export function verdictLine(run) {
  if (run.error) return h('span', {}, run.error);
  const total = (run.passed || 0) + (run.failed || 0);
  return h('span', { i18n: ['coding.verdict', { verdict: t('verdict.' + run.verdict), passed: run.passed || 0, total }] });
}

// codingItem shows a submitted coding round in a transcript: the verdict
// (once judged), the program, the reading of the code and every run on the
// examples with its source.
export function codingItem(coding) {
  const sub = coding && coding.submission;
  if (!sub) return null;
  const runs = coding.runs || [];
  return [
    sub.verdict ? h('p', { class: 'verdict', 'data-verdict': sub.verdict }, verdictLine(sub)) : null,
    h('h4', { i18n: ['coding.yourcode', { language: languageNames[sub.language] || sub.language }] }),
    h('pre', { class: 'code' }, h('code', {}, sub.source)),
    reviewList(coding.review),
    runs.length ? h('details', { class: 'runs' },
      h('summary', { i18n: ['coding.runs', { n: runs.length }] }),
      h('ol', {}, runs.map((r, i) => h('li', { 'data-verdict': r.verdict || 'error' },
        h('span', { i18n: ['coding.run.item', { n: i + 1, language: languageNames[r.language] || r.language, verdict: r.verdict ? t('verdict.' + r.verdict) : (r.error || '') }] }),
        h('pre', { class: 'code' }, h('code', {}, r.source)))))) : null,
  ];
}

// codingResult shows a coding round of a report: the verdict and the
// reading of the code.
export function codingResult(c) {
  return [
    h('p', { class: 'verdict', 'data-verdict': c.verdict }, verdictLine(c)),
    reviewList(c.review),
  ];
}

function reviewList(review) {
  if (!review) return null;
  return [h('h4', { i18n: 'coding.review' }), h('dl', { class: 'facts review' },
    h('dt', { i18n: 'coding.complexity' }), h('dd', {}, review.complexity),
    h('dt', { i18n: 'coding.clarity' }), h('dd', {}, review.clarity),
    h('dt', { i18n: 'coding.edgecases' }), h('dd', {}, review.edge_cases))];
}
