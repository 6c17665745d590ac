import { describe, expect, it } from 'vitest'
import type { CompareReport } from '../../src/compare/report-schema.js'
import { isCriticalMismatch, isFailing, summarise, verdictOf } from '../../src/compare/verdict.js'

type Row = CompareReport['sessions'][number]['rows'][number]
type Cell = Row['cells'][string]

const cell = (verdict: Cell['verdict'], classMatch: boolean, cls = 'cloud.ack'): Cell =>
  ({ verdict, classMatch, class: cls }) as Cell

/** A hand-built row: only the fields the verdict reads. */
const row = (critical: boolean, cells: Record<string, Cell>, requestClass = 'box.data'): Row =>
  ({ critical, requestClass, cells }) as unknown as Row

describe('compare verdicts', () => {
  it.each([
    ['a wrong class at a critical row', true, cell('MISMATCH', false), true],
    ['a latency miss with the right class (strict timing)', false, cell('MISMATCH', true), true],
    ['a wrong class at a non-critical row', false, cell('MISMATCH', false), false],
    ['a warning at a critical row', true, cell('WARN', true), false],
  ])('%s is critical: %s', (_what, critical, c, expected) => {
    expect(isCriticalMismatch({ critical }, c)).toBe(expected)
  })

  it('fails every mismatch under --fail-on any, only critical ones under --fail-on critical', () => {
    const nonCritical = cell('MISMATCH', false)
    expect(isFailing('any', { critical: false }, nonCritical)).toBe(true)
    expect(isFailing('critical', { critical: false }, nonCritical)).toBe(false)
    expect(isFailing('critical', { critical: true }, nonCritical)).toBe(true)
  })

  it('says FAIL, DIFFERS or PASS from the counts', () => {
    expect(verdictOf({ failing: 1, mismatches: 1, warnings: 0 })).toBe('FAIL')
    expect(verdictOf({ failing: 0, mismatches: 1, warnings: 0 })).toBe('DIFFERS')
    expect(verdictOf({ failing: 0, mismatches: 0, warnings: 2 })).toBe('DIFFERS')
    expect(verdictOf({ failing: 0, mismatches: 0, warnings: 0 })).toBe('PASS')
  })

  it('sums one target over every session and counts its setting handshake rows', () => {
    const sessions = [
      {
        rows: [
          row(true, { online: cell('PASS', true, 'cloud.setting'), legacy: cell('PASS', true) }),
          row(false, { online: cell('PASS', true), legacy: cell('MISMATCH', false) }),
        ],
      },
      { rows: [row(false, { online: cell('PASS', true), legacy: cell('WARN', true) })] },
    ]
    expect(summarise('legacy', sessions, 'critical')).toEqual({
      rows: 3,
      pass: 1,
      warnings: 1,
      mismatches: 1,
      criticalMismatches: 0,
      handshakes: { expected: 1, passed: 1 },
      verdict: 'DIFFERS',
    })
    expect(summarise('legacy', sessions, 'any').verdict).toBe('FAIL')
  })
})
