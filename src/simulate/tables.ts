/**
 * Plausible data fields for the synthetic table uploads. Field names, order and number formats are
 * those of the real uploads (box-uploads-2025-12-07, session-2026-02-17-conn2315); the values are
 * random within rough real ranges and carry no meaning.
 */
import { child, type Children } from './frames.js'
import type { Rng } from './prng.js'

/** The 5-minute tables, in the order the BOX uploads them (box-uploads-2025-12-07). */
export const FIVE_MINUTE_TABLES = [
  'tbl_dc_in',
  'tbl_ac_in',
  'tbl_ac_out',
  'tbl_batt',
  'tbl_boiler',
  'tbl_box',
] as const

export type FiveMinuteTable = (typeof FIVE_MINUTE_TABLES)[number]

/** Coarse plant state shared by the tables of one session so that the numbers roughly agree. */
export interface PlantState {
  readonly pv: number
  readonly load: number
  readonly soc: number
  readonly temp: number
  readonly humid: number
}

/** Draws a plant state; `czechHour` shapes the PV output like a day. */
export function drawPlantState(rng: Rng, czechHour: number): PlantState {
  const sun = Math.max(0, Math.sin((Math.PI * (czechHour - 7)) / 10))
  return {
    pv: Math.round(sun * rng.float(500, 5000)),
    load: rng.int(300, 2500),
    soc: rng.int(20, 100),
    temp: rng.float(18, 28),
    humid: rng.float(15, 35),
  }
}

const f = (n: number, digits: number): string => n.toFixed(digits)
const i = (n: number): string => String(Math.round(n))

/** Fields of a `tbl_actual` body after its head (2026 layout, 27 fields). */
export function actualFields(rng: Rng, s: PlantState): Children {
  const grid = s.load - s.pv
  const phase = (share: number): string => i(Math.max(0, grid * share + rng.int(-30, 30)))
  return [
    child('ENBL', '1'),
    child('VIZ', i(rng.int(0, 17))),
    child('Temp', f(s.temp, 2)),
    child('Humid', f(s.humid, 1)),
    child('ACO_P', i(s.load * 0.85)),
    child('FV_P1', i(s.pv)),
    child('FV_P2', '0'),
    child('ACI_WR', phase(0.6)),
    child('ACI_WS', phase(0.2)),
    child('ACI_WT', phase(0.2)),
    child('BAT_P', i(rng.int(-1200, 2600))),
    child('FV_PROC', i((s.pv / 5300) * 100)),
    child('BAT_C', i(s.soc)),
    child('MSC_SELF', i(rng.int(0, 100))),
    child('STAT', '0'),
    child('FV_AD', i(rng.int(0, 30000))),
    child('FVE_PROD', i(s.pv)),
    child('INFLOW', '0'),
    child('LOAD', i(s.load)),
    child('MAXFG', '5300'),
    child('STATX', '0'),
    child('ACINB_WR', i(rng.int(0, 70))),
    child('ACINB_WS', i(rng.int(0, 40))),
    child('ACINB_WT', i(rng.int(0, 60))),
    child('ACO_PR', i(s.load * 0.6)),
    child('ACO_PS', i(s.load * 0.1)),
    child('ACO_PT', i(s.load * 0.1)),
  ]
}

const volts = (rng: Rng): string => f(rng.float(238, 243), 1)

/** Fields of a 5-minute table after its head. */
export function fiveMinuteFields(table: FiveMinuteTable, rng: Rng, s: PlantState): Children {
  switch (table) {
    case 'tbl_dc_in':
      return [
        child('FV_V1', f(s.pv > 0 ? rng.float(300, 400) : 0, 1)),
        child('FV_I1', f(s.pv / 350, 1)),
        child('FV_P1', i(s.pv)),
        child('FV_V2', '0.0'),
        child('FV_I2', '0.0'),
        child('FV_P2', '0'),
        child('FV_AD', i(rng.int(0, 30000))),
        child('FV_AM', i(rng.int(0, 300))),
        child('FV_AY', i(rng.int(0, 6000))),
        child('FV_PROC', i((s.pv / 5300) * 100)),
      ]
    case 'tbl_ac_in':
      return [
        child('ACI_VR', volts(rng)),
        child('ACI_VS', volts(rng)),
        child('ACI_VT', volts(rng)),
        child('ACI_WR', i(rng.int(0, 1700))),
        child('ACI_WS', i(rng.int(0, 1100))),
        child('ACI_WT', i(rng.int(0, 1100))),
        child('ACI_F', f(rng.float(49.95, 50.05), 2)),
        child('AC_AD', i(rng.int(0, 35000))),
        child('AC_AM', i(rng.int(0, 300))),
        child('AC_AY', i(rng.int(0, 10000))),
        child('AC_PD', i(rng.int(0, 100))),
        child('AC_PM', '0'),
        child('AC_PY', i(rng.int(0, 200))),
      ]
    case 'tbl_ac_out':
      return [
        child('ACO_VR', volts(rng)),
        child('ACO_VS', volts(rng)),
        child('ACO_VT', volts(rng)),
        child('ACO_PR', i(s.load * 0.6)),
        child('ACO_PS', i(s.load * 0.1)),
        child('ACO_PT', i(s.load * 0.1)),
        child('ACO_P', i(s.load * 0.85)),
        child('ACO_PAR', f(s.load * 0.7, 1)),
        child('ACO_PAS', f(s.load * 0.25, 1)),
        child('ACO_PAT', f(s.load * 0.2, 1)),
        child('ACO_PA', f(s.load * 1.2, 1)),
        child('ACO_F', f(rng.float(49.95, 50.05), 2)),
        child('EN_DAY', i(rng.int(0, 16000))),
        child('EN_MONT', i(rng.int(0, 120))),
        child('EN_YEAR', i(rng.int(0, 6500))),
      ]
    case 'tbl_batt':
      return [
        child('BAT_V', f(rng.float(50, 57), 3)),
        child('BAT_C', i(s.soc)),
        child('BAT_I', f(rng.float(-25, 50), 3)),
        child('BAT_T', f(rng.float(10, 25), 1)),
        child('BAT_Q', '100'),
        child('BAT_AD', i(rng.int(0, 15000))),
        child('BAT_AM', i(rng.int(0, 100))),
        child('BAT_AY', i(rng.int(0, 2000))),
        child('BAT_P', i(rng.int(-1200, 2600))),
        child('BAT_APD', i(rng.int(0, 15000))),
        child('BAT_AND', i(rng.int(0, 13000))),
        child('ID_SubD', '0'),
      ]
    case 'tbl_boiler':
      return [
        child('P', '0'),
        child('W', i(rng.int(0, 60))),
        child('BOJ_AM', '0'),
        child('BOJ_AY', i(rng.int(0, 2200))),
      ]
    case 'tbl_box':
      return [
        child('Temp', f(s.temp, 2)),
        child('Humid', f(s.humid, 1)),
        child('MSC_SELF', i(rng.int(0, 100))),
        child('STRNGHT', i(rng.int(-60, -40))),
        child('TMLASTCALL', i(rng.int(1, 300))),
      ]
  }
}
