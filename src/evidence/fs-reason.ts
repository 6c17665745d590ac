/** Plain words for the OS errors a user can act on (no errno text, no internal file names). */

const REASONS: ReadonlyMap<string, string> = new Map([
  ['EROFS', 'read-only file system'],
  ['ENOSPC', 'disk full'],
  ['EDQUOT', 'disk quota exceeded'],
  ['EACCES', 'no permission'],
  ['EPERM', 'no permission'],
  ['ENOTDIR', 'not a folder'],
  ['EISDIR', 'is a folder'],
  ['EEXIST', 'already exists'],
  ['ENOENT', 'cannot be created'],
  ['ENAMETOOLONG', 'name too long'],
  ['ELOOP', 'too many symbolic links'],
  ['EMFILE', 'too many open files'],
  ['ENFILE', 'too many open files on this machine'],
  ['EIO', 'input/output error'],
  ['EBUSY', 'busy'],
  ['ETXTBSY', 'busy'],
  ['EFBIG', 'file too large for this file system'],
])

const HINTS: ReadonlyMap<string, string> = new Map([
  ['EROFS', 'Choose an output path on writable storage.'],
  ['ENOSPC', 'Free some space, or choose an output path on another disk.'],
  ['EDQUOT', 'Free some space, or choose an output path on another disk.'],
  ['EACCES', 'Choose an output path you may write to.'],
  ['EPERM', 'Choose an output path you may write to.'],
])

/** The errno code of a Node.js system error, or null for anything else. */
export function fsErrorCode(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && REASONS.has(code) ? code : null
}

/** A short reason for an OS error (`disk full`, `read-only file system`, …), else its message. */
export function fsReason(error: unknown): string {
  const code = fsErrorCode(error)
  if (code !== null) return REASONS.get(code)!
  return error instanceof Error ? error.message : String(error)
}

/** What the user can do about an OS error while writing output. */
export function fsHint(error: unknown): string {
  return (
    HINTS.get(fsErrorCode(error) ?? '') ?? 'Check the output path (it must be a writable folder).'
  )
}
