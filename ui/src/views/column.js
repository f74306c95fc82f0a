// The column view: a column's lineage as a graph of dataset boxes (or as a tree table). The
// neighbourhood's outline comes first (its counts, its datasets, the links between them), so even
// ten thousand edges open at once, collapsed; the column edges come with it when there are few,
// else dataset by dataset as they are expanded. With directOnly, one-hop expansion each way, a
// moment to see the lineage as of, filters, find, focus on a path, CSV export and the "why" of tags.
// A change to the column's dataset's lineage or to its tags draws the view again by itself.
import { gql } from '../api.js';
import { csvText, download } from '../csv.js';
import { fill, h, link, columnHref, datasetHref, jobHref, levelClass, tagChips, message } from '../dom.js';
import { boxModel, columnKey, datasetKey } from '../graph/boxes.js';
import { choices } from '../graph/filters.js';
import { mark, show } from '../graph/find.js';
import { drawGraph } from '../graph/render.js';
import { follow, lineageOf, tagsOf, updatedNow } from '../live.js';
import { legend } from './legend.js';
import { treeTable } from './tree.js';
import { whyPanel } from './why.js';
/** @import { ColumnVariables, DatasetRef, Direction, HeadAnswer, LineageAnswer, LineageColumn, LineageEdge, LineageGraph, LineageVariables, OutlineAnswer, OutlineVariables, Query, SliceAnswer, SliceVariables, View } from '../types' */
/** @import { PathCounts } from '../graph/render.js' */
/** @import { Drawing, Neighbourhood } from '../graph/boxes.js' */

