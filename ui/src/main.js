// The explorer's shell: a router over /ui/* paths (the server answers each with this page), the
// search box, and the home page.
import './style.css';
import { gql, ApiError } from './api.js';
import { fill, h, link, columnHref, datasetHref, jobHref, message } from './dom.js';
import { columnView } from './views/column.js';
import { datasetView } from './views/dataset.js';
import { jobView } from './views/job.js';
import { securityView } from './views/security.js';

const VIEWS = { '/ui/column': columnView, '/ui/dataset': datasetView, '/ui/job': jobView, '/ui/security': securityView };
const view = document.getElementById('view');
let leaving = null;

export function navigate(href) {
  history.pushState(null, '', href);
  route();
}

async function route() {
  if (leaving) leaving();
  leaving = null;
  closeResults();
  const path = location.pathname.replace(/\/$/, '') || '/ui';
  const render = VIEWS[path] || homeView;
  fill(view, h('p', { class: 'loading' }, 'Loading…'));
  try {
    leaving = await render(view, new URLSearchParams(location.search));
  } catch (error) {
    fill(view, message(error instanceof ApiError ? error.message : `Something went wrong: ${error}`, 'error'));
    if (!(error instanceof ApiError)) console.error(error);
  }
}

document.addEventListener('click', (event) => {
  const a = event.target.closest('a[data-link]');
  if (!a || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
  event.preventDefault();
  navigate(a.getAttribute('href'));
});
window.addEventListener('popstate', route);

// Search: datasets, columns and jobs by name, as you type.
const SEARCH = `query Search($q: String!) {
  search(query: $q, first: 15) { totalCount edges { node { kind namespace name field } } }
}`;
const input = document.getElementById('search');
const results = document.getElementById('search-results');
let typed = 0;

function hrefOf(hit) {
  if (hit.kind === 'COLUMN') return columnHref({ namespace: hit.namespace, dataset: hit.name, field: hit.field });
  if (hit.kind === 'DATASET') return datasetHref(hit.namespace, hit.name);
  return jobHref(hit.namespace, hit.name);
}

function closeResults() {
  results.hidden = true;
}

async function search() {
  const q = input.value.trim();
  const mine = ++typed;
  if (!q) return closeResults();
  const data = await gql(SEARCH, { q });
  if (mine !== typed) return;
  const hits = data.search.edges.map((e) => e.node);
  const rest = data.search.totalCount - hits.length;
  fill(results, 
    ...hits.map((hit) => h('li', {}, link(hrefOf(hit),
      h('span', { class: `kind kind-${hit.kind.toLowerCase()}` }, hit.kind.toLowerCase()),
      h('span', { class: 'hit-name' }, hit.field ? `${hit.name}.${hit.field}` : hit.name),
      h('span', { class: 'hit-ns' }, hit.namespace)))),
    hits.length ? (rest > 0 ? h('li', { class: 'more' }, `${rest} more: refine the search`) : null)
      : h('li', { class: 'more' }, 'No dataset, column or job by that name'),
  );
  results.hidden = false;
}

let timer;
input.addEventListener('input', () => {
  clearTimeout(timer);
  timer = setTimeout(() => search().catch((e) => console.error(e)), 150);
});
input.addEventListener('keydown', (event) => {
  if (event.key === 'Enter') {
    const first = results.querySelector('a');
    if (first) navigate(first.getAttribute('href'));
  } else if (event.key === 'Escape') closeResults();
});
document.addEventListener('click', (event) => {
  if (!event.target.closest('.search')) closeResults();
});

// Home: what the store holds, by namespace.
const HOME = `{ namespaces { name
  datasets(first: 100) { totalCount edges { node { name } } }
  jobs(first: 100) { totalCount edges { node { name } } } } }`;

async function homeView(root) {
  const data = await gql(HOME);
  fill(root, 
    h('section', { class: 'intro' },
      h('h1', {}, 'Lineage explorer'),
      h('p', {}, 'Search for a dataset, a column or a job above, or pick one below. ',
        'A column shows where its values come from and go, with the tags they carry; ',
        link('/ui/security', 'Security'), ' lists policy violations and the tag audit log.')),
    data.namespaces.length ? null : message('The store is empty: load lineage with `tagline ingest …` or `tagline demo`.'),
    ...data.namespaces.map((ns) => h('section', { class: 'namespace' },
      h('h2', {}, ns.name),
      ns.datasets.edges.length ? h('ul', { class: 'names' }, ns.datasets.edges.map(({ node }) => h('li', {}, link(datasetHref(ns.name, node.name), node.name)))) : null,
      ns.jobs.edges.length ? h('ul', { class: 'names jobs' }, ns.jobs.edges.map(({ node }) => h('li', {}, link(jobHref(ns.name, node.name), node.name)))) : null,
      ns.datasets.totalCount > ns.datasets.edges.length ? h('p', { class: 'more' }, `${ns.datasets.totalCount - ns.datasets.edges.length} more datasets: use the search`) : null)),
  );
}

route();
