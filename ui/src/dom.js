// A small element builder: h('div', {class: 'x', onclick}, child, 'text', [children]).

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else el.setAttribute(name, value === true ? '' : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

/** Replace an element's children, skipping empty ones as h() does (replaceChildren writes "null"). */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** Links inside the app: the router takes over clicks on [data-link]. */
export function link(href, ...children) {
  return h('a', { href, 'data-link': true }, ...children);
}

export const columnHref = (c) => `/ui/column?${new URLSearchParams({ namespace: c.namespace, dataset: c.dataset, field: c.field })}`;
export const datasetHref = (namespace, name) => `/ui/dataset?${new URLSearchParams({ namespace, name })}`;
export const jobHref = (namespace, name) => `/ui/job?${new URLSearchParams({ namespace, name })}`;

/** Sensitivity levels as policy.example.toml orders them; others get the neutral colour. */
export const LEVELS = ['public', 'internal', 'confidential', 'restricted'];
export const levelClass = (level) => `level-${LEVELS.includes(level) ? level : 'none'}`;

export function tagChips(tags) {
  return tags.map((t) => h('span', { class: `tag${t.masked ? ' masked' : ''}`, title: t.masked ? 'masked on every path' : t.origin || '' }, t.name));
}

export function message(text, kind = 'info') {
  return h('p', { class: `message ${kind}` }, text);
}
