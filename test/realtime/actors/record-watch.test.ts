import { describe, expect, it } from "@effect/vitest"
import { Chunk, Duration, Effect, Either, Queue } from "effect"
import { checkQuality, nextTransmitter, transmitterValues } from "../../../src/actors/radar/record-watch.js"
import { tcpRadarRecords } from "../../../src/actors/radar/tcp-radar.js"
import { type Fitacf, fitacfView } from "../../../src/dmap/fitacf.js"
import type { DmapRecord } from "../../../src/dmap/types.js"
import { setBits } from "../../../src/domain/radar-status.js"
import { radarHealth } from "../../../src/http/health-report.js"
import { radarMetricFamilies } from "../../../src/http/metrics/radar-metric-families.js"
import { RadarRegistry } from "../../../src/layers/realtime/RadarRegistry.js"
import { makeFakeRtServer } from "../../../src/simulate/fake-rtserver.js"
import { DEFAULT_MAX_FRAME_BYTES } from "../../../src/streams/connex-framer.js"
import { recordTimeMs } from "../../../src/streams/record-time.js"
import { testsNeedProgram } from "../../support/required-program.js"
import { northRecords } from "./fixture-records.js"
import { awaitStatus, collect, fastBackoff } from "./harness.js"

testsNeedProgram("bzip2", "bzip2")

const scalarOf = (record: DmapRecord, name: string) => Number(record.scalars.find((s) => s.name === name)!.value)
const viewOf = (record: DmapRecord): Fitacf => Either.getOrThrow(fitacfView(record))

describe("transmitter status and record quality", () => {
  it("reads stat.agc, stat.lopwr, noise, tfreq, nave, intt, ercod and cp from a real record", () => {
    const record = northRecords()[0]!
    const values = transmitterValues(record, viewOf(record))
    expect(values).toEqual({
      agc: scalarOf(record, "stat.agc"),
      lopwr: scalarOf(record, "stat.lopwr"),
      noiseSearch: scalarOf(record, "noise.search"),
      noiseMean: scalarOf(record, "noise.mean"),
      tfreq: scalarOf(record, "tfreq"),
      nave: scalarOf(record, "nave"),
      intt: scalarOf(record, "intt.sc") + scalarOf(record, "intt.us") / 1e6,
      ercod: scalarOf(record, "ercod"),
      cp: scalarOf(record, "cp")
    })
    expect(Object.values(values).every(Number.isFinite)).toBe(true)
  })

  it("remembers when each value changed; an unchanged record gives back the same status", () => {
    const base = {
      agc: 0,
      lopwr: 0,
      noiseSearch: 2.5,
      noiseMean: 3,
      tfreq: 10_500,
      nave: 20,
      intt: 3,
      ercod: 0,
      cp: 153
    }
    const first = nextTransmitter(undefined, base, 1_000)
    expect(Object.values(first.changedAt)).toEqual(Array(9).fill(1_000))
    expect(nextTransmitter(first, { ...base }, 2_000)).toBe(first)
    const second = nextTransmitter(first, { ...base, tfreq: 12_200, agc: 0b101 }, 3_000)
    expect(second).toMatchObject({ tfreq: 12_200, agc: 5 })
    expect(second.changedAt).toEqual({ ...first.changedAt, tfreq: 3_000, agc: 3_000 })
    expect(setBits(second.agc)).toEqual([0, 2])
    // A field a record lacks is NaN, and NaN after NaN is no change.
    const missing = nextTransmitter(second, { ...base, tfreq: 12_200, agc: 0b101, noiseMean: Number.NaN }, 4_000)
    expect(nextTransmitter(missing, { ...base, tfreq: 12_200, agc: 0b101, noiseMean: Number.NaN }, 5_000)).toBe(missing)
  })

  it("counts a foreign station id, clock skew, time going backwards and an odd scan flag", () => {
    const t = (f: Fitacf) => recordTimeMs(f.time)
    const views = northRecords().map(viewOf)
    const a = views[0]
    const b = views.find((view) => t(view) > t(a!))
    let [quality, memory] = checkQuality(undefined, { lastTimeMs: undefined }, {
      site: "han",
      fitacf: a!,
      receivedAt: t(a!)
    })
    expect(quality).toBeUndefined()
    ;[quality, memory] = checkQuality(quality, memory, { site: "han", fitacf: b!, receivedAt: t(b!) + 60_000 })
    expect(quality).toBeUndefined() // Hankasalmi's record claimed by the Saskatoon actor, 6 min late, earlier than the last, scan flag 7.
    ;[quality, memory] = checkQuality(quality, memory, {
      site: "sas",
      fitacf: { ...a!, scan: 7 },
      receivedAt: t(a!) + 6 * 60_000
    })
    expect(quality).toEqual({ stationMismatch: 1, clockSkew: 1, timeBackwards: 1, scanFlag: 1 })
    ;[quality] = checkQuality(quality, memory, { site: "han", fitacf: b!, receivedAt: t(b!) - 6 * 60_000 })
    expect(quality).toEqual({ stationMismatch: 1, clockSkew: 2, timeBackwards: 1, scanFlag: 1 })
  })

  it.scopedLive("the TCP actor publishes the latest record's transmitter status and its quality counts; metrics show them", () =>
    Effect.gen(function*() {
      const server = yield* makeFakeRtServer()
      // Hankasalmi's records on an actor configured as Saskatoon: every record is a station id mismatch.
      const queue = yield* collect(tcpRadarRecords({
        site: "sas",
        host: server.host,
        port: server.port,
        maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
        stall: Duration.seconds(120),
        backoff: fastBackoff
      }))
      yield* server.awaitClients(1)
      const sent = northRecords().slice(0, 5)
      for (const record of sent) yield* server.send(record)
      yield* Queue.takeN(queue, 5).pipe(Effect.map(Chunk.toReadonlyArray))
      const status = yield* awaitStatus("sas", (s) => s.counters.records === 5)
      const last = sent[4]!
      expect(status.transmitter).toMatchObject({
        tfreq: scalarOf(last, "tfreq"),
        cp: scalarOf(last, "cp"),
        nave: scalarOf(last, "nave")
      })
      expect(status.quality?.stationMismatch).toBe(5)
      // The fixture is from 2018: every record is far from the clock.
      expect(status.quality?.clockSkew).toBe(5)
      const families = radarMetricFamilies([status], Date.now(), 120_000)
      const sample = (name: string, labels: Record<string, string>) =>
        families.find((f) => f.name === name)?.samples.find((s) =>
          Object.entries(labels).every(([k, v]) => s.labels.some(([lk, lv]) => lk === k && lv === v))
        )?.value
      expect(sample("superdarn_hub_radar_tfreq_khz", { site: "sas" })).toBe(scalarOf(last, "tfreq"))
      expect(sample("superdarn_hub_radar_quality_problems_total", { site: "sas", check: "station_id" })).toBe(5)
      expect(sample("superdarn_hub_radar_quality_problems_total", { site: "sas", check: "scan_flag" })).toBe(0)
      // /health's entry for the radar.
      const health = radarHealth(status, Date.now(), 120_000)
      expect(health.transmitter).toMatchObject({
        tfreq_khz: scalarOf(last, "tfreq"),
        cp: scalarOf(last, "cp"),
        agc: scalarOf(last, "stat.agc"),
        agc_bits: setBits(scalarOf(last, "stat.agc"))
      })
      expect(health.quality).toEqual({ station_id: 5, clock_skew: 5, time_backwards: 0, scan_flag: 0 })
    }).pipe(Effect.provide(RadarRegistry.Default)))
})
