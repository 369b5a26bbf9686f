import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { decodeRecord, decodeRecords } from "../../../src/dmap/decode.js"
import { encodeRecord } from "../../../src/dmap/encode.js"
import { fitacfView, FitacfViewError } from "../../../src/dmap/fitacf.js"
import { withScalars } from "../../../src/dmap/record.js"
import { type DmapRecord, DmapType } from "../../../src/dmap/types.js"
import { testsNeedProgram } from "../../support/required-program.js"
import { fixtureBytes } from "./fixture-files.js"

const inuvik = decodeRecords(fixtureBytes("test.fitacf")).records

const ECHO_ARRAYS = new Set([
  "slist",
  "nlag",
  "qflg",
  "gflg",
  "p_l",
  "p_l_e",
  "p_s",
  "p_s_e",
  "v",
  "v_e",
  "w_l",
  "w_l_e",
  "w_s",
  "w_s_e",
  "sd_l",
  "sd_s",
  "sd_phi",
  "x_qflg",
  "x_gflg",
  "x_p_l",
  "x_p_l_e",
  "x_p_s",
  "x_p_s_e",
  "x_v",
  "x_v_e",
  "x_w_l",
  "x_w_l_e",
  "x_w_s",
  "x_w_s_e",
  "phi0",
  "phi0_e",
  "elv",
  "elv_low",
  "elv_high",
  "x_sd_l",
  "x_sd_s",
  "x_sd_phi"
])

const without = (record: DmapRecord, names: ReadonlySet<string>): DmapRecord => ({
  scalars: record.scalars.filter((s) => !names.has(s.name)),
  arrays: record.arrays.filter((a) => !names.has(a.name))
})

const viewError = (record: DmapRecord): FitacfViewError => {
  const result = fitacfView(record)
  if (Either.isRight(result)) throw new Error("expected a FitacfViewError")
  return result.left
}

describe("fitacfView", () => {
  it("reads the Inuvik record's scalars and per-echo arrays", () => {
    const view = Either.getOrThrow(fitacfView(inuvik[0]!))
    expect(view).toMatchObject({
      stid: 64,
      time: { yr: 2022, mo: 11, dy: 7, hr: 18, mt: 1, sc: 0, us: 13196 },
      bmnum: 0,
      channel: 0,
      cp: -3503,
      frang: 180,
      rsep: 45,
      nave: 39,
      tfreq: 10800,
      noiseSearch: 0,
      nrang: 75,
      scan: 1
    })
    expect(view.noiseSky).toBeCloseTo(2.5737, 4)
    expect(view.slist).toHaveLength(26)
    for (const array of [view.v, view.pl, view.wl, view.gflg, view.qflg, view.elv!]) expect(array).toHaveLength(26)
    expect(Array.from(view.slist).every((gate, i, all) => gate >= 0 && gate < 75 && (i === 0 || gate > all[i - 1]!)))
      .toBe(true)
    expect(Either.getOrThrow(fitacfView(inuvik[1]!)).slist).toHaveLength(27)
  })

  it("a record without echoes (no slist, no per-echo arrays) is valid, with empty arrays and no elv", () => {
    const view = Either.getOrThrow(fitacfView(without(inuvik[0]!, ECHO_ARRAYS)))
    for (const array of [view.slist, view.v, view.pl, view.wl, view.gflg, view.qflg]) expect(array).toHaveLength(0)
    expect(view.elv).toBeUndefined()
    expect(view.nrang).toBe(75)
  })

  it("elv is undefined on a radar without an interferometer", () => {
    const view = Either.getOrThrow(fitacfView(without(inuvik[0]!, new Set(["elv"]))))
    expect(view.elv).toBeUndefined()
    expect(view.v).toHaveLength(26)
  })

  it("time.us sent as short by old ROS servers (negative too) is accepted", () => {
    const record = inuvik[0]!
    const short: DmapRecord = {
      scalars: record.scalars.map((
        s
      ) => (s.name === "time.us" ? { name: s.name, type: DmapType.short, value: -1200 } : s)),
      arrays: record.arrays
    }
    const decoded = Either.getOrThrow(decodeRecord(encodeRecord(short)))
    expect(Either.getOrThrow(fitacfView(decoded)).time.us).toBe(-1200)
  })

  it("names the field and the problem when a required scalar is missing or malformed", () => {
    expect(viewError(without(inuvik[0]!, new Set(["tfreq"])))).toMatchObject({ field: "tfreq", problem: "is missing" })
    const fractional = viewError(withScalars(inuvik[0]!, { stid: 64.5 }))
    expect(fractional.field).toBe("stid")
    expect(fractional.problem).toContain("integer")
    const text: DmapRecord = {
      scalars: inuvik[0]!.scalars.map((s) => (s.name === "cp" ? { name: "cp", type: DmapType.string, value: "x" } : s)),
      arrays: inuvik[0]!.arrays
    }
    expect(viewError(text).field).toBe("cp")
    expect(viewError(text)).toBeInstanceOf(FitacfViewError)
    expect(viewError(text).message).toMatch(/^fitacf field "cp": /)
  })

  it("refuses per-echo arrays that are not parallel to slist", () => {
    const record = inuvik[0]!
    const shortV: DmapRecord = {
      scalars: record.scalars,
      arrays: record.arrays.map((a) => (a.name === "v" ? { ...a, dims: [3], data: Float32Array.of(1, 2, 3) } : a))
    }
    expect(viewError(shortV)).toMatchObject({ field: "v", problem: "has 3 entries but slist has 26" })
    expect(viewError(without(record, new Set(["w_l"])))).toMatchObject({
      field: "w_l",
      problem: "is missing although slist is present"
    })
    const strings: DmapRecord = {
      scalars: record.scalars,
      arrays: record.arrays.map((
        a
      ) => (a.name === "gflg" ? { ...a, type: DmapType.string, data: new Array(26).fill("g") } : a))
    }
    expect(viewError(strings).field).toBe("gflg")
  })

  it("a 64-bit stid is refused, not silently converted", () => {
    const record: DmapRecord = {
      scalars: inuvik[0]!.scalars.map((
        s
      ) => (s.name === "stid" ? { name: "stid", type: DmapType.long, value: 64n } : s)),
      arrays: inuvik[0]!.arrays
    }
    expect(viewError(record).field).toBe("stid")
  })

  describe("Hankasalmi's stereo records (pydarn-north.fitacf.bz2)", () => {
    testsNeedProgram("bzip2", "bzip2")
    const hankasalmi = () => decodeRecords(fixtureBytes("pydarn-north.fitacf.bz2")).records

    it("reads every Hankasalmi record, stereo channels 1 and 2, scan flags -1 and 0", () => {
      const views = hankasalmi().map((record) => Either.getOrThrow(fitacfView(record)))
      expect(new Set(views.map((v) => v.channel))).toEqual(new Set([1, 2]))
      expect(new Set(views.map((v) => v.scan))).toEqual(new Set([-1, 0]))
      expect(views.every((v) => v.stid === 10)).toBe(true)
    })

    it("a missing channel field means channel 0", () => {
      expect(Either.getOrThrow(fitacfView(without(hankasalmi()[1]!, new Set(["channel"])))).channel).toBe(0)
    })
  })
})
