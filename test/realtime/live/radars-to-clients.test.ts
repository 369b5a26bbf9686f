/**
 * End to end: simulated radars over real TCP → radar actors → hub → live feed
 * → Socket.IO clients.
 */
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Layer } from "effect"
import { HubPump } from "../../../src/actors/radar/HubPump.js"
import { defaultBackoffPolicy } from "../../../src/actors/radar/radar-backoff.js"
import { type FleetPlan, RadarFleet } from "../../../src/actors/radar/RadarFleet.js"
import { withScalars } from "../../../src/dmap/record.js"
import type { DmapRecord } from "../../../src/dmap/types.js"
import { HttpServer } from "../../../src/layers/platform/HttpServer.js"
import { Hub } from "../../../src/layers/realtime/Hub.js"
import { LiveFeed } from "../../../src/layers/realtime/LiveFeed.js"
import { RadarRegistry } from "../../../src/layers/realtime/RadarRegistry.js"
import { makeFakeRtServer } from "../../../src/simulate/fake-rtserver.js"
import { testsNeedProgram } from "../../support/required-program.js"
import { northRecords } from "../hub/fixture-records.js"
import { connectClient } from "./clients.js"
import { expectedPacket, withArrays, withoutEchoes } from "./expected-packet.js"
import { httpServerLayer } from "./server-layers.js"

testsNeedProgram("bzip2", "bzip2")

const planFor = (radars: ReadonlyArray<{ site: string; port: number }>): FleetPlan => ({
  tcp: radars.map(({ port, site }) => ({
    site,
    host: "127.0.0.1",
    port,
    maxFrameBytes: 4 * 1024 * 1024,
    stall: Duration.seconds(60),
    backoff: defaultBackoffPolicy
  })),
  canada: undefined
})

/** The serve composition in miniature: consumers first, the pump (which starts the radars) last. */
const hubLayer = (plan: FleetPlan) =>
  HubPump.Default.pipe(
    Layer.provide(RadarFleet.fromPlan(plan)),
    Layer.provideMerge(LiveFeed.Default),
    Layer.provideMerge(Layer.mergeAll(Hub.Default, RadarRegistry.Default)),
    Layer.provideMerge(httpServerLayer(Layer.empty))
  )

describe("radars to Socket.IO clients", () => {
  it.scopedLive("every packet from simulated radars reaches clients, special records included", () =>
    Effect.gen(function*() {
      const han = yield* makeFakeRtServer()
      const sas = yield* makeFakeRtServer()
      yield* Effect.gen(function*() {
        yield* han.awaitClients(1)
        yield* sas.awaitClients(1)
        const { url } = yield* HttpServer
        const [first, second] = northRecords()

        // Sent before any browser is connected: kept as the latest packet.
        yield* sas.send(first!)
        const feed = yield* LiveFeed
        while (!(yield* feed.latestPackets).has("sas")) yield* Effect.sleep("5 millis")

        const websocket = yield* connectClient(url, "websocket")
        const polling = yield* connectClient(url, "polling")
        expect(yield* polling.request("latest")).toEqual({ ok: true, sites: ["sas"] })
        expect(yield* polling.take(1)).toEqual([{ event: "sas", args: [expectedPacket("sas", first!)] }])

        const special: ReadonlyArray<DmapRecord> = [
          withoutEchoes(first!),
          withScalars(second!, { cp: -151 }),
          withScalars(first!, { "time.us": -1 }),
          northRecords()[8]!,
          withArrays(first!, { w_l: (w) => w.map((x, i) => (i === 0 ? NaN : x)) }),
          ...northRecords().slice(10, 30)
        ]
        for (const record of special) yield* han.send(record)
        for (const client of [websocket, polling]) {
          const received = yield* client.take(special.length)
          expect(received).toEqual(special.map((record) => ({ event: "han", args: [expectedPacket("han", record)] })))
          expect(client.socket.connected).toBe(true)
        }

        expect(yield* websocket.request("radars")).toEqual({ ok: true, radars: 2 })
        const [radars] = yield* websocket.take(1)
        expect(
          (radars!.args[0] as ReadonlyArray<{ site: string; stid: number; phase: string }>).map((
            r
          ) => [r.site, r.stid, r.phase])
        ).toEqual([["han", 10, "receiving"], ["sas", 5, "receiving"]])
        expect(yield* Effect.flatMap(HubPump, (pump) => pump.pumped)).toBe(1 + special.length)
      }).pipe(Effect.provide(hubLayer(planFor([{ site: "han", port: han.port }, { site: "sas", port: sas.port }]))))
    }))
})
