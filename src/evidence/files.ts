/**
 * Atomic file output: write to a temp file next to the target, then rename. Output paths are
 * checked (and missing folders made) before any work; OS errors become plain reasons.
 */
import fs from 'node:fs'
import path from 'node:path'
import { OigError } from '../errors.js'
import { isFixtureFileName } from './fixture-files.js'
import { fsHint, fsReason } from './fs-reason.js'
import { batchChunks, formatJson, formatJsonChunks } from './json-format.js'
import { registerCleanup } from './interrupt-cleanup.js'
import { LineThread } from './line-thread.js'
import {
  noteCreatedDir,
  noteOutput,
  outputRunOpen,
  STAGING_PREFIX,
  stagingName,
} from './output-run.js'

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
  const own = `${STAGING_PREFIX}${process.pid}-`
  for (const name of fs.readdirSync(dir)) {
    if (name.startsWith(STAGING_PREFIX) && !name.startsWith(own))
      fs.rmSync(path.join(dir, name), { recursive: true, force: true })
  }
}

/** A folder is replaced as a whole only when it holds nothing but files oigctl writes there. */
function assertReplaceable(target: string): void {
  if (!fs.existsSync(target)) return
  const stat = fs.statSync(target)
  const foreign = stat.isDirectory()
    ? fs.readdirSync(target).filter((n) => !isFixtureFileName(n))
    : [path.basename(target)]
  if (foreign.length > 0) {
    throw new OigError(
      'OUTPUT_NOT_OURS',
      `Failed to replace ${target}: it holds files oigctl did not write (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', …' : ''}).`,
      { hint: 'Choose another --out folder, or move those files away.' },
    )
  }
}

function writeFailed(target: string, error: unknown): OigError {
  return new OigError('OUTPUT_WRITE_FAILED', `Failed to write ${target}: ${fsReason(error)}.`, {
    hint: fsHint(error),
    cause: error,
  })
}

/**
 * Files written to temp files next to their targets (any folders; the rename into place stays in
 * one file system), then renamed into place together by `place()`; `discard()` removes the temps.
 */
class BesideTargets {
  private readonly files: Array<{ readonly tmp: string; readonly target: string }> = []

  write(target: string, text: string): void {
    const tmp = path.join(path.dirname(target), stagingName(path.basename(target).slice(0, 40)))
    this.files.push({ tmp, target })
    try {
      fs.writeFileSync(tmp, text)
    } catch (error) {
      throw writeFailed(target, error)
    }
  }

  place(): string[] {
    return this.files.map(({ tmp, target }) => {
      try {
        noteOutput(target)
        fs.renameSync(tmp, target)
      } catch (error) {
        throw writeFailed(target, error)
      }
      return target
    })
  }

  discard(): void {
    for (const { tmp } of this.files) fs.rmSync(tmp, { force: true })
  }
}

/**
 * Writes several text files (in any folders) all together: every one is written to a temp file
 * next to its target before the first is renamed into place, so none is replaced when one cannot
 * be written; returns the targets, in order.
 */
export function writeFilesTogether(
  files: ReadonlyArray<readonly [target: string, text: string]>,
): string[] {
  const temps = new BesideTargets()
  try {
    for (const [target, text] of files) temps.write(target, text)
    return temps.place()
  } finally {
    temps.discard()
  }
}

