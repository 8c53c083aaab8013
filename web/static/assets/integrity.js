// Integrity signals of the round being answered: what a proctor beside the
// candidate would notice, and nothing more. How much of the answer came
// from paste (or drop) events, how often and how long the page was hidden
// or unfocused, the time to the first keystroke, the time to the answer and
// its length. No keystrokes, no other text, no camera. The candidate is told
// before the first question (interview.notice); HR sees the signals, and
// they never change a score.
import { store } from './storage.js';

// Bounds the API takes (interview.Signals.Validate).
const maxMS = 30 * 24 * 3600 * 1000;
const maxCount = 10000;

// RoundSignals follows one answer box through the rounds. onNews is called
// when something worth reporting before the answer happened (a paste, a
// return to the page).
export class RoundSignals {
  constructor(interviewId, textarea, onNews) {
    this.box = textarea;
    this.onNews = onNews;
    this.saved = store(`mianshi.signals.${interviewId}`);
    this.s = null; // the round's signals so far; null between rounds
    this.pasting = false;
    this.prev = textarea.value;
    textarea.addEventListener('paste', (ev) => this.paste(ev));
    textarea.addEventListener('input', (ev) => this.input(ev));
    // Focus is followed by its events: a page shown is taken to have it
    // until the window says otherwise (hasFocus() is false in some
    // embedded and headless browsers that never had an OS window).
    this.focused = true;
    document.addEventListener('visibilitychange', () => this.away());
    window.addEventListener('blur', () => {
      this.focused = false;
      this.away();
    });
    window.addEventListener('focus', () => {
      this.focused = true;
      this.away();
    });
  }

  // begin starts following a round whose question is shown now, or picks
  // up the one this browser was following before a reload.
  begin(round) {
    if (this.s && this.s.round === round) return;
    let s = null;
    try {
      s = JSON.parse(this.saved.get() || 'null');
    } catch {
      s = null;
    }
    if (!s || s.round !== round) {
      s = { round, shownAt: Date.now(), mask: 't'.repeat(this.box.value.length), pastes: 0, hiddenCount: 0, hiddenMS: 0, awaySince: 0, firstKeyAt: 0 };
    }
    this.s = s;
    this.prev = this.box.value;
    if (s.mask.length !== this.prev.length) s.mask = 't'.repeat(this.prev.length);
    this.away();
    this.save();
  }

  // end stops following the round (its answer was taken).
  end() {
    this.s = null;
    this.saved.clear();
  }

  get round() {
    return this.s ? this.s.round : 0;
  }

  // The page handles a paste itself, inserting the text where the browser
  // would (with undo, through insertText), so it knows which characters
  // came from it.
  paste(ev) {
    const text = ev.clipboardData && ev.clipboardData.getData('text/plain');
    if (!text) return; // the browser pastes; input sees insertFromPaste
    ev.preventDefault();
    this.pasting = true;
    try {
      if (!document.execCommand('insertText', false, text)) {
        this.box.setRangeText(text, this.box.selectionStart, this.box.selectionEnd, 'end');
        this.box.dispatchEvent(new InputEvent('input', { inputType: 'insertFromPaste', data: text, bubbles: true }));
      }
    } finally {
      this.pasting = false;
    }
  }

  // input works out what changed between the box's last value and this
  // one, and marks the inserted characters as typed or pasted.
  input(ev) {
    const next = this.box.value;
    const prev = this.prev;
    this.prev = next;
    const s = this.s;
    if (!s) return;
    let start = 0;
    while (start < prev.length && start < next.length && prev[start] === next[start]) start++;
    let tail = 0;
    while (tail < prev.length - start && tail < next.length - start && prev[prev.length - 1 - tail] === next[next.length - 1 - tail]) tail++;
    const inserted = next.length - start - tail;
    const kind = ev.inputType || '';
    const pasted = this.pasting || kind.startsWith('insertFromPaste') || kind === 'insertFromDrop';
    s.mask = s.mask.slice(0, start) + (pasted ? 'p' : 't').repeat(inserted) + s.mask.slice(s.mask.length - tail);
    if (inserted > 0 && pasted) {
      s.pastes++;
      this.onNews();
    } else if (inserted > 0 && !s.firstKeyAt) {
      s.firstKeyAt = Date.now();
    }
    this.save();
  }

  // away notes the page being hidden or unfocused, and its return.
  away() {
    const s = this.s;
    if (!s) return;
    const gone = document.hidden || !this.focused;
    if (gone && !s.awaySince) {
      s.awaySince = Date.now();
      s.hiddenCount++;
    } else if (!gone && s.awaySince) {
      s.hiddenMS += Date.now() - s.awaySince;
      s.awaySince = 0;
      this.onNews();
    }
    this.save();
  }

  // snapshot is the round's signals as the API takes them, until now.
  snapshot() {
    const s = this.s;
    const now = Date.now();
    const answerMS = clamp(now - s.shownAt, maxMS);
    const chars = this.box.value.length;
    return {
      pasted_chars: Math.min([...s.mask].filter((c) => c === 'p').length, chars),
      pastes: clamp(s.pastes, maxCount),
      hidden_count: clamp(s.hiddenCount, maxCount),
      hidden_ms: Math.min(clamp(s.hiddenMS + (s.awaySince ? now - s.awaySince : 0), maxMS), answerMS),
      first_key_ms: s.firstKeyAt ? Math.min(clamp(s.firstKeyAt - s.shownAt, maxMS), answerMS) : 0,
      answer_ms: answerMS,
      answer_chars: chars,
    };
  }

  // worthSending reports whether the round has anything to report yet.
  worthSending() {
    return !!this.s && (this.s.pastes > 0 || this.s.hiddenCount > 0);
  }

  save() {
    if (this.s) this.saved.set(JSON.stringify(this.s));
  }
}

function clamp(n, most) {
  return Math.max(0, Math.min(Math.round(n), most));
}
