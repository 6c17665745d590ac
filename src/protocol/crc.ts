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
 * Computes CRC-16/MODBUS over bytes `[start, end)` of the input (all of it by default); a string is
 * text, taken as the UTF-8 bytes it is sent as (`wireBytes`).
 */
export function crc16Modbus(input: Uint8Array | string, start = 0, end = input.length): number {
  let crc = 0xffff
  if (typeof input === 'string') {
    // Fast path for ASCII text, which every real frame is.
    for (let i = start; i < end; i++) {
      const code = input.charCodeAt(i)
      if (code > 0x7f) return crc16Modbus(Buffer.from(input.slice(start, end), 'utf8'))
      crc = (crc >>> 8) ^ TABLE[(crc ^ code) & 0xff]!
    }
    return crc
  }
  for (let i = start; i < end; i++) crc = (crc >>> 8) ^ TABLE[(crc ^ input[i]!) & 0xff]!
  return crc
}

/**
 * CRC-16/MODBUS over `[start, end)` of a byte view: a string whose char codes are the bytes
 * (latin1, one char per byte), the form the frame parser scans.
 */
export function crc16ByteView(view: string, start = 0, end = view.length): number {
  let crc = 0xffff
  for (let i = start; i < end; i++) crc = (crc >>> 8) ^ TABLE[(crc ^ view.charCodeAt(i)) & 0xff]!
  return crc
}

/** CRC-16/MODBUS over `[start, end)` of an ASCII string; -1 as soon as a char is not ASCII. */
export function crc16Ascii(text: string, start: number, end: number): number {
  let crc = 0xffff
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i)
    if (code > 0x7f) return -1
    crc = (crc >>> 8) ^ TABLE[(crc ^ code) & 0xff]!
  }
  return crc
}

/** Formats a CRC value the way frames carry it: 5 zero-padded decimal digits. */
export function formatCrc(value: number): string {
  return String(value).padStart(5, '0')
}
