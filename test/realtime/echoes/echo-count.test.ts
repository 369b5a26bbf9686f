import { describe, expect, it } from "@effect/vitest"
import { countEchoes } from "../../../src/streams/echo-count.js"

describe("countEchoes", () => {
  it("splits echoes by ground-scatter flag", () => {
    const gflg = Int8Array.from([0, 1, 1, 0, 0])
    expect(countEchoes({ slist: new Int16Array(5), gflg })).toEqual({ total: 5, ionospheric: 3, groundScatter: 2 })
  })

  it("counts a record without echoes as zeros", () => {
    expect(countEchoes({ slist: new Int16Array(0), gflg: new Int8Array(0) })).toEqual({
      total: 0,
      ionospheric: 0,
      groundScatter: 0
    })
  })

  it("counts a gate with an unknown flag towards the total only", () => {
    const gflg = Int8Array.from([0, 2, 1])
    expect(countEchoes({ slist: new Int16Array(3), gflg })).toEqual({ total: 3, ionospheric: 1, groundScatter: 1 })
  })
})
