// The security view: sensitivity violations and the tag audit log, filtered by tag, actor, date.
import { gql } from '../api.js';
import { fill, h, link, columnHref, levelClass } from '../dom.js';
/** @import { AuditAnswer, AuditVariables, ColumnRef, Query, View, ViolationsAnswer } from '../types' */

const VIOLATIONS = /** @type {Query<ViolationsAnswer, { tag: string | null }>} */ (`query Violations($tag: String) {
  sensitivityViolations(first: 200, tag: $tag) { kind declaredLevel inheritedLevel tags message column { namespace dataset field } }
}`);
const AUDIT = /** @type {Query<AuditAnswer, AuditVariables>} */ (`query Audit($tag: String, $actor: String, $since: String, $after: String) {
  tagAudit(tag: $tag, actor: $actor, since: $since, first: 100, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { at actor tag change cause column { namespace dataset field } } }
  }
}`);

/** The filters, as the form and the URL name them. */
const FILTERS = /** @type {const} */ (['tag', 'actor', 'since']);
/** @typedef {typeof FILTERS[number]} Filter */

/** @param {ColumnRef} c */
const col = (c) => link(columnHref(c), `${c.dataset}.${c.field}`);

/** @type {View} */
export async function securityView(root, params) {
  /** @param {Filter} name @param {string} placeholder */
  const input = (name, placeholder) => h('input', { name, value: params.get(name) || '', placeholder, 'aria-label': name });
  const fields = { tag: input('tag', 'tag (pii also matches pii.email)'), actor: input('actor', 'actor'), since: input('since', 'since (ISO-8601, e.g. 2026-01-01)') };
  const form = h('form', { class: 'filters', id: 'security-filters' }, fields.tag, fields.actor, fields.since, h('button', { type: 'submit' }, 'Filter'));
  const violations = h('div', { id: 'violations' });
  const audit = h('tbody', {});
  const more = h('p', {});
  fill(root, h('h1', {}, 'Security'), form,
    h('h2', {}, 'Sensitivity violations'), violations,
    h('h2', {}, 'Tag audit log'),
    h('table', { class: 'grid', id: 'audit' }, h('thead', {}, h('tr', {}, ['When', 'Actor', 'Tag', 'Change', 'Column', 'Cause'].map((t) => h('th', {}, t)))), audit), more);

  /** @param {Filter} name */
  const value = (name) => fields[name].value.trim() || null;
  // A filter applied while an answer is on its way: the older answer is dropped, not shown.
  let generation = 0;
  /** @param {string | null} after  the cursor of the last entry shown */
  const loadAudit = async (after) => {
    const mine = generation;
    const page = (await gql(AUDIT, { tag: value('tag'), actor: value('actor'), since: value('since'), after })).tagAudit;
    if (mine !== generation) return;
    audit.append(...page.edges.map(({ node: e }) => h('tr', {}, h('td', {}, e.at), h('td', {}, e.actor), h('td', {}, e.tag), h('td', {}, e.change), h('td', {}, col(e.column)), h('td', {}, e.cause))));
    fill(more, page.pageInfo.hasNextPage ? h('button', { type: 'button', onclick: () => loadAudit(page.pageInfo.endCursor) }, 'More entries') : '');
  };
  const load = async () => {
    const mine = ++generation;
    const shown = new URLSearchParams();
    for (const name of FILTERS) {
      const given = value(name);
      if (given) shown.set(name, given);
    }
    history.replaceState(null, '', `/ui/security${shown.size ? `?${shown}` : ''}`);
    const found = (await gql(VIOLATIONS, { tag: value('tag') })).sensitivityViolations;
    if (mine !== generation) return;
    fill(violations, found.length ? h('table', { class: 'grid' },
      h('thead', {}, h('tr', {}, ['Column', 'Kind', 'Declared', 'Inherited', 'Tags', 'Why'].map((t) => h('th', {}, t)))),
      h('tbody', {}, found.map((v) => h('tr', {}, h('td', {}, col(v.column)), h('td', {}, v.kind),
        h('td', {}, v.declaredLevel ? h('span', { class: `level ${levelClass(v.declaredLevel)}` }, v.declaredLevel) : '—'),
        h('td', {}, v.inheritedLevel ? h('span', { class: `level ${levelClass(v.inheritedLevel)}` }, v.inheritedLevel) : '—'),
        h('td', {}, v.tags.join(', ')), h('td', {}, v.message))))) : h('p', { class: 'hint' }, 'No violations.'));
    fill(audit);
    await loadAudit(null);
  };
  form.addEventListener('submit', (event) => { event.preventDefault(); load(); });
  await load();
  return null;
}
