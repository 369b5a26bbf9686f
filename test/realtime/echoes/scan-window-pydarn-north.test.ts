/**
 * Windowing on the real Hankasalmi records: both channels flag every scan
 * start -1 and interleave record by record. Expected values are derived from
 * the raw DMAP arrays, grouped by channel and by the minute each scan occupies
 * (the radar runs one-minute scans), not by the windowing code.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { getArray, getScalar } from "../../../src/dmap/record.js"
import type { DmapRecord } from "../../../src/dmap/types.js"
import { type EchoScan, emptyWindows, feedRecord, flushWindows } from "../../../src/streams/scan-window.js"
import { testsNeedProgram } from "../../support/required-program.js"
import { loadPydarnNorth } from "./pydarn-north.js"

testsNeedProgram("bzip2", "bzip2")

const scalar = (record: DmapRecord, name: string): number => Number(getScalar(record, name)?.value ?? 0)

const flags = (record: DmapRecord): ReadonlyArray<number> =>
  Array.from((getArray(record, "gflg")?.data ?? []) as ArrayLike<number>)

const minuteOf = (record: DmapRecord): number => scalar(record, "time.mt")

describe("scan windows on pydarn-north.fitacf", () => {
  it.effect("closes three complete scans per channel with the right means, never merging channels", () =>
    Effect.gen(function*() {
      const records = yield* loadPydarnNorth
      let windows = emptyWindows
      const closed: Array<EchoScan> = []
      for (const { fitacf } of records) {
        const step = feedRecord(windows, "han", fitacf, 0, 180_000)
        windows = step.windows
        closed.push(...step.closed)
      }

      const expected = [1, 2].flatMap((channel) =>
        [1, 2, 3].map((minute) => {
          const group = records
            .map((r) => r.record)
            .filter((r) => scalar(r, "channel") === channel && minuteOf(r) === minute)
          const first = group[0]!
          const echoes = group.map(flags)
          return {
            site: "han",
            channel,
            timestamp: Date.UTC(
              2018,
              3,
              4,
              6,
              minute,
              scalar(first, "time.sc"),
              Math.floor(scalar(first, "time.us") / 1000)
            ),
            totalEchoes: echoes.reduce((s, e) => s + e.length, 0) / group.length,
            ionosphericEchoes: echoes.reduce((s, e) => s + e.filter((f) => f === 0).length, 0) / group.length,
            groundScatterEchoes: echoes.reduce((s, e) => s + e.filter((f) => f === 1).length, 0) / group.length,
            recordCount: group.length,
            beamCount: new Set(group.map((r) => scalar(r, "bmnum"))).size,
            complete: true
          }
        })
      )

      const byKey = (a: EchoScan, b: EchoScan) => a.channel - b.channel || a.timestamp - b.timestamp
      expect([...closed].sort(byKey)).toEqual(expected)
      // The facts the issue states about this file, independent of the arithmetic above.
      expect(expected.map((s) => [s.channel, s.recordCount, s.beamCount])).toEqual([
        [1, 16, 16],
        [1, 16, 16],
        [1, 16, 16],
        [2, 16, 1],
        [2, 16, 1],
        [2, 16, 1]
      ])
      expect(expected[0]!.timestamp).toBe(Date.UTC(2018, 3, 4, 6, 1, 0, 47))
      // The fourth scan of each channel has only begun when the file ends.
      expect(flushWindows(windows).map((s) => [s.channel, s.recordCount, s.complete]).sort()).toEqual([
        [1, 2, false],
        [2, 2, false]
      ])
    }))
})
