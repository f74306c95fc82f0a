// Talks to Tagline's GraphQL API on the same origin. With API keys on, the server answers 401;
// the page then asks for a key once and keeps it in sessionStorage (this tab, until it closes).

const KEY = 'tagline.apiKey';
let asking = null;

/** Ask for a key in the page's dialog; concurrent requests share one prompt. */
function askForKey(message) {
  if (asking) return asking;
  const dialog = document.getElementById('key-dialog');
  const form = document.getElementById('key-form');
  const input = document.getElementById('key-input');
  const error = document.getElementById('key-error');
  error.hidden = !message;
  error.textContent = message || '';
  input.value = '';
  asking = new Promise((resolve) => {
    form.addEventListener('submit', () => {
      sessionStorage.setItem(KEY, input.value.trim());
      asking = null;
      resolve();
    }, { once: true });
  });
  dialog.showModal();
  return asking;
}

/** The headers every request carries: JSON (the same-origin guard asks for it) and the key. */
export function headers() {
  const h = { 'Content-Type': 'application/json', Accept: 'application/json' };
  const key = sessionStorage.getItem(KEY);
  if (key) h.Authorization = `Bearer ${key}`;
  return h;
}

/** Fetch a path of this server, asking for a key (again) while the server answers 401. */
export async function request(path, init = {}) {
  for (;;) {
    const response = await fetch(path, { ...init, headers: headers() });
    if (response.status === 401) {
      const had = sessionStorage.getItem(KEY);
      sessionStorage.removeItem(KEY);
      await askForKey(had ? 'That key was refused; try another.' : '');
      continue;
    }
    return response;
  }
}

/** POST a GraphQL request body to /graphql. */
export function post(body) {
  return request('/graphql', { method: 'POST', body: JSON.stringify(body) });
}

export class ApiError extends Error {}

/** Run a query; the data, or an ApiError with the server's messages when there is none. */
export async function gql(query, variables = {}) {
  const response = await post({ query, variables });
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`the server answered ${response.status}`);
  }
  if (response.status === 403) throw new ApiError(body.error || 'this key may not read');
  const messages = (body.errors || []).map((e) => e.message);
  if (!body.data || (messages.length && !response.ok)) throw new ApiError(messages.join('; ') || body.error || `the server answered ${response.status}`);
  body.data.__errors = messages;
  return body.data;
}
