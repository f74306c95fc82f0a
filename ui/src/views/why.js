// "Why": for each tag of a column, where it was declared and the path of edges it came by.
import { gql } from '../api.js';
import { fill, h, link, columnHref, jobHref, message } from '../dom.js';
/** @import { ColumnRef, ColumnVariables, Query, WhyAnswer, WhyEdge } from '../types' */

const WHY = /** @type {Query<WhyAnswer, ColumnVariables>} */ (`query Why($ns: String!, $ds: String!, $f: String!) {
  column(namespace: $ns, dataset: $ds, field: $f) {
    namespace dataset field
    tags { name origin masked sources {
      complete column { namespace dataset field }
      path { source { namespace dataset field } target { namespace dataset field }
             transformation { type subtype masking } job { namespace name } }
    } }
  }
}`);

/** @param {ColumnRef} c */
const label = (c) => `${c.dataset}.${c.field}`;

/** @param {WhyEdge} edge */
function hop(edge) {
  const t = edge.transformation;
  return h('li', {},
    link(columnHref(edge.source), label(edge.source)), ' → ', link(columnHref(edge.target), label(edge.target)),
    h('span', { class: 'via' }, ' ', [t.type, t.subtype].filter(Boolean).join('/'), t.masking ? ' · masking' : '',
      edge.job ? [' · ', link(jobHref(edge.job.namespace, edge.job.name), edge.job.name)] : ''));
}

/**
 * Draw in ``side`` where each tag of ``column`` comes from.
 * @param {HTMLElement} side
 * @param {ColumnRef} column
 */
export async function whyPanel(side, column) {
  fill(side, h('p', { class: 'loading' }, 'Loading provenance…'));
  const data = await gql(WHY, { ns: column.namespace, ds: column.dataset, f: column.field });
  const c = data.column;
  if (!c) {
    fill(side, message(`No column ${label(column)} in ${column.namespace} any more.`, 'error'));
    return;
  }
  fill(side,
    h('h3', { id: 'why-title' }, `Why ${label(c)} carries its tags`),
    c.tags.length ? null : message('No tags.'),
    ...c.tags.map((tag) => h('section', { class: 'why-tag', 'data-tag': tag.name },
      h('h4', {}, tag.name, h('span', { class: 'origin' }, ` ${tag.origin.toLowerCase()}`), tag.masked ? h('span', { class: 'masked-note' }, ' · masked on every path') : null),
      tag.origin === 'DECLARED' ? h('p', {}, 'Declared on this column.') : null,
      ...tag.sources.map((source) => h('div', { class: 'source' },
        h('p', {}, 'from ', link(columnHref(source.column), label(source.column)), ` (${source.column.namespace})`,
          source.complete ? '' : h('span', { class: 'note' }, ' · provenance incomplete: run tagline propagate --full')),
        source.path.length ? h('ol', { class: 'path' }, source.path.map(hop)) : null)),
    )),
  );
}
