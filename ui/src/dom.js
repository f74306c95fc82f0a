// A small element builder: h('div', {class: 'x', onclick}, child, 'text', [children]).
/** @import { ColumnRef, TagChip } from './types' */

/**
 * What h() and fill() take as children: nodes, text, numbers, nested lists; empty ones are skipped.
 * @typedef {Node | string | number | null | undefined | false | Child[]} Child
 */

/**
 * Attributes of h(): ``on…`` names take a listener, ``dataset`` an object for data-* attributes;
 * true sets an attribute empty, and null, undefined and false leave it out.
 * @typedef {Record<string, string | number | boolean | null | undefined | EventListener | Record<string, string>>} Attrs
 */

/**
 * @template {keyof HTMLElementTagNameMap} Tag
 * @param {Tag} tag
 * @param {Attrs} [attrs]
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[Tag]}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (name === 'dataset' && typeof value === 'object') Object.assign(el.dataset, value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

/**
 * @param {Element} el
 * @param {Child[]} children
 */
function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

/**
 * Replace an element's children, skipping empty ones as h() does (replaceChildren writes "null").
 * @template {Element} E
 * @param {E} el
 * @param {...Child} children
 * @returns {E}
 */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/**
 * An element of the page by id, which must exist and be of the given class.
 * @template {HTMLElement} E
 * @param {string} id
 * @param {new () => E} type
 * @returns {E}
 */
export function element(id, type) {
  const el = document.getElementById(id);
  if (!(el instanceof type)) throw new Error(`the page has no ${type.name} #${id}`);
  return el;
}

/**
 * Links inside the app: the router takes over clicks on [data-link].
 * @param {string} href
 * @param {...Child} children
 */
export function link(href, ...children) {
  return h('a', { href, 'data-link': true }, ...children);
}

/** @param {ColumnRef} c */
export const columnHref = (c) => `/ui/column?${new URLSearchParams({ namespace: c.namespace, dataset: c.dataset, field: c.field })}`;
/** @param {string} namespace @param {string} name */
export const datasetHref = (namespace, name) => `/ui/dataset?${new URLSearchParams({ namespace, name })}`;
/** @param {string} namespace @param {string} name */
export const jobHref = (namespace, name) => `/ui/job?${new URLSearchParams({ namespace, name })}`;

/** Sensitivity levels as policy.example.toml orders them; others get the neutral colour. */
export const LEVELS = /** @type {const} */ (['public', 'internal', 'confidential', 'restricted']);
/** @typedef {typeof LEVELS[number]} Level */

/**
 * Whether a sensitivity is one of the levels drawn in colour.
 * @param {string | null | undefined} level
 * @returns {level is Level}
 */
export const isLevel = (level) => LEVELS.some((known) => known === level);

/** @param {string | null | undefined} level */
export const levelClass = (level) => `level-${isLevel(level) ? level : 'none'}`;

/** @param {TagChip[]} tags */
export function tagChips(tags) {
  return tags.map((t) => h('span', { class: `tag${t.masked ? ' masked' : ''}`, title: t.masked ? 'masked on every path' : t.origin || '' }, t.name));
}

/**
 * @param {string} text
 * @param {'info' | 'error'} [kind]
 */
export function message(text, kind = 'info') {
  return h('p', { class: `message ${kind}` }, text);
}
