/** The files oigctl ships with, found next to the package whatever the working directory is. */
import { fileURLToPath } from 'node:url'

/** The checked-in protocol contract: the default `--contract` of every command that needs one. */
export const SHIPPED_CONTRACT = fileURLToPath(
  new URL('../contracts/oig-cloud.contract.json', import.meta.url),
)

/** The shipped gate checklist: the default `gate --checklist`. */
export const SHIPPED_CHECKLIST = fileURLToPath(
  new URL('../contracts/gate.checklist.json', import.meta.url),
)
