/**
 * Issue 14 item 2: `-` reads gate's one JSON document input from standard input (--checklist,
 * --contract or --session); two `-` (or `--evidence -`, a folder) is exit 2. Built CLI.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { GateDecisionSchema } from '../../src/gate/gate-schema.js'
import { BIN, REPO_ROOT, type CliResult } from '../helpers/cli.js'
import { completeSet, writeEvidence } from '../helpers/gate-evidence.js'
import { tempDir } from '../helpers/make-db.js'

const CHECKLIST = join(REPO_ROOT, 'contracts', 'gate.checklist.json')

/** oigctl with `input` piped to its standard input. */
function piped(args: readonly string[], input: string): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, NO_COLOR: '1' },
    input,
    encoding: 'utf8',
  })
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }
}

describe('gate reads - from standard input (issue 14 item 2)', () => {
  it('--checklist - decides as the same checklist from a file does', () => {
    const dir = tempDir()
    writeEvidence(dir, completeSet(new Date().toISOString()))
    const r = piped(['gate', '--evidence', dir, '--checklist', '-', '--json'], readFileSync(CHECKLIST, 'utf8'))
    expect(r.stderr).not.toMatch(/Failed/)
    expect(r.code).toBe(0)
    const d = GateDecisionSchema.parse(JSON.parse(r.stdout))
    expect(d.decision).toBe('REMOVE')
    expect(d.checklist.file).toBe('-')
    // What stdin holds is the checklist read (and named -): one without a mandatory criterion is refused.
    const weak = JSON.parse(readFileSync(CHECKLIST, 'utf8')) as { criteria: Array<{ id: string }> }
    weak.criteria = weak.criteria.filter((k) => k.id !== 'coverage')
    const w = piped(['gate', '--evidence', dir, '--checklist', '-'], JSON.stringify(weak))
    expect(w.code).toBe(2)
    expect(w.stderr).toMatch(/^Failed to use checklist -: .*\n {2}missing mandatory criterion "coverage"/m)
  }) // prettier-ignore

  it('--contract - reads the contract the evidence refers to from stdin', () => {
    const dir = tempDir()
    writeEvidence(dir, completeSet(new Date().toISOString()))
    const contract = readFileSync(join(dir, 'contract.json'), 'utf8')
    const r = piped(['gate', '--evidence', dir, '--contract', '-', '--json'], contract)
    expect(r.code).toBe(0)
    expect(GateDecisionSchema.parse(JSON.parse(r.stdout)).decision).toBe('REMOVE')
    // Not JSON on stdin: the contract is unreadable evidence, named as -.
    const bad = piped(['gate', '--evidence', dir, '--contract', '-'], 'not json')
    expect(bad.code).toBe(1)
    expect(bad.stdout).toMatch(/ - \(not-json\) .* -: not JSON: /)
  }) // prettier-ignore

  it('two - is exit 2 (stdin holds one document), and so is --evidence - (a folder)', () => {
    const dir = tempDir()
    const two = piped(['gate', '--evidence', dir, '--checklist', '-', '--contract', '-', '--json'], '{}')
    expect(two.code).toBe(2)
    expect(JSON.parse(two.stdout)).toMatchObject({ kind: 'error', code: 'USAGE' })
    expect(two.stderr).toMatch(/^Failed to run gate: --checklist and --contract are both - \(standard input\); it holds one document\.$/m)
    expect(two.stderr).toMatch(/^Hint: /m)
    const folder = piped(['gate', '--evidence', '-'], '{}')
    expect(folder.code).toBe(2)
    expect(folder.stderr).toMatch(/^Failed to run gate: --evidence is a folder; - \(standard input\) is for --checklist, --contract or --session\.$/m)
  }) // prettier-ignore
})
