/** HTML building blocks for the report: escaping and anchors (pure). */

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

/** Escapes text for HTML element content and quoted attribute values. */
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c)
}

/** A stable fragment id from free text: lower-case letters, digits and dashes only. */
export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
}

/** The anchor of the sequence diagram of one compared session against one target. */
export function diagramId(sessionId: string, target: string): string {
  return `diagram-${slug(sessionId)}--${slug(target)}`
}

/** Milliseconds for display, whole above 10 ms. */
export function ms(value: number | null | undefined): string {
  if (value === null || value === undefined) return '–'
  return value >= 10 ? `${Math.round(value)} ms` : `${Number(value.toFixed(1))} ms`
}

/** A link to an evidence file, relative to the report (`base` is the evidence folder seen from it). */
export function evidenceHref(base: string, file: string): string {
  const rel = file.replace(/\\/g, '/')
  return `${base}/${rel}`.split('/').map(encodeURIComponent).join('/')
}
