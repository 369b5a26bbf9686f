import { describe, expect, it } from "@effect/vitest"
import { Duration } from "effect"
import { backoffDelay, defaultBackoffPolicy } from "../../../src/actors/radar/radar-backoff.js"

const ms = (attempt: number, random: number) => Duration.toMillis(backoffDelay(defaultBackoffPolicy, attempt, random))

describe("radar backoff policy", () => {
  it("doubles from 1 s and stops at 60 s", () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 50, 5000].map((n) => ms(n, 0))).toEqual([
      1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000, 60000
    ])
  })

  it("jitter only shortens a delay, by at most 20 %", () => {
    expect(ms(3, 0.999999)).toBe(6400)
    expect(ms(10, 0.5)).toBe(54000)
    for (let r = 0; r < 1; r += 0.05) {
      expect(ms(2, r)).toBeGreaterThan(3200)
      expect(ms(2, r)).toBeLessThanOrEqual(4000)
    }
  })
})
