// The job view: inputs, outputs, its recent runs and owners; the SQL of each column it writes (the
// one the address names highlighted); the jobs it should wait for, and a check of a configured
// dependency list against them.
import { gql } from '../api.js';
import { fill, h, link, datasetHref, jobHref, message } from '../dom.js';
/** @import { CheckAnswer, DatasetRef, JobAnswer, JobColumns, JobDetail, JobRef, NameVariables, Query, RunSummary, View } from '../types' */

const JOB = /** @type {Query<JobAnswer, NameVariables>} */ (`query Job($ns: String!, $name: String!) {
  job(namespace: $ns, name: $name) {
    namespace name description schedule lastRunAt lastRunState owners { name type }
    runs(first: 10) { runId state startedAt endedAt durationMs parent { runId } outputStatistics { rows dataset { name } } }
    inputs { namespace name } producedDatasets { lastWriteAt dataset { namespace name } }
  }
  recommendDependencies(namespace: $ns, name: $name) { lastWriteAt stale job { namespace name } datasets { namespace name } }
}`);
// The store keeps each edge's SQL expression, not the statement: the job's SQL is shown as the
// expression of every column it writes, gathered from the edges it made into them.
const COLUMNS = /** @type {Query<JobColumns, NameVariables>} */ (`query JobColumns($ns: String!, $name: String!) {
  job(namespace: $ns, name: $name) {
    producedDatasets { dataset { namespace name columns { field
      upstream(depth: 1) { expression source { namespace dataset field } job { namespace name } transformation { type subtype masking } } } } }
  }
}`);
const CHECK = /** @type {Query<CheckAnswer, NameVariables & { configured: JobRef[] }>} */ (`query Check($ns: String!, $name: String!, $configured: [JobRefInput!]!) {
  checkDependencies(namespace: $ns, name: $name, configured: $configured) {
    ok missing { namespace name } redundant { namespace name } stale { namespace name }
    cycles { namespace name } unknown { namespace name }
  }
}`);

/** @param {JobRef} j */
const jobLink = (j) => link(jobHref(j.namespace, j.name), j.name);
/** @param {number | null} ms */
const seconds = (ms) => (ms == null ? '—' : `${(ms / 1000).toFixed(ms < 10000 ? 1 : 0)} s`);
/** @param {RunSummary} run */
const rows = (run) => run.outputStatistics.filter((s) => s.rows != null).map((s) => `${s.dataset ? s.dataset.name : '?'}: ${s.rows} rows`).join(', ');

/** @param {JobDetail} job */
function runs(job) {
  if (!job.runs.length) {
    return h('p', { id: 'last-run' }, job.lastRunAt ? `${job.lastRunAt} · ${job.lastRunState || 'state unknown'}` : 'No run reported.');
  }
  return h('table', { class: 'grid', id: 'runs' },
    h('thead', {}, h('tr', {}, ['Started', 'State', 'Took', 'Wrote', 'Under run'].map((t) => h('th', {}, t)))),
    h('tbody', {}, job.runs.map((r) => h('tr', { class: `run ${r.state.toLowerCase()}` },
      h('td', {}, r.startedAt || r.endedAt || '—'), h('td', {}, r.state), h('td', {}, seconds(r.durationMs)),
      h('td', {}, rows(r) || '—'), h('td', { class: 'hint' }, r.parent ? r.parent.runId.slice(0, 8) : '')))));
}
/** @param {(DatasetRef & { at?: string | null })[]} list */
const datasets = (list) => (list.length ? h('ul', {}, list.map((d) => h('li', {}, link(datasetHref(d.namespace, d.name), d.name), d.at ? ` · last written ${d.at}` : ''))) : h('p', { class: 'hint' }, 'none'));

/**
 * Check the dependency list ``text`` (one job a line) of ``job``, and show the verdict in ``panel``.
 * @param {HTMLElement} panel
 * @param {JobRef} job
 * @param {string} text
 */
async function check(panel, job, text) {
  // One job a line: "namespace/name" or just "name" in the job's own namespace.
  const configured = text.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
    const cut = l.lastIndexOf('/');
    return cut > 0 ? { namespace: l.slice(0, cut), name: l.slice(cut + 1) } : { namespace: job.namespace, name: l };
  });
  const result = (await gql(CHECK, { ns: job.namespace, name: job.name, configured })).checkDependencies;
  /** @param {string} title @param {JobRef[]} jobs */
  const list = (title, jobs) => (jobs.length ? h('p', {}, `${title}: `, jobs.map((j, i) => [i ? ', ' : '', jobLink(j)])) : null);
  fill(panel,
    h('p', { class: result.ok ? 'ok' : 'bad', id: 'check-verdict' }, result.ok ? 'The configured list is complete.' : 'The configured list misses something.'),
    list('Missing', result.missing), list('Redundant', result.redundant), list('Stale', result.stale), list('Unknown', result.unknown),
    ...result.cycles.map((cycle) => h('p', {}, 'Cycle: ', cycle.map((j) => j.name).join(' → '))),
  );
}

