// @ts-check
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The peers built on other libraries get their types from the bench's own install (`node
// bench/prepare.js`); without it every use of those libraries reads as `any`. They are linted when
// it is there (CI lints bench/ again after installing it) and left out on a fresh clone.
const benchLibraries = existsSync(
  join(import.meta.dirname, 'bench/libraries/node_modules/.theorydb-prepared'),
)
  ? []
  : [
      'bench/libraries/**',
      'bench/peers/library-peers.ts',
      'bench/peers/dynamoose-peer.ts',
      'bench/peers/electrodb-peer.ts',
      'bench/peers/toolbox-peer.ts',
      'bench/peers/typedorm-peer.ts',
    ];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      'docs/api/**',
      'spec/support/*.js',
      ...benchLibraries,
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'error',
    },
  },
  {
    files: ['spec/**/*.ts', 'bench/**/*.ts', 'examples/**/*.ts', 'src/testing/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['spec/**/*.ts'],
    rules: {
      // chai's property assertions (`expect(x).to.be.true`) read as unused expressions.
      '@typescript-eslint/no-unused-expressions': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
  { files: ['**/*.mjs', '**/*.js'], ...tseslint.configs.disableTypeChecked },
  {
    files: ['bench/prepare.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { __dirname: 'readonly', process: 'readonly', console: 'readonly' },
    },
    rules: { 'no-console': 'off', '@typescript-eslint/no-require-imports': 'off' },
  },
);
