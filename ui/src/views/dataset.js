// The dataset view: columns with types, descriptions and tags; writers and readers with their
// last run; table-level lineage; 30 days of usage; the impact of dropping a column. A change to
// the dataset's lineage draws the view again by itself.
import { gql } from '../api.js';
import { csvText, download } from '../csv.js';
import { fill, h, link, columnHref, datasetHref, jobHref, levelClass, tagChips, message } from '../dom.js';
import { drawTableLineage } from '../graph/table.js';
import { follow, lineageOf, updatedNow } from '../live.js';
import { navigate } from '../router.js';
/** @import { ColumnVariables, DatasetAnswer, DatasetRef, ImpactAnswer, JobRun, NameVariables, Query, UsageDay, View } from '../types' */

const DATASET = /** @type {Query<DatasetAnswer, NameVariables>} */ (`query Dataset($ns: String!, $name: String!) {
  dataset(namespace: $ns, name: $name) {
    namespace name kind description lastProducedAt declaredSource
    usage(days: 30) { date reads distinctReaders }
    columns { field dataType description sensitivity tags { name origin masked } }
    writers { namespace name lastRunAt lastRunState }
    readers { namespace name lastRunAt lastRunState }
  }
  datasetLineage(namespace: $ns, name: $name, depth: 2, maxNodes: 200) { truncated nodes { id kind namespace name } edges { source target } }
}`);
const IMPACT = /** @type {Query<ImpactAnswer, ColumnVariables>} */ (`query Impact($ns: String!, $ds: String!, $f: String!) {
  impact(namespace: $ns, dataset: $ds, field: $f) {
    truncated sensitivity
    tags { name columns unmaskedColumns }
    datasets { depth dataset { namespace name } columns { field } }
    jobs { job { namespace name } }
  }
}`);

