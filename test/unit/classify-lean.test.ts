/**
 * The CRC-free readers of contract derive's scan (parseFrameChildren, classifyBoxText) against the
 * full parser, on real frames and on SYNTHETIC hostile mutations of them (fuzz-frames.ts).
 */
import { describe, expect, it } from 'vitest'
import { CLASSIFY_TAGS, classifyBoxText, classifyText } from '../../src/protocol/classify.js'
import { parseFrame, parseFrameChildren } from '../../src/protocol/frame.js'
import { loadCaptureFrames } from '../helpers/captures.js'
import { mutatedFrames } from '../helpers/fuzz-frames.js'

/** Texts to compare on: real frames, their mutations as text (the DB hands text over), odd cases. */
function texts(): string[] {
  const real = loadCaptureFrames().map((f) => f.raw)
  const fuzz = [...mutatedFrames(3000, 4242)].map((b) => b.toString('utf8'))
  const odd = [
    '',
    '<Frame></Frame>',
    '<Frame><CRC>1</CRC></Frame>',
    '<Frame><Result>IsNewSet</Result><CRC>1</CRC><CRC>2</CRC></Frame>\r\n',
    '<Frame><Result>IsNewSet</Result><CRC>1<CRC>2</CRC></Frame>',
    '<Frame><Result>IsNewSet</Result><CRC>1</CRC></Frame>x',
    '<Frame><Result>ACK</Result><Result>IsNewSet</Result><CRC>1</CRC></Frame>',
    '<Frame><Reason>Table</Reason><TblName>tbl_x</TblName><CRC>1</CRC></Frame>\n',
    '<Frame><TblName>tbl_events</TblName><Type>Setting</Type><Type>Change</Type><CRC>1</CRC></Frame>',
    '<Frame><Result>IsNewSet</Result><Re sult>x</Re sult><CRC>1</CRC></Frame>',
    '<Frame><Result>IsNewSet</Result><ver>1</ver2><CRC>1</CRC></Frame>',
    '<Frame><Result>Příkon</Result><TblName>tbl_ř</TblName><CRC>1</CRC></Frame>',
    '<Frame><>x</><Result>IsNewFW</Result><CRC>1</CRC></Frame>',
    '<Frame><Result>IsNewFW</Result>text<CRC>1</CRC></Frame>',
  ]
  return [...real, ...fuzz, ...odd]
}

describe("contract derive's CRC-free frame readers", () => {
  const all = texts()

  it('parseFrameChildren gives the children parseFrame gives, and parses exactly when it does', () => {
    let parsed = 0
    for (const text of all) {
      const full = parseFrame(text, { keepTags: CLASSIFY_TAGS })
      const lean = parseFrameChildren(text, CLASSIFY_TAGS)
      expect(lean === null, text).toBe(!full.ok)
      if (full.ok) {
        parsed++
        expect(lean, text).toEqual({
          children: full.frame.children,
          childCount: full.frame.childCount,
        })
      }
    }
    expect(parsed).toBeGreaterThan(1000)
    expect(parsed).toBeLessThan(all.length)
  })

  it('classifyBoxText classifies BOX frames as classifyText does', () => {
    const classes = new Set<string>()
    for (const text of all) {
      const { crcOk: _crc, problem: _problem, ...full } = classifyText(text, 'box')
      expect(classifyBoxText(text), text).toEqual(full)
      classes.add(full.class)
    }
    // Every BOX class the fuzz reaches, malformed ones included.
    expect(classes.size).toBeGreaterThanOrEqual(6)
    expect(classes.has('box.unknown')).toBe(true)
  })
})
