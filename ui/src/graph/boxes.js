// From what the view knows of a neighbourhood (its outline, and the column edges of the datasets
// fetched in detail) to what the graph draws: datasets as boxes holding column rows. A collapsed
// box shows only its columns on the start column's DIRECT path (at most COLLAPSED_ROWS) and one
// "N more" row for the rest; an expanded box shows every column (at most ROWS_PER_BOX rows, the
// rest again in "N more"); a box known only from the outline shows the "N more" row alone, and the
// outline's counted links join such boxes. Focus on a column draws its path alone.

/** @import { ColumnRef, LineageColumn, LineageEdge, LineageOutline, OutlineLink } from '../types' */
/** @import { Filters } from './filters.js' */
import { keptEdges } from './filters.js';

export const ROWS_PER_BOX = 60;
export const COLLAPSED_ROWS = 8;

/** @param {ColumnRef} c */
export const columnKey = (c) => `${c.namespace}\u0001${c.dataset}\u0001${c.field}`;
/** @param {{ namespace: string, dataset: string }} c */
export const datasetKey = (c) => `${c.namespace}\u0001${c.dataset}`;
/** How the ids of "N more" rows begin. */
export const MORE = 'more\u0001';
/** @param {string} boxKey */
const moreKey = (boxKey) => `${MORE}${boxKey}`;

/**
 * What the view knows of a neighbourhood.
 * @typedef {object} Neighbourhood
 * @property {LineageOutline} outline  counts of the whole
 * @property {Map<string, LineageColumn>} columns  the columns fetched, by key
 * @property {LineageEdge[]} edges  the column edges fetched
 * @property {Set<string>} detailed  datasets (by key) whose every column edge is among ``edges``
 */
/**
 * What the reader chose to see.
 * @typedef {object} Drawing
 * @property {Set<string>} expanded  datasets drawn with every column
 * @property {string | null} focus  the column whose path alone is drawn
 * @property {Filters} filters
 */
/**
 * A row of a box: a column, or the "N more" row standing for the ones not drawn.
 * @typedef {{ id: string, column: LineageColumn, more?: undefined } | { id: string, column?: undefined, more: number }} Row
 */
/**
 * A dataset drawn as a box of rows.
 * @typedef {object} Box
 * @property {string} key
 * @property {string} namespace
 * @property {string} name
 * @property {number} total  its columns in the neighbourhood
 * @property {boolean} expanded
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
 * @property {number} count  column edges it stands for
 * @property {number} direct  how many of them are DIRECT
 */
/**
 * @typedef {object} BoxModel
 * @property {Box[]} boxes
 * @property {DrawnEdge[]} edges
 * @property {number} folded  columns in "N more" rows
 */

/**
 * The columns linked to ``start`` by ``edges``, upstream and downstream, ``start`` included.
 * @param {string} start
 * @param {LineageEdge[]} edges
 */
export function pathOf(start, edges) {
  /** @type {Map<string, string[]>} */
  const up = new Map();
  /** @type {Map<string, string[]>} */
  const down = new Map();
  for (const e of edges) {
    const s = columnKey(e.source);
    const t = columnKey(e.target);
    up.set(t, [...(up.get(t) ?? []), s]);
    down.set(s, [...(down.get(s) ?? []), t]);
  }
  const seen = new Set([start]);
  for (const next of [up, down]) {
    const queue = [start];
    while (queue.length) {
      for (const key of next.get(/** @type {string} */ (queue.pop())) ?? []) {
        if (!seen.has(key)) {
          seen.add(key);
          queue.push(key);
        }
      }
    }
  }
  return seen;
}

/**
 * @param {Neighbourhood} hood
 * @param {string} rootKey  the column the view is about (always drawn)
 * @param {Drawing} drawing
 * @returns {BoxModel}
 */
