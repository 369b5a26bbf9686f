import { afterEach, beforeEach, describe, expect, it, vi } from "vitest"
import { BandwidthBudget } from "../../../src/archive/sources/ssh/bandwidth-budget.js"

describe("BandwidthBudget", () => {
  beforeEach(() => {
    vi.useFakeTimers()
    vi.setSystemTime(1_000_000)
  })
  afterEach(() => vi.useRealTimers())

  it("allows a 250 ms burst, then holds transfers back until the budget refills", () => {
    const budget = new BandwidthBudget(128) // 128 KiB/s: a 32 KiB burst
    expect(budget.tryTake(16 * 1024)).toBe(true)
    expect(budget.tryTake(16 * 1024)).toBe(true)
    expect(budget.tryTake(1)).toBe(false)
    const woken: Array<number> = []
    budget.wait(() => woken.push(1))
    budget.wait(() => woken.push(2))
    vi.advanceTimersByTime(1)
    expect(woken).toEqual([1, 2])
    expect(budget.tryTake(32 * 1024)).toBe(true)
    expect(budget.tryTake(1)).toBe(false)
  })

  it("a chunk larger than the burst passes, and the wait after it keeps the average at the cap", () => {
    const budget = new BandwidthBudget(1) // 1 KiB/s
    expect(budget.tryTake(32 * 1024)).toBe(true)
    expect(budget.tryTake(1)).toBe(false)
    let woken = false
    budget.wait(() => (woken = true))
    // 32 KiB at 1 KiB/s: about 31.75 s of debt (the 256-byte burst was free).
    vi.advanceTimersByTime(31_000)
    expect(woken).toBe(false)
    expect(budget.tryTake(1)).toBe(false)
    vi.advanceTimersByTime(1_000)
    expect(woken).toBe(true)
    expect(budget.tryTake(32 * 1024)).toBe(true)
  })
})
