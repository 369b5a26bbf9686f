import { describe, expect, it } from "@effect/vitest"
import { type RadarStatus, zeroCounters } from "../../../src/domain/radar-status.js"
import {
  type AlertLevel,
  alertLevel,
  type AlertNotice,
  initialHold,
  observe
} from "../../../src/layers/realtime/alert-hold.js"

const HOLD = 300_000

/** Feeds one level per second from `from` for each [level, seconds] step; returns the notices. */
const run = (steps: ReadonlyArray<readonly [AlertLevel, number]>) => {
  let hold = initialHold
  let now = 1_000_000
  const notices: Array<AlertNotice> = []
  for (const [level, seconds] of steps) {
    for (let s = 0; s < seconds; s++) {
      const [next, notice] = observe(hold, {
        site: "han",
        level,
        now,
        detail: level === "down" ? "refused" : undefined
      }, HOLD)
      hold = next
      if (notice !== undefined) notices.push(notice)
      now += 1000
    }
  }
  return notices.map((n) => ({ ...n, since: n.since - 1_000_000, at: n.at - 1_000_000 }))
}

describe("alert hold-down", () => {
  it("a flapping radar sends one \"down\", then one \"back\" with the outage's length once it is steady", () => {
    const flapping = Array.from({ length: 30 }, () => [["down", 10], ["receiving", 20]] as const).flat()
    const notices = run([["receiving", 60], ...flapping, ["receiving", 400]])
    expect(notices.map((n) => n.kind)).toEqual(["down", "back"])
    const [down, back] = notices
    // The outage starts at the first departure (60 s) and is reported after the hold time.
    expect(down).toMatchObject({ site: "han", since: 60_000, at: 360_000 })
    expect(down!.level).toMatch(/down|receiving/)
    // The last flap came back at 60 + 29 × 30 + 10 s; steady from there for the hold time.
    const steadyFrom = 60_000 + (29 * 30 + 10) * 1000
    expect(back).toMatchObject({ kind: "back", since: 60_000, at: steadyFrom + HOLD, outageMs: steadyFrom - 60_000 })
  })

  it("an outage shorter than the hold time sends nothing; a long one sends \"down\" with the state and error", () => {
    expect(run([["receiving", 10], ["down", 299], ["receiving", 600]])).toEqual([])
    const notices = run([["receiving", 10], ["stale", 100], ["down", 300], ["receiving", 301]])
    expect(notices).toEqual([
      { kind: "down", site: "han", level: "down", since: 10_000, at: 310_000, outageMs: undefined, detail: "refused" },
      {
        kind: "back",
        site: "han",
        level: "receiving",
        since: 10_000,
        at: 710_000,
        outageMs: 400_000,
        detail: undefined
      }
    ])
  })

  it("a radar away from start-up is reported after the hold time", () => {
    expect(run([["down", 301]]).map((n) => [n.kind, n.since, n.at])).toEqual([["down", 0, 300_000]])
  })

  it("maps health states to alert levels: connected is receiving, stalled and stale are stale, the rest down", () => {
    const status = (phase: RadarStatus["phase"], lastRecordAt: number | undefined): RadarStatus => ({
      site: "han",
      transport: "tcp",
      address: "h:1",
      phase,
      phaseSince: 0,
      nextAttemptAt: undefined,
      connectedSince: 0,
      lastRecordAt,
      counters: zeroCounters,
      lastError: undefined
    })
    expect(alertLevel(status("receiving", 9_000), 10_000, 5_000)).toBe("receiving")
    expect(alertLevel(status("receiving", 1_000), 10_000, 5_000)).toBe("stale")
    expect(alertLevel(status("connected", undefined), 4_000, 5_000)).toBe("receiving")
    expect(alertLevel(status("stalled", 9_000), 10_000, 5_000)).toBe("stale")
    expect(alertLevel(status("backoff", 9_000), 10_000, 5_000)).toBe("down")
    expect(alertLevel(status("connecting", undefined), 10_000, 5_000)).toBe("down")
  })
})
