import js from '@eslint/js'
import tseslint from 'typescript-eslint'

const IO_MODULES = [
  'node:net',
  'node:fs',
  'node:fs/promises',
  'node:http',
  'better-sqlite3',
  'commander',
  'chalk',
  'cli-table3',
]

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'evidence/**', 'test-artifacts/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Logic that decides is pure: no I/O imports (STYLE.md "A layout that shows the pipeline").
    files: [
      'src/protocol/**/*.ts',
      'src/capture/sessions.ts',
      'src/capture/rows.ts',
      'src/extract/summary.ts',
      'src/simulate/model.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: IO_MODULES.map((name) => ({
            name,
            message: 'pure module: keep I/O at the edges',
          })),
        },
      ],
    },
  },
)
