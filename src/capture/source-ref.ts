/** What a fixture or contract records about a capture input (pure). */

export interface SourceRef {
  readonly file: string
  readonly sha256: string
  readonly format: 'sqlite' | 'session-export'
  readonly synthetic: boolean
}

/** Label of a source in session ids: its file name without the usual extension. */
export function sourceLabel(file: string): string {
  return file.replace(/\.(db|sqlite3?|json)$/i, '')
}
