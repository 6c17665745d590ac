/** What every `oigctl serve …` command shares: option pieces, the loopback guard, stop signals. */
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import { OigError } from '../errors.js'
import { isLoopbackHost } from '../targets/listen.js'

/** The shipped contract, found next to the package whatever the working directory is. */
export const DEFAULT_CONTRACT_FILE = fileURLToPath(
  new URL('../../contracts/oig-cloud.contract.json', import.meta.url),
)

export const PortSchema = z.coerce
  .number()
  .int('expected a whole port number')
  .min(0, 'expected 0 … 65535')
  .max(65535, 'expected 0 … 65535')

/**
 * Refuses to bind a non-loopback host unless `--allow-remote`: the servers accept anything a
 * peer sends and the control API queues changes for a real inverter.
 */
export function assertHostAllowed(
  host: string,
  allowRemote: boolean,
  command: string,
  option = '--host',
): void {
  if (allowRemote || isLoopbackHost(host)) return
  throw new OigError(
    'REMOTE_NOT_ALLOWED',
    `Failed to run ${command}: ${option} ${host} is not a loopback address.`,
    {
      hint: `Use 127.0.0.1, or pass --allow-remote to listen on ${host} on purpose (anyone who can reach it can talk to the server).`,
    },
  )
}

/** Resolves with the first SIGINT or SIGTERM (the handlers are removed again). */
export function waitForStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      resolve(signal)
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
}

/**
 * Runs until SIGINT/SIGTERM, then closes the server and its event log (in that order) and returns
 * how it stopped, for the `kind: "serve"` document both serve commands print.
 */
export async function serveUntilStopped(
  info: (text: string) => void,
  close: (reason: string) => Promise<void>,
  log: { close(): Promise<void> },
): Promise<{ stoppedBy: NodeJS.Signals; stoppedAt: string }> {
  const signal = await waitForStopSignal()
  info(`${signal}: shutting down`)
  await close(signal)
  await log.close()
  return { stoppedBy: signal, stoppedAt: new Date().toISOString() }
}
