import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SoakReportSchema } from '../../src/soak/report-schema.js'
import { json, oigctl } from '../helpers/cli.js'
import { tempDir } from '../helpers/make-db.js'

describe('oigctl soak (built CLI)', () => {
  it('runs a 2-minute outage at time scale 60, prints one schema-valid report and writes it', () => {
    const out = tempDir()
    const r = oigctl([
      'soak',
      '--scenario',
      'outage',
      '--duration',
      '2m',
      '--time-scale',
      '60',
      '--out',
      out,
      '--json',
    ])
    expect(r.stderr).toContain(`wrote ${join(out, 'soak', 'outage.soak.json')}`)
    expect(r.code).toBe(0)
    const report = SoakReportSchema.parse(json(r))
    expect(report).toMatchObject({
      kind: 'soak',
      scenario: 'outage',
      durationS: 120,
      timeScale: 60,
      sessions: { source: 'synthetic' },
      conservation: { lost: 0, duplicated: 0, ok: true },
      oscillations: 0,
      verdict: { pass: true, reasons: [] },
    })
    expect(report.transitions.map((t) => t.to)).toEqual(['offline', 'online'])
    expect(report.wallS).toBeLessThan(10)
    const file = join(out, 'soak', 'outage.soak.json')
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(report)
  })

  it('prints the verdict for humans and exits 1 when it fails', () => {
    const out = tempDir()
    const r = oigctl([
      'soak',
      '--scenario',
      'intermittent',
      '--duration',
      '2m',
      '--time-scale',
      '60',
      '--fail-threshold',
      '1',
      '--out',
      out,
    ])
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/^soak intermittent: FAIL/)
    expect(r.stdout).toContain('✗ expected zero global transitions below the threshold')
  })

  it.each([
    [['--scenario', 'meltdown'], /invalid --scenario: expected one of stable, outage/],
    [
      ['--scenario', 'outage', '--duration', 'soon'],
      /--duration must be a duration with a unit, e\.g\. 250ms/,
    ],
    [['--scenario', 'outage', '--time-scale', '1000'], /invalid --time-scale: the reply timeout/],
    [['--scenario', 'outage', '--duration', '1m'], /outage needs a longer duration .*: at least/],
    [['--scenario', 'flapping', '--retry-interval-s', '20'], /flapping needs a retry interval/],
  ])('exits 2 on bad options %j without writing a report', (args, message) => {
    const out = tempDir()
    const r = oigctl(['soak', ...args, '--out', out])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(message)
    expect(r.stderr).toMatch(/^Hint: /m)
    expect(r.stdout).toBe('')
    expect(existsSync(join(out, 'soak'))).toBe(false)
  })
})
