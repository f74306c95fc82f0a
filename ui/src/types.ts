import type { Core } from 'cytoscape';

// The shapes of the GraphQL answers the explorer reads: each query's selection, not the whole
// schema (api/gql), so a field a view reads but its query does not ask for is a type error.
// Field names and nullability follow the schema served at /ui/schema.graphql.
// Types only, in TypeScript's syntax: the modules name them in JSDoc (`@import`), and the bundle
// holds none of this.

/** A GraphQL document whose answer is ``Answer`` when sent with ``Variables`` (see api.js gql). */
export type Query<Answer, Variables extends object = Record<string, never>> = string & {
  readonly __answer?: Answer;
  readonly __variables?: Variables;
};

/** One error of a GraphQL response (only the message is shown). */
export interface GraphQLError {
  message: string;
}

/** The body of a /graphql response; ``error`` is set by the server's own refusals (401, 403). */
export interface GraphQLResponse<Answer> {
  data?: Answer | null;
  errors?: GraphQLError[];
  error?: string;
}

// Names of things, as links are built from them.
export interface ColumnRef {
  namespace: string;
  dataset: string;
  field: string;
}
export interface JobRef {
  namespace: string;
  name: string;
}
export type DatasetRef = JobRef;

/** EntityKind in the schema. */
export type EntityKind = 'DATASET' | 'COLUMN' | 'JOB';
/** TagOrigin in the schema. */
export type TagOrigin = 'DECLARED' | 'INHERITED';
/** Direction in the schema. */
export type Direction = 'UPSTREAM' | 'DOWNSTREAM' | 'BOTH';

/** A tag as a chip shows it; ``origin`` where the query asks for it. */
export interface TagChip {
  name: string;
  masked: boolean;
  origin?: TagOrigin;
}

// --- the column view (views/column.js) ---

/** ``fragment C on Column``: what the graph and the tree table draw of a column. */
export interface LineageColumn extends ColumnRef {
  dataType: string | null;
  sensitivity: string | null;
  tags: TagChip[];
}
export interface Transformation {
  type: string;
  subtype: string | null;
  masking: boolean;
}
/** ``fragment E on LineageEdge``. */
export interface LineageEdge {
  source: ColumnRef;
  target: ColumnRef;
  transformation: Transformation;
  expression: string | null;
  job: JobRef | null;
}
export interface LineageGraph {
  truncated: boolean;
  nodes: LineageColumn[];
  edges: LineageEdge[];
}
export interface HeadAnswer {
  column: (LineageColumn & { description: string | null }) | null;
}
export interface LineageAnswer {
  lineage: LineageGraph;
}
export interface ColumnVariables {
  ns: string;
  ds: string;
  f: string;
}
export interface LineageVariables extends ColumnVariables {
  dir: Direction;
  depth: number;
  direct: boolean;
  max: number;
  /** ISO-8601 moment the lineage is answered as of; null for current lineage. */
  asOf: string | null;
}

/** OutlineDataset: a dataset of the neighbourhood and how many of its columns lie in it. */
export interface OutlineDataset extends DatasetRef {
  columns: number;
  upstream: boolean;
}
/** OutlineLink: the column edges from one dataset into another, counted. */
export interface OutlineLink {
  sourceNamespace: string;
  sourceDataset: string;
  targetNamespace: string;
  targetDataset: string;
  edges: number;
  direct: number;
  masking: number;
}
export interface LineageOutline {
  columns: number;
  edges: number;
  complete: boolean;
  datasets: OutlineDataset[];
  links: OutlineLink[];
}
export interface OutlineVariables extends ColumnVariables {
  up: number;
  down: number;
  direct: boolean;
  asOf: string | null;
}
export interface OutlineAnswer {
  lineageOutline: LineageOutline;
}
export interface SliceVariables extends OutlineVariables {
  datasets: DatasetRef[];
  max: number;
}
export interface SliceAnswer {
  lineageSlice: LineageGraph;
}

// --- "why" (views/why.js) ---

export interface WhyEdge {
  source: ColumnRef;
  target: ColumnRef;
  transformation: Transformation;
  job: JobRef | null;
}
export interface WhySource {
  complete: boolean;
  column: ColumnRef;
  path: WhyEdge[];
}
export interface WhyTag {
  name: string;
  origin: TagOrigin;
  masked: boolean;
  sources: WhySource[];
}
export interface WhyAnswer {
  column: (ColumnRef & { tags: WhyTag[] }) | null;
}

// --- the dataset view (views/dataset.js) ---