/** Columns fetched per direction for the tree table, and for the graph of a small neighbourhood. */
export const MAX_NODES = 2500;
/** Up to this many column edges the graph fetches them all at once; beyond, dataset by dataset. */
export const DETAIL_EDGES = 2000;
/** Columns a slice (the edges of datasets being expanded or exported) may hold. */
const SLICE_NODES = 1000;
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
const OUTLINE = /** @type {Query<OutlineAnswer, OutlineVariables>} */ (`query Outline($ns: String!, $ds: String!, $f: String!, $up: Int!, $down: Int!, $direct: Boolean!, $asOf: DateTime) {
  lineageOutline(namespace: $ns, dataset: $ds, field: $f, upstream: $up, downstream: $down, directOnly: $direct, asOf: $asOf) {
    columns edges complete datasets { namespace name columns upstream }
    links { sourceNamespace sourceDataset targetNamespace targetDataset edges direct masking }
  }
}`);
const SLICE = /** @type {Query<SliceAnswer, SliceVariables>} */ (`query Slice($ns: String!, $ds: String!, $f: String!, $up: Int!, $down: Int!, $direct: Boolean!, $asOf: DateTime, $datasets: [DatasetRefInput!]!, $max: Int!) {
  lineageSlice(namespace: $ns, dataset: $ds, field: $f, upstream: $up, downstream: $down, directOnly: $direct, asOf: $asOf, datasets: $datasets, maxNodes: $max) {
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

/**
 * @param {Settings} s
 * @param {DatasetRef[]} datasets
 */
async function fetchSlice(s, datasets) {
  const vars = { ns: s.namespace, ds: s.dataset, f: s.field, up: s.up, down: s.down, direct: s.direct, asOf: s.asOf, datasets, max: SLICE_NODES };
  return (await gql(SLICE, vars)).lineageSlice;
}

/**
 * Add fetched columns and edges to what the view knows (an edge met twice is kept once).
 * @param {Neighbourhood} hood
 * @param {LineageGraph} part
 */
function learn(hood, part) {
  for (const c of part.nodes) hood.columns.set(columnKey(c), c);
  /** @param {LineageEdge} e */
  const id = (e) => `${columnKey(e.source)}\u0002${columnKey(e.target)}\u0002${e.job ? `${e.job.namespace}/${e.job.name}` : ''}`;
  const known = new Set(hood.edges.map(id));
  for (const e of part.edges) if (!known.has(id(e))) hood.edges.push(e);
}

/** @param {number} n @param {string} what @param {string} [many] */
const count = (n, what, many = `${what}s`) => `${n.toLocaleString('en')} ${n === 1 ? what : many}`;

const CSV_HEADER = ['source_namespace', 'source_dataset', 'source_column', 'target_namespace', 'target_dataset', 'target_column',
  'type', 'subtype', 'masking', 'job_namespace', 'job', 'expression'];
/** @param {LineageEdge} e */
const csvRow = (e) => [e.source.namespace, e.source.dataset, e.source.field, e.target.namespace, e.target.dataset, e.target.field,
  e.transformation.type, e.transformation.subtype, e.transformation.masking, e.job?.namespace, e.job?.name, e.expression];

/** @type {View} */
export async function columnView(root, params) {
  const s = settings(params);
  if (!s) {
    fill(root, message('A column is named by namespace, dataset and field: /ui/column?namespace=…&dataset=…&field=…', 'error'));
    return null;
  }
  const first = (await gql(HEAD, { ns: s.namespace, ds: s.dataset, f: s.field })).column;
  if (!first) {
    fill(root, message(`No column ${s.field} in ${s.dataset} (${s.namespace}).`, 'error'));
    return null;
  }
  let head = first;
  const rootKey = columnKey(head);
  /** @type {Drawing} */
  const drawing = { expanded: new Set(), focus: null, filters: { indirect: false, subtype: '', family: '' } };
  /** @type {import('cytoscape').Core | null} */
  let cy = null;
  /** @type {Neighbourhood | null} */
  let hood = null;
  /** The tree table's answer (both directions, at most MAX_NODES columns each). @type {{ up: LineageGraph, down: LineageGraph } | null} */
  let whole = null;
  const side = h('aside', { class: 'side', id: 'side' });
  const stage = h('div', { class: 'stage' });
  const status = h('div', { class: 'status', id: 'status' });
  const toolbar = h('div', { class: 'toolbar' });
  const tools = h('div', { class: 'toolbar graph-tools', id: 'graph-tools' });
  const findInput = h('input', { type: 'search', id: 'find', placeholder: 'Find in graph', 'aria-label': 'Find in graph' });
  const foundCount = h('span', { id: 'found-count', class: 'hint' });
  const headSection = h('section', { class: 'column-head' });
  const updated = h('span', { class: 'live-note hint', id: 'live-note' });
  let foundAt = 0;
  /** Loads begun: a load answered after a later one began is dropped. */
  let loads = 0;

  /** @param {LineageColumn} column */
  const showWhy = (column) => whyPanel(side, column);
  /**
   * @param {LineageColumn | null} column
   * @param {PathCounts} [counts]
   */
  const showSelected = (column, counts) => {
    if (!column) {
      fill(side, h('p', { class: 'hint' }, 'Hover a column to see its path; click it to keep it highlighted. Click a dataset\'s title to expand or collapse it.'));
      return;
    }
    const made = (hood?.edges ?? []).filter((e) => columnKey(e.target) === columnKey(column) && e.job);
    // The edges that carry the value say how it was made; filters and joins only when there is none.
    const into = made.some((e) => e.transformation.type === 'DIRECT') ? made.filter((e) => e.transformation.type === 'DIRECT') : made;
    fill(side,
      h('h3', {}, `${column.dataset}.${column.field}`),
      h('p', { class: 'ns' }, column.namespace),
      h('p', {}, column.dataType || 'type unknown', ' · ', h('span', { class: `level ${levelClass(column.sensitivity)}` }, column.sensitivity || 'no level')),
      h('p', { class: 'tags' }, tagChips(column.tags)),
      counts ? h('p', { class: 'path-counts', id: 'path-counts' }, `Path highlighted: ${counts.upstream} upstream and ${counts.downstream} downstream columns`) : null,
      into.length ? h('div', { class: 'made-by' }, h('h4', {}, 'Made by'), into.slice(0, 5).map((e) => h('p', {},
        link(`${jobHref(e.job?.namespace ?? '', e.job?.name ?? '')}&column=${encodeURIComponent(`${column.dataset}.${column.field}`)}`, e.job?.name ?? ''),
        e.expression ? h('code', { class: 'expr' }, ` ${e.expression}`) : null))) : null,
      h('p', { class: 'actions' },
        h('button', { type: 'button', id: 'focus-path', onclick: () => { drawing.focus = columnKey(column); render(); } }, 'Focus on this path'),
        column.tags.length ? h('button', { type: 'button', onclick: () => showWhy(column) }, 'Why these tags?') : null,
        link(columnHref(column), 'Open this column'), link(datasetHref(column.namespace, column.dataset), 'Open the dataset')),
    );
  };

  const find = () => {
    if (!cy) return;
    const found = mark(cy, findInput.value);
    foundAt = 0;
    const text = findInput.value.trim().toLowerCase();
    const drawn = new Set(cy.nodes().map((n) => n.id()));
    const hidden = text && hood ? [...hood.columns.entries()].filter(([k, c]) => !drawn.has(k) && `${c.dataset}.${c.field}`.toLowerCase().includes(text)).length : 0;
    fill(foundCount, text ? `${count(found.length, 'match', 'matches')} drawn` : '', hidden ? `, ${hidden} more in collapsed datasets` : '');
    if (found.length) show(cy, found, 0);
  };
  const findNext = () => {
    if (!cy) return;
    const found = cy.nodes('.found');
    if (found.length) show(cy, found, ++foundAt);
  };
  findInput.addEventListener('input', find);
  findInput.addEventListener('keydown', (event) => { if (event.key === 'Enter') findNext(); });

  /** @param {string} boxKey */
  const expand = async (boxKey) => {
    if (!hood) return;
    if (!hood.detailed.has(boxKey)) {
      const d = hood.outline.datasets.find((x) => datasetKey({ namespace: x.namespace, dataset: x.name }) === boxKey);
      if (!d) return;
      fill(status, `Loading the columns of ${d.name}…`);
      const part = await fetchSlice(s, [{ namespace: d.namespace, name: d.name }]);
      learn(hood, part);
      if (!part.truncated) hood.detailed.add(boxKey);
    }
    drawing.expanded.add(boxKey);
    render();
  };
  /** @param {string} boxKey */
  const toggle = (boxKey) => {
    if (drawing.expanded.has(boxKey)) {
      drawing.expanded.delete(boxKey);
      render();
    } else void expand(boxKey);
  };

  /** Every edge of the neighbourhood, fetched in slices of datasets where it is not all known. */
  const exportCsv = async () => {
    if (!hood) return;
    const rest = hood.outline.datasets.filter((d) => !hood?.detailed.has(datasetKey({ namespace: d.namespace, dataset: d.name })));
    /** @type {DatasetRef[][]} */
    const batches = [];
    let size = SLICE_NODES;
    for (const d of rest) {
      if (size + d.columns >= SLICE_NODES) {
        batches.push([]);
        size = 0;
      }
      batches[batches.length - 1].push({ namespace: d.namespace, name: d.name });
      size += d.columns;
    }
    for (const [i, batch] of batches.entries()) {
      fill(status, `Fetching the edges for the CSV file: ${i + 1} of ${batches.length}…`);
      const part = await fetchSlice(s, batch);
      learn(hood, part);
      if (!part.truncated) for (const d of batch) hood.detailed.add(datasetKey({ namespace: d.namespace, dataset: d.name }));
    }
    const edges = [...hood.edges].sort((a, b) => columnKey(a.source).localeCompare(columnKey(b.source)) || columnKey(a.target).localeCompare(columnKey(b.target)));
    download(`lineage-${s.dataset}.${s.field}.csv`, csvText(CSV_HEADER, edges.map(csvRow)));
    render();
  };

  const render = () => {
    if (cy) cy.destroy();
    cy = null;
    if (s.mode === 'tree') {
      if (!whole) return;
      /** @type {Map<string, LineageColumn>} */
      const columns = new Map();
      for (const part of [whole.up, whole.down]) for (const c of part.nodes) columns.set(columnKey(c), c);
      const edges = [...whole.up.edges, ...whole.down.edges];
      fill(tools);
      fill(stage, treeTable(head, edges, columns));
      fill(status, `${count(columns.size, 'column')}, ${count(edges.length, 'edge')}`,
        whole.up.truncated || whole.down.truncated ? h('span', { class: 'note' }, `More lineage lies beyond the ${MAX_NODES} columns fetched each way: turn on directOnly or lower the depth to see the rest.`) : null);
      return;
    }
    if (!hood) return;
    const known = hood;
    fill(tools, ...graphTools());
    const graph = h('div', { class: 'graph', id: 'graph' });
    fill(stage, h('div', { class: 'graph-wrap' }, graph));
    const model = boxModel(known, rootKey, drawing);
    const drawnColumns = model.boxes.reduce((n, b) => n + b.rows.filter((r) => r.column).length, 0);
    const drawnEdges = model.edges.reduce((n, e) => n + e.count, 0);
    cy = drawGraph(graph, model, rootKey, { select: showSelected, open: (key) => void expand(key), toggle });
    window.taglineExplorer = { graph: cy };
    const o = known.outline;
    fill(status,
      h('strong', { id: 'neighbourhood-counts' }, `${o.complete ? '' : 'at least '}${count(o.columns, 'column')}, ${count(o.edges, 'edge')}`),
      ` in ${count(o.datasets.length, 'dataset')} · drawn: ${count(drawnColumns, 'column')} (${count(model.folded, 'column')} collapsed), ${count(model.edges.length, 'line')} for ${count(drawnEdges, 'edge')}`,
      drawing.focus ? h('span', { class: 'note' }, 'Focused on one path. ', h('button', { type: 'button', id: 'unfocus', onclick: () => { drawing.focus = null; render(); } }, 'Show everything')) : null,
      o.complete ? null : h('span', { class: 'note' }, 'The walk stopped at its node limit: lower the depth or turn on directOnly.'));
    if (findInput.value) find();
    showSelected(null);
  };

  const graphTools = () => {
    if (!hood) return [];
    const known = hood;
    const offered = choices(known);
    /** @param {string} id @param {string} label @param {string[]} options @param {string} value @param {(v: string) => void} set */
    const select = (id, label, options, value, set) => {
      const el = h('select', { id, 'aria-label': label }, h('option', { value: '' }, label), options.map((o) => h('option', { value: o, selected: o === value }, o)));
      el.addEventListener('change', () => { set(el.value); render(); });
      return el;
    };
    const fans = h('input', { type: 'checkbox', id: 'hide-fans', checked: drawing.filters.indirect });
    fans.addEventListener('change', () => { drawing.filters.indirect = fans.checked; render(); });
    const all = known.outline.datasets.map((d) => datasetKey({ namespace: d.namespace, dataset: d.name }));
    return [
      h('label', { class: 'toggle', title: 'hide the INDIRECT edges from one column into many of a dataset (a filter, a join key)' }, fans, ' hide INDIRECT fans'),
      select('subtype', 'any transformation', offered.subtypes, drawing.filters.subtype, (v) => { drawing.filters.subtype = v; }),
      select('family', 'any tag family', offered.families, drawing.filters.family, (v) => { drawing.filters.family = v; }),
      h('span', { class: 'find' }, findInput, h('button', { type: 'button', id: 'find-next', onclick: findNext }, 'next'), foundCount),
      all.every((k) => known.detailed.has(k))
        ? h('button', { type: 'button', id: 'expand-all', onclick: () => { for (const k of all) drawing.expanded.add(k); render(); } }, 'expand all')
        : null,
      h('button', { type: 'button', id: 'collapse-all', onclick: () => { drawing.expanded.clear(); render(); } }, 'collapse all'),
      h('button', { type: 'button', id: 'export-csv', onclick: () => void exportCsv() }, 'CSV'),
    ];
  };

  /** Fetch the lineage and draw it; ``keep`` keeps the expanded datasets fetched again and the focus. */
  const load = async (keep = false) => {
    const mine = ++loads;
    history.replaceState(null, '', hrefOf(s));
    if (!keep) fill(status, 'Loading lineage…');
    /** @type {Neighbourhood | null} */
    let nextHood = null;
    /** @type {{ up: LineageGraph, down: LineageGraph } | null} */
    let nextWhole = null;
    if (s.mode === 'tree') {
      const [up, down] = await Promise.all([fetchLineage(s, 'UPSTREAM', s.up), fetchLineage(s, 'DOWNSTREAM', s.down)]);
      nextWhole = { up, down };
    } else {
      const outline = (await gql(OUTLINE, { ns: s.namespace, ds: s.dataset, f: s.field, up: s.up, down: s.down, direct: s.direct, asOf: s.asOf })).lineageOutline;
      nextHood = { outline, columns: new Map([[rootKey, head]]), edges: [], detailed: new Set() };
      if (outline.edges <= DETAIL_EDGES) {
        const [up, down] = await Promise.all([fetchLineage(s, 'UPSTREAM', s.up), fetchLineage(s, 'DOWNSTREAM', s.down)]);
        learn(nextHood, up);
        learn(nextHood, down);
        if (!up.truncated && !down.truncated) for (const d of outline.datasets) nextHood.detailed.add(datasetKey({ namespace: d.namespace, dataset: d.name }));
      }
    }
    if (mine !== loads) return;
    hood = nextHood;
    whole = nextWhole;
    const detailed = nextHood?.detailed ?? new Set();
    drawing.expanded = new Set(keep ? [...drawing.expanded].filter((k) => detailed.has(k)) : []);
    if (!keep || !drawing.focus || !nextHood?.columns.has(drawing.focus)) drawing.focus = null;
    fill(toolbar, ...controls());
    render();
  };

  /** Draw the column's head: its dataset, type, level and tags. */
  const drawHead = () => fill(headSection,
    h('h1', {}, link(datasetHref(head.namespace, head.dataset), head.dataset), '.', head.field),
    h('p', { class: 'ns' }, head.namespace, head.dataType ? ` · ${head.dataType}` : '', head.description ? ` · ${head.description}` : '', ' ', updated),
    h('p', { class: 'tags' },
      h('span', { class: `level ${levelClass(head.sensitivity)}` }, head.sensitivity || 'no level'),
      ...head.tags.map((t) => h('span', { class: 'tag-why' }, tagChips([t]), h('button', { type: 'button', class: 'why', 'data-tag': t.name, onclick: () => showWhy(head) }, 'why')))));

  /** The column or its neighbourhood changed: fetch both again and draw them as the user left them. */
  const refresh = async () => {
    const now = (await gql(HEAD, { ns: s.namespace, ds: s.dataset, f: s.field })).column;
    if (!now) return;
    head = now;
    drawHead();
    await load(true);
    fill(updated, updatedNow());
  };

  /** @param {'graph' | 'tree'} mode */
  const switchTo = (mode) => {
    s.mode = mode;
    void load();
  };
  const controls = () => {
    const directOnly = h('input', { type: 'checkbox', id: 'direct-only', checked: s.direct });
    directOnly.addEventListener('change', () => { s.direct = directOnly.checked; load(); });
    const asOf = h('input', { type: 'datetime-local', id: 'as-of', step: '1', value: controlValue(s.asOf), title: 'lineage as it was at this moment (UTC); empty for now' });
    asOf.addEventListener('change', () => { s.asOf = momentOf(asOf.value); load(); });
    return [
      h('div', { class: 'tabs' },
        h('button', { type: 'button', class: s.mode === 'graph' ? 'on' : '', onclick: () => switchTo('graph') }, 'Graph'),
        h('button', { type: 'button', class: s.mode === 'tree' ? 'on' : '', onclick: () => switchTo('tree') }, 'Tree table')),
      h('label', { class: 'toggle' }, directOnly, ' DIRECT only'),
      h('label', { class: 'as-of' }, 'as of (UTC) ', asOf,
        s.asOf ? h('button', { type: 'button', id: 'as-of-now', onclick: () => { s.asOf = null; load(); } }, 'now') : null),
      h('span', { class: 'depth' }, `upstream ${s.up} `, h('button', { type: 'button', id: 'expand-up', title: 'one more hop upstream', onclick: () => { s.up += 1; load(); } }, '+1 hop')),
      h('span', { class: 'depth' }, `downstream ${s.down} `, h('button', { type: 'button', id: 'expand-down', title: 'one more hop downstream', onclick: () => { s.down += 1; load(); } }, '+1 hop')),
    ];
  };

  drawHead();
  fill(root, headSection, toolbar, tools, legend(), status, h('div', { class: 'workspace' }, stage, side));
  await load();
  // What makes the view out of date: the lineage of the column's dataset, or the column's tags.
  const stop = follow([lineageOf(s.namespace, s.dataset), tagsOf(s)], () => void refresh().catch((e) => console.error(e)), updated);
  return () => {
    stop();
    if (cy) cy.destroy();
  };
}