/** @param {JobRun[]} list */
function jobs(list) {
  if (!list.length) return h('p', { class: 'hint' }, 'none');
  return h('table', { class: 'grid' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Job'), h('th', {}, 'Last run'), h('th', {}, 'State'))),
    h('tbody', {}, list.map((j) => h('tr', {}, h('td', {}, link(jobHref(j.namespace, j.name), j.name)), h('td', {}, j.lastRunAt || '—'), h('td', {}, j.lastRunState || '—')))));
}

/** @param {UsageDay[]} usage  oldest first */
function heat(usage) {
  const most = Math.max(1, ...usage.map((d) => d.reads));
  // The first and last days, and the Mondays between (not too near them), are dated under the strip.
  const dated = (/** @type {UsageDay} */ d, /** @type {number} */ i) => i === 0 || i === usage.length - 1 || (i > 2 && i < usage.length - 3 && new Date(`${d.date}T00:00:00Z`).getUTCDay() === 1);
  return h('div', { class: 'usage' },
    h('div', { class: 'heat', id: 'usage-heat' }, usage.map((d) => h('span', {
      class: 'day', title: `${d.date}: ${d.reads} reads by ${d.distinctReaders} readers`,
      style: `background: rgba(29, 78, 216, ${d.reads ? 0.15 + 0.85 * (d.reads / most) : 0.04})`,
    }))),
    h('div', { class: 'heat heat-dates', id: 'usage-dates' }, usage.map((d, i) => h('span', { class: 'date' }, dated(d, i) ? d.date.slice(5) : ''))));
}

/**
 * Draw in ``panel`` what dropping ``field`` of ``ds`` breaks.
 * @param {HTMLElement} panel
 * @param {DatasetRef} ds
 * @param {string} field
 */
async function showImpact(panel, ds, field) {
  fill(panel, h('p', { class: 'loading' }, 'Working out the impact…'));
  const impact = (await gql(IMPACT, { ns: ds.namespace, ds: ds.name, f: field })).impact;
  const columns = impact.datasets.reduce((n, d) => n + d.columns.length, 0);
  const rows = impact.datasets.flatMap((d) => d.columns.map((c) => [d.depth, d.dataset.namespace, d.dataset.name, c.field]));
  const exportCsv = () => download(`impact-${ds.name}.${field}.csv`, csvText(['depth', 'namespace', 'dataset', 'column'], rows));
  fill(panel,
    h('h3', {}, `Dropping ${field} breaks`, ' ', h('button', { type: 'button', id: 'impact-csv', onclick: exportCsv }, 'CSV')),
    h('p', {}, `${columns} columns in ${impact.datasets.length} datasets, ${impact.jobs.length} jobs`,
      impact.sensitivity ? [' · carries ', h('span', { class: `level ${levelClass(impact.sensitivity)}` }, impact.sensitivity)] : '',
      impact.truncated ? ' (cut short by the node limit)' : ''),
    impact.tags.length ? h('p', {}, impact.tags.map((t) => h('span', { class: 'tag' }, `${t.name} ×${t.columns}`))) : null,
    h('ul', { class: 'impact' }, impact.datasets.map((d) => h('li', {},
      link(datasetHref(d.dataset.namespace, d.dataset.name), d.dataset.name), ` (${d.depth} hop${d.depth === 1 ? '' : 's'}): `,
      d.columns.map((c) => c.field).join(', ')))),
    impact.jobs.length ? h('p', {}, 'Jobs: ', impact.jobs.map((j, i) => [i ? ', ' : '', link(jobHref(j.job.namespace, j.job.name), j.job.name)])) : null,
  );
}

/** @type {View} */
export async function datasetView(root, params) {
  const ns = params.get('namespace');
  const name = params.get('name');
  if (!ns || !name) {
    fill(root, message('A dataset is named by namespace and name: /ui/dataset?namespace=…&name=…', 'error'));
    return null;
  }
  const impactPanel = h('div', { class: 'impact-panel', id: 'impact' }, h('p', { class: 'hint' }, 'Pick "impact" on a column to see what dropping it breaks.'));
  const updated = h('span', { class: 'live-note hint', id: 'live-note' });
  /** @type {import('cytoscape').Core | null} */
  let cy = null;
  /** Draws begun: an answer that arrives after a later draw began is dropped. */
  let draws = 0;

  /**
   * Fetch the dataset and draw it (the impact panel as the user left it).
   * @returns {Promise<boolean>}  whether the dataset exists
   */
  const draw = async () => {
    const mine = ++draws;
    const data = await gql(DATASET, { ns, name });
    if (mine !== draws) return true;
    const ds = data.dataset;
    if (cy) cy.destroy();
    cy = null;
    if (!ds) {
      fill(root, message(`No dataset ${name} in ${ns}.`, 'error'));
      return false;
    }
    const lineageBox = h('div', { class: 'table-lineage', id: 'table-lineage' });
    const reads = ds.usage.reduce((n, d) => n + d.reads, 0);
    fill(root,
      h('section', { class: 'column-head' },
        h('h1', {}, ds.name), h('p', { class: 'ns' }, ds.namespace, ds.kind ? ` · ${ds.kind}` : '', ds.declaredSource ? ' · declared source' : '',
          ds.lastProducedAt ? ` · last produced ${ds.lastProducedAt}` : '', ' ', updated),
        ds.description ? h('p', {}, ds.description) : null),
      h('div', { class: 'two' },
        h('section', {},
          h('h2', {}, `Columns (${ds.columns.length})`),
          h('table', { class: 'grid', id: 'columns' },
            h('thead', {}, h('tr', {}, ['Column', 'Type', 'Description', 'Level', 'Tags', ''].map((t) => h('th', {}, t)))),
            h('tbody', {}, ds.columns.map((c) => h('tr', {},
              h('td', {}, link(columnHref({ namespace: ds.namespace, dataset: ds.name, field: c.field }), c.field)),
              h('td', {}, c.dataType || ''), h('td', {}, c.description || ''),
              h('td', {}, c.sensitivity ? h('span', { class: `level ${levelClass(c.sensitivity)}` }, c.sensitivity) : ''),
              h('td', {}, tagChips(c.tags)),
              h('td', {}, h('button', { type: 'button', class: 'impact-button', onclick: () => showImpact(impactPanel, ds, c.field) }, 'impact'))))))),
        h('section', {},
          h('h2', {}, `Usage, last 30 days (${reads} reads)`), heat(ds.usage),
          h('h2', {}, 'Writers'), jobs(ds.writers),
          h('h2', {}, 'Readers'), jobs(ds.readers),
          impactPanel)),
      h('h2', {}, 'Table-level lineage', data.datasetLineage.truncated ? ' (cut at 200 nodes)' : ''),
      lineageBox,
    );
    cy = drawTableLineage(lineageBox, data.datasetLineage, `dataset:${ds.namespace}:${ds.name}`,
      (node) => navigate(node.kind === 'JOB' ? jobHref(node.namespace, node.name) : datasetHref(node.namespace, node.name)));
    return true;
  };

  if (!(await draw())) return null;
  const redraw = async () => {
    if (await draw()) fill(updated, updatedNow());
  };
  const stop = follow([lineageOf(ns, name)], () => void redraw().catch((e) => console.error(e)), updated);
  return () => {
    stop();
    if (cy) cy.destroy();
  };
}
