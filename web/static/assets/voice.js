// Spoken answers and questions read aloud. When the server can transcribe
// (GET /api/v1/info says voice), the answer form gets a record button:
// MediaRecorder records, the recording is uploaded, the page waits for
// the transcript and puts it into the answer box, where the candidate
// corrects it and sends it like any typed answer. Independently, the
// browser's speech synthesis can read each question aloud (off unless
// the candidate turns it on; the choice is remembered on this device).
import { api, ApiError, interviewPath, sleep } from './api.js';
import { h, label } from './dom.js';
import { t, lang } from './i18n.js';
import { store } from './storage.js';

// maxRecording matches the server's limit on a recorded answer.
const maxRecording = 5 * 60 * 1000;
// pollEvery is how often the page asks whether the transcript is ready.
const pollEvery = 1000;

export class Voice {
  // answer is the answer textarea; busy(on) tells the page a recording is
  // under way (it keeps the send button off meanwhile).
  constructor(id, token, answer, busy) {
    Object.assign(this, { id, token, answer, busy, recorder: null, working: false });
    this.readAloud = store('mianshi.readaloud');
    this.record = h('button', { type: 'button', id: 'record', class: 'secondary', hidden: true, 'aria-pressed': 'false', i18n: 'voice.record' });
    this.status = h('span', { id: 'voice-status', class: 'hint', 'aria-live': 'polite' });
    this.speakBox = h('input', { type: 'checkbox', id: 'read-aloud' });
    this.speakRow = h('span', { class: 'check', hidden: true }, this.speakBox, h('label', { for: 'read-aloud', i18n: 'voice.readaloud' }));
    this.el = h('div', { class: 'voice actions', id: 'voice' }, this.record, this.status, this.speakRow);
    this.record.addEventListener('click', () => (this.recorder ? this.stop() : this.start()));
    if ('speechSynthesis' in window) {
      this.speakRow.hidden = false;
      this.speakBox.checked = this.readAloud.get() === 'on';
      this.speakBox.addEventListener('change', () => {
        this.readAloud.set(this.speakBox.checked ? 'on' : 'off');
        if (!this.speakBox.checked) speechSynthesis.cancel();
      });
    }
  }

  // enable shows the record button when the server transcribes and the
  // browser records.
  async enable() {
    if (!navigator.mediaDevices || !window.MediaRecorder) return;
    try {
      const info = await api('GET', '/api/v1/info');
      this.record.hidden = !info.voice;
    } catch {
      this.record.hidden = true;
    }
  }

  // setEnabled turns recording on or off with the answer box.
  setEnabled(on) {
    this.record.disabled = !on && !this.recorder;
  }

  // speak reads a question aloud when the candidate asked for it.
  speak(text) {
    if (!this.speakBox.checked || !('speechSynthesis' in window) || !text) return;
    speechSynthesis.cancel();
    const u = new SpeechSynthesisUtterance(text);
    u.lang = lang() === 'zh' ? 'zh-CN' : 'en-US';
    speechSynthesis.speak(u);
  }

  async start() {
    if (this.working) return;
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (e) {
      label(this.status, 'voice.denied', { error: e.message || e.name });
      return;
    }
    const chunks = [];
    const rec = new MediaRecorder(stream);
    this.recorder = rec;
    this.started = Date.now();
    rec.addEventListener('dataavailable', (ev) => ev.data.size && chunks.push(ev.data));
    rec.addEventListener('stop', () => {
      stream.getTracks().forEach((tr) => tr.stop());
      clearInterval(this.timer);
      this.recorder = null;
      this.upload(new Blob(chunks, { type: rec.mimeType || 'audio/webm' }), Date.now() - this.started);
    });
    rec.start();
    if ('speechSynthesis' in window) speechSynthesis.cancel();
    this.record.setAttribute('aria-pressed', 'true');
    label(this.record, 'voice.stop');
    this.busy(true);
    const tick = () => {
      const s = Math.floor((Date.now() - this.started) / 1000);
      label(this.status, 'voice.recording', { time: Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0') });
      if (Date.now() - this.started >= maxRecording) this.stop();
    };
    tick();
    this.timer = setInterval(tick, 500);
  }

  stop() {
    if (this.recorder && this.recorder.state !== 'inactive') this.recorder.stop();
  }

  async upload(blob, ms) {
    this.working = true;
    this.record.setAttribute('aria-pressed', 'false');
    label(this.record, 'voice.record');
    this.record.disabled = true;
    label(this.status, 'voice.uploading');
    try {
      const form = new FormData();
      form.append('file', blob, 'answer');
      form.append('duration_ms', String(Math.round(ms)));
      let r = await api('POST', interviewPath(this.id, '/answers/audio'), { token: this.token, form });
      label(this.status, 'voice.transcribing');
      while (r.status === 'pending') {
        await sleep(pollEvery);
        try {
          r = await api('GET', interviewPath(this.id, '/answers/audio/' + encodeURIComponent(r.id)), { token: this.token });
        } catch (e) {
          if (!(e instanceof ApiError) || (e.status !== 0 && e.status < 500)) throw e;
        }
      }
      if (r.status === 'done') {
        this.insert(r.transcript);
        label(this.status, 'voice.done');
      } else {
        label(this.status, 'voice.failed', { error: r.error || r.error_code });
      }
    } catch (e) {
      label(this.status, 'voice.failed', { error: e.message });
    }
    this.working = false;
    this.record.disabled = false;
    this.busy(false);
  }

  // insert adds the transcript to what the answer box holds, and leaves the
  // cursor at its end for corrections.
  insert(text) {
    const a = this.answer;
    a.value = a.value.trim() ? a.value.replace(/\s*$/, ' ') + text : text;
    a.dispatchEvent(new Event('input'));
    a.focus();
    a.setSelectionRange(a.value.length, a.value.length);
  }
}
