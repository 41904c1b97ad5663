import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/*
 * The layers, enforced: imports flow api → (Temporal client, read-side queries) → model,
 * worker → workflows and activities → model; workflows import nothing that touches I/O
 * (only types from the layers below, and the pure vocabulary); nothing imports the
 * launcher, the worker or the app assembly. docs/architecture.md draws the same picture.
 */

const layer = (files, patterns) => ({
  files,
  rules: {
    '@typescript-eslint/no-restricted-imports': ['error', { patterns }],
  },
});

/** A runtime import of these is refused; `import type` stays allowed (types carry no I/O). */
const typesOnly = (group, message) => ({ group, message, allowTypeImports: true });
const never = (group, message) => ({ group, message });

const NOT_LAUNCHER = never(['**/launcher/*', '**/launcher'], 'The launcher starts the system; nothing imports it.');
const NOT_WORKER = never(['**/worker/*'], 'The worker is an entry point; nothing imports it.');
const NOT_TESTS = never(['**/test/*', '**/bench/*'], 'Production code never imports tests or benchmarks.');

const API = [
  typesOnly(
    ['**/activities/*', '**/workflows/*', '!**/workflows/definitions.js'],
    'The API reaches the workflows only through their shared definitions and WorkflowCommands.',
  ),
  NOT_LAUNCHER,
  NOT_WORKER,
  NOT_TESTS,
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'admin/dist/**', 'worker/dist/**', '.cache/**', '.data/**', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A promise nobody awaits is a failure nobody sees: in a workflow a lost command, in the API a lost answer.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // CommonJS, because only a `node --require` preload reaches the SDK's workflow threads (worker/workflow-stack-traces.cjs).
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', process: 'readonly', console: 'readonly', globalThis: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  layer(
    ['workflows/**/*.ts'],
    [
      typesOnly(
        ['../activities/*', '../model/*', '!../model/error-codes.js', '!../model/vocabulary.js'],
        'Workflow code is deterministic: only types from activities and the model, plus the pure vocabulary.',
      ),
      never(
        [
          '../api/*',
          '../config/*',
          'node:*',
          'pg',
          'stripe',
          '@mikro-orm/*',
          '@temporalio/client',
          '@temporalio/worker',
          '@temporalio/activity',
        ],
        'Workflow code imports nothing that touches I/O.',
      ),
      NOT_LAUNCHER,
      NOT_WORKER,
      NOT_TESTS,
    ],
  ),
  layer(
    ['activities/**/*.ts'],
    [
      typesOnly(['../workflows/*'], 'Activities share the vocabulary through the model, not the workflows.'),
      never(['../api/*'], 'Activities are below the API.'),
      NOT_LAUNCHER,
      NOT_WORKER,
      NOT_TESTS,
    ],
  ),
  layer(
    ['model/**/*.ts'],
    [
      typesOnly(
        ['../workflows/*', '../activities/*', '../api/*', '../payments/*'],
        'The model is the bottom layer: it imports no layer above it.',
      ),
      NOT_LAUNCHER,
      NOT_WORKER,
      NOT_TESTS,
    ],
  ),
  layer(
    ['config/**/*.ts'],
    [
      never(['../api/*', '../activities/*', '../workflows/*', '../model/*', '../payments/*'], 'Configuration is read below every layer.'),
      NOT_LAUNCHER,
      NOT_WORKER,
      NOT_TESTS,
    ],
  ),
  layer(
    ['logs/**/*.ts'],
    [
      never(
        ['../api/*', '../activities/*', '../model/*', '../payments/*', '../workflows/*', '!../workflows/definitions.js'],
        'Logs and request ids sit below the API and the worker: they share only the workflow definitions.',
      ),
      NOT_LAUNCHER,
      NOT_WORKER,
      NOT_TESTS,
    ],
  ),
  layer(
    ['payments/**/*.ts'],
    [
      never(['../api/*', '../activities/*', '../workflows/*'], 'The payment provider is below the API and the activities that use it.'),
      NOT_LAUNCHER,
      NOT_WORKER,
      NOT_TESTS,
    ],
  ),
  layer(['api/*.ts', 'api/auth/**/*.ts'], API),
  layer(
    ['api/routes/**/*.ts', 'api/admin/**/*.ts'],
    [...API, never(['../app.js'], 'Routes take their dependencies from api/dependencies.ts, not from the file that assembles the app.')],
  ),
);
