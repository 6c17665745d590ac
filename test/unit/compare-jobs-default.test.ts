import os from 'node:os'
import { describe, expect, it } from 'vitest'
import { defaultCompareJobs, WAIT_BOUND_JOBS_PER_CORE } from '../../src/compare/run-compare.js'

const cores = Math.max(1, os.availableParallelism())

describe('compare --jobs default', () => {
  it('runs 16 sessions per core when every target is built in (each session has its own)', () => {
    expect(WAIT_BOUND_JOBS_PER_CORE).toBe(16)
    expect(defaultCompareJobs(['online', 'mock', 'offline', 'hybrid', 'legacy'], null)).toBe(
      cores * 16,
    )
  })

  it('runs one session per core when the sessions share a tcp:// target or a live --online', () => {
    expect(defaultCompareJobs(['online', 'mock', 'tcp://127.0.0.1:5710'], null)).toBe(cores)
    expect(defaultCompareJobs(['online', 'mock'], 'tcp://127.0.0.1:5710')).toBe(cores)
  })
})
