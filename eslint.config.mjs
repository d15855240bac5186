// @ts-check
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

const vendorFolders = [
  'openai',
  'azure-openai',
  'anthropic',
  'gemini',
  'bedrock',
  'mistral',
  'cohere',
  'groq',
  'qwen',
  'deepseek',
  'moonshot',
  'chatglm',
  'grok',
  'ollama',
  'mock',
  'custom',
];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      '.cache/**',
      'bench/**',
      'scripts/**',
      '*.js',
      '*.mjs',
      // Plain-JavaScript loader hooks that tests pass to `node --import`: outside the TS project.
      'test/helpers/*.mjs',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  prettier,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/explicit-module-boundary-types': 'off',
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Only src/config/ reads process.env; inject the typed configuration instead.',
        },
      ],
    },
  },
  {
    // Configuration is the one reader of the environment.
    files: ['src/config/**/*.ts', 'test/**/*.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    // Boundaries: shared code never reaches into a vendor folder, and common/ imports no feature.
    files: ['src/**/*.ts'],
    ignores: ['src/providers/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: vendorFolders.map((v) => ({
            group: [`**/providers/${v}/**`, `**/providers/${v}`],
            message: 'Only src/providers/ decides which vendors register; import the port instead.',
          })),
        },
      ],
    },
  },
  {
    files: ['src/common/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/inference/**',
                '**/providers/**',
                '**/health/**',
                '**/governance/**',
                '**/admin/**',
                '**/storage/**',
              ],
              message: 'common/ imports no feature folder.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'src/**/*.spec.ts', 'console/**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Tests read loosely typed JSON bodies.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
