// The interviews started in this browser, so a candidate can come back to
// one from the start page. Kept in localStorage, on this device only.
const key = 'mianshi.recent';

// recentInterviews lists them, newest first.
export function recentInterviews() {
  try {
    const v = JSON.parse(localStorage.getItem(key) || '[]');
    return Array.isArray(v) ? v.filter((r) => r && typeof r.id === 'string' && typeof r.token === 'string') : [];
  } catch {
    return [];
  }
}

// rememberInterview adds one (at most 5 are kept).
export function rememberInterview(r) {
  const list = [{ ...r, at: Date.now() }, ...recentInterviews().filter((x) => x.id !== r.id)].slice(0, 5);
  try {
    localStorage.setItem(key, JSON.stringify(list));
  } catch {
    // Storage full or off: the link still works.
  }
}
