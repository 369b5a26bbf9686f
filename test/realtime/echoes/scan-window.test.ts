import { describe, expect, it } from "@effect/vitest"
import { HashMap } from "effect"
import {
  closeIdle,
  type EchoScan,
  emptyWindows,
  feedRecord,
  flushWindows,
  type ScanWindows
} from "../../../src/streams/scan-window.js"
import { syntheticFitacf, type SyntheticRecord } from "./synthetic-fitacf.js"

const IDLE_MS = 180_000
const T0 = Date.UTC(2025, 8, 27, 0, 0, 0)

/** Feeds records one by one, each "received" at its own record time. */
const feedAll = (records: ReadonlyArray<SyntheticRecord>, site = "sas", start: ScanWindows = emptyWindows) => {
  let windows = start
  const closed: Array<EchoScan> = []
  for (const record of records) {
    const step = feedRecord(windows, site, syntheticFitacf(record), record.at, IDLE_MS)
    windows = step.windows
    closed.push(...step.closed)
  }
  return { windows, closed }
}

/** Means computed the plain way, for comparison. */
const expectedMeans = (records: ReadonlyArray<SyntheticRecord>) => {
  const n = records.length
  const echoes = records.map((r) => r.gflg ?? [])
  return {
    totalEchoes: echoes.reduce((s, e) => s + e.length, 0) / n,
    ionosphericEchoes: echoes.reduce((s, e) => s + e.filter((f) => f === 0).length, 0) / n,
    groundScatterEchoes: echoes.reduce((s, e) => s + e.filter((f) => f === 1).length, 0) / n
  }
}

