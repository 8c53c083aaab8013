// Wall-clock times in an IANA time zone, for times typed in a campaign's
// schedule zone rather than the browser's. A wall clock is kept as
// milliseconds "as if it were UTC", so that adding a day to it is adding
// a day on the calendar, whatever the zone's DST does.

const day = 86400000;
const formats = new Map();

// wallOf is the wall clock in zone at the instant ms.
export function wallOf(ms, zone) {
  let f = formats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formats.set(zone, f);
  }
  const p = Object.fromEntries(f.formatToParts(ms).map((x) => [x.type, Number(x.value)]));
  return Date.UTC(p.year, p.month - 1, p.day, p.hour % 24, p.minute, p.second);
}

// instantsOf returns the instants at which zone's clocks show wall, the
// earliest first: none in a DST gap, two when the clocks go back.
export function instantsOf(wall, zone) {
  const offsets = new Set([-2 * day, 0, 2 * day].map((d) => wallOf(wall + d, zone) - (wall + d)));
  return [...offsets].map((o) => wall - o).filter((u) => wallOf(u, zone) === wall).sort((a, b) => a - b);
}

// parseLocal reads an <input type=datetime-local> value as a wall clock
// (NaN when it is not one).
export function parseLocal(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value || '');
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0)) : NaN;
}

// localValue is a wall clock as an <input type=datetime-local> value.
export function localValue(wall) {
  return new Date(wall).toISOString().slice(0, 16);
}

// rfc3339 writes the instant ms as zone's wall clock with its UTC offset,
// e.g. 2026-12-07T09:00:00+08:00.
export function rfc3339(ms, zone) {
  const wall = wallOf(ms, zone);
  const off = Math.round((wall - ms) / 60000);
  const abs = Math.abs(off);
  const sign = off < 0 ? '-' : '+';
  return new Date(wall).toISOString().slice(0, 19) + sign +
    String(Math.floor(abs / 60)).padStart(2, '0') + ':' + String(abs % 60).padStart(2, '0');
}

// lastRunBefore guesses a schedule's most recent time before now from its
// next runs (instants, soonest first): when they repeat with a period on
// the calendar that divides a week (their smallest gap, a day or the week
// itself), the runs a few periods before them are past runs too. It skips the times in ran
// and before the first day start (YYYY-MM-DD). NaN when it cannot tell.
export function lastRunBefore(nextRuns, zone, now, ran = new Set(), start = '') {
  const walls = nextRuns.map((r) => wallOf(Date.parse(r), zone));
  if (walls.length < 2 || walls.some(Number.isNaN)) return NaN;
  const seen = new Set(walls);
  const last = walls[walls.length - 1];
  const gaps = walls.slice(1).map((w, i) => w - walls[i]);
  const period = [Math.min(...gaps), day, 7 * day].find((p) => {
    const inRange = walls.filter((w) => w + p <= last);
    return p > 0 && (7 * day) % p === 0 && inRange.length > 0 && inRange.every((w) => seen.has(w + p));
  });
  if (!period) return NaN;
  const first = start ? parseLocal(start + 'T00:00') : -Infinity;
  let best = NaN;
  for (const w of walls) {
    for (let k = 1; k <= 3; k++) {
      const at = instantsOf(w - k * period, zone)[0];
      if (at < now && w - k * period >= first && !ran.has(at) && !(at <= best)) best = at;
    }
  }
  return best;
}
