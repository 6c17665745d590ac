/** A hand-built frame of a session fixture: a BOX frame answered by the next id, or a reply to the previous one. */
import type { FixtureFrame } from '../../src/evidence/schemas/session-fixture.js'

export const fixtureFrame = (
  id: number,
  origin: 'box' | 'cloud' | 'proxy',
  cls: string,
  extra: Partial<FixtureFrame> = {},
): FixtureFrame => ({
  id,
  ts: null,
  origin,
  destination: origin === 'box' ? 'cloud' : 'box',
  direction: null,
  connId: 1,
  class: cls as FixtureFrame['class'],
  table: null,
  eventType: null,
  pollForm: null,
  item: null,
  crcOk: true,
  raw: '<Frame></Frame>',
  tableName: null,
  gapMs: null,
  answers: origin === 'box' ? null : id - 1,
  replyId: origin === 'box' ? id + 1 : null,
  latencyMs: 10,
  notes: [],
  ...extra,
})
