/**
 * The record boundary's pure checks (issues 15 and 18): record times that
 * cannot be a measurement's are refused with a typed error; a repeat of the
 * previous record of a site and channel is recognised; a step back in time
 * closes the open scan as an incomplete one and is counted.
 */
import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { RepeatFilter } from "../../../src/streams/record-repeat.js"
import { checkRecordTime, withCheckedTime } from "../../../src/streams/record-time.js"
import { emptyWindows, feedRecord } from "../../../src/streams/scan-window.js"
import { syntheticFitacf } from "./synthetic-fitacf.js"

const NOW = Date.UTC(2025, 8, 27, 12)
const time = (yr: number, us = 0) => ({ yr, mo: 9, dy: 27, hr: 11, mt: 0, sc: 0, us })

describe("checkRecordTime", () => {
  it("passes a real record time and gives its instant", () => {
    expect(checkRecordTime(time(2025), NOW)).toEqual(Either.right(Date.UTC(2025, 8, 27, 11)))
    // Up to a day ahead of the clock is a radar's clock error, not a wrong year.
    expect(Either.isRight(checkRecordTime({ ...time(2025), dy: 28, hr: 11, mt: 59 }, NOW))).toBe(true)
  })

  it("refuses a time out of JavaScript's date range, non-finite fields, before 1980 and over a day ahead", () => {
    const cases: ReadonlyArray<readonly [ReturnType<typeof time>, string]> = [
      [time(300_000), "not a date"],
      [{ ...time(2025), sc: Number.NaN }, "not a date"],
      [{ ...time(2025), us: Number.POSITIVE_INFINITY }, "not a date"],
      [time(1979), "before 1980"],
      [time(0), "before 1980"],
      [{ ...time(2025), dy: 28, hr: 12, mt: 0, sc: 1 }, "more than a day ahead of the clock"],
      [time(2026), "more than a day ahead of the clock"]
    ]
    for (const [t, problem] of cases) {
      const checked = checkRecordTime(t, NOW)
      expect(Either.isLeft(checked), JSON.stringify(t)).toBe(true)
      if (Either.isLeft(checked)) {
        expect(checked.left._tag).toBe("RecordTimeError")
        expect(checked.left.problem).toBe(problem)
        expect(checked.left.message).toContain(problem)
      }
    }
  })

  it("withCheckedTime gives the record itself back", () => {
    const record = syntheticFitacf({ at: NOW - 60_000, scan: 1, beam: 0 })
    expect(withCheckedTime(record, NOW)).toEqual(Either.right(record))
    expect(Either.isLeft(withCheckedTime({ ...record, time: time(300_000) }, NOW))).toBe(true)
  })
})

describe("RepeatFilter", () => {
  it("drops a record with the previous one's time and beam, per site and channel only", () => {
    const filter = new RepeatFilter()
    const a = syntheticFitacf({ at: NOW, scan: 1, beam: 0 })
    const b = syntheticFitacf({ at: NOW + 3_000, scan: 0, beam: 1 })
    expect(filter.isRepeat("sas", a)).toBe(false)
    expect(filter.isRepeat("sas", a)).toBe(true)
    expect(filter.isRepeat("pgr", a)).toBe(false)
    expect(filter.isRepeat("sas", { ...a, channel: 1 })).toBe(false)
    expect(filter.isRepeat("sas", b)).toBe(false)
    // Same time, another beam: not a repeat. Back to an earlier record: not a repeat either (a rewind).
    expect(filter.isRepeat("sas", { ...b, bmnum: 2 })).toBe(false)
    expect(filter.isRepeat("sas", a)).toBe(false)
  })
})

describe("feedRecord rewinds", () => {
  it("a record earlier than the open scan's latest closes it as incomplete, counted, and starts over", () => {
    const feed = (windows: typeof emptyWindows, at: number, scan: number, beam: number) =>
      feedRecord(windows, "han", syntheticFitacf({ at, scan, beam, gflg: [0, 1] }), at, 180_000)
    let step = feed(emptyWindows, NOW, 1, 0)
    step = feed(step.windows, NOW + 3_000, 0, 1)
    step = feed(step.windows, NOW + 6_000, 0, 2)
    expect(step.closed).toEqual([])
    // 90 s back: well within the idle limit, yet a rewind.
    const rewound = feed(step.windows, NOW + 6_000 - 90_000, 0, 5)
    expect(rewound.rewinds).toBe(1)
    expect(rewound.closed).toEqual([
      expect.objectContaining({ timestamp: NOW, recordCount: 3, beamCount: 3, complete: false })
    ])
    // The rewound record opened a window of its own, not from a scan start.
    const next = feed(rewound.windows, NOW - 81_000, 1, 0)
    expect(next.rewinds).toBe(0)
    expect(next.closed).toEqual([
      expect.objectContaining({ timestamp: NOW - 84_000, recordCount: 1, complete: false })
    ])
    // The same time again (a repeat the hub let through) is no rewind.
    expect(feed(next.windows, NOW - 81_000, 0, 1).rewinds).toBe(0)
  })
})