describe("scan windows", () => {
  it("starts a scan at scan == -1 and keeps that record in the new scan", () => {
    const first = [
      { at: T0, scan: -1, beam: 15, gflg: [0, 0, 1] },
      { at: T0 + 3_000, scan: 0, beam: 14, gflg: [0] },
      { at: T0 + 6_000, scan: 0, beam: 13, gflg: [1, 1] }
    ]
    const second = [{ at: T0 + 60_000, scan: -1, beam: 15, gflg: [0, 1] }]
    const { closed, windows } = feedAll([...first, ...second])
    expect(closed).toEqual([
      {
        site: "sas",
        channel: 0,
        timestamp: T0,
        ...expectedMeans(first),
        recordCount: 3,
        beamCount: 3,
        complete: true
      }
    ])
    expect(flushWindows(windows)).toEqual([
      {
        site: "sas",
        channel: 0,
        timestamp: T0 + 60_000,
        ...expectedMeans(second),
        recordCount: 1,
        beamCount: 1,
        complete: false
      }
    ])
  })

  it("starts a scan at scan == 1 too", () => {
    const { closed } = feedAll([
      { at: T0, scan: 1, beam: 0, gflg: [0] },
      { at: T0 + 3_000, scan: 0, beam: 1 },
      { at: T0 + 6_000, scan: 1, beam: 0 }
    ])
    expect(closed.map((s) => [s.timestamp, s.recordCount, s.totalEchoes, s.complete])).toEqual([[T0, 2, 0.5, true]])
  })

  it("leaves sounding records (scan == -2) out of every scan", () => {
    const inScan = [
      { at: T0, scan: 1, beam: 0, gflg: [0, 0] },
      { at: T0 + 6_000, scan: 0, beam: 1, gflg: [1] }
    ]
    const { closed } = feedAll([
      inScan[0]!,
      { at: T0 + 3_000, scan: -2, beam: 7, gflg: [1, 1, 1, 1, 1, 1] },
      inScan[1]!,
      { at: T0 + 9_000, scan: 1, beam: 0 }
    ])
    expect(closed).toHaveLength(1)
    expect(closed[0]).toMatchObject({ ...expectedMeans(inScan), recordCount: 2, beamCount: 2, complete: true })
  })

  it("ignores a sounding record when no scan is open", () => {
    const { windows, closed } = feedAll([{ at: T0, scan: -2, beam: 3, gflg: [0] }])
    expect(closed).toEqual([])
    expect(HashMap.size(windows)).toBe(0)
  })

  it("counts a zero-echo first beam as zeros", () => {
    const records = [
      { at: T0, scan: -1, beam: 15, gflg: [] },
      { at: T0 + 3_000, scan: 0, beam: 14, gflg: [0, 1, 0, 0] },
      { at: T0 + 6_000, scan: 0, beam: 13, gflg: [0] }
    ]
    const { closed } = feedAll([...records, { at: T0 + 9_000, scan: -1, beam: 15 }])
    expect(closed[0]).toMatchObject({ timestamp: T0, ...expectedMeans(records), recordCount: 3 })
    expect(closed[0]!.totalEchoes).toBeCloseTo(5 / 3, 12)
  })

  it("windows each channel of a stereo radar on its own", () => {
    const a = [
      { at: T0, scan: -1, beam: 15, channel: 1, gflg: [0] },
      { at: T0 + 2_000, scan: 0, beam: 14, channel: 1, gflg: [0, 0, 0] }
    ]
    const b = [
      { at: T0 + 1_000, scan: -1, beam: 9, channel: 2, gflg: [1] },
      { at: T0 + 3_000, scan: 0, beam: 9, channel: 2, gflg: [1, 1] }
    ]
    const { closed } = feedAll([
      a[0]!,
      b[0]!,
      a[1]!,
      b[1]!,
      { at: T0 + 4_000, scan: -1, beam: 15, channel: 1 },
      { at: T0 + 5_000, scan: -1, beam: 9, channel: 2 }
    ])
    expect(closed).toEqual([
      { site: "sas", channel: 1, timestamp: T0, ...expectedMeans(a), recordCount: 2, beamCount: 2, complete: true },
      {
        site: "sas",
        channel: 2,
        timestamp: T0 + 1_000,
        ...expectedMeans(b),
        recordCount: 2,
        beamCount: 1,
        complete: true
      }
    ])
  })

  it("windows each radar on its own", () => {
    let step = feedAll([{ at: T0, scan: 1, beam: 0, gflg: [0] }], "sas")
    step = feedAll([{ at: T0 + 1_000, scan: 1, beam: 0, gflg: [1] }], "pgr", step.windows)
    expect(step.closed).toEqual([])
    expect(flushWindows(step.windows).map((s) => [s.site, s.ionosphericEchoes, s.groundScatterEchoes]).sort()).toEqual([
      ["pgr", 0, 1],
      ["sas", 1, 0]
    ])
  })

  it("closes a scan silent beyond the idle limit as incomplete, measured on the clock", () => {
    const { windows } = feedAll([
      { at: T0, scan: -1, beam: 15, gflg: [0] },
      { at: T0 + 3_000, scan: 0, beam: 14, gflg: [0, 1] }
    ])
    expect(closeIdle(windows, T0 + 3_000 + IDLE_MS, IDLE_MS).closed).toEqual([])
    const step = closeIdle(windows, T0 + 3_000 + IDLE_MS + 1, IDLE_MS)
    expect(step.closed).toEqual([
      {
        site: "sas",
        channel: 0,
        timestamp: T0,
        totalEchoes: 1.5,
        ionosphericEchoes: 1,
        groundScatterEchoes: 0.5,
        recordCount: 2,
        beamCount: 2,
        complete: false
      }
    ])
    expect(HashMap.size(step.windows)).toBe(0)
  })

  it("after a silence, records resuming mid-scan form an incomplete scan of their own", () => {
    const before = feedAll([{ at: T0, scan: -1, beam: 15, gflg: [0] }])
    const idle = closeIdle(before.windows, T0 + IDLE_MS + 1, IDLE_MS)
    const after = feedAll(
      [
        { at: T0 + 200_000, scan: 0, beam: 10, gflg: [1] },
        { at: T0 + 203_000, scan: 0, beam: 9, gflg: [1] },
        { at: T0 + 206_000, scan: -1, beam: 15 }
      ],
      "sas",
      idle.windows
    )
    expect(after.closed.map((s) => [s.timestamp, s.recordCount, s.complete])).toEqual([[T0 + 200_000, 2, false]])
  })

  it("treats a jump in record time beyond the idle limit as a silence (replays)", () => {
    const { closed } = feedAll([
      { at: T0, scan: -1, beam: 15, gflg: [0] },
      { at: T0 + 3_000, scan: 0, beam: 14 },
      { at: T0 + 3_000 + IDLE_MS + 1, scan: 0, beam: 13 },
      { at: T0 + 6_000 + IDLE_MS + 1, scan: -1, beam: 15 }
    ])
    expect(closed.map((s) => [s.timestamp, s.recordCount, s.complete])).toEqual([
      [T0, 2, false],
      [T0 + 3_000 + IDLE_MS + 1, 1, false]
    ])
  })

  it("a scan closed by the next start after a long silence is incomplete", () => {
    const { closed } = feedAll([
      { at: T0, scan: -1, beam: 15 },
      { at: T0 + IDLE_MS + 10_000, scan: -1, beam: 15 }
    ])
    expect(closed.map((s) => s.complete)).toEqual([false])
  })
})
