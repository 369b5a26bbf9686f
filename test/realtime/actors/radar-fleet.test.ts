import { describe, expect, it } from "@effect/vitest"
import { Chunk, ConfigProvider, Duration, Effect, Layer, Queue } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { DEFAULT_MAX_MESSAGE_BYTES } from "../../../src/actors/radar/canada-radar.js"
import { RadarFleet } from "../../../src/actors/radar/RadarFleet.js"
import type { TcpRadarOptions } from "../../../src/actors/radar/tcp-radar.js"
import type { RadarRecord } from "../../../src/domain/radar-record.js"
import { RadarRegistry } from "../../../src/layers/realtime/RadarRegistry.js"
import { makeFakeCanadaPublisher } from "../../../src/simulate/fake-canada-publisher.js"
import { type FakeRtServerHandle, makeFakeRtServer } from "../../../src/simulate/fake-rtserver.js"
import { DEFAULT_MAX_FRAME_BYTES } from "../../../src/streams/connex-framer.js"
import { testsNeedProgram } from "../../support/required-program.js"
import { northRecords } from "./fixture-records.js"
import { awaitStatus, collect, fastBackoff } from "./harness.js"

testsNeedProgram("bzip2", "bzip2")

const SITES = ["gbr", "kap", "sas", "pgr", "kod", "inv", "rkn", "cly", "bks", "wal"] as const
const FAULTY = "kod"

const options = (site: string, server: FakeRtServerHandle): TcpRadarOptions => ({
  site,
  host: server.host,
  port: server.port,
  maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
  stall: Duration.seconds(120),
  backoff: fastBackoff
})

const bySite = (records: ReadonlyArray<RadarRecord>, site: string) =>
  records.filter((r) => r.site === site).map((r) => r.record)

describe("RadarFleet", () => {
  it.scopedLive("ten radars in parallel, one of them faulty, do not disturb each other", () =>
    Effect.gen(function*() {
      const servers = new Map<string, FakeRtServerHandle>()
      for (const site of SITES) {
        servers.set(site, yield* makeFakeRtServer(site === FAULTY ? { disconnectAfter: 1 } : {}))
      }
      const fleet = yield* RadarFleet.make({
        tcp: SITES.map((site) => options(site, servers.get(site)!)),
        canada: undefined
      })
      expect(fleet.tcpSites).toEqual(SITES)
      const queue = yield* collect(fleet.records)
      const records = northRecords().slice(0, 20)
      const faulty = servers.get(FAULTY)!
      // The faulty radar sends garbage, cut frames and absurd lengths and drops
      // the connection after each record, all the while the others send.
      const sabotage = Effect.gen(function*() {
        for (let round = 1; round <= 20; round++) {
          yield* faulty.awaitAccepted(round)
          yield* faulty.inject({ _tag: "Garbage", bytes: new Uint8Array(5000).fill(0x49) })
          yield* faulty.inject({ _tag: "CutFrame", record: records[0]! })
          yield* faulty.inject({ _tag: "AbsurdLength", length: 0x7fffffff })
          yield* faulty.send(records[round % 20]!)
        }
      })
      const good = SITES.filter((site) => site !== FAULTY)
      const feed = Effect.forEach(good, (site) =>
        Effect.gen(function*() {
          const server = servers.get(site)!
          yield* server.awaitClients(1)
          for (const record of records) yield* server.send(record)
        }), { concurrency: "unbounded", discard: true })
      yield* Effect.all([sabotage, feed], { concurrency: "unbounded", discard: true })
      const got: Array<RadarRecord> = []
      while (got.length < good.length * 20) {
        const record = yield* Queue.take(queue)
        if (record.site !== FAULTY) got.push(record)
      }
      for (const site of good) {
        expect(bySite(got, site)).toEqual(records)
        const status = yield* awaitStatus(site, (s) => s.counters.records === 20)
        expect(status.counters).toMatchObject({ reconnects: 0, decodeErrors: 0, resyncs: 0 })
      }
      const broken = yield* awaitStatus(FAULTY, (s) => s.counters.reconnects >= 19)
      expect(broken.counters.resyncs).toBeGreaterThan(0)
    }).pipe(Effect.provide(RadarRegistry.Default)))

  it.scopedLive("merges TCP radars and the Canada feed into one stream", () =>
    Effect.gen(function*() {
      const server = yield* makeFakeRtServer()
      const publisher = yield* makeFakeCanadaPublisher()
      const fleet = yield* RadarFleet.make({
        tcp: [options("han", server)],
        canada: {
          host: publisher.host,
          port: publisher.port,
          stall: Duration.seconds(120),
          maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
          backoff: fastBackoff
        }
      })
      const queue = yield* collect(fleet.records)
      yield* server.awaitClients(1)
      yield* publisher.awaitSubscribers(1)
      yield* server.send(northRecords()[0]!)
      yield* publisher.send(northRecords()[1]!, "aggregator", "sas")
      const got = Chunk.toReadonlyArray(yield* Queue.takeN(queue, 2))
      expect(got.map((r) => r.site).sort()).toEqual(["han", "sas"])
      expect((yield* awaitStatus("sas", () => true)).transport).toBe("zmq")
    }).pipe(Effect.provide(RadarRegistry.Default)))

  it.scopedLive("Live reads RADARS_CONFIG and CANADA_ADDR, and leaves disabled radars out", () =>
    Effect.gen(function*() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sdh-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true })))
      const server = yield* makeFakeRtServer()
      const publisher = yield* makeFakeCanadaPublisher()
      const file = path.join(dir, "radars.config.json")
      fs.writeFileSync(
        file,
        JSON.stringify({
          sas: { host: "127.0.0.1", port: server.port },
          pgr: { host: "127.0.0.1", port: 1, enabled: false }
        })
      )
      const config = Layer.setConfigProvider(
        ConfigProvider.fromMap(new Map([["RADARS_CONFIG", file], ["CANADA_ADDR", publisher.address]]))
      )
      const fleet = yield* RadarFleet.pipe(Effect.provide(RadarFleet.Live.pipe(Layer.provide(config))))
      expect(fleet.tcpSites).toEqual(["sas"])
      const queue = yield* collect(fleet.records)
      yield* server.awaitClients(1)
      yield* publisher.awaitSubscribers(1)
      yield* server.send(northRecords()[0]!)
      yield* publisher.send(northRecords()[1]!, "borealis")
      const got = Chunk.toReadonlyArray(yield* Queue.takeN(queue, 2))
      expect(got.map((r) => r.site).sort()).toEqual(["han", "sas"])
    }).pipe(Effect.provide(RadarRegistry.Default)))

  it.scopedLive("a bad radar list stops the fleet with the file's message", () =>
    Effect.gen(function*() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sdh-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true })))
      const file = path.join(dir, "radars.config.json")
      fs.writeFileSync(file, `{ "kod": { "host": "10.0.0.5", "port": "99a" } }`)
      const config = Layer.setConfigProvider(ConfigProvider.fromMap(new Map([["RADARS_CONFIG", file]])))
      const error = yield* Effect.flip(RadarFleet.pipe(Effect.provide(RadarFleet.Live.pipe(Layer.provide(config)))))
      expect(error.message).toBe(`${file}: "kod.port" must be an integer 1-65535, got "99a"`)
    }).pipe(Effect.provide(RadarRegistry.Default)))
})
