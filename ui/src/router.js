// The router over /ui/* paths (the server answers each with this page): links marked [data-link]
// and navigate() change the path without reloading the page, and the path's view draws it. Views
// navigate through this module, and the shell (main.js) gives it the views, so neither imports the other.
/** @import { View } from './types' */
import { ApiError } from './api.js';
import { fill, h, message } from './dom.js';

/**
 * @typedef {object} Routes
 * @property {HTMLElement} root  where views draw
 * @property {Record<string, View>} views  by path, without a trailing slash
 * @property {View} fallback  for any other path under /ui
 * @property {() => void} [before]  called before each route, e.g. to close a menu
 */

/** @type {Routes | null} */
let routes = null;
/** What the current view does when the page leaves it. @type {(() => void) | null} */
let leaving = null;

/**
 * Go to a path of the app, as a click on a link to it would.
 * @param {string} href
 */
export function navigate(href) {
  history.pushState(null, '', href);
  void route();
}

async function route() {
  if (!routes) throw new Error('navigate() before startRouter()');
  const { root, views, fallback, before } = routes;
  if (leaving) leaving();
  leaving = null;
  if (before) before();
  const path = location.pathname.replace(/\/$/, '') || '/ui';
  const render = views[path] || fallback;
  fill(root, h('p', { class: 'loading' }, 'Loading…'));
  try {
    leaving = await render(root, new URLSearchParams(location.search));
  } catch (error) {
    fill(root, message(error instanceof ApiError ? error.message : `Something went wrong: ${error}`, 'error'));
    if (!(error instanceof ApiError)) console.error(error);
  }
}

/**
 * Route the page's links and history to ``given``'s views, and draw the current path.
 * @param {Routes} given
 */
export function startRouter(given) {
  routes = given;
  document.addEventListener('click', (event) => {
    const a = event.target instanceof Element ? event.target.closest('a[data-link]') : null;
    if (!a || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    navigate(a.getAttribute('href') || '/ui');
  });
  window.addEventListener('popstate', () => void route());
  void route();
}
