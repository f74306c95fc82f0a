// bench/explorer.py's comparison of renderers (not shipped: built by vite.bench.config.js into
// build/ui-bench). ?edges=N&renderer=cytoscape|sigma draws one column feeding N columns, in
// datasets of 100 rows laid out as the explorer lays them out (render.js), every row drawn; then
// window.benchResult holds the milliseconds to the first frame shown (the renderer's first draw, and
// two animation frames after it) and to a hover highlight redrawn (two frames after the change).
import Graph from 'graphology';
import Sigma from 'sigma';
import { drawGraph, layout } from '../src/graph/render.js';
/** @import { BoxModel, Box, DrawnEdge } from '../src/graph/boxes.js' */

const params = new URLSearchParams(location.search);
const edges = Number(params.get('edges') || 1000);
const renderer = params.get('renderer') || 'cytoscape';
const container = /** @type {HTMLElement} */ (document.getElementById('graph'));
const ROOT = 'src\u0001events\u0001x';

/** @returns {BoxModel} */
function model() {
  const column = (/** @type {string} */ dataset, /** @type {string} */ field) => ({ namespace: 'hive://wide', dataset, field, dataType: null, sensitivity: null, tags: [] });
  /** @type {Box[]} */
  const boxes = [{ key: 'src', namespace: 'hive://wide', name: 'src.events', total: 1, expanded: true, folded: 0, rows: [{ id: ROOT, column: column('src.events', 'x') }] }];
  /** @type {DrawnEdge[]} */
  const drawn = [];
  for (let first = 0, t = 1; first < edges; first += 100, t += 1) {
    const name = `wide.t${String(t).padStart(3, '0')}`;
    const rows = [];
    for (let c = 1; c <= Math.min(100, edges - first); c += 1) {
      const id = `${name}\u0001c${c}`;
      rows.push({ id, column: column(name, `c${String(c).padStart(3, '0')}`) });
      drawn.push({ id: `e${id}`, source: ROOT, target: id, type: 'DIRECT', masking: false, count: 1, direct: 1 });
    }
    boxes.push({ key: name, namespace: 'hive://wide', name, total: rows.length, expanded: true, folded: 0, rows });
  }
  return { boxes, edges: drawn, folded: 0 };
}

const frame = () => new Promise((done) => { requestAnimationFrame(() => requestAnimationFrame(done)); });

async function cytoscapeRun() {
  const m = model();
  const started = performance.now();
  const cy = drawGraph(container, m, ROOT, { select: () => {}, open: () => {}, toggle: () => {} });
  await new Promise((done) => { cy.one('render', () => done(null)); });
  await frame();
  const firstPaint = performance.now() - started;
  const leaf = m.boxes[1].rows[0].id;
  const hoverAt = performance.now();
  cy.getElementById(leaf).emit('mouseover');
  await frame();
  return { firstPaint, hover: performance.now() - hoverAt };
}

async function sigmaRun() {
  const m = model();
  const started = performance.now();
  const g = layout(m);
  const graph = new Graph();
  for (const box of m.boxes) {
    const at = g.node(box.key);
    const top = at.y - at.height / 2 + 10;
    box.rows.forEach((row, i) => {
      graph.addNode(row.id, { x: at.x, y: -(top + i * 26 + 13), size: 4, color: '#4b6fa8', label: row.column ? `${box.name}.${row.column.field}` : '' });
    });
  }
  for (const e of m.edges) graph.addEdge(e.source, e.target, { size: 1, color: '#4b6fa8' });
  const sigma = new Sigma(graph, container, { settings: { renderLabels: true } });
  // Sigma draws its first frame within the constructor; the frames after it show it.
  await frame();
  const firstPaint = performance.now() - started;
  const leaf = m.boxes[1].rows[0].id;
  const hoverAt = performance.now();
  const path = [ROOT, leaf];
  sigma.setNodesState(graph.nodes().filter((n) => !path.includes(n)), { isHidden: true });
  sigma.setNodesState(path, { isHighlighted: true });
  sigma.refresh();
  await frame();
  return { firstPaint, hover: performance.now() - hoverAt };
}

(renderer === 'sigma' ? sigmaRun() : cytoscapeRun()).then(
  (result) => { window.benchResult = result; },
  (error) => { window.benchResult = { error: String(error) }; },
);
