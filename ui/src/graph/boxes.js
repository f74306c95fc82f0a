// From a flat lineage answer (columns and column-to-column edges) to what the graph draws:
// datasets as boxes holding column rows. A box shows at most ROWS_PER_BOX rows; the rest fold
// into one "N more" row (edges to folded columns end there) until the box is opened.

/** @import { ColumnRef, LineageColumn, LineageEdge } from '../types' */

export const ROWS_PER_BOX = 60;

/** @param {ColumnRef} c */
export const columnKey = (c) => `${c.namespace}\u0001${c.dataset}\u0001${c.field}`;
/** @param {ColumnRef} c */
export const datasetKey = (c) => `${c.namespace}\u0001${c.dataset}`;
/** @param {string} boxKey */
const moreKey = (boxKey) => `more\u0001${boxKey}`;

/**
 * A row of a box: a column, or the "N more" row standing for the folded ones.
 * @typedef {{ id: string, column: LineageColumn, more?: undefined } | { id: string, column?: undefined, more: number }} Row
 */
/**
 * A dataset drawn as a box of rows.
 * @typedef {object} Box
 * @property {string} key
 * @property {string} namespace
 * @property {string} name
 * @property {{ key: string, column: LineageColumn }[]} columns  all of them, the root first, then by field
 * @property {Row[]} rows  what is drawn
 * @property {number} folded  how many columns the "N more" row stands for
 */
/**
 * An edge between rows: the lineage edges between the same two rows drawn as one.
 * @typedef {object} DrawnEdge
 * @property {string} id
 * @property {string} source  row id
 * @property {string} target  row id
 * @property {string} type  DIRECT when any of the edges is
 * @property {boolean} masking  when every one of the edges masks
 * @property {number} count
 * @property {LineageEdge} edge  the first of them
 */
/**
 * @typedef {object} BoxModel
 * @property {Box[]} boxes
 * @property {DrawnEdge[]} edges
 * @property {number} folded  columns folded in every box
 */

/**
 * @param {Map<string, LineageColumn>} columns  key -> Column
 * @param {LineageEdge[]} edges  LineageEdge answers
 * @param {string} rootKey  the column the view is about (always drawn)
 * @param {Set<string>} openBoxes  datasets whose every row is drawn
 * @returns {BoxModel}
 */
export function boxModel(columns, edges, rootKey, openBoxes) {
  /** @type {Map<string, Box>} */
  const boxes = new Map();
  for (const [key, column] of columns) {
    const boxKey = datasetKey(column);
    let box = boxes.get(boxKey);
    if (!box) {
      box = { key: boxKey, namespace: column.namespace, name: column.dataset, columns: [], rows: [], folded: 0 };
      boxes.set(boxKey, box);
    }
    box.columns.push({ key, column });
  }
  /** @type {Map<string, string>} column key -> the id of the row it is drawn in */
  const drawnAs = new Map();
  for (const box of boxes.values()) {
    box.columns.sort((a, b) => Number(b.key === rootKey) - Number(a.key === rootKey) || a.column.field.localeCompare(b.column.field));
    const fold = box.columns.length > ROWS_PER_BOX && !openBoxes.has(box.key);
    const shown = fold ? box.columns.slice(0, ROWS_PER_BOX - 1) : box.columns;
    for (const { key, column } of shown) {
      box.rows.push({ id: key, column });
      drawnAs.set(key, key);
    }
    if (fold) {
      box.folded = box.columns.length - shown.length;
      box.rows.push({ id: moreKey(box.key), more: box.folded });
      for (const { key } of box.columns.slice(shown.length)) drawnAs.set(key, moreKey(box.key));
    }
  }
  /** @type {Map<string, DrawnEdge>} */
  const drawn = new Map();
  for (const edge of edges) {
    const source = drawnAs.get(columnKey(edge.source));
    const target = drawnAs.get(columnKey(edge.target));
    if (!source || !target || source === target) continue;
    const id = `${source}\u0002${target}`;
    const seen = drawn.get(id);
    if (seen) {
      // Several edges into or out of a folded row draw as one; DIRECT wins over INDIRECT.
      seen.count += 1;
      if (edge.transformation.type === 'DIRECT') seen.type = 'DIRECT';
      seen.masking = seen.masking && edge.transformation.masking;
      continue;
    }
    drawn.set(id, { id, source, target, type: edge.transformation.type, masking: edge.transformation.masking, count: 1, edge });
  }
  return { boxes: [...boxes.values()], edges: [...drawn.values()], folded: [...boxes.values()].reduce((n, b) => n + b.folded, 0) };
}
