// The explorer's shell: the views by path (router.js routes among them), the search box, and
// the home page.
/** @import { HomeAnswer, Query, SearchAnswer, SearchHit, View } from './types' */
import './style.css';
import { gql } from './api.js';
import { element, fill, h, link, columnHref, datasetHref, jobHref, message } from './dom.js';
import { navigate, startRouter } from './router.js';
import { columnView } from './views/column.js';
import { datasetView } from './views/dataset.js';
import { jobView } from './views/job.js';
import { securityView } from './views/security.js';

// Search: datasets, columns and jobs by name, as you type.
const SEARCH = /** @type {Query<SearchAnswer, { q: string }>} */ (`query Search($q: String!) {
  search(query: $q, first: 15) { totalCount edges { node { kind namespace name field } } }
}`);
const input = element('search', HTMLInputElement);
const results = element('search-results', HTMLUListElement);
let typed = 0;

/** @param {SearchHit} hit */
function hrefOf(hit) {
  if (hit.kind === 'COLUMN') return columnHref({ namespace: hit.namespace, dataset: hit.name, field: hit.field ?? '' });
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
  const rest = (data.search.totalCount ?? hits.length) - hits.length;
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

/** @type {ReturnType<typeof setTimeout> | undefined} */
let timer;
input.addEventListener('input', () => {
  clearTimeout(timer);
  timer = setTimeout(() => search().catch((e) => console.error(e)), 150);
});
input.addEventListener('keydown', (event) => {
  if (event.key === 'Enter') {
    const href = results.querySelector('a')?.getAttribute('href');
    if (href) navigate(href);
  } else if (event.key === 'Escape') closeResults();
});
document.addEventListener('click', (event) => {
  if (!(event.target instanceof Element && event.target.closest('.search'))) closeResults();
});

// Home: what the store holds, by namespace.
const HOME = /** @type {Query<HomeAnswer>} */ (`{ namespaces { name
  datasets(first: 100) { totalCount edges { node { name } } }
  jobs(first: 100) { totalCount edges { node { name } } } } }`);

/** @type {View} */
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
      (ns.datasets.totalCount ?? 0) > ns.datasets.edges.length ? h('p', { class: 'more' }, `${(ns.datasets.totalCount ?? 0) - ns.datasets.edges.length} more datasets: use the search`) : null)),
  );
  return null;
}

startRouter({
  root: element('view', HTMLElement),
  views: { '/ui/column': columnView, '/ui/dataset': datasetView, '/ui/job': jobView, '/ui/security': securityView },
  fallback: homeView,
  before: closeResults,
});
