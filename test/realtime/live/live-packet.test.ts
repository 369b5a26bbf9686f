import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import * as fs from "node:fs"
import { decodeRecords } from "../../../src/dmap/decode.js"
import { withScalars } from "../../../src/dmap/record.js"
import type { DmapRecord } from "../../../src/dmap/types.js"
import { livePacket, LivePacketError } from "../../../src/streams/live-packet.js"
import { fixturePath } from "../../support/fixtures.js"
import { testsNeedProgram } from "../../support/required-program.js"
import { northRecords, radarRecord } from "../hub/fixture-records.js"
import { expectedPacket, withArrays, withoutEchoes } from "./expected-packet.js"

testsNeedProgram("bzip2", "bzip2")

const packetOf = (site: string, record: DmapRecord) => Either.getOrThrow(livePacket(radarRecord(site, record)))

describe("live packet", () => {
  it("matches the independently computed packet for all 100 pydarn-north records", () => {
    const records = northRecords()
    for (const [index, record] of records.entries()) {
      expect(packetOf("han", record), `record ${index}`).toEqual(expectedPacket("han", record))
    }
  })

  it("matches for the Inuvik records (single channel, negative cp looked up by |cp|)", () => {
    const bytes = new Uint8Array(fs.readFileSync(fixturePath("test.fitacf")))
    const records = decodeRecords(bytes).records
    expect(records).toHaveLength(2)
    for (const record of records) {
      const packet = packetOf("inv", record)
      expect(packet).toEqual(expectedPacket("inv", record))
      expect(packet.cp).toBe("twofsound(-3503)")
      expect(packet.channel).toBe(0)
    }
  })

  it("spells out the first record field by field", () => {
    const packet = packetOf("han", northRecords()[0]!)
    expect(packet).toMatchObject({
      site_name: "han",
      beam: 15,
      cp: "stereoscan(153)",
      nrang: 70,
      noise: 386,
      stid: 10,
      channel: 1,
      time: "2018-04-04 06:01:00.047022"
    })
    expect(packet.time_iso).toBe("2018-04-04T06:01:00.047022Z")
    expect(packet.power).toHaveLength(70)
    expect(packet.slist).toHaveLength(11)
    // Extra fields come after the old ones, which keep their order.
    expect(Object.keys(packet)).toEqual([
      "site_name",
      "beam",
      "cp",
      "frang",
      "nave",
      "freq",
      "noise",
      "nrang",
      "rsep",
      "stid",
      "scan",
      "gflg",
      "v",
      "time",
      "elevation",
      "power",
      "velocity",
      "width",
      "g_scatter",
      "slist",
      "channel",
      "time_iso"
    ])
  })

  it("sends null for non-finite floats (w_l of the 9th record is infinite), so the JSON stays valid", () => {
    const record = northRecords()[8]!
    const packet = packetOf("han", record)
    const nulls = packet.width.flatMap((w, gate) => (w === null ? [gate] : []))
    expect(nulls).toHaveLength(2)
    expect(nulls.every((gate) => packet.slist.includes(gate))).toBe(true)
    const text = JSON.stringify(packet)
    expect(text).not.toMatch(/NaN|Infinity/)
    expect(JSON.parse(text)).toEqual(expectedPacket("han", record))
  })

  it("sends null for NaN in per-echo and per-gate arrays and in the noise", () => {
    const base = northRecords()[0]!
    const nan = (data: Float32Array) => data.map((x, i) => (i === 1 ? NaN : x))
    const record = withScalars(withArrays(base, { v: nan, p_l: nan, elv: nan }), { "noise.sky": NaN })
    const packet = packetOf("han", record)
    const gate = packet.slist[1]!
    expect(packet.v[1]).toBeNull()
    expect(packet.velocity[gate]).toBeNull()
    expect(packet.power[gate]).toBeNull()
    expect(packet.elevation[gate]).toBeNull()
    expect(packet.noise).toBeNull()
    expect(JSON.stringify(packet)).not.toContain("NaN")
  })

  it("emits a record with no echoes: empty per-echo arrays, all-zero gates", () => {
    const record = withoutEchoes(northRecords()[0]!)
    const packet = packetOf("han", record)
    expect(packet.slist).toEqual([])
    expect(packet.gflg).toEqual([])
    expect(packet.v).toEqual([])
    for (const gates of [packet.power, packet.velocity, packet.width, packet.elevation, packet.g_scatter]) {
      expect(gates).toEqual(new Array(70).fill(0))
    }
    expect(packet).toEqual(expectedPacket("han", record))
  })

  it("fills zeros for a missing elevation array", () => {
    const record = withArrays(northRecords()[0]!, { elv: "remove" })
    expect(packetOf("han", record).elevation).toEqual(new Array(70).fill(0))
  })

  it("names control programs by exact cp, then |cp|, else unknown", () => {
    const base = northRecords()[0]!
    for (
      const [cp, label] of [[-151, "normalscan(-151)"], [151, "normalscan(151)"], [9999, "unknown(9999)"]] as const
    ) {
      const record = withScalars(base, { cp })
      expect(packetOf("han", record).cp).toBe(label)
      expect(packetOf("han", record)).toEqual(expectedPacket("han", record))
    }
  })

  it("counts a negative time.us as 0", () => {
    const record = withScalars(northRecords()[0]!, { "time.us": -250 })
    const packet = packetOf("han", record)
    expect(packet.time).toBe("2018-04-04 06:01:00.000000")
    expect(packet.time_iso).toBe("2018-04-04T06:01:00.000000Z")
  })

  it("leaves echoes whose gate is beyond nrang out of the gate arrays only", () => {
    const base = northRecords()[0]!
    const record = withArrays(base, { slist: (s) => s.map((g, i) => (i === 0 ? 500 : g)) })
    // slist is a short array; withArrays made it float, so rebuild it with the original type.
    const fixed: DmapRecord = {
      scalars: record.scalars,
      arrays: record.arrays.map((
        a
      ) => (a.name === "slist" ? { ...a, data: Int16Array.from(a.data as Float32Array) } : a))
    }
    const packet = packetOf("han", fixed)
    expect(packet.slist[0]).toBe(500)
    expect(packet.v).toHaveLength(11)
    expect(packet.power.filter((p) => p !== 0)).toHaveLength(packet.slist.filter((g) => g < 70).length)
  })

  it("refuses a record claiming an absurd number of range gates", () => {
    const result = livePacket(radarRecord("han", withScalars(northRecords()[0]!, { nrang: 1_000_000 })))
    expect(result).toEqual(
      Either.left(new LivePacketError({ site: "han", field: "nrang", reason: "must be 0-4096, got 1000000" }))
    )
  })
})
