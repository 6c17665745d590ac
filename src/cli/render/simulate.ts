/** Human rendering of a simulate result. */
import type { ChalkInstance } from 'chalk'
import type { SimulateDoc } from '../../simulate/synthetic-db.js'

export function renderSimulate(r: SimulateDoc, c: ChalkInstance): string {
  const classes = Object.entries(r.classCounts)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ')
  return [
    `${c.bold('oigctl simulate')} ${c.yellow('[SYNTHETIC DATA]')}`,
    `  wrote ${r.path}: ${r.rows} rows, ${r.sessions} sessions, ${r.settingHandshakes} setting handshakes (seed ${r.seed})`,
    `  time span ${r.from} … ${r.to}`,
    `  classes: ${classes}`,
  ].join('\n')
}
