import { describe, expect, it } from "@effect/vitest"
import { Duration } from "effect"
import { backoffDelay, defaultBackoffPolicy, retryWait } from "../../../src/actors/radar/radar-backoff.js"

const ms = (attempt: number, random: number) => Duration.toMillis(backoffDelay(defaultBackoffPolicy, attempt, random))
const wait = (attempt: number, elapsed: number, random: number) =>
  Duration.toMillis(retryWait(defaultBackoffPolicy, attempt, elapsed, random))

describe("radar backoff policy", () => {
  it("doubles from 1 s and stops at 5 s", () => {
    expect([0, 1, 2, 3, 4, 7, 50, 5000].map((n) => ms(n, 0))).toEqual([1000, 2000, 4000, 5000, 5000, 5000, 5000, 5000])
  })

  it("jitter only shortens a delay, by at most 20 %", () => {
    expect(ms(3, 0.999999)).toBe(4000)
    expect(ms(10, 0.5)).toBe(4500)
    for (let r = 0; r < 1; r += 0.05) {
      expect(ms(2, r)).toBeGreaterThan(3200)
      expect(ms(2, r)).toBeLessThanOrEqual(4000)
    }
  })

  it("waits what is left of the delay after the attempt's own time; a long session is followed at once", () => {
    expect(wait(3, 0, 0)).toBe(5000)
    expect(wait(3, 1200, 0)).toBe(3800)
    // A connect that timed out after 5 s, or a feed that ran for an hour: only a jitter pause (at most 0.2 s).
    expect(wait(3, 5000, 0.5)).toBe(100)
    expect(wait(0, 3_600_000, 0.999)).toBeLessThanOrEqual(200)
    expect(wait(0, 3_600_000, 0)).toBe(0)
  })
})
