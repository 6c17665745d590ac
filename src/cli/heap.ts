/** How far V8 lets the heap grow between full collections, for the scans of large captures. */
import v8 from 'node:v8'

/**
 * Lets the heap grow to twice its live size between full collections instead of V8's up to four
 * times: a scan of a multi-million-row capture keeps only tens of MB alive, yet its heap (and RSS)
 * grew to four times that. Full extract, peak RSS: 2M SYNTHETIC rows 260 → 210 MB, 4M 319 → 240
 * MB, for about 2 % more CPU. V8 reads the flag whenever it sets a heap limit, so setting it after
 * start-up applies. A value given on node's command line is left as it is.
 */
export function limitHeapGrowth(): void {
  if (process.execArgv.some((a) => a.replaceAll('_', '-').startsWith('--heap-growing-percent')))
    return
  v8.setFlagsFromString('--heap-growing-percent=100')
}
