// Lint rules for src/ and test/: typescript-eslint's type-aware recommended set, run by `npm run lint`.
// Type information comes from the nearest tsconfig.json of each file (test/tsconfig.json covers the tests).
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'dist-test/', 'node_modules/', 'test/golden/', 'test/fixtures/'] },
  eslint.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['vitest.config.ts'] }, tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    rules: {
      // `_name` marks a field destructured away to omit it (`{ destinations: _d, ...rest }`) or a parameter a callback shape requires.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      // Control characters in a regex are the point where they appear: plans make them visible, hostile-input tests look for them.
      'no-control-regex': 'off',
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // Fakes implement the async Host port with synchronous in-memory state, so their async methods have nothing to await.
      '@typescript-eslint/require-await': 'off',
      // vitest's asymmetric matchers (expect.stringContaining, expect.objectContaining, ...) are typed any.
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
  { files: ['**/*.js', '**/*.mjs'], extends: [tseslint.configs.disableTypeChecked] },
  // Plain Node scripts (the VM jobs' helpers): Node's globals.
  {
    files: ['**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' } },
  },
);
