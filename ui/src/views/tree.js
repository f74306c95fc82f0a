// The tree table: upstream and downstream of a column as indented rows, one per hop, with the
// job and the transformation of that hop. A column met again is shown once more, not expanded.
import { h, link, columnHref, jobHref, tagChips } from '../dom.js';
import { columnKey } from '../graph/boxes.js';
/** @import { ColumnRef, LineageColumn, LineageEdge } from '../types' */

const MAX_ROWS = 5000;

/** @param {LineageEdge} edge */
function transformation(edge) {
  const t = edge.transformation;
  return [t.type, t.subtype].filter(Boolean).join(' / ') + (t.masking ? ' · masking' : '');
}

/**
 * Rows of one direction, depth first: ``next`` gives the edges leaving a column that way.
 * @param {ColumnRef} start
 * @param {Map<string, LineageEdge[]>} next  column key -> the edges leaving it
 * @param {'source' | 'target'} other  the far end of those edges
 * @param {Map<string, LineageColumn>} columns  by key
 * @param {'upstream' | 'downstream'} direction
 */
function rows(start, next, other, columns, direction) {
  /** @type {HTMLTableRowElement[]} */
  const out = [];
  const expanded = new Set([columnKey(start)]);
  /** @param {string} key @param {number} depth */
  const walk = (key, depth) => {
    for (const edge of next.get(key) || []) {
      if (out.length >= MAX_ROWS) return;
      const farKey = columnKey(edge[other]);
      /** @type {ColumnRef & { tags?: LineageColumn['tags'] }} */
      const column = columns.get(farKey) || edge[other];
      const again = expanded.has(farKey);
      out.push(h('tr', { class: `hop ${direction} ${edge.transformation.type === 'DIRECT' ? 'direct' : 'indirect'}` },
        h('td', { class: 'name', style: `padding-left: ${depth * 18 + 6}px` },
          h('span', { class: 'arrow' }, direction === 'upstream' ? '← ' : '→ '),
          link(columnHref(column), `${column.dataset}.${column.field}`), again ? h('span', { class: 'again' }, ' (shown above)') : null),
        h('td', {}, direction),
        h('td', {}, edge.job ? link(jobHref(edge.job.namespace, edge.job.name), edge.job.name) : '—'),
        h('td', {}, transformation(edge)),
        h('td', { class: 'expr' }, edge.expression || ''),
        h('td', {}, column.tags ? tagChips(column.tags) : ''),
      ));
      if (!again) {
        expanded.add(farKey);
        walk(farKey, depth + 1);
      }
    }
  };
  walk(columnKey(start), 0);
  return out;
}

/**
 * @param {LineageEdge[]} edges
 * @param {'source' | 'target'} by  the end to index them by
 */
function index(edges, by) {
  /** @type {Map<string, LineageEdge[]>} */
  const map = new Map();
  for (const edge of edges) {
    const key = columnKey(edge[by]);
    const list = map.get(key);
    if (list) list.push(edge);
    else map.set(key, [edge]);
  }
  for (const list of map.values()) list.sort((a, b) => columnKey(a.source).localeCompare(columnKey(b.source)) || columnKey(a.target).localeCompare(columnKey(b.target)));
  return map;
}

/**
 * The table of the column ``root``'s lineage over ``edges``.
 * @param {ColumnRef} root
 * @param {LineageEdge[]} edges
 * @param {Map<string, LineageColumn>} columns  by key
 */
export function treeTable(root, edges, columns) {
  const upstream = rows(root, index(edges, 'target'), 'source', columns, 'upstream');
  const downstream = rows(root, index(edges, 'source'), 'target', columns, 'downstream');
  /** @param {string} title @param {HTMLTableRowElement[]} list */
  const section = (title, list) => [
    h('tr', { class: 'section' }, h('th', { colspan: 6 }, `${title} (${list.length} hops)`)),
    ...(list.length ? list : [h('tr', {}, h('td', { colspan: 6, class: 'hint' }, 'none within the depth asked'))]),
  ];
  return h('div', { class: 'tree-wrap' }, h('table', { class: 'tree', id: 'tree-table' },
    h('thead', {}, h('tr', {}, ['Column', 'Direction', 'Job', 'Transformation', 'Expression', 'Tags'].map((t) => h('th', {}, t)))),
    h('tbody', {}, section('Upstream', upstream), section('Downstream', downstream)),
    upstream.length + downstream.length >= MAX_ROWS ? h('caption', {}, `The first ${MAX_ROWS} rows; the graph view folds the rest.`) : null,
  ));
}