export function boxModel(hood, rootKey, drawing) {
  const edges = keptEdges(hood, rootKey, drawing.filters);
  const kept = new Set([rootKey, ...edges.flatMap((e) => [columnKey(e.source), columnKey(e.target)])]);
  const focus = drawing.focus ? pathOf(drawing.focus, edges) : null;
  const onPath = pathOf(rootKey, edges.filter((e) => e.transformation.type === 'DIRECT'));
  /** @type {Map<string, { key: string, column: LineageColumn }[]>} box key -> its known columns */
  const known = new Map();
  for (const [key, column] of hood.columns) {
    if (!kept.has(key) || (focus && !focus.has(key))) continue;
    const list = known.get(datasetKey(column)) ?? [];
    list.push({ key, column });
    known.set(datasetKey(column), list);
  }
  /** @type {Map<string, string>} column key -> the id of the row it is drawn in */
  const drawnAs = new Map();
  /** @type {Map<string, string>} box key -> the row the outline's links end at */
  const anchor = new Map();
  /** @type {Box[]} */
  const boxes = [];
  for (const d of hood.outline.datasets) {
    const key = datasetKey({ namespace: d.namespace, dataset: d.name });
    const columns = (known.get(key) ?? []).sort((a, b) => Number(b.key === rootKey) - Number(a.key === rootKey) || a.column.field.localeCompare(b.column.field));
    if (focus && !columns.length) continue;
    const expanded = drawing.expanded.has(key) && hood.detailed.has(key);
    /** @type {typeof columns} */
    let shown;
    if (focus) shown = columns.slice(0, ROWS_PER_BOX);
    else if (expanded) shown = columns.length > ROWS_PER_BOX ? columns.slice(0, ROWS_PER_BOX - 1) : columns;
    else shown = columns.filter((c) => c.key === rootKey || (hood.detailed.has(key) && onPath.has(c.key))).slice(0, COLLAPSED_ROWS);
    // Filters hide columns of detailed boxes; a box known only by its outline keeps its count.
    const total = hood.detailed.has(key) ? columns.length : d.columns;
    const box = { key, namespace: d.namespace, name: d.name, total, expanded, rows: /** @type {Row[]} */ ([]), folded: Math.max(0, total - shown.length) };
    for (const { key: k, column } of shown) {
      box.rows.push({ id: k, column });
      drawnAs.set(k, k);
    }
    if (box.folded) {
      box.rows.push({ id: moreKey(key), more: box.folded });
      for (const { key: k } of columns) if (!drawnAs.has(k)) drawnAs.set(k, moreKey(key));
    }
    if (!box.rows.length) continue;
    anchor.set(key, box.rows[box.rows.length - 1].id);
    boxes.push(box);
  }
  /** @type {Map<string, DrawnEdge>} */
  const drawn = new Map();
  /**
   * @param {string | undefined} source
   * @param {string | undefined} target
   * @param {string} type
   * @param {boolean} masking
   * @param {number} count
   * @param {number} direct
   */
  const add = (source, target, type, masking, count, direct) => {
    if (!source || !target || source === target) return;
    const id = `${source}\u0002${target}`;
    const seen = drawn.get(id);
    if (!seen) {
      drawn.set(id, { id, source, target, type, masking, count, direct });
      return;
    }
    // Several edges into or out of a "N more" row draw as one; DIRECT wins over INDIRECT.
    seen.count += count;
    seen.direct += direct;
    if (type === 'DIRECT') seen.type = 'DIRECT';
    seen.masking = seen.masking && masking;
  };
  for (const e of edges) add(drawnAs.get(columnKey(e.source)), drawnAs.get(columnKey(e.target)), e.transformation.type, e.transformation.masking, 1, Number(e.transformation.type === 'DIRECT'));
  if (!focus) for (const link of hood.outline.links) addLink(link, hood, drawing.filters, anchor, add);
  return { boxes, edges: [...drawn.values()], folded: boxes.reduce((n, b) => n + b.folded, 0) };
}

/**
 * An outline link between two datasets neither of which is known in detail, drawn between their anchors.
 * @param {OutlineLink} link
 * @param {Neighbourhood} hood
 * @param {Filters} filters
 * @param {Map<string, string>} anchor
 * @param {(source: string | undefined, target: string | undefined, type: string, masking: boolean, count: number, direct: number) => void} add
 */
function addLink(link, hood, filters, anchor, add) {
  const source = datasetKey({ namespace: link.sourceNamespace, dataset: link.sourceDataset });
  const target = datasetKey({ namespace: link.targetNamespace, dataset: link.targetDataset });
  if (hood.detailed.has(source) || hood.detailed.has(target)) return;
  const count = filters.indirect ? link.direct : link.edges;
  if (count) add(anchor.get(source), anchor.get(target), link.direct ? 'DIRECT' : 'INDIRECT', link.masking === link.edges, count, link.direct);
}
