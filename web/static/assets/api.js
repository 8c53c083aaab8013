// The API client: JSON in, JSON out, errors as ApiError with the API's
// stable code and message.

// ApiError is a failed call: status 0 means the network failed.
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// api calls the API. Options: token (a bearer token), body (sent as
// JSON), form (a FormData, sent as multipart).
export async function api(method, path, { token, body, form } = {}) {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = 'Bearer ' + token;
  let payload;
  if (form) payload = form;
  else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let resp;
  try {
    resp = await fetch(path, { method, headers, body: payload, credentials: 'same-origin', cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, 'network', e.message);
  }
  if (resp.status === 204) return null;
  let data = null;
  try {
    data = await resp.json();
  } catch {
    data = null;
  }
  if (!resp.ok) {
    const err = data && data.error;
    throw new ApiError(resp.status, (err && err.code) || 'http_' + resp.status, (err && err.message) || resp.statusText);
  }
  return data;
}

// interviewPath is an interview's API path.
export function interviewPath(id, suffix = '') {
  return '/api/v1/interviews/' + encodeURIComponent(id) + suffix;
}

// newId returns a random id (128 bits, hex); crypto.randomUUID needs a
// secure context, which a LAN address over http is not.
export function newId() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

// sleep waits ms milliseconds.
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