/** Writes text to `target` atomically (temp file + rename); never leaves a partial target. */
export function writeFileAtomic(target: string, text: string): void {
  writeFilesTogether([[target, text]])
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

function unusable(label: string, reason: string, hint: string, cause?: unknown): OigError {
  return new OigError('OUTPUT_NOT_WRITABLE', `Failed to use ${label}: ${reason}.`, {
    hint,
    ...(cause === undefined ? {} : { cause }),
  })
}

/** Creates a file in `dir`, writes a byte and removes it: the one sure test that output can go there. */
function probeWrite(dir: string): void {
  const probe = path.join(dir, stagingName('probe'))
  try {
    const fd = fs.openSync(probe, 'wx')
    try {
      fs.writeSync(fd, '.')
    } finally {
      fs.closeSync(fd)
    }
  } finally {
    fs.rmSync(probe, { force: true })
  }
  if (fs.statfsSync(dir).bavail === 0)
    throw Object.assign(new Error('no space'), { code: 'ENOSPC' })
}

/**
 * Makes sure an output folder exists and can be written to, creating what is missing one folder
 * at a time (a folder the run created is removed again if it fails). Throws OigError with a plain
 * reason — read-only, disk full, not a folder, no permission, cannot be created — never loops.
 */
export function ensureWritableDir(dir: string, label = `output folder ${dir}`): void {
  const target = path.resolve(dir)
  let existing = target
  const missing: string[] = []
  while (!fs.existsSync(existing)) {
    missing.unshift(existing)
    const parent = path.dirname(existing)
    if (parent === existing) break
    existing = parent
  }
  const stat = fs.statSync(existing, { throwIfNoEntry: false })
  if (stat && !stat.isDirectory()) {
    const reason = `${existing} is a file, not a folder`
    throw unusable(label, reason, 'Choose a folder path (or a new name) for the output.')
  }
  try {
    for (const d of missing) {
      fs.mkdirSync(d)
      if (d === missing[0]) noteCreatedDir(d)
    }
    probeWrite(target)
  } catch (error) {
    if (missing[0] && !outputRunOpen()) fs.rmSync(missing[0], { recursive: true, force: true })
    const reason = fsReason(error)
    const why =
      reason === 'cannot be created' && missing.length ? `${missing[0]} cannot be created` : reason
    throw unusable(label, why, fsHint(error), error)
  }
}

/** Checks that an existing folder (one the command writes into but must not create) is writable. */
export function checkExistingDirWritable(dir: string, option: string): void {
  if (fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory())
    ensureWritableDir(dir, `${option} ${dir}`)
}

/**
 * Checks an output file before any work: its folder is made and tested as `ensureWritableDir`
 * does, and the file itself must not be a folder.
 */
export function checkOutputFile(file: string, option: string): void {
  ensureWritableDir(path.dirname(path.resolve(file)), `${option} ${file}`)
  const stat = fs.statSync(file, { throwIfNoEntry: false })
  if (stat?.isDirectory())
    throw unusable(
      `${option} ${file}`,
      'it is a folder, not a file',
      `Pass ${option} with a file name.`,
    )
}

/**
 * A staged file written piece by piece (StagedOutput.openLines), in chunks of 1 MiB that a worker
 * thread hashes and writes (line-thread.ts); `size` is the byte offset of the next piece. The
 * sha256 of each line (startLine … endLine, over its UTF-8 bytes) comes from close(), in order.
 */
export class StagedLineFile {
  private fd: number | null
  private readonly thread: LineThread
  private buf: Buffer
  private used = 0
  /** Line starts and ends in the chunk being filled (see LineThread.send). */
  private marks: number[] = []
  private lines = 0
  private hashes: string[] | null = null
  size = 0

  constructor(
    private readonly target: string,
    staged: string,
  ) {
    try {
      this.fd = fs.openSync(staged, 'w')
    } catch (error) {
      throw writeFailed(target, error)
    }
    // Never throws: where no worker thread starts, it writes on this thread.
    this.thread = new LineThread(this.fd)
    this.buf = this.thread.buffer()
  }

  /** Appends text (UTF-8); returns its length in bytes. */
  append(text: string): number {
    // A UTF-16 code unit takes at most 3 bytes in UTF-8.
    if (text.length * 3 > this.buf.length - this.used) this.flush()
    let n: number
    if (text.length * 3 > this.buf.length) {
      const bytes = Buffer.from(text)
      // Read before send(): the buffer is moved to the writer thread (and is empty here after).
      n = bytes.length
      this.send(bytes, n, [])
    } else {
      n = this.buf.write(text, this.used)
      this.used += n
    }
    this.size += n
    return n
  }

  /** Starts a line: what is appended up to endLine() is hashed. */
  startLine(): void {
    this.marks.push(this.used, 1)
  }

  /** Ends the line; returns its number (its sha256 is that entry of close()'s list). */
  endLine(): number {
    this.marks.push(this.used, 0)
    return this.lines++
  }

  private send(bytes: Buffer, length: number, marks: readonly number[]): void {
    if (this.fd === null) throw writeFailed(this.target, new Error('file is closed'))
    try {
      this.thread.send(bytes, length, marks)
    } catch (error) {
      throw writeFailed(this.target, error)
    }
  }

  private flush(): void {
    if (this.used === 0 && this.marks.length === 0) return
    this.send(this.buf, this.used, this.marks)
    this.buf = this.thread.buffer()
    this.used = 0
    this.marks = []
  }

  /**
   * Writes what is left, waits until all is on disk and closes the file; returns the sha256 (hex)
   * of each line in order (again: the same list).
   */
  close(): string[] {
    if (this.hashes !== null) return this.hashes
    if (this.fd === null) throw writeFailed(this.target, new Error('file is closed'))
    try {
      this.flush()
      this.hashes = this.thread.finish()
    } catch (error) {
      throw error instanceof OigError ? error : writeFailed(this.target, error)
    } finally {
      this.release()
    }
    return this.hashes
  }

  /** Closes the file, written or not (abort). */
  discard(): void {
    this.release()
  }

  /**
   * Ends the writer thread and closes the file once the thread has let go of it; a thread that
   * does not (stuck in a write) keeps its descriptor, never one that is closed and reused.
   */
  private release(): void {
    const free = this.thread.stop()
    if (this.fd === null) return
    if (free) fs.closeSync(this.fd)
    this.fd = null
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
  private readonly lineFiles: StagedLineFile[] = []
  /** Files outside the staging folder (e.g. a --junit file elsewhere), placed by the same commit. */
  private readonly beside = new BesideTargets()
  private readonly madeDirs = new Set<string>()
  /** The outermost folder this output created (removed again on abort), if any. */
  private readonly createdDir: string | null
  private readonly unregister: () => void

  constructor(dir: string) {
    this.createdDir = firstMissingDir(dir)
    ensureWritableDir(dir)
    this.dir = dir
    removeStaleStaging(dir)
    this.staging = path.join(dir, stagingName('stage'))
    fs.mkdirSync(this.staging)
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
    const target = path.join(this.dir, relative)
    try {
      writeChunksSync(this.stagedPath(relative), formatJsonChunks(value))
    } catch (error) {
      throw writeFailed(target, error)
    }
    return target
  }

  /** Stages a file at `relative` that is written piece by piece; commit() closes it. */
  openLines(relative: string): StagedLineFile {
    const file = new StagedLineFile(path.join(this.dir, relative), this.stagedPath(relative))
    this.lineFiles.push(file)
    return file
  }

  /** Stages a text file at any path, inside the folder or not; returns `target`. */
  writeFileAt(target: string, text: string): string {
    this.beside.write(target, text)
    return target
  }

  /**
   * Moves every staged file into place and removes the staging folder. Folders named in
   * `replaceDirs` are swapped as a whole, so no stale file of an earlier run stays beside new ones.
   */
  commit(replaceDirs: readonly string[] = []): string[] {
    const written: string[] = []
    try {
      for (const f of this.lineFiles) f.close()
      for (const dir of replaceDirs) assertReplaceable(path.join(this.dir, dir))
      for (const dir of replaceDirs) {
        const target = path.join(this.dir, dir)
        const staged = path.join(this.staging, dir)
        // The old folder is kept aside until the whole command run commits (output-run.ts).
        const aside = fs.existsSync(target) ? path.join(this.dir, stagingName('old')) : undefined
        if (aside) fs.renameSync(target, aside)
        noteOutput(target, aside)
        if (fs.existsSync(staged)) fs.renameSync(staged, target)
        else fs.mkdirSync(target, { recursive: true })
      }
      for (const relative of this.staged) {
        const target = path.join(this.dir, relative)
        if (!replaceDirs.some((d) => relative.startsWith(`${d}/`))) {
          const missing = firstMissingDir(path.dirname(target))
          fs.mkdirSync(path.dirname(target), { recursive: true })
          if (missing) noteCreatedDir(missing)
          noteOutput(target)
          fs.renameSync(path.join(this.staging, relative), target)
        }
        written.push(target)
      }
      written.push(...this.beside.place())
    } catch (error) {
      if (error instanceof OigError) throw error
      throw writeFailed(this.dir, error)
    } finally {
      fs.rmSync(this.staging, { recursive: true, force: true })
      this.beside.discard()
      this.unregister()
    }
    return written
  }

  /** Discards everything staged, and the output folder itself when this run created it. */
  abort(): void {
    for (const f of this.lineFiles) {
      try {
        f.discard()
      } catch {
        // Discarded anyway.
      }
    }
    fs.rmSync(this.staging, { recursive: true, force: true })
    this.beside.discard()
    if (this.createdDir) fs.rmSync(this.createdDir, { recursive: true, force: true })
    this.unregister()
  }
}

/**
 * Writes several JSON files under `dir` all together: staged, then moved into place by one
 * commit (none of them when one cannot be written, or on Ctrl-C); returns their final paths.
 */
export function writeJsonFilesTogether(
  dir: string,
  files: ReadonlyArray<readonly [relative: string, value: unknown]>,
): string[] {
  const output = new StagedOutput(dir)
  try {
    for (const [relative, value] of files) output.writeJson(relative, value)
    return output.commit()
  } catch (error) {
    output.abort()
    throw error
  }
}
