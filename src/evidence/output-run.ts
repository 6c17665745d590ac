/**
 * All-or-nothing output of one command run. Every file and folder a run writes is noted here
 * first: what did not exist is removed again, and what it replaced is put back, when the run
 * fails or is interrupted — so a failed or stopped command leaves neither a result document nor
 * an output folder it created. main begins a run around each command and commits it on success.
 */
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { registerCleanup } from './interrupt-cleanup.js'

/** Prefix of every hidden file or folder oigctl stages next to its output. */
export const STAGING_PREFIX = '.oigctl-tmp-'

/** A staging name of this process (`.oigctl-tmp-<pid>-<tag>-<random>`): never taken for stale. */
export function stagingName(tag: string): string {
  return `${STAGING_PREFIX}${process.pid}-${tag}-${randomBytes(4).toString('hex')}`
}

type Entry =
  | { readonly kind: 'created'; readonly target: string }
  | { readonly kind: 'replaced'; readonly target: string; readonly backup: string }

interface Run {
  readonly entries: Entry[]
  readonly noted: Set<string>
  readonly unregister: () => void
}

let current: Run | null = null

function removeQuietly(p: string): void {
  try {
    fs.rmSync(p, { recursive: true, force: true })
  } catch {
    // best effort
  }
}

/** Starts recording the outputs of a command run (nested calls join the open run). */
export function beginOutputRun(): void {
  if (current) return
  current = { entries: [], noted: new Set(), unregister: registerCleanup(rollbackOutputRun) }
}

/** Keeps everything the run wrote and drops the copies of what it replaced. */
export function commitOutputRun(): void {
  const run = current
  current = null
  if (!run) return
  run.unregister()
  for (const e of run.entries) if (e.kind === 'replaced') removeQuietly(e.backup)
}

/** Removes what the run created and puts back what it replaced, newest first. */
export function rollbackOutputRun(): void {
  const run = current
  current = null
  if (!run) return
  run.unregister()
  for (const e of [...run.entries].reverse()) {
    removeQuietly(e.target)
    if (e.kind === 'replaced') {
      try {
        fs.renameSync(e.backup, e.target)
      } catch {
        removeQuietly(e.backup)
      }
    }
  }
}

/** Notes a folder the run created (the outermost one of a mkdir -p). */
export function noteCreatedDir(dir: string): void {
  const target = path.resolve(dir)
  if (!current || current.noted.has(target)) return
  current.noted.add(target)
  current.entries.push({ kind: 'created', target })
}

/**
 * Notes that `target` (a file, or a folder swapped as a whole) is about to be written. An existing
 * one is kept aside — a hard link for a file, or `backup` when the caller already moved it —
 * until the run commits. Call it right before the rename that puts the new one in place.
 */
export function noteOutput(target: string, movedAsideTo?: string): void {
  const abs = path.resolve(target)
  if (!current || current.noted.has(abs)) {
    if (movedAsideTo) removeQuietly(movedAsideTo)
    return
  }
  current.noted.add(abs)
  if (movedAsideTo) {
    current.entries.push({ kind: 'replaced', target: abs, backup: movedAsideTo })
    return
  }
  if (!fs.existsSync(abs)) {
    current.entries.push({ kind: 'created', target: abs })
    return
  }
  const backup = path.join(path.dirname(abs), stagingName('old'))
  try {
    fs.linkSync(abs, backup)
  } catch {
    fs.copyFileSync(abs, backup)
  }
  current.entries.push({ kind: 'replaced', target: abs, backup })
}

/** True while a run records its outputs (a replaced folder is then kept aside, not deleted). */
export function outputRunOpen(): boolean {
  return current !== null
}
