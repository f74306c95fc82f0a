// The column view: a column's lineage as a graph of dataset boxes (or as a tree table), with
// directOnly, one-hop expansion each way, a moment to see the lineage as of, path highlighting and
// the "why" of every tag.
import { gql } from '../api.js';
import { fill, h, link, columnHref, datasetHref, LEVELS, levelClass, tagChips, message } from '../dom.js';
import { boxModel, columnKey } from '../graph/boxes.js';
import { drawGraph } from '../graph/render.js';
import { treeTable } from './tree.js';
import { whyPanel } from './why.js';
/** @import { ColumnVariables, Direction, HeadAnswer, LineageAnswer, LineageColumn, LineageGraph, LineageVariables, Query, View } from '../types' */
/** @import { PathCounts } from '../graph/render.js' */

/** Columns fetched per direction: the graph draws all of them, folding wide datasets. */
export const MAX_NODES = 2500;
const START_DEPTH = 2;

// Tags without their origin: with 2,500 columns a direction, the answer stays within the cost budget.
const COLUMN = `fragment C on Column { namespace dataset field dataType sensitivity tags { name masked } }`;
const EDGE = `fragment E on LineageEdge {
  source { namespace dataset field } target { namespace dataset field }
  transformation { type subtype masking } expression job { namespace name }
}`;
const HEAD = /** @type {Query<HeadAnswer, ColumnVariables>} */ (`query Head($ns: String!, $ds: String!, $f: String!) {
  column(namespace: $ns, dataset: $ds, field: $f) { ...C description }
} ${COLUMN}`);
const LINEAGE = /** @type {Query<LineageAnswer, LineageVariables>} */ (`query Lineage($ns: String!, $ds: String!, $f: String!, $dir: Direction!, $depth: Int!, $direct: Boolean!, $max: Int!, $asOf: DateTime) {
  lineage(namespace: $ns, dataset: $ds, field: $f, direction: $dir, depth: $depth, directOnly: $direct, maxNodes: $max, asOf: $asOf) {
    truncated nodes { ...C } edges { ...E }
  }
} ${COLUMN} ${EDGE}`);

/**
 * What the view shows, as its URL says it.
 * @typedef {object} Settings
 * @property {string} namespace
 * @property {string} dataset
 * @property {string} field
 * @property {number} up  hops upstream
 * @property {number} down  hops downstream
 * @property {boolean} direct  directOnly
 * @property {'graph' | 'tree'} mode
 * @property {string | null} asOf  the moment (ISO-8601, UTC) the lineage is shown as of; null for now
 */

/**
 * @param {URLSearchParams} params
 * @returns {Settings | null}  null when the column is not named
 */
function settings(params) {
  /** @param {string} name */
  const int = (name) => Math.max(1, Number.parseInt(params.get(name) ?? '', 10) || START_DEPTH);
  const namespace = params.get('namespace');
  const dataset = params.get('dataset');
  const field = params.get('field');
  if (!namespace || !dataset || !field) return null;
  return {
    namespace, dataset, field,
    up: int('up'), down: int('down'), direct: params.get('direct') !== '0', mode: params.get('view') === 'tree' ? 'tree' : 'graph',
    asOf: params.get('asOf') || null,
  };
}

/** @param {Settings} s */
function hrefOf(s) {
  const p = new URLSearchParams({ namespace: s.namespace, dataset: s.dataset, field: s.field, up: String(s.up), down: String(s.down), direct: s.direct ? '1' : '0' });
  if (s.mode === 'tree') p.set('view', 'tree');
  if (s.asOf) p.set('asOf', s.asOf);
  return `/ui/column?${p}`;
}

/**
 * The date control's value (a `datetime-local`, read as UTC) for a moment of the address.
 * @param {string | null} asOf
 */
function controlValue(asOf) {
  return asOf ? asOf.replace(/Z$/, '').replace(/\.\d+$/, '').slice(0, 19) : '';
}

/**
 * The moment a date control's value names, as the address and the API take it; null when empty (now).
 * @param {string} value  `YYYY-MM-DDTHH:MM` or with seconds
 */
