// Talks to Tagline's GraphQL API on the same origin. With API keys on, the server answers 401;
// the page then asks for a key once and keeps it in sessionStorage (this tab, until it closes).

/** @import { GraphQLResponse, Query } from './types' */
import { element } from './dom.js';

const KEY = 'tagline.apiKey';
/** @type {Promise<void> | null} */
let asking = null;

/**
 * Ask for a key in the page's dialog; concurrent requests share one prompt.
 * @param {string} message  why a key is asked for again ('' the first time)
 * @returns {Promise<void>}
 */
function askForKey(message) {
  if (asking) return asking;
  const dialog = element('key-dialog', HTMLDialogElement);
  const form = element('key-form', HTMLFormElement);
  const input = element('key-input', HTMLInputElement);
  const error = element('key-error', HTMLElement);
  error.hidden = !message;
  error.textContent = message;
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

/**
 * The headers every request carries: JSON (the same-origin guard asks for it) and the key.
 * @returns {Record<string, string>}
 */
export function headers() {
  /** @type {Record<string, string>} */
  const h = { 'Content-Type': 'application/json', Accept: 'application/json' };
  const key = sessionStorage.getItem(KEY);
  if (key) h.Authorization = `Bearer ${key}`;
  return h;
}

/**
 * Fetch a path of this server, asking for a key (again) while the server answers 401.
 * @param {string} path
 * @param {RequestInit} [init]  anything but headers, which are always {@link headers}
 * @returns {Promise<Response>}
 */
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

/**
 * POST a GraphQL request body to /graphql.
 * @param {{ query?: string, variables?: object | null, operationName?: string | null }} body
 * @returns {Promise<Response>}
 */
export function post(body) {
  return request('/graphql', { method: 'POST', body: JSON.stringify(body) });
}

export class ApiError extends Error {}

/**
 * Run a query; the data, or an ApiError with the server's messages when there is none.
 * @template Answer
 * @template {object} Variables
 * @param {Query<Answer, Variables>} query  the document, typed with the shape of its answer
 * @param {Variables} [variables]
 * @returns {Promise<Answer>}
 */
export async function gql(query, variables) {
  const response = await post({ query, variables: variables ?? {} });
  /** @type {GraphQLResponse<Answer>} */
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`the server answered ${response.status}`);
  }
  if (response.status === 403) throw new ApiError(body.error || 'this key may not read');
  const messages = (body.errors || []).map((e) => e.message);
  if (!body.data || (messages.length && !response.ok)) throw new ApiError(messages.join('; ') || body.error || `the server answered ${response.status}`);
  return body.data;
}
