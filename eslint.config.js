import js from '@eslint/js';
import ts from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

/**
 * Which way imports run (see README, "How it is built"):
 *   components ─► state ─► rpc ═(comlink)═► workers ─► src/lib/<area> ─► src/lib/s3
 * Each layer lists what it may not import. Flat config does not merge a
 * rule's options across blocks (the last block wins), so each folder's
 * block carries every restriction that applies to it.
 */
const restrict = (regex, message) => ({ regex, message });
const UP_FROM_LIB = [
  restrict('(^|/)(state|components)/', 'src/lib runs without a DOM and knows no UI: state and components import it, never the reverse.'),
  restrict('(^|/)rpc/', 'src/lib knows no worker boundary: the workers expose it, src/rpc calls them.'),
  restrict('(^|/)workers/', 'src/lib is what workers run; it never imports a worker or its API.'),
];
const AREAS_FROM_S3 = [
  restrict('^\\.\\./(\\.\\./)*(explorer|upload|zarr|netcdf|policy|creds|cf|colormap)(/|$)', 'The S3 core knows no area built on it (explorer, upload, zarr, policy, creds...): compose them in workers/s3-api.'),
];
const BELOW_STATE = [
  restrict('(^|/)workers/', 'Components and state reach the workers through src/rpc (types included).'),
  restrict('(^|/)lib/s3/(client|signer|service|retry|index)$', 'The signing client and the connection live in the S3 worker only.'),
];
const FROM_COMPONENTS = [
  restrict('(^|/)rpc/', 'Components read and call src/state; state calls src/rpc.'),
  ...BELOW_STATE,
];
const restricted = (...patterns) => ({ '@typescript-eslint/no-restricted-imports': ['error', { patterns }] });

export default ts.config(
  { ignores: ['dist/', 'node_modules/', '.rgw/', '.bench/', 'test/fixtures/'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
      'svelte/no-at-html-tags': 'error',
      // Flags every Map/Set in a .svelte.ts file, including private caches that are
      // deliberately not reactive; reactivity is decided per field with $state.
      'svelte/prefer-svelte-reactivity': 'off',
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] } },
  },
  // Type-aware rules: a promise nobody awaits loses its error (an unhandled rejection, not a message to the user).
  {
    files: ['src/**/*.ts', 'src/**/*.svelte', 'workers/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts', 'vite.config.ts'],
    languageOptions: {
      parserOptions: { project: ['./tsconfig.json', './tsconfig.node.json'], tsconfigRootDir: import.meta.dirname, extraFileExtensions: ['.svelte'] },
    },
    rules: { '@typescript-eslint/no-floating-promises': 'error' },
  },
  // The layers.
  { files: ['src/lib/**/*.ts'], rules: restricted(...UP_FROM_LIB) },
  { files: ['src/lib/s3/**/*.ts'], rules: restricted(...UP_FROM_LIB, ...AREAS_FROM_S3) },
  { files: ['src/rpc/**/*.ts'], rules: restricted(restrict('(^|/)(state|components)/', 'src/rpc is below state and components.')) },
  { files: ['workers/**/*.ts'], rules: restricted(restrict('(^|/)(state|components)/', 'Workers never import the UI.')) },
  { files: ['src/state/**/*.ts'], rules: restricted(restrict('(^|/)components/', 'State is below components.'), ...BELOW_STATE) },
  { files: ['src/components/**/*.svelte', 'src/components/**/*.ts', 'src/App.svelte'], rules: restricted(...FROM_COMPONENTS) },
);
