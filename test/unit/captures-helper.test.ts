import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { captureDbPath, capturesDir, loadCaptureFrames } from '../helpers/captures.js'

describe('captures helper', () => {
  const saved = process.env.OIGCTL_CAPTURES
  afterEach(() => {
    if (saved === undefined) delete process.env.OIGCTL_CAPTURES
    else process.env.OIGCTL_CAPTURES = saved
  })

  it('finds all 124 real frames in the capture files (at least 120)', () => {
    const frames = loadCaptureFrames()
    expect(frames.length).toBeGreaterThanOrEqual(120)
    expect(frames).toHaveLength(124)
  })

  it('takes the side from the direction column', () => {
    const sides = new Map<string, Set<string>>()
    for (const f of loadCaptureFrames()) {
      sides.set(f.direction, (sides.get(f.direction) ?? new Set()).add(f.side))
    }
    expect(Object.fromEntries([...sides].map(([d, s]) => [d, [...s]]))).toEqual({
      box_to_proxy: ['box'],
      cloud_to_proxy: ['cloud'],
    })
  })

  it('honours OIGCTL_CAPTURES', () => {
    const real = capturesDir()
    process.env.OIGCTL_CAPTURES = real
    expect(captureDbPath('nack-wc-2026-02-01.db')).toBe(join(real, 'nack-wc-2026-02-01.db'))
  })

  it('throws a clear error instead of skipping when the captures are missing', () => {
    process.env.OIGCTL_CAPTURES = '/nonexistent/oigctl-captures'
    expect(() => capturesDir()).toThrow(
      /^Real captures not found at \/nonexistent\/oigctl-captures .*set OIGCTL_CAPTURES or place \.\.\/shared beside the checkout$/,
    )
    expect(() => loadCaptureFrames()).toThrow(/Real captures not found/)
  })

  it('throws when the directory exists but the capture files are not in it', () => {
    const empty = mkdtempSync(join(tmpdir(), 'oigctl-captures-'))
    try {
      process.env.OIGCTL_CAPTURES = empty
      expect(() => capturesDir()).toThrow(
        /Real captures not found at .*missing box-uploads-2025-12-07\.db/,
      )
    } finally {
      rmSync(empty, { recursive: true, force: true })
    }
  })

  it('throws when a requested capture file is missing', () => {
    expect(() => captureDbPath('no-such-capture.db')).toThrow(
      /Real captures not found at .*missing no-such-capture\.db/,
    )
  })
})
