/** `-` as a file option: one JSON document read from standard input, for one option at most. */
import { OigError } from '../errors.js'
import { readStdin, useStdinDocument } from '../evidence/read-document.js'

/**
 * Reads standard input when one of `files` (option name → value) is `-`, so that every reader
 * of that option gets its text. Two `-` is a usage error (stdin holds one document), and so is
 * `-` for one of `folders`.
 */
export async function stdinForOptions(
  command: string,
  files: Readonly<Record<string, string | null | undefined>>,
  folders: Readonly<Record<string, string | null | undefined>> = {},
  stdin: NodeJS.ReadableStream & { isTTY?: boolean } = process.stdin,
): Promise<void> {
  const names = Object.keys(files)
  for (const [name, value] of Object.entries(folders))
    if (value === '-')
      throw new OigError(
        'USAGE',
        `Failed to run ${command}: ${name} is a folder; - (standard input) is for ${names.slice(0, -1).join(', ')} or ${names.at(-1)}.`,
        { hint: `Pass ${name} DIR.` },
      )
  const dashes = names.filter((n) => files[n] === '-')
  if (dashes.length > 1)
    throw new OigError(
      'USAGE',
      `Failed to run ${command}: ${dashes.join(' and ')} are both - (standard input); it holds one document.`,
      { hint: 'Give all but one of them as a file.' },
    )
  const [dash] = dashes
  if (dash)
    useStdinDocument(
      await readStdin(stdin, `Pipe the document in, e.g. cat FILE | oigctl ${command} ${dash} -`),
    )
}
