// Draws a box model with cytoscape (canvas: thousands of edges stay responsive) at positions
// laid out by dagre: dagre places the dataset boxes left to right by lineage, rows stack inside.
// Labels are drawn at 13 px and the view opens at a zoom where they read (see fitLegibly).
import cytoscape from 'cytoscape';
import dagre from '@dagrejs/dagre';
import { LEVELS, levelClass } from '../dom.js';
import { drawMinimap } from './minimap.js';
/** @import { LineageColumn } from '../types' */
import { MORE } from './boxes.js';
/** @import { BoxModel, Row } from './boxes.js' */

const BOX_W = 270;
const ROW_H = 26;
const HEAD_H = 10;
/** The least zoom the view opens at: below it 13 px labels fall under 9 px on screen. */
export const LEGIBLE_ZOOM = 0.7;

/** @type {Record<typeof LEVELS[number], string>} */
const LEVEL_COLOURS = { public: '#dff0d8', internal: '#d9e8fb', confidential: '#fde2b8', restricted: '#f8c4c4' };

/** @type {cytoscape.StylesheetJson} */
const STYLE = [
  { selector: 'node.box', style: {
    shape: 'round-rectangle', 'background-color': '#f7f8fa', 'border-color': '#8a94a6', 'border-width': 1,
    label: 'data(label)', 'text-valign': 'top', 'text-halign': 'center', 'font-size': 14, 'font-weight': 'bold',
    'text-margin-y': -4, padding: '6px', color: '#1f2937', 'min-zoomed-font-size': 5,
  } },
  { selector: 'node.col', style: {
    shape: 'round-rectangle', width: BOX_W - 12, height: ROW_H - 4, 'background-color': '#ffffff',
    'border-width': 1, 'border-color': '#c5cbd6', label: 'data(label)', 'font-size': 13, 'text-valign': 'center',
    'text-halign': 'center', 'text-wrap': 'ellipsis', 'text-max-width': `${BOX_W - 20}px`, color: '#111827', 'min-zoomed-font-size': 5,
  } },
  ...LEVELS.map((level) => ({ selector: `node.col.level-${level}`, style: { 'background-color': LEVEL_COLOURS[level] } })),
  { selector: 'node.summary', style: { 'font-weight': 'bold', 'font-style': 'normal', 'border-style': 'solid', 'border-color': '#8a94a6', 'background-color': '#f7f8fa', height: ROW_H + 4 } },
  { selector: 'node.root', style: { 'border-width': 3, 'border-color': '#1d4ed8' } },
  { selector: 'node.more', style: { 'background-color': '#eef0f4', 'border-style': 'dashed', 'font-style': 'italic', color: '#374151' } },
  { selector: 'edge', style: {
    width: 1.4, 'curve-style': 'bezier', 'target-arrow-shape': 'triangle', 'arrow-scale': 0.7,
    'line-color': '#4b6fa8', 'target-arrow-color': '#4b6fa8', 'source-endpoint': `${BOX_W / 2 - 6}px 0px`, 'target-endpoint': `${-(BOX_W / 2 - 6)}px 0px`,
  } },
  { selector: 'edge[countLabel]', style: { label: 'data(countLabel)', 'font-size': 11, color: '#374151', 'text-background-color': '#ffffff', 'text-background-opacity': 0.85, 'text-background-padding': '1px', 'min-zoomed-font-size': 6 } },
  { selector: 'edge.indirect', style: { 'line-style': 'dashed', 'line-color': '#a3a9b5', 'target-arrow-color': '#a3a9b5', width: 1 } },
  { selector: 'edge.masking', style: { 'line-color': '#7c3aed', 'target-arrow-color': '#7c3aed', 'target-arrow-shape': 'tee', 'line-style': 'dotted', width: 2 } },
  { selector: '.faded', style: { opacity: 0.15 } },
  { selector: 'edge.hl', style: { width: 2.6 } },
  { selector: 'node.col.hl', style: { 'border-color': '#1d4ed8', 'border-width': 2 } },
  { selector: 'node.found', style: { 'border-color': '#d97706', 'border-width': 3, 'underlay-color': '#fbbf24', 'underlay-opacity': 0.45, 'underlay-padding': 4 } },
  { selector: 'node.col.selected-col', style: { 'border-color': '#b91c1c', 'border-width': 3 } },
];