export interface JobRun extends JobRef {
  lastRunAt: string | null;
  lastRunState: string | null;
}
export interface UsageDay {
  date: string;
  reads: number;
  distinctReaders: number;
}
export interface DatasetColumn {
  field: string;
  dataType: string | null;
  description: string | null;
  sensitivity: string | null;
  tags: Required<TagChip>[];
}
export interface DatasetDetail extends DatasetRef {
  kind: string | null;
  description: string | null;
  lastProducedAt: string | null;
  declaredSource: boolean;
  usage: UsageDay[];
  columns: DatasetColumn[];
  writers: JobRun[];
  readers: JobRun[];
}
export interface GraphNode {
  id: string;
  kind: EntityKind;
  namespace: string;
  name: string;
}
export interface GraphEdge {
  source: string;
  target: string;
}
/** DatasetLineageGraph: datasets and jobs, table-level. */
export interface TableGraph {
  truncated: boolean;
  nodes: GraphNode[];
  edges: GraphEdge[];
}
export interface DatasetAnswer {
  dataset: DatasetDetail | null;
  datasetLineage: TableGraph;
}
export interface ImpactAnswer {
  impact: {
    truncated: boolean;
    sensitivity: string | null;
    tags: { name: string; columns: number; unmaskedColumns: number }[];
    datasets: { depth: number; dataset: DatasetRef; columns: { field: string }[] }[];
    jobs: { job: JobRef }[];
  };
}

// --- the job view (views/job.js) ---

export interface RunSummary {
  runId: string;
  state: string;
  startedAt: string | null;
  endedAt: string | null;
  durationMs: number | null;
  parent: { runId: string } | null;
  outputStatistics: { rows: number | null; dataset: { name: string } | null }[];
}
export interface JobDetail extends JobRef {
  description: string | null;
  schedule: string | null;
  lastRunAt: string | null;
  lastRunState: string | null;
  owners: { name: string; type: string | null }[];
  runs: RunSummary[];
  inputs: DatasetRef[];
  producedDatasets: { lastWriteAt: string | null; dataset: DatasetRef }[];
}
export interface Recommendation {
  lastWriteAt: string | null;
  stale: boolean;
  job: JobRef;
  datasets: DatasetRef[];
}
/** A produced dataset's columns with the edges into them (one hop up), for the job's expressions. */
export interface JobColumns {
  job: {
    producedDatasets: {
      dataset: DatasetRef & {
        columns: { field: string; upstream: { expression: string | null; source: ColumnRef; job: JobRef | null; transformation: Transformation }[] }[];
      };
    }[];
  } | null;
}
export interface JobAnswer {
  job: JobDetail | null;
  recommendDependencies: Recommendation[];
}
export interface CheckAnswer {
  checkDependencies: {
    ok: boolean;
    missing: JobRef[];
    redundant: JobRef[];
    stale: JobRef[];
    cycles: JobRef[][];
    unknown: JobRef[];
  };
}
/** A dataset or a job, by namespace and name. */
export interface NameVariables {
  ns: string;
  name: string;
}

// --- the security view (views/security.js) ---

export interface Violation {
  kind: string;
  declaredLevel: string | null;
  inheritedLevel: string | null;
  tags: string[];
  message: string;
  column: ColumnRef;
}
export interface ViolationsAnswer {
  sensitivityViolations: Violation[];
}
export interface AuditEntry {
  at: string;
  actor: string;
  tag: string;
  change: string;
  cause: string;
  column: ColumnRef;
}
export interface AuditAnswer {
  tagAudit: {
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { node: AuditEntry }[];
  };
}
export interface AuditVariables {
  tag: string | null;
  actor: string | null;
  since: string | null;
  after: string | null;
}

// --- the shell (main.js) ---

export interface SearchHit {
  kind: EntityKind;
  namespace: string;
  name: string;
  field: string | null;
}
export interface SearchAnswer {
  search: { totalCount: number | null; edges: { node: SearchHit }[] };
}
export interface HomeAnswer {
  namespaces: {
    name: string;
    datasets: { totalCount: number | null; edges: { node: { name: string } }[] };
    jobs: { totalCount: number | null; edges: { node: { name: string } }[] };
  }[];
}

/** A view draws itself into ``root`` and returns what to do when the page leaves it, if anything. */
export type View = (root: HTMLElement, params: URLSearchParams) => Promise<(() => void) | null>;

declare global {
  interface Window {
    /** The column view's graph, for the browser tests (tests/e2e) to read what is drawn. */
    taglineExplorer?: { graph: Core };
    /** What ui/bench/renderers.js measured, in milliseconds, for bench/explorer.py. */
    benchResult?: { firstPaint: number; hover: number } | { error: string };
  }
}
