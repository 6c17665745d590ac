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

/**
 * I/O edges whose names say what they talk to but not "server/client/db/files": sockets and
 * streams (connection, upstream, listen, control API), append-only writers and the hash worker.
 */
const IO_EDGES = [
  'src/version.ts',
  'src/capture/capture-writer.ts',
  'src/capture/file-hash.ts',
  'src/capture/lean-scan.ts',
  'src/capture/paged-rows.ts',
  'src/evidence/output-run.ts',
  'src/evidence/read-document.ts',
  'src/evidence/fixture-files.ts',
  'src/evidence/line-thread.ts',
  'src/evidence/text-spool.ts',
  'src/simulate/synthetic-db.ts',
  'src/simulate/fill.ts',
  'src/soak/faulty-upstream.ts',
  'src/targets/listen.ts',
  'src/targets/event-log.ts',
  'src/targets/control-api.ts',
  'src/targets/request-guard.ts',
  'src/targets/mock-cloud/connection.ts',
  'src/targets/mock-cloud/mock-connections.ts',
  'src/targets/proxy/box-connection.ts',
  'src/targets/proxy/box-connections.ts',
  'src/targets/proxy/capture-thread.ts',
  'src/targets/proxy/upstream.ts',
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
    // Logic that decides is pure (STYLE.md "A layout that shows the pipeline"): an allow-list.
    // Only files named for I/O, and the few socket/stream edges listed in IO_EDGES, may do I/O.
    files: ['src/**/*.ts'],
    ignores: [
      'src/cli/**',
      'src/**/db.ts',
      'src/**/server.ts',
      'src/**/client.ts',
      'src/**/files.ts',
      'src/**/run-*.ts',
      ...IO_EDGES,
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: IO_MODULES.map((name) => ({
            name,
            message:
              'pure module: keep I/O at the edges (db.ts, server.ts, client.ts, files.ts, run-*.ts, cli/**; see IO_EDGES)',
          })),
        },
      ],
    },
  },
)