/**
 * The whole graph when it fits at a legible zoom; else the root column at the least legible zoom.
 * @param {cytoscape.Core} cy
 * @param {cytoscape.CollectionReturnValue} root
 */
function fitLegibly(cy, root) {
  cy.fit(undefined, 30);
  if (cy.zoom() > 1.2) {
    cy.zoom(1.2);
    cy.center();
  } else if (cy.zoom() < LEGIBLE_ZOOM) {
    cy.zoom(LEGIBLE_ZOOM);
    if (root.nonempty()) cy.center(root);
    // No blank margin wider than the fit's: the drawing's left and top edges stay at the view's.
    const whole = cy.elements().renderedBoundingBox();
    cy.panBy({ x: Math.min(0, 30 - whole.x1), y: Math.min(0, 30 - whole.y1) });
  }
}

/** @param {Row} row */
function rowLabel(row) {
  if (row.column === undefined) return `${row.more.toLocaleString('en')} more column${row.more === 1 ? '' : 's'} (click to expand)`;
  const tags = row.column.tags.map((t) => t.name);
  return tags.length ? `${row.column.field}  ·  ${tags.join(', ')}` : row.column.field;
}

/**
 * Box positions from dagre, over the dataset-to-dataset edges the rows imply.
 * @param {BoxModel} model
 */
