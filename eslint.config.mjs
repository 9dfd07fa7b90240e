// Lint: typescript-eslint's type-checked recommended set, plus the design's import boundaries.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const TASK_LIB = ['azure-pipelines-task-lib', 'azure-pipelines-task-lib/*'];

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'tasks/*/index.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    // Prettier keeps lines within 100 where it can; strings, comments and regexes we break.
    rules: { 'max-len': ['error', { code: 100, tabWidth: 2 }] },
  },
  {
    // Tests and the simulator handle JSON documents of any shape (ARM bodies, state dumps,
    // Graph objects), typed `any` on purpose: the simulator validates them against the OpenAPI
    // specs at run time, the tests assert on them. The rules about `any` stay on for tasks/ and
    // scripts/.
    files: ['tests/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Only the pipeline layer talks to the agent; nothing shipped reaches into tests or scripts.
    files: ['tasks/**/*.ts'],
    ignores: ['tasks/common/pipeline/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [],
          patterns: [
            {
              group: TASK_LIB,
              message: 'Only tasks/common/pipeline/ imports azure-pipelines-task-lib.',
            },
            {
              regex: '^(\\.\\./)+(tests|scripts)(/|$)',
              message: 'Nothing under tasks/ imports tests/ or scripts/.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['tasks/common/pipeline/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+(tests|scripts)(/|$)',
              message: 'Nothing under tasks/ imports tests/ or scripts/.',
            },
          ],
        },
      ],
    },
  },
);
