/**
 * Baoxue's layers (DESIGN.md §8), checked by `npm run deps:check` in CI.
 *
 * Each layer may import the layers listed before it, and none after it. A lower layer that needs to
 * know about a higher one (the change log about the entities it records, the database about the
 * entities it maps) is told by registration at the composition root (src/app/modules.ts), never by
 * an import. Inside a layer, folders may import each other, but nothing anywhere may import in a
 * circle.
 *
 * Tests beside the code (*.spec.ts) may import anything in src; src never imports a test.
 */

/** Command-line tools sit in the folder of what they run, but are entry points. */
const CLI = '\\.cli\\.ts$';
const SPEC = '\\.spec\\.ts$';
/** The request context and the write's unit of work live in core/ but know the identity: they are in access. */
const REQUEST = '^src/core/(context|unit-of-work)\\.ts$';
/** The audit's record of what was shown is written by every read: it is in access; its resolvers are a read model. */
const AUDIT_RECORD = '^src/audit/sensitive-read\\.(collector|service|type)\\.ts$';

/** Lowest first: [name, what it is, its files (regular expressions on the path from the repository root)]. */
const LAYERS = [
  ['core', 'errors, clock, logger, scalars, configuration, the database connection and migrations, the regions data file: no domain, no identity',
    { path: '^src/(config\\.ts$|core/|db/)|^seeds/fujian-regions\\.json$', pathNot: [REQUEST] }],
  ['access', 'who asks and what they may see: tokens, regions, the permission matrix, the request context built from them, the audit of sensitive values shown',
    { path: `^src/(auth|regions|permissions)/|${REQUEST}|${AUDIT_RECORD}`, pathNot: [CLI] }],
  ['changelog', 'the log, its hash chains, writer, projection and feed, and the signed roots over the chains: knows no domain entity (domains register theirs)',
    { path: '^src/(changelog|log-roots)/', pathNot: [CLI] }],
  ['domains', 'children and the departments\' sections, the dropout ledger, enrollment: each may use another, in no circle',
    { path: '^src/(children|departments|ledger|enrollment|key-regions)/' }],
  ['read-models', 'views that span domains: the as-of record, the monthly notices, the sensitive-read audit\'s queries, the statistics, reconciliation, supervision, duplicates (review and merge across every domain)',
    { path: '^src/(as-of|notices|audit|stats|reconciliation|supervision|duplicates)/', pathNot: [AUDIT_RECORD, CLI] }],
  ['composition-root', 'the one place that knows every module: registers them, builds the services and the schema',
    { path: '^src/(app/|services\\.ts$|schema\\.ts$)' }],
  ['web', 'HTTP, GraphQL over HTTP and WebSocket, pages',
    { path: '^src/web/' }],
  ['entry-points', 'the server and the command-line tools, and the seeds they run: they register the modules and start',
    { path: `^src/main\\.ts$|${CLI}|^seeds/`, pathNot: ['^seeds/fujian-regions\\.json$'] }],
];

const layerRules = LAYERS.flatMap(([lower, meaning, from], i) =>
  LAYERS.slice(i + 1).map(([higher, , to]) => ({
    name: `${lower}-not-to-${higher}`,
    comment: `${lower} (${meaning}) sits below ${higher}: it learns what it must know of it by registration at the composition root, not by import`,
    severity: 'error',
    // Tests beside the code may import any layer (e.g. the composition root, to register).
    from: { path: from.path, pathNot: [...(from.pathNot ?? []), SPEC] },
    to,
  })));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A circle of imports has no bottom: a reader cannot tell what depends on what. Break it by moving the shared piece down a layer, or by registration.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'src-not-to-tests',
      comment: 'Production code never imports a test, a test helper or the benchmark.',
      severity: 'error',
      from: { path: '^(src|seeds)/', pathNot: SPEC },
      to: { path: '^tests/|\\.spec\\.ts$' },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to nothing is a typo or a missing dependency.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    // Type-only imports count: a type from a higher layer ties the layers together as much as a value.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
