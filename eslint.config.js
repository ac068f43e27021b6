import path from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

// The one direction of imports (docs/architecture.md). A folder may import its own files and any folder
// on a LOWER row; never a folder on a higher row or on its own row. Exceptions are spelled out below.
const layers = [
  ['src/cli'],
  ['src/starter', 'src/check'],
  ['src/worker'],
  ['src/activities'],
  ['src/workflows'],
  ['src/domain'],
  ['src/temporal'],
  ['src/sage300', 'src/mailchimp', 'src/security'],
  ['src/logging'],
  ['src/config'],
  ['src/shared'],
];
const rowOf = new Map(layers.flatMap((row, i) => row.map((folder) => [folder, i])));
// Workflows name their activities' types for proxyActivities; a value import would pull worker code into
// the deterministic workflow bundle.
const typeOnlyEdges = new Set(['src/workflows -> src/activities']);
// The sandbox that `npm start` runs; the simulators stand alone, so tests and benchmarks can trust them.
const sandboxUsers = new Set(['src/cli', 'src/starter']);
const simulatorMayImport = new Set(['src/shared']);

const repoRoot = import.meta.dirname;

/** `src/<folder>` or `simulators/<folder>` of a path; for any other path, its first segment. */
function folderOf(file) {
  const parts = path.relative(repoRoot, file).split(path.sep);
  return (parts[0] === 'src' || parts[0] === 'simulators') && parts.length > 2
    ? `${parts[0]}/${parts[1]}`
    : parts[0];
}

/** Why `from` may not import `to`, or undefined when it may. */
function refusal(from, to, typeOnly) {
  if (from === to) return undefined;
  if (from.startsWith('simulators/')) {
    return simulatorMayImport.has(to) ? undefined : 'a simulator imports only its own files and src/shared';
  }
  if (to.startsWith('simulators/')) {
    return sandboxUsers.has(from)
      ? undefined
      : 'only src/cli and src/starter run the simulators (the sandbox)';
  }
  if (!rowOf.has(from)) return `${from} has no row in the layer table of eslint.config.js`;
  if (!rowOf.has(to)) return `${to} has no row in the layer table of eslint.config.js`;
  if (typeOnlyEdges.has(`${from} -> ${to}`)) {
    return typeOnly
      ? undefined
      : 'only `import type` (activities run in the worker, not in the workflow sandbox)';
  }
  if (rowOf.get(to) > rowOf.get(from)) return undefined;
  const where = rowOf.get(to) === rowOf.get(from) ? 'beside' : 'above';
  return `${to} sits ${where} ${from} in the layer table of eslint.config.js; imports point down only`;
}

const importsPointDown = {
  meta: {
    type: 'problem',
    docs: { description: 'Imports point down the layer table only.' },
    schema: [],
    messages: { refused: '{{from}} may not import {{to}}: {{why}}.' },
  },
  create(context) {
    const from = folderOf(context.filename);
    function check(node, specifier, typeOnly) {
      if (typeof specifier !== 'string' || !specifier.startsWith('.')) return;
      const to = folderOf(path.resolve(path.dirname(context.filename), specifier));
      const why = refusal(from, to, typeOnly);
      if (why) context.report({ node, messageId: 'refused', data: { from, to, why } });
    }
    return {
      ImportDeclaration: (node) => check(node, node.source.value, node.importKind === 'type'),
      ExportNamedDeclaration: (node) =>
        node.source && check(node, node.source.value, node.exportKind === 'type'),
      ExportAllDeclaration: (node) => check(node, node.source.value, node.exportKind === 'type'),
      ImportExpression: (node) => check(node, node.source.value, false),
    };
  },
};

export default tseslint.config(
  {
    ignores: ['dist/', 'node_modules/', '.tools/', 'data/', 'coverage/', 'test/fixtures/', '.release-build/'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // bench/ and test/ sit above everything and may import anything.
    files: ['src/**/*.ts', 'simulators/**/*.ts'],
    plugins: { layers: { rules: { 'imports-point-down': importsPointDown } } },
    rules: { 'layers/imports-point-down': 'error' },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no I/O, no Node built-ins, no clocks.
    files: ['src/workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                'node:*',
                'fs',
                'path',
                'crypto',
                'http',
                'https',
                'os',
                'got',
                'pino',
                '../activities/*',
                '../sage300/*',
                '../mailchimp/*',
              ],
              message: 'Workflows must be deterministic: do I/O in activities (type imports are fine).',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
);
