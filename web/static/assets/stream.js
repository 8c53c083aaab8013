// Following an interview's event stream (Server-Sent Events), with
// reconnection that resumes from the last event seen.
//
// The browser's EventSource reconnects by itself after a dropped
// connection, sending Last-Event-ID. When the server answers an attempt
// with an error status (a restart, a 503), EventSource gives up; then we
// open a new one after a pause, passing our last id as ?last_event_id=
// (EventSource cannot set headers), so nothing is missed or repeated.

// eventTypes are the events the server sends.
export const eventTypes = ['snapshot', 'resync', 'question.delta', 'question.done', 'turn.reset', 'evaluation', 'report', 'status'];

// later reports whether stream id a ("ms-seq") comes after b.
export function later(a, b) {
  if (!b) return true;
  const [am, as] = a.split('-').map(Number);
  const [bm, bs] = b.split('-').map(Number);
  return am > bm || (am === bm && as > bs);
}

// follow opens the stream. onEvent(type, data, id) gets every event;
// onState('open' | 'reconnecting') reports the connection; beforeRetry()
// may resolve to false to stop (the interview is over). position() gives
// the last event id the page has applied.
export function follow({ url, onEvent, onState, beforeRetry, position }) {
  let es = null;
  let closed = false;
  let timer = null;
  let failures = 0;

  const connect = () => {
    if (closed) return;
    const last = position();
    es = new EventSource(last ? url + '&last_event_id=' + encodeURIComponent(last) : url);
    es.onopen = () => {
      failures = 0;
      onState('open');
    };
    es.onerror = () => {
      if (closed) return;
      onState('reconnecting');
      if (es.readyState !== EventSource.CLOSED) return; // the browser retries by itself
      es.close();
      failures++;
      const wait = Math.min(1000 * 2 ** Math.min(failures - 1, 4), 15000);
      timer = setTimeout(async () => {
        if (closed) return;
        if ((await beforeRetry()) === false) {
          stop();
          onState('open');
          return;
        }
        connect();
      }, wait);
    };
    for (const type of eventTypes) {
      es.addEventListener(type, (ev) => {
        let data;
        try {
          data = JSON.parse(ev.data);
        } catch {
          return;
        }
        const control = type === 'snapshot' || type === 'resync';
        onEvent(type, data, control ? '' : ev.lastEventId);
      });
    }
  };

  const stop = () => {
    closed = true;
    clearTimeout(timer);
    if (es) es.close();
  };

  connect();
  return { close: stop };
}
