/**
 * The layers of issue #13, imports pointing down only:
 *
 *   core <- sources <- istio <- analysis <- render <- verify <- cli
 *
 * A layer may import any layer below it, none above. `npm run layers` checks src/,
 * test/, bench/ and fuzz/; `npm test` runs it first, so a wrong import fails CI.
 */
const LAYERS = ['core', 'sources', 'istio', 'analysis', 'render', 'verify', 'cli'];

/** One rule per layer: what it may not import (every layer above it). */
const upward = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `${layer}-imports-up`,
  comment: `src/${layer} may import only ${LAYERS.slice(0, i + 1).join(', ')} (layers point down)`,
  severity: 'error',
  from: { path: `^src/${layer}/` },
  to: { path: `^src/(${LAYERS.slice(i + 1).join('|')})/` },
}));

module.exports = {
  forbidden: [
    ...upward,
    {
      name: 'core-is-pure',
      comment: 'src/core does no I/O: no file system, processes, network, workers or terminal',
      severity: 'error',
      from: { path: '^src/core/' },
      to: {
        dependencyTypes: ['core'],
        path: '^(node:)?(fs|fs/promises|child_process|net|dgram|dns|http|https|http2|tls|os|process|readline|tty|worker_threads|cluster|vm)$',
      },
    },
    {
      name: 'terminal-styling-in-render',
      comment: 'chalk and cli-table3 belong to src/render (and src/cli for the colour policy)',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(render|cli)/' },
      to: { path: '(^|/)node_modules/(chalk|cli-table3)/' },
    },
    {
      name: 'tests-use-their-layer',
      comment: 'tests, bench and fuzz go through the layer they test; only test/cli (and its helper) drive src/cli',
      severity: 'error',
      from: { path: '^(test|bench|fuzz)/', pathNot: '^test/(cli/|helpers/cli\\.ts$)' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'an import that resolves to nothing',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|\\.out)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.mjs', '.js', '.cjs', '.d.ts'],
    },
    // `import x from './a.js'` names the TypeScript file a.ts.
    extraExtensionsToScan: ['.mjs'],
  },
};
