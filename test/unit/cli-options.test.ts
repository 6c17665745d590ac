import { describe, expect, it } from 'vitest'
import {
  formatDuration,
  OptionValueError,
  parseDuration,
  parseNumber,
} from '../../src/cli/options.js'

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['1.5s', 1500],
    ['10m', 600_000],
    ['1h', 3_600_000],
    ['7d', 604_800_000],
    ['0', 0],
    ['0s', 0],
  ])('%s is %d ms', (text, ms) => expect(parseDuration('--x', text, true)).toBe(ms))

  it.each(['600', '10 minutes', '-1s', 's', '', '1e3ms'])('refuses %j', (text) => {
    expect(() => parseDuration('--x', text, true)).toThrow(
      new OptionValueError(
        `--x must be a duration with a unit, e.g. 250ms, 30s, 10m or 1h (got ${JSON.stringify(text)})`,
      ),
    )
  })

  it('refuses 0 where it is not allowed', () => {
    expect(() => parseDuration('--x', '0s', false)).toThrow('--x must be longer than 0 (got "0s")')
  })
})

describe('formatDuration', () => {
  it.each([
    [0, '0'],
    [250, '250ms'],
    [5000, '5s'],
    [90_000, '90s'],
    [600_000, '10m'],
    [86_400_000, '1d'],
  ])('%d ms is %s', (ms, text) => expect(formatDuration(ms)).toBe(text))
})

describe('parseNumber', () => {
  it('reads numbers within their rule', () => {
    expect(parseNumber('--n', '3', { int: true, min: 1 })).toBe(3)
    expect(parseNumber('--n', '0.5', { above: 0 })).toBe(0.5)
  })

  it.each([
    ['x', {}, '--n must be a number (got "x")'],
    ['1.5', { int: true }, '--n must be a whole number (got "1.5")'],
    ['0', { above: 0 }, '--n must be a number above 0 (got "0")'],
    ['0', { min: 1 }, '--n must be a number of at least 1 (got "0")'],
    ['2000', { max: 1000 }, '--n must be a number of at most 1000 (got "2000")'],
  ])('%s under %j: %s', (text, rule, message) => {
    expect(() => parseNumber('--n', text, rule)).toThrow(message)
  })
})