/**
 * The job's SQL as it made each output column: ``expression AS field``, a line a column, under the
 * dataset it writes; the line of ``selected`` (dataset.field) marked.
 * @param {JobRef} job
 * @param {string | null} selected
 */
async function expressions(job, selected) {
  const data = (await gql(COLUMNS, { ns: job.namespace, name: job.name })).job;
  const blocks = (data?.producedDatasets ?? []).map(({ dataset }) => {
    const lines = dataset.columns.flatMap((c) => {
      const mine = c.upstream.filter((e) => e.job && e.job.namespace === job.namespace && e.job.name === job.name && e.transformation.type === 'DIRECT');
      if (!mine.length) return [];
      const expression = mine.find((e) => e.expression)?.expression ?? mine.map((e) => `${e.source.dataset}.${e.source.field}`).join(', ');
      const text = `  ${expression} AS ${c.field}`;
      return [`${dataset.name}.${c.field}` === selected ? h('mark', { id: 'selected-expression' }, text) : text, '\n'];
    });
    return lines.length ? [`-- into ${dataset.name}\n`, ...lines] : [];
  });
  const flat = blocks.flat();
  if (!flat.length) return h('p', { class: 'hint' }, 'No column edge of this job carries an expression.');
  return h('pre', { class: 'sql', id: 'job-sql' }, flat);
}

/** @type {View} */
export async function jobView(root, params) {
  const ns = params.get('namespace');
  const name = params.get('name');
  if (!ns || !name) {
    fill(root, message('A job is named by namespace and name: /ui/job?namespace=…&name=…', 'error'));
    return null;
  }
  const data = await gql(JOB, { ns, name });
  const job = data.job;
  if (!job) {
    fill(root, message(`No job ${name} in ${ns}.`, 'error'));
    return null;
  }
  const recommended = data.recommendDependencies;
  const verdict = h('div', { class: 'check' });
  const area = h('textarea', { rows: 5, id: 'configured', placeholder: 'one job a line: name, or namespace/name' });
  area.value = recommended.filter((r) => !r.stale).map((r) => (r.job.namespace === job.namespace ? r.job.name : `${r.job.namespace}/${r.job.name}`)).join('\n');
  const sql = await expressions(job, params.get('column'));
  fill(root,
    h('section', { class: 'column-head' }, h('h1', {}, job.name),
      h('p', { class: 'ns' }, job.namespace, job.schedule ? ` · schedule ${job.schedule}` : ''), job.description ? h('p', {}, job.description) : null),
    h('div', { class: 'two' },
      h('section', {},
        h('h2', {}, 'Recent runs'), runs(job),
        job.owners.length ? h('p', { id: 'owners' }, 'Owners: ', job.owners.map((o) => `${o.name}${o.type ? ` (${o.type.toLowerCase()})` : ''}`).join(', ')) : null,
        h('h2', {}, 'Inputs'), datasets(job.inputs),
        h('h2', {}, 'Outputs'), datasets(job.producedDatasets.map((p) => ({ ...p.dataset, at: p.lastWriteAt }))),
        h('h2', {}, 'SQL, column by column'), sql),
      h('section', {},
        h('h2', {}, 'Should wait for'),
        recommended.length ? h('table', { class: 'grid', id: 'recommended' },
          h('thead', {}, h('tr', {}, ['Job', 'Because it writes', 'Last write', ''].map((t) => h('th', {}, t)))),
          h('tbody', {}, recommended.map((r) => h('tr', {}, h('td', {}, jobLink(r.job)),
            h('td', {}, r.datasets.map((d, i) => [i ? ', ' : '', link(datasetHref(d.namespace, d.name), d.name)])),
            h('td', {}, r.lastWriteAt || '—'), h('td', {}, r.stale ? 'stale' : ''))))) : h('p', { class: 'hint' }, 'Nothing it reads is written by another job.'),
        h('h2', {}, 'Check a dependency list'),
        area, h('p', {}, h('button', { type: 'button', id: 'check', onclick: () => check(verdict, job, area.value) }, 'Check')),
        verdict)),
  );
  document.getElementById('selected-expression')?.scrollIntoView({ block: 'center' });
  return null;
}
