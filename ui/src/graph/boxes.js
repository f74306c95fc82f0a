// From a flat lineage answer (columns and column-to-column edges) to what the graph draws:
// datasets as boxes holding column rows. A box shows at most ROWS_PER_BOX rows; the rest fold
// into one "N more" row (edges to folded columns end there) until the box is opened.

export const ROWS_PER_BOX = 60;

export const columnKey = (c) => `${c.namespace}\u0001${c.dataset}\u0001${c.field}`;
export const datasetKey = (c) => `${c.namespace}\u0001${c.dataset}`;
const moreKey = (boxKey) => `more\u0001${boxKey}`;

/**
 * @param {Map<string, object>} columns  key -> Column
 * @param {object[]} edges  LineageEdge answers
 * @param {string} rootKey  the column the view is about (always drawn)
 * @param {Set<string>} openBoxes  datasets whose every row is drawn
 */
export function boxModel(columns, edges, rootKey, openBoxes) {
  const boxes = new Map();
  for (const [key, column] of columns) {
    const boxKey = datasetKey(column);
    if (!boxes.has(boxKey)) boxes.set(boxKey, { key: boxKey, namespace: column.namespace, name: column.dataset, columns: [], rows: [], folded: 0 });
    boxes.get(boxKey).columns.push({ key, column });
  }
  const drawnAs = new Map();
  for (const box of boxes.values()) {
    box.columns.sort((a, b) => (b.key === rootKey) - (a.key === rootKey) || a.column.field.localeCompare(b.column.field));
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
