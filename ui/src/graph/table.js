// Table-level lineage (datasets and the jobs between them), laid out by dagre, drawn by cytoscape.
import cytoscape from 'cytoscape';
import dagre from '@dagrejs/dagre';
/** @import { GraphNode, TableGraph } from '../types' */

/**
 * Draw ``graph`` into ``container`` around the node ``focusId``; ``onOpen(node)`` when a node is clicked.
 * @param {HTMLElement} container
 * @param {TableGraph} graph
 * @param {string} focusId
 * @param {(node: GraphNode) => void} onOpen
 * @returns {cytoscape.Core}
 */
export function drawTableLineage(container, graph, focusId, onOpen) {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 16, ranksep: 70 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of graph.nodes) g.setNode(node.id, { width: 190, height: 30 });
  for (const edge of graph.edges) g.setEdge(edge.source, edge.target);
  dagre.layout(g);
  /** @type {cytoscape.ElementDefinition[]} */
  const elements = [
    ...graph.nodes.map((n) => ({ group: /** @type {const} */ ('nodes'), data: { id: n.id, label: n.name, node: n }, position: { x: g.node(n.id).x, y: g.node(n.id).y },
      classes: [n.kind.toLowerCase(), n.id === focusId ? 'focus' : ''].join(' ') })),
    ...graph.edges.map((e, i) => ({ group: /** @type {const} */ ('edges'), data: { id: `e${i}`, source: e.source, target: e.target } })),
  ];
  const cy = cytoscape({
    container, layout: { name: 'preset' }, autoungrabify: true, minZoom: 0.1, maxZoom: 2, elements,
    style: [
      { selector: 'node', style: { shape: 'round-rectangle', width: 180, height: 26, label: 'data(label)', 'font-size': 11,
        'text-valign': 'center', 'text-halign': 'center', 'text-wrap': 'ellipsis', 'text-max-width': '170px', 'border-width': 1, 'border-color': '#8a94a6' } },
      { selector: 'node.dataset', style: { 'background-color': '#e8eefb' } },
      { selector: 'node.job', style: { 'background-color': '#fff4db', shape: 'cut-rectangle' } },
      { selector: 'node.focus', style: { 'border-width': 3, 'border-color': '#1d4ed8' } },
      { selector: 'edge', style: { width: 1.2, 'curve-style': 'bezier', 'target-arrow-shape': 'triangle', 'arrow-scale': 0.7, 'line-color': '#8a94a6', 'target-arrow-color': '#8a94a6' } },
    ],
  });
  cy.fit(undefined, 20);
  cy.on('tap', 'node', (e) => onOpen(e.target.data('node')));
  return cy;
}