function momentOf(value) {
  if (!value) return null;
  return `${value.length === 16 ? `${value}:00` : value}Z`;
}

/**
 * @param {Settings} s
 * @param {Direction} direction
 * @param {number} depth
 */
async function fetchLineage(s, direction, depth) {
  const vars = { ns: s.namespace, ds: s.dataset, f: s.field, dir: direction, depth, direct: s.direct, max: MAX_NODES, asOf: s.asOf };
  return (await gql(LINEAGE, vars)).lineage;
}

/** @type {View} */
export async function columnView(root, params) {
  const s = settings(params);
  if (!s) {
    fill(root, message('A column is named by namespace, dataset and field: /ui/column?namespace=…&dataset=…&field=…', 'error'));
    return null;
  }
  const head = (await gql(HEAD, { ns: s.namespace, ds: s.dataset, f: s.field })).column;
  if (!head) {
    fill(root, message(`No column ${s.field} in ${s.dataset} (${s.namespace}).`, 'error'));
    return null;
  }
  const rootKey = columnKey(head);
  /** @type {Set<string>} */
  const openBoxes = new Set();
  /** @type {import('cytoscape').Core | null} */
  let cy = null;
  const side = h('aside', { class: 'side', id: 'side' });
  const stage = h('div', { class: 'stage' });
  const status = h('div', { class: 'status', id: 'status' });

  /** @param {LineageColumn} column */
  const showWhy = (column) => whyPanel(side, column);
  /**
   * @param {LineageColumn | null} column
   * @param {PathCounts} [counts]
   */
  const showSelected = (column, counts) => {
    if (!column) {
      fill(side, h('p', { class: 'hint' }, 'Hover a column to see its path; click it to keep it highlighted.'));
      return;
    }
    fill(side,
      h('h3', {}, `${column.dataset}.${column.field}`),
      h('p', { class: 'ns' }, column.namespace),
      h('p', {}, column.dataType || 'type unknown', ' · ', h('span', { class: `level ${levelClass(column.sensitivity)}` }, column.sensitivity || 'no level')),
      h('p', { class: 'tags' }, tagChips(column.tags)),
      counts ? h('p', { class: 'path-counts', id: 'path-counts' }, `Path highlighted: ${counts.upstream} upstream and ${counts.downstream} downstream columns`) : null,
      h('p', { class: 'actions' },
        column.tags.length ? h('button', { type: 'button', onclick: () => showWhy(column) }, 'Why these tags?') : null,
        link(columnHref(column), 'Open this column'), link(datasetHref(column.namespace, column.dataset), 'Open the dataset')),
    );
  };

  /** @type {{ up: LineageGraph, down: LineageGraph } | null} */
  let data = null;
  const render = () => {
    if (cy) cy.destroy();
    cy = null;
    if (!data) return;
    /** @type {Map<string, LineageColumn>} */
    const columns = new Map();
    for (const part of [data.up, data.down]) for (const c of part.nodes) columns.set(columnKey(c), c);
    const edges = [...data.up.edges, ...data.down.edges];
    const notes = [];
    if (data.up.truncated || data.down.truncated) notes.push(`More lineage lies beyond the ${MAX_NODES} columns fetched each way: turn on directOnly or lower the depth to see the rest.`);
    if (s.mode === 'tree') {
      fill(stage, treeTable(head, edges, columns));
      fill(status, `${columns.size} columns, ${edges.length} edges`, ...notes.map((n) => h('span', { class: 'note' }, n)));
      return;
    }
    const graph = h('div', { class: 'graph', id: 'graph' });
    fill(stage, graph);
    const model = boxModel(columns, edges, rootKey, openBoxes);
    if (model.folded) notes.push(`${model.folded} more columns folded into "N more" rows: click one to show them.`);
    cy = drawGraph(graph, model, rootKey, {
      select: showSelected,
      open: (boxKey) => { openBoxes.add(boxKey); render(); },
    });
    window.taglineExplorer = { graph: cy };
    // The folded datasets are also listed here, as their "N more" rows may lie outside the view.
    const folded = model.boxes.filter((b) => b.folded);
    fill(status, `${columns.size} columns, ${edges.length} edges (${model.edges.length} drawn) in ${model.boxes.length} datasets`,
      ...notes.map((n) => h('span', { class: 'note' }, n)),
      ...folded.slice(0, 5).map((b) => h('button', { type: 'button', class: 'open-box', onclick: () => { openBoxes.add(b.key); render(); } }, `show ${b.folded} more of ${b.name}`)),
      folded.length > 5 ? h('span', { class: 'note' }, `and ${folded.length - 5} more datasets`) : null);
    showSelected(null);
  };

  const load = async () => {
    history.replaceState(null, '', hrefOf(s));
    fill(status, 'Loading lineage…');
    const [up, down] = await Promise.all([fetchLineage(s, 'UPSTREAM', s.up), fetchLineage(s, 'DOWNSTREAM', s.down)]);
    data = { up, down };
    fill(toolbar, ...controls());
    render();
  };

  const controls = () => {
    const directOnly = h('input', { type: 'checkbox', id: 'direct-only', checked: s.direct });
    directOnly.addEventListener('change', () => { s.direct = directOnly.checked; load(); });
    const asOf = h('input', { type: 'datetime-local', id: 'as-of', step: '1', value: controlValue(s.asOf), title: 'lineage as it was at this moment (UTC); empty for now' });
    asOf.addEventListener('change', () => { s.asOf = momentOf(asOf.value); load(); });
    return [
      h('div', { class: 'tabs' },
        h('button', { type: 'button', class: s.mode === 'graph' ? 'on' : '', onclick: () => { s.mode = 'graph'; history.replaceState(null, '', hrefOf(s)); fill(toolbar, ...controls()); render(); } }, 'Graph'),
        h('button', { type: 'button', class: s.mode === 'tree' ? 'on' : '', onclick: () => { s.mode = 'tree'; history.replaceState(null, '', hrefOf(s)); fill(toolbar, ...controls()); render(); } }, 'Tree table')),
      h('label', { class: 'toggle' }, directOnly, ' directOnly'),
      h('label', { class: 'as-of' }, 'as of (UTC) ', asOf,
        s.asOf ? h('button', { type: 'button', id: 'as-of-now', onclick: () => { s.asOf = null; load(); } }, 'now') : null),
      h('span', { class: 'depth' }, `upstream ${s.up} `, h('button', { type: 'button', id: 'expand-up', title: 'one more hop upstream', onclick: () => { s.up += 1; load(); } }, '+1 hop')),
      h('span', { class: 'depth' }, `downstream ${s.down} `, h('button', { type: 'button', id: 'expand-down', title: 'one more hop downstream', onclick: () => { s.down += 1; load(); } }, '+1 hop')),
      h('span', { class: 'legend' },
        h('span', { class: 'edge-direct' }, 'DIRECT'), h('span', { class: 'edge-indirect' }, 'INDIRECT'), h('span', { class: 'edge-masking' }, 'masking'),
        ...LEVELS.map((l) => h('span', { class: `level ${levelClass(l)}` }, l))),
    ];
  };
  const toolbar = h('div', { class: 'toolbar' });

  fill(root,
    h('section', { class: 'column-head' },
      h('h1', {}, link(datasetHref(head.namespace, head.dataset), head.dataset), '.', head.field),
      h('p', { class: 'ns' }, head.namespace, head.dataType ? ` · ${head.dataType}` : '', head.description ? ` · ${head.description}` : ''),
      h('p', { class: 'tags' },
        h('span', { class: `level ${levelClass(head.sensitivity)}` }, head.sensitivity || 'no level'),
        ...head.tags.map((t) => h('span', { class: 'tag-why' }, tagChips([t]), h('button', { type: 'button', class: 'why', 'data-tag': t.name, onclick: () => showWhy(head) }, 'why')))),
    ),
    toolbar, status,
    h('div', { class: 'workspace' }, stage, side),
  );
  await load();
  return () => { if (cy) cy.destroy(); };
}
