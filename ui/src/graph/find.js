// Find in the graph: the datasets and columns drawn whose name holds the text, marked, and one
// after the other brought into view at a legible zoom.
/** @import { Core, NodeCollection } from 'cytoscape' */
import { LEGIBLE_ZOOM } from './render.js';

/**
 * Mark the nodes of ``cy`` whose name (dataset, or dataset.field) holds ``text``, case aside.
 * @param {Core} cy
 * @param {string} text
 * @returns {NodeCollection}  what was found, in drawing order
 */
export function mark(cy, text) {
  const wanted = text.trim().toLowerCase();
  cy.nodes('.found').removeClass('found');
  if (!wanted) return cy.collection();
  const found = cy.nodes().filter((n) => String(n.data('find') ?? '').toLowerCase().includes(wanted));
  found.addClass('found');
  return found;
}

/**
 * Bring the ``n``th of ``found`` into the middle of the view.
 * @param {Core} cy
 * @param {NodeCollection} found
 * @param {number} n
 */
export function show(cy, found, n) {
  const node = found[n % found.length];
  if (!node) return;
  if (cy.zoom() < LEGIBLE_ZOOM) cy.zoom(LEGIBLE_ZOOM);
  cy.center(node);
}
