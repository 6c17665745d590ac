/** CRC-16/MODBUS (poly 0xA001 reflected, init 0xFFFF, no final xor), PROTOCOL.md §1. */

const TABLE: Uint16Array = (() => {
  const table = new Uint16Array(256)
  for (let i = 0; i < 256; i++) {
    let c = i
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1
    table[i] = c
  }
  return table
})()

/**
 * Two bytes a step ("slicing by 2"): the CRC is 16 bits, so xor-ing two bytes into it and looking
 * both up replaces two dependent table steps. TABLE2[i] is TABLE[i] advanced by one zero byte
 * (the table is linear over xor). About twice as fast per frame in V8.
 */
const TABLE2: Uint16Array = (() => {
  const table = new Uint16Array(256)
  for (let i = 0; i < 256; i++) table[i] = (TABLE[i]! >>> 8) ^ TABLE[TABLE[i]! & 0xff]!
  return table
})()

/**
 * CRC over `[start, end)` of a string's char codes: ASCII text (-1 at the first code above 0x7f)
 * or a byte view (`limit` 0xffff: each code taken as its low byte, as the one-byte loop did).
 */
function crcOfCodes(text: string, start: number, end: number, limit: 0x7f | 0xffff): number {
  let crc = 0xffff
  let i = start
  for (; i + 1 < end; i += 2) {
    const c0 = text.charCodeAt(i)
    const c1 = text.charCodeAt(i + 1)
    if ((c0 | c1) > limit) return -1
    const x = crc ^ ((c0 & 0xff) | ((c1 & 0xff) << 8))
    crc = TABLE2[x & 0xff]! ^ TABLE[x >>> 8]!
  }
  if (i < end) {
    const c = text.charCodeAt(i)
    if (c > limit) return -1
    crc = (crc >>> 8) ^ TABLE[(crc ^ c) & 0xff]!
  }
  return crc
}

/**
 * Computes CRC-16/MODBUS over bytes `[start, end)` of the input (all of it by default); a string is
 * text, taken as the UTF-8 bytes it is sent as (`wireBytes`).
 */
export function crc16Modbus(input: Uint8Array | string, start = 0, end = input.length): number {
  if (typeof input === 'string') {
    // Fast path for ASCII text, which every real frame is.
    const crc = crcOfCodes(input, start, end, 0x7f)
    return crc >= 0 ? crc : crc16Modbus(Buffer.from(input.slice(start, end), 'utf8'))
  }
  let crc = 0xffff
  let i = start
  for (; i + 1 < end; i += 2) {
    const x = crc ^ (input[i]! | (input[i + 1]! << 8))
    crc = TABLE2[x & 0xff]! ^ TABLE[x >>> 8]!
  }
  if (i < end) crc = (crc >>> 8) ^ TABLE[(crc ^ input[i]!) & 0xff]!
  return crc
}

/**
 * CRC-16/MODBUS over `[start, end)` of a byte view: a string whose char codes are the bytes
 * (latin1, one char per byte), the form the frame parser scans.
 */
export function crc16ByteView(view: string, start = 0, end = view.length): number {
  return crcOfCodes(view, start, end, 0xffff)
}

/** CRC-16/MODBUS over `[start, end)` of an ASCII string; -1 as soon as a char is not ASCII. */
export function crc16Ascii(text: string, start: number, end: number): number {
  return crcOfCodes(text, start, end, 0x7f)
}

/** Formats a CRC value the way frames carry it: 5 zero-padded decimal digits. */
export function formatCrc(value: number): string {
  return String(value).padStart(5, '0')
}
