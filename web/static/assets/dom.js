// Building DOM safely: every string becomes a text node or an attribute
// value, never markup. Nothing here (or anywhere in the app) sets
// innerHTML from data.
import { t } from './i18n.js';

const SVG = 'http://www.w3.org/2000/svg';

// h creates an element. Props: class, text, i18n (a string key, or
// [key, args]), on<event> handlers, and plain attributes; false and null
// are skipped. Children are nodes or strings (text).
export function h(tag, props = {}, ...children) {
  return build(document.createElement(tag), props, children);
}

// s creates an SVG element, with the same props as h.
export function s(tag, props = {}, ...children) {
  return build(document.createElementNS(SVG, tag), props, children);
}

function build(el, props, children) {
  for (const [k, v] of Object.entries(props)) {
    if (v == null || v === false) continue;
    if (k === 'class') el.setAttribute('class', v);
    else if (k === 'text') el.textContent = v;
    else if (k === 'i18n') label(el, ...(Array.isArray(v) ? v : [v]));
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c == null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

// label sets an element's text to a translated string and remembers the
// key, so relabel can switch its language later.
export function label(el, key, args) {
  el.dataset.i18n = key;
  if (args) el.dataset.i18nArgs = JSON.stringify(args);
  else delete el.dataset.i18nArgs;
  el.textContent = t(key, args);
  return el;
}

// relabel re-translates every labelled element under root.
export function relabel(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) {
    const args = el.dataset.i18nArgs ? JSON.parse(el.dataset.i18nArgs) : undefined;
    el.textContent = t(el.dataset.i18n, args);
  }
  if (titleKey) document.title = t(titleKey);
}

let titleKey = '';

// title sets the document title to a translated string.
export function title(key) {
  titleKey = key;
  document.title = t(key);
}

// main empties the page's main element and returns it.
export function main() {
  const m = document.getElementById('main');
  m.replaceChildren();
  return m;
}

// banner shows a message above the page (or hides it with null).
export function banner(key, kind = 'info') {
  const b = document.getElementById('banner');
  if (!key) {
    b.hidden = true;
    b.replaceChildren();
    return;
  }
  b.className = 'banner ' + kind;
  b.replaceChildren(label(document.createElement('span'), key));
  b.hidden = false;
}

// announce tells screen readers something once, politely.
export function announce(text) {
  const a = document.getElementById('announce');
  a.textContent = '';
  setTimeout(() => { a.textContent = text; }, 50);
}

// errorBox is a region that shows an error message (from the API: text).
export function errorBox() {
  const el = h('p', { class: 'error', role: 'alert', hidden: true });
  el.show = (msg) => { el.textContent = msg; el.hidden = !msg; };
  return el;
}

// formatDate shows a time in the UI's language.
export function formatDate(iso, lang) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en', { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

// safeLink admits only http(s) URLs as link targets; anything else (a
// javascript: URL, say) becomes the empty string.
export function safeLink(url) {
  try {
    const u = new URL(url, location.href);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : '';
  } catch {
    return '';
  }
}
