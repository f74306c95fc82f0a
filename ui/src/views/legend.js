// The graph's legend: what the edges' lines, the rows' colours and a struck-through tag mean.
import { h, LEVELS, levelClass } from '../dom.js';

export function legend() {
  return h('details', { class: 'legend', id: 'legend', open: true },
    h('summary', {}, 'Legend'),
    h('span', { class: 'edge-direct', title: 'the value flows' }, 'DIRECT'),
    h('span', { class: 'edge-indirect', title: 'it only filters, joins, groups or sorts' }, 'INDIRECT'),
    h('span', { class: 'edge-masking', title: 'hashed, masked or redacted on the way' }, 'masking'),
    h('span', { class: 'edge-count' }, '"N edges": drawn as one line'),
    ...LEVELS.map((l) => h('span', { class: `level ${levelClass(l)}` }, l)),
    h('span', { class: 'legend-masked', id: 'legend-masked' },
      h('span', { class: 'tag masked' }, 'pii.email'),
      ' struck through: every path that brings the tag masks the value'));
}
