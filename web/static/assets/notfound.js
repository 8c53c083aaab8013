// A page for paths the app does not know, and for links without a token.
import { h, main } from './dom.js';

// notFoundPage says the page does not exist.
export function notFoundPage() {
  messagePage('notfound.title', 'notfound.body');
}

// messagePage shows a heading, a sentence and a link to the start page.
export function messagePage(titleKey, bodyKey) {
  const m = main();
  document.title = 'mianshi';
  m.append(
    h('section', { class: 'card' },
      h('h1', { i18n: titleKey }),
      h('p', { i18n: bodyKey }),
      h('p', {}, h('a', { href: '/', i18n: 'nav.start' }))));
}