export function layout(model) {
  const g = new dagre.graphlib.Graph({ multigraph: false });
  g.setGraph({ rankdir: 'LR', nodesep: 28, ranksep: 140, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  /** @type {Map<string, string>} row id -> box key */
  const boxOf = new Map();
  for (const box of model.boxes) {
    g.setNode(box.key, { width: BOX_W, height: HEAD_H + box.rows.length * ROW_H });
    for (const row of box.rows) boxOf.set(row.id, box.key);
  }
  for (const edge of model.edges) {
    const a = boxOf.get(edge.source);
    const b = boxOf.get(edge.target);
    if (a && b && a !== b) g.setEdge(a, b);
  }
  dagre.layout(g);
  return g;
}

/**
 * How many columns lie upstream and downstream of a picked one.
 * @typedef {{ upstream: number, downstream: number }} PathCounts
 */
/**
 * What the view is told of clicks on the graph.
 * @typedef {object} GraphEvents
 * @property {(column: LineageColumn | null, counts?: PathCounts) => void} select  a column picked, or none
 * @property {(boxKey: string) => void} open  a "N more" row clicked: expand its dataset
 * @property {(boxKey: string) => void} toggle  a dataset's box clicked: expand or collapse it
 */

/**
 * Draw ``model`` into ``container``; ``on.select(column|null, counts)`` when a column is picked,
 * ``on.open(boxKey)`` when a "N more" row is clicked. Returns the cytoscape instance.
 * @param {HTMLElement} container
 * @param {BoxModel} model
 * @param {string} rootKey
 * @param {GraphEvents} on
 * @returns {cytoscape.Core}
 */
export function drawGraph(container, model, rootKey, on) {
  const started = performance.now();
  const g = layout(model);
  /** @type {cytoscape.ElementDefinition[]} */
  const elements = [];
  for (const box of model.boxes) {
    const at = g.node(box.key);
    const top = at.y - at.height / 2 + HEAD_H;
    const count = `${box.total.toLocaleString('en')} column${box.total === 1 ? '' : 's'}`;
    const [only] = box.rows;
    if (box.rows.length === 1 && only.column === undefined) {
      // A box with no column drawn is one node, not a compound: cytoscape lays those out far faster.
      elements.push({
        group: 'nodes', data: { id: only.id, label: `${box.name}  ·  ${count}  ▸`, boxKey: box.key, find: box.name },
        position: { x: at.x, y: at.y }, classes: 'col more summary',
      });
      continue;
    }
    elements.push({ group: 'nodes', data: { id: box.key, find: box.name, label: `${box.name}  ·  ${count}  ${box.expanded ? '▾' : '▸'}` }, classes: `box${box.expanded ? ' expanded' : ''}` });
    box.rows.forEach((row, i) => {
      const classes = ['col', row.column === undefined ? 'more' : levelClass(row.column.sensitivity)];
      if (row.id === rootKey) classes.push('root');
      elements.push({
        group: 'nodes', data: { id: row.id, parent: box.key, label: rowLabel(row), boxKey: box.key, find: row.column ? `${box.name}.${row.column.field}` : '' },
        position: { x: at.x, y: top + i * ROW_H + ROW_H / 2 }, classes: classes.join(' '),
      });
    });
  }
  for (const edge of model.edges) {
    const classes = [edge.type === 'DIRECT' ? 'direct' : 'indirect'];
    if (edge.masking) classes.push('masking');
    // Counted where a line stands for a collapsed dataset's edges; between two columns it would be noise.
    const folded = edge.count > 1 && (edge.source.startsWith(MORE) || edge.target.startsWith(MORE));
    const data = { id: edge.id, source: edge.source, target: edge.target, count: edge.count, direct: edge.direct };
    elements.push({ group: 'edges', data: folded ? { ...data, countLabel: `${edge.count.toLocaleString('en')} edges` } : data, classes: classes.join(' ') });
  }
  const cy = cytoscape({
    container, elements, style: STYLE, layout: { name: 'preset' },
    minZoom: 0.05, maxZoom: 3, autoungrabify: true, boxSelectionEnabled: false,
    textureOnViewport: model.edges.length > 800, hideEdgesOnViewport: model.edges.length > 1500,
  });
  /** @type {Map<string, LineageColumn>} row id -> the column drawn there */
  const columns = new Map();
  for (const box of model.boxes) for (const row of box.rows) if (row.column) columns.set(row.id, row.column);
  /** @type {cytoscape.NodeSingular | null} */
  let selected = null;

  // Hover, click and leaving the column all ask for the same path: it is restyled only when it changes.
  /** @type {cytoscape.NodeSingular | null} */
  let lit = null;
  /** @param {cytoscape.NodeSingular | null} node */
  const highlight = (node) => {
    if (node === lit) return;
    lit = node;
    cy.batch(() => {
      cy.elements().removeClass('hl faded');
      if (!node) return;
      const up = node.predecessors();
      const down = node.successors();
      const path = up.union(down).union(node);
      cy.elements('node.col, edge').not(path).addClass('faded');
      path.addClass('hl');
    });
  };
  /** @param {cytoscape.NodeSingular} node @returns {PathCounts} */
  const counts = (node) => ({
    upstream: node.predecessors('node.col').not('.more').length,
    downstream: node.successors('node.col').not('.more').length,
  });

  cy.on('mouseover', 'node.col', (e) => { if (!e.target.hasClass('more')) highlight(e.target); });
  cy.on('mouseout', 'node.col', () => highlight(selected));
  cy.on('tap', 'node.col', (e) => {
    const node = e.target;
    if (node.hasClass('more')) return on.open(node.data('boxKey'));
    if (selected) selected.removeClass('selected-col');
    selected = node;
    node.addClass('selected-col');
    highlight(node);
    on.select(columns.get(node.id()) ?? null, counts(node));
  });
  // A tap on a row bubbles up to its box: only a tap on the box itself (its title, its margin) toggles it.
  cy.on('tap', 'node.box', (e) => { if (e.target.hasClass('box')) on.toggle(e.target.id()); });
  cy.on('tap', (e) => {
    if (e.target !== cy) return;
    if (selected) selected.removeClass('selected-col');
    selected = null;
    highlight(null);
    on.select(null);
  });
  fitLegibly(cy, cy.getElementById(rootKey));
  drawMinimap(container, cy);
  cy.one('render', () => {
    container.dataset.renderMs = String(Math.round(performance.now() - started));
    // When the graph was first painted, in ms since the page's navigation began (bench/explorer.py).
    container.dataset.paintedAt = String(Math.round(performance.now()));
  });
  container.dataset.edges = String(model.edges.length);
  container.dataset.nodes = String(columns.size);
  return cy;
}
