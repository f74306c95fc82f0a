// The graph's filters, applied to the column edges the view has fetched: a transformation
// subtype, a tag family (pii for pii.email...), and hiding INDIRECT fans — one column that
// filters, joins or groups a whole table, drawn as a fan of grey edges over the DIRECT paths.
// (DIRECT only is asked of the server: `directOnly`.)
/** @import { LineageColumn, LineageEdge } from '../types' */
/** @import { Neighbourhood } from './boxes.js' */

/** INDIRECT edges from one column into this many columns of one dataset or more make a fan. */
export const FAN = 3;

/**
 * @typedef {object} Filters
 * @property {boolean} indirect  hide INDIRECT fans
 * @property {string} subtype  only edges of this transformation subtype ('' for any)
 * @property {string} family  only columns carrying a tag of this family ('' for any)
 */

/** @param {string} tag */
export const familyOf = (tag) => tag.split('.')[0];

/** @param {{ namespace: string, dataset: string, field: string }} c */
const keyOf = (c) => `${c.namespace}\u0001${c.dataset}\u0001${c.field}`;

/**
 * Whether ``column`` carries a tag of ``family``.
 * @param {LineageColumn | undefined} column
 * @param {string} family
 */
export function carries(column, family) {
  return !!column && column.tags.some((t) => familyOf(t.name) === family);
}

/**
 * The fetched edges the filters keep.
 * @param {Neighbourhood} hood
 * @param {string} rootKey  always kept by the tag filter
 * @param {Filters} filters
 * @returns {LineageEdge[]}
 */
export function keptEdges(hood, rootKey, filters) {
  let edges = hood.edges;
  if (filters.subtype) edges = edges.filter((e) => e.transformation.subtype === filters.subtype);
  if (filters.family) {
    /** @param {{ namespace: string, dataset: string, field: string }} c */
    const tagged = (c) => keyOf(c) === rootKey || carries(hood.columns.get(keyOf(c)), filters.family);
    edges = edges.filter((e) => tagged(e.source) && tagged(e.target));
  }
  if (filters.indirect) {
    /** @type {Map<string, number>} source column and target dataset -> INDIRECT edges */
    const fans = new Map();
    /** @param {LineageEdge} e */
    const fanKey = (e) => `${keyOf(e.source)}\u0002${e.target.namespace}\u0001${e.target.dataset}`;
    for (const e of edges) if (e.transformation.type !== 'DIRECT') fans.set(fanKey(e), (fans.get(fanKey(e)) ?? 0) + 1);
    edges = edges.filter((e) => e.transformation.type === 'DIRECT' || (fans.get(fanKey(e)) ?? 0) < FAN);
  }
  return edges;
}

/**
 * The choices the filters offer for what was fetched: subtypes of its edges, families of its tags.
 * @param {Neighbourhood} hood
 */
export function choices(hood) {
  const subtypes = new Set(hood.edges.map((e) => e.transformation.subtype).filter((s) => s != null));
  const families = new Set([...hood.columns.values()].flatMap((c) => c.tags.map((t) => familyOf(t.name))));
  return { subtypes: [...subtypes].sort(), families: [...families].sort() };
}
