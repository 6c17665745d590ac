/** Atomic file output: write to a temp file next to the target, then rename. */
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { OigError, reasonOf } from '../errors.js'
import { batchChunks, formatJson, formatJsonChunks } from './json-format.js'
import { registerCleanup } from './interrupt-cleanup.js'

const STAGING_PREFIX = '.oigctl-tmp-'

/** The outermost missing folder on the way to `dir` (what mkdir -p would create), or null. */
function firstMissingDir(dir: string): string | null {
  let missing: string | null = null
  let current = path.resolve(dir)
  while (!fs.existsSync(current)) {
    missing = current
    const parent = path.dirname(current)
    if (parent === current) break
    current = parent
  }
  return missing
}

/** Staging folders of earlier runs that were killed (not interrupted) are removed. */
function removeStaleStaging(dir: string): void {
  for (const name of fs.readdirSync(dir)) {
    if (name.startsWith(STAGING_PREFIX)) fs.rmSync(path.join(dir, name), { recursive: true, force: true })
  }
}

/** A folder is replaced as a whole only when it holds nothing but files oigctl writes there. */
function assertReplaceable(target: string): void {
  if (!fs.existsSync(target)) return
  const stat = fs.statSync(target)
  const foreign = stat.isDirectory() ? fs.readdirSync(target).filter((n) => !n.endsWith('.session.json')) : [path.basename(target)]
  if (foreign.length > 0) {
    throw new OigError(
      'OUTPUT_NOT_OURS',
      `Failed to replace ${target}: it holds files oigctl did not write (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', …' : ''}).`,
      { hint: 'Choose another --out folder, or move those files away.' },
    )
  }
}

function tempName(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`)
}

/** Writes text to `target` atomically (temp file + rename); never leaves a partial target. */
export function writeFileAtomic(target: string, text: string): void {
  const tmp = tempName(target)
  try {
    fs.writeFileSync(tmp, text)
    fs.renameSync(tmp, target)
  } catch (error) {
    fs.rmSync(tmp, { force: true })
    throw new OigError('OUTPUT_WRITE_FAILED', `Failed to write ${target}: ${reasonOf(error)}`, {
      hint: 'Check that the output folder exists and is writable.',
      cause: error,
    })
  }
}

/** Writes a JSON document atomically, pretty-printed with a trailing newline. */
export function writeJsonAtomic(target: string, value: unknown): void {
  writeFileAtomic(target, formatJson(value))
}

/** Writes chunks to a new file in writes of about 1 MiB (no single big string). */
function writeChunksSync(file: string, chunks: Iterable<string>): void {
  const fd = fs.openSync(file, 'w')
  try {
    for (const part of batchChunks(chunks)) fs.writeSync(fd, part)
  } finally {
    fs.closeSync(fd)
  }
}

/** Makes sure an output folder exists and is writable; throws OigError otherwise. */
export function ensureWritableDir(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true })
    fs.accessSync(dir, fs.constants.W_OK)
    if (!fs.statSync(dir).isDirectory()) throw new Error('not a directory')
  } catch (error) {
    throw new OigError('OUTPUT_NOT_WRITABLE', `Failed to use output folder ${dir}: ${reasonOf(error)}`, {
      hint: 'Pass --out with a folder you can write to.',
      cause: error,
    })
  }
}

/**
 * All-or-nothing output of several files: files are written into a hidden staging folder inside
 * the output folder and moved into place by `commit()`; `abort()` removes everything staged.
 */
export class StagedOutput {
  readonly dir: string
  private readonly staging: string
  private readonly staged: string[] = []
  private readonly madeDirs = new Set<string>()
  /** The outermost folder this output created (removed again on abort), if any. */
  private readonly createdDir: string | null
  private readonly unregister: () => void

  constructor(dir: string) {
    this.createdDir = firstMissingDir(dir)
    ensureWritableDir(dir)
    this.dir = dir
    removeStaleStaging(dir)
    this.staging = fs.mkdtempSync(path.join(dir, STAGING_PREFIX))
    this.unregister = registerCleanup(() => this.abort())
  }

  private stagedPath(relative: string): string {
    const staged = path.join(this.staging, relative)
    const dir = path.dirname(staged)
    if (!this.madeDirs.has(dir)) {
      fs.mkdirSync(dir, { recursive: true })
      this.madeDirs.add(dir)
    }
    this.staged.push(relative)
    return staged
  }

  /** Stages a JSON file at `relative` (sub-folders allowed); returns its final path. */
  writeJson(relative: string, value: unknown): string {
    writeChunksSync(this.stagedPath(relative), formatJsonChunks(value))
    return path.join(this.dir, relative)
  }

  /**
   * Moves every staged file into place and removes the staging folder. Folders named in
   * `replaceDirs` are swapped as a whole, so no stale file of an earlier run stays beside new ones.
   */
  commit(replaceDirs: readonly string[] = []): string[] {
    const written: string[] = []
    try {
      for (const dir of replaceDirs) assertReplaceable(path.join(this.dir, dir))
      for (const dir of replaceDirs) {
        const target = path.join(this.dir, dir)
        const staged = path.join(this.staging, dir)
        if (fs.existsSync(target)) fs.renameSync(target, path.join(this.staging, `.old-${path.basename(dir)}`))
        if (fs.existsSync(staged)) fs.renameSync(staged, target)
        else fs.mkdirSync(target, { recursive: true })
      }
      for (const relative of this.staged) {
        const target = path.join(this.dir, relative)
        if (!replaceDirs.some((d) => relative.startsWith(`${d}/`))) {
          fs.mkdirSync(path.dirname(target), { recursive: true })
          fs.renameSync(path.join(this.staging, relative), target)
        }
        written.push(target)
      }
    } finally {
      fs.rmSync(this.staging, { recursive: true, force: true })
      this.unregister()
    }
    return written
  }

  /** Discards everything staged, and the output folder itself when this run created it. */
  abort(): void {
    fs.rmSync(this.staging, { recursive: true, force: true })
    if (this.createdDir) fs.rmSync(this.createdDir, { recursive: true, force: true })
    this.unregister()
  }
}
