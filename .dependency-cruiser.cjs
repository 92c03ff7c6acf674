/**
 * The architecture, checked on every `npm test` (npm run lint:boundaries). Each rule says why.
 * See README.md, "Code map".
 */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'src/domain holds the rules: no I/O, no SDK, no logger, no environment. It imports nothing outside itself.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { pathNot: '^src/domain/' },
    },
    {
      name: 'workflows-see-only-ports',
      comment: 'Workflows reach Notion, Stripe and Slack only through workflows/ports.ts; the adapters implement it.',
      severity: 'error',
      from: { path: '^src/workflows/' },
      to: { pathNot: ['^src/(workflows|domain)/', '^src/(errors|log)\\.ts$'] },
    },
    {
      name: 'adapters-stay-apart',
      comment: 'The Notion, Stripe and Slack adapters never import each other; the composition root wires them.',
      severity: 'error',
      from: { path: '^src/(ledger|billing|slack)/' },
      to: { path: '^src/(ledger|billing|slack)/', pathNot: '^src/$1/' },
    },
    {
      name: 'production-never-imports-the-sandbox',
      comment: 'The emulators and the console are for the sandbox and the tests. Production code never imports them...',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/sandbox/', '^src/main\\.ts$'] },
      to: { path: '^src/sandbox/' },
    },
    {
      name: 'main-loads-the-sandbox-on-demand',
      comment: '...except main.ts, with a dynamic import, in sandbox mode only.',
      severity: 'error',
      from: { path: '^src/main\\.ts$' },
      to: { path: '^src/sandbox/', dependencyTypesNot: ['dynamic-import'] },
    },
    {
      name: 'no-dev-dependency-in-src',
      comment: 'Everything under src/ can be reached from dist/main.js, and the image has production dependencies only.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/sandbox/console/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'only-declared-packages',
      comment: 'A package used under src/ must be declared: one only a development tool brings in is missing from the image.',
      severity: 'error',
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown', 'unknown', 'undetermined'] },
    },
    {
      name: 'no-hidden-imports',
      comment: 'createRequire loads modules these rules cannot see.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^module$', dependencyTypes: ['core'] },
    },
    {
      name: 'no-circular',
      comment: 'Modules that import each other cannot be understood, or tested, one at a time.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
