/**
 * The house's layering (issue 19; README, Architecture), as dependency-cruiser rules over src/ and
 * views/, run by test/house/layers.test.ts (the one place they run: there is no CLI config).
 * Paths are relative to the project root.
 *
 * A rule names what must not happen; `knownViolations` below names each place that still does,
 * with the reason, and the test fails both on a violation not listed there and on a listed one
 * that no longer happens (so the list only shrinks, and says so when it can).
 */
import type { DependencyType, IForbiddenRuleType } from 'dependency-cruiser';

/** The feature folders: each the rooms of one feature (contract, routes/pages, service, repository). */
const features = ['admin', 'audit', 'auth', 'backtests', 'executors', 'factors', 'home', 'market', 'scheduler', 'strategies', 'sweeps'];
/** `import type`, `export type … from` and `import('…').T`: names of types, erased before anything runs. */
const typeDeps: DependencyType[] = ['type-only', 'type-import'];

export const rules: IForbiddenRuleType[] = [
  {
    name: 'no-circular',
    severity: 'error',
    comment:
      'A cycle makes two modules one room that cannot be read, tested or moved apart, and its load order decides ' +
      'what is undefined at import. Type-only and lazy (await import) edges count: they are the same knot on paper.',
    from: { path: '^(src|views)/' },
    to: { circular: true },
  },
  {
    name: 'views-import-types-only',
    severity: 'error',
    comment:
      'Views draw what the page hands them: from src/ they name types only (import type), so a view cannot call ' +
      'a service, read a store or pull the sandbox into a page; data and decisions come in the model.',
    from: { path: '^views/' },
    to: { path: '^src/', dependencyTypesNot: typeDeps },
  },
  {
    name: 'only-pages-import-views',
    severity: 'error',
    comment:
      'src/ renders HTML only in the route that answers with it (*.pages.tsx); plumbing (src/http), services and ' +
      'executors hand data on instead, so the layers stay one-way: page → view, never view ← plumbing.',
    from: { path: '^src/', pathNot: '\\.pages\\.tsx$' },
    to: { path: '^views/' },
  },
  {
    name: 'engine-self-contained',
    severity: 'error',
    comment:
      'The engine runs inside the sandbox and in worker threads: it imports npm packages and node builtins ' +
      'only, never the server around it (README, Backtest engine). The one floor below it is the single ' +
      'executable\'s file table (src/binary/files.ts, which imports nothing of src outside src/binary: the next ' +
      'rule), where the sandbox finds its own isolate program (sandbox/bundle.ts): built from the source under ' +
      'node, embedded in the binary.',
    from: { path: '^src/engine/' },
    to: { path: '^(src|views)/', pathNot: '^src/(engine/|binary/files\\.ts$)' },
  },
  {
    name: 'binary-files-are-a-floor',
    severity: 'error',
    comment:
      'The file table the engine may reach (src/binary/files.ts and what it imports) stays below everything: ' +
      'it imports nothing of src outside src/binary, so the engine reaches no feature through it.',
    from: { path: '^src/binary/(files|sea|manifest|pglite-files)\\.ts$' },
    to: { path: '^(src|views)/', pathNot: '^src/binary/' },
  },
  {
    name: 'runs-know-no-feature',
    severity: 'error',
    comment:
      'The run machinery (runs, leases, reaper, bus, worker pool) knows no executor and no feature: server.ts ' +
      'hands it the registry, so a feature can change without touching how runs are queued, claimed and settled.',
    from: { path: '^src/runs/' },
    to: { path: `^src/(${features.filter((f) => f !== 'auth').join('|')})/` },
  },
  {
    name: 'runs-auth-types-only',
    severity: 'error',
    comment:
      'The run machinery may name who queued a run (auth types) but not check access itself; its routes ' +
      '(runs.api.ts, runs.pages.tsx) guard themselves with requireRole like every route.',
    from: { path: '^src/runs/', pathNot: '\\.(api\\.ts|pages\\.tsx)$' },
    to: { path: '^src/auth/', dependencyTypesNot: typeDeps },
  },
  {
    name: 'routes-never-import-repositories',
    severity: 'error',
    comment:
      'A route (JSON *.api.ts or HTML *.pages.tsx) goes through the service, which owns transactions, access ' +
      'and mapping; not even a row type, which is the store\'s shape and not what the route answers.',
    from: { path: '\\.(api\\.ts|pages\\.tsx)$' },
    to: { path: '\\.repository\\.ts$' },
  },
  {
    name: 'only-services-call-repositories',
    severity: 'error',
    comment:
      'Services are the only callers of repositories (route → service → repository → db). Besides services and ' +
      'repositories themselves: the run machinery, which is the runs table\'s own service (claim, lease, reap, ' +
      'settle), and the database code in src/db. A type-only import of a row type is not a call.',
    from: { path: '^src/', pathNot: ['\\.service\\.ts$', '\\.repository\\.ts$', '^src/runs/', '^src/db/'] },
    to: { path: '\\.repository\\.ts$', dependencyTypesNot: typeDeps },
  },
];

/** One place that breaks a rule today, and why it is allowed to (for now). */
export interface KnownViolation {
  rule: string;
  from: string;
  to: string;
  why: string;
}

export const knownViolations: KnownViolation[] = [
  // views-import-types-only: the one date codec.
  {
    rule: 'views-import-types-only', from: 'views/backtests/format.ts', to: 'src/market/days.ts',
    why: 'the one date codec (YYYYMMDD → YYYY-MM-DD, issue 19: written once): a pure module that only re-exports src/engine/days.ts, which imports nothing (the test checks), so a view using it reaches no behaviour; pages would otherwise pre-format every date of every table and chart',
  },
  {
    rule: 'views-import-types-only', from: 'views/market/format.ts', to: 'src/market/days.ts',
    why: 'the one date codec, as above',
  },

];

/** No source file under src/ past this many lines (issue 19: rooms a person can hold in their head). */
export const maxSourceLines = 400;
