// store is one localStorage key, failing quietly where storage is off (a
// private window): the page then just forgets drafts on reload.
export function store(key) {
  return {
    get() {
      try {
        return localStorage.getItem(key);
      } catch {
        return null;
      }
    },
    set(value) {
      try {
        localStorage.setItem(key, value);
      } catch {
        // Storage off or full.
      }
    },
    clear() {
      try {
        localStorage.removeItem(key);
      } catch {
        // Storage off.
      }
    },
  };
}
