/**
 * "To fix, run: …" (pure): for a missing or failing criterion, the oigctl command(s) that would
 * produce or repair its evidence, built from what the evidence itself names (its captures, its
 * compared sessions, its folder). Paths come from evidence files, so they are quoted for a shell
 * when shown; nothing here runs them.
 */
import type { Criterion, EvidenceKind } from './checklist-schema.js'
import type { GateEvidence } from './evidence.js'

/** A word as a POSIX shell reads it back: bare when safe, else single-quoted. */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`
}

const SOAK_ALL = 'stable outage intermittent flapping slow'

/** `--db` options of the captures the evidence names (extract-result, else the contract inputs). */
function dbOptions(e: GateEvidence): string {
  const x = e.files['extract-result']
  const fromExtract = x.ok ? x.doc.sources.map((s) => s.path) : []
  const c = e.files.contract
  const fromContract = c.ok
    ? c.doc.inputs.filter((i) => i.format === 'sqlite').map((i) => i.file)
    : []
  const dbs = fromExtract.length ? fromExtract : fromContract
  return (dbs.length ? dbs : ['/share/oig-proxy/payloads.db'])
    .map((d) => `--db ${shellWord(d)}`)
    .join(' ')
}

/** The compared sessions' files, else the extracted fixtures with BOX frames, else a placeholder. */
function sessionOptions(e: GateEvidence): string {
  const c = e.files.compare
  const x = e.files['extract-result']
  const compared = c.ok ? c.doc.sessions.map((s) => s.file) : []
  const extracted = x.ok
    ? x.doc.sessions.flatMap((s) =>
        s.fixture !== null && s.classes.some((k) => k.startsWith('box.'))
          ? [`${e.dir.replace(/\/+$/, '')}/${s.fixture}`]
          : [],
      )
    : []
  const files = [...new Set(compared.length ? compared : extracted)]
  return files.length
    ? files.map((f) => `--session ${shellWord(f)}`).join(' ')
    : `--session ${shellWord(`${e.dir}/sessions`)}/CAPTURE.sessions.json (a pack: all its sessions)`
}

/** A real session fixture to soak with (the compared session with the most rows). */
function soakSession(e: GateEvidence): string {
  const c = e.files.compare
  const best = c.ok ? [...c.doc.sessions].sort((a, b) => b.rows.length - a.rows.length)[0] : null
  return best ? shellWord(best.file) : `${shellWord(`${e.dir}/sessions`)}/CAPTURE.sessions.json`
}

/** The command that writes the evidence file of `kind` into the folder. */
export function producerOf(kind: EvidenceKind, e: GateEvidence): string {
  const dir = shellWord(e.dir)
  const contract = shellWord(e.files.contract.file)
  switch (kind) {
    case 'contract':
      return `oigctl contract derive ${dbOptions(e)} --out ${contract}`
    case 'contract-validation':
      return `oigctl contract validate --contract ${contract} ${dbOptions(e)} --strict --out ${shellWord(`${e.dir}/contract-validation.json`)}`
    case 'compare':
      return `oigctl compare ${sessionOptions(e)} --targets online,mock,offline,hybrid,legacy --max-speed --contract ${contract} --out ${dir}`
    case 'soak':
      return `for s in ${SOAK_ALL}; do oigctl soak --scenario "$s" --session ${soakSession(e)} --contract ${contract} --out ${dir}; done`
    case 'extract-result':
      return `oigctl extract ${dbOptions(e)} --out ${dir}`
    case 'rollback-rehearsal':
      return `oigctl gate --evidence ${dir} --contract ${contract} --rehearse-rollback`
  }
}

/**
 * The commands for a criterion that did not pass: `specific` (from its condition) when given,
 * else the producers of the files it could not use, else what repairs its condition.
 */
export function fixFor(
  c: Criterion,
  e: GateEvidence,
  badKinds: readonly EvidenceKind[],
  specific: readonly string[],
): string[] {
  if (badKinds.length) return [...new Set(badKinds.map((k) => producerOf(k, e)))]
  if (specific.length) return [...specific]
  const dir = shellWord(e.dir)
  switch (c.condition.type) {
    case 'validation-clean':
      return [producerOf('contract-validation', e)]
    case 'compare-no-critical':
    case 'handshake-passed':
      return [producerOf('compare', e)]
    case 'coverage':
      return [producerOf('compare', e)]
    case 'soak-all-pass':
      return [producerOf('soak', e)]
    case 'rehearsal-passed':
      return [producerOf('rollback-rehearsal', e)]
    case 'same-contract-and-captures':
    case 'fresh':
      return [`oigctl pipeline ${dbOptions(e)} --out ${dir}`]
    case 'real-captures':
      return [
        `oigctl pipeline --db /share/oig-proxy/payloads.db --out ${dir} (a real add-on capture, not oigctl simulate data)`,
      ]
    case 'extract-clean':
      return [`oigctl extract ${dbOptions(e)} --out ${dir}  # then read its findings`]
  }
}
