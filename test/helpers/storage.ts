/**
 * Storage that fails the way a user's can: a read-only or full file system (a tmpfs mounted for
 * the test, which needs root) and a folder the CLI may not write to (as another user when root).
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { onTestFinished } from 'vitest'

export const IS_ROOT = process.getuid?.() === 0

/** Mounts a tmpfs on a new folder `dir` (unmounted when the test ends); false if it cannot. */
function mountTmpfs(dir: string, options: string): boolean {
  mkdirSync(dir, { recursive: true })
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { encoding: 'utf8' })
  if (r.status !== 0) return false
  onTestFinished(() => {
    spawnSync('umount', ['-l', dir])
  })
  return true
}

/** Whether this machine lets the tests mount a tmpfs (root with CAP_SYS_ADMIN). */
export function canMount(probeDir: string): boolean {
  return IS_ROOT && mountTmpfs(probeDir, 'size=64k')
}

/** A read-only file system at `dir`. */
export function readOnlyFs(dir: string): void {
  if (!mountTmpfs(dir, 'ro,size=64k')) throw new Error(`cannot mount a read-only tmpfs on ${dir}`)
}

/** A file system of `sizeKb` at `dir`; `fill` leaves no free block at all. */
export function smallFs(dir: string, sizeKb: number, fill = false): void {
  if (!mountTmpfs(dir, `size=${sizeKb}k`)) throw new Error(`cannot mount a tmpfs on ${dir}`)
  if (!fill) return
  try {
    writeFileSync(join(dir, 'filler'), Buffer.alloc(sizeKb * 1024 * 2))
  } catch {
    // ENOSPC: the disk is now full, as intended.
  }
}
