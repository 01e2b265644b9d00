import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import architecture from './eslint/architecture.js';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'web/dist/**', 'bench/out/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // The architecture (README "Architecture", eslint/architecture.js): tests may reach into any area.
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    ignores: ['**/*.test.ts', '**/*.test.tsx', '**/*.test-helpers.ts'],
    plugins: { architecture },
    rules: { 'architecture/area-boundaries': 'error', 'architecture/no-cycles': 'error' },
  },
  {
    // The console renders CloudTrail text: it must never become HTML.
    files: ['web/src/**/*.tsx', 'web/src/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "JSXAttribute[name.name='dangerouslySetInnerHTML']", message: 'CloudTrail and user text is rendered as text only' },
        { selector: "MemberExpression[property.name=/^(innerHTML|outerHTML)$/]", message: 'CloudTrail and user text is rendered as text only' },
        { selector: "CallExpression[callee.property.name='insertAdjacentHTML']", message: 'CloudTrail and user text is rendered as text only' },
      ],
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { process: 'readonly', require: 'readonly', module: 'writable' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
