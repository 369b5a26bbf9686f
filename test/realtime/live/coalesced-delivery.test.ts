import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Metric, MetricState } from "effect"
import type { DmapRecord } from "../../../src/dmap/types.js"
import { HttpServer } from "../../../src/layers/platform/HttpServer.js"
import { History } from "../../../src/layers/realtime/History.js"
import { Hub } from "../../../src/layers/realtime/Hub.js"
import { LiveFeed, type LiveFeedOptions } from "../../../src/layers/realtime/LiveFeed.js"
import { RadarRegistry } from "../../../src/layers/realtime/RadarRegistry.js"
import { testsNeedProgram } from "../../support/required-program.js"
import { northRecords, radarRecord } from "../hub/fixture-records.js"
import { connectClient, connectRawClient, type ReceivedEvent } from "./clients.js"
import { expectedPacket } from "./expected-packet.js"
import { httpServerLayer } from "./server-layers.js"

testsNeedProgram("bzip2", "bzip2")

/** A window far longer than publishing a burst takes, so each burst is one step of the feed. */
const WINDOW_MS = 100
const BUDGET = 512 * 1024

const feedLayer = (options: Partial<LiveFeedOptions> = {}) =>
  LiveFeed.layer({ coalesceMs: WINDOW_MS, clientByteBudget: BUDGET, ...options }).pipe(
    Layer.provideMerge(History.layer({ minutes: 10 })),
    Layer.provideMerge(Hub.Default),
    Layer.provideMerge(RadarRegistry.Default),
    Layer.provideMerge(httpServerLayer(Layer.empty))
  )

const counter = (name: string, site?: string) =>
  Effect.map(Metric.snapshot, (pairs) =>
    pairs.reduce(
      (sum, p) =>
        p.metricKey.name === name &&
          (site === undefined || p.metricKey.tags.some((t) => t.key === "site" && t.value === site)) &&
          MetricState.isCounterState(p.metricState)
          ? sum + Number(p.metricState.count)
          : sum,
      0
    ))

const SITES = ["han", "sas", "kap"] as const

/** `count` packets over the three sites in turn, each site's records distinct (the hub drops repeats). */
const burst = (count: number, offset: number): ReadonlyArray<{ readonly site: string; readonly record: DmapRecord }> =>
  Array.from({ length: count }, (_, i) => ({
    site: SITES[i % SITES.length]!,
    record: northRecords()[(offset + i) % 100]!
  }))

/** Publishes the burst in one go: the feed takes it as one step. */
const publishBurst = (packets: ReturnType<typeof burst>) =>
  Effect.flatMap(
    Hub,
    (hub) => Effect.forEach(packets, ({ record, site }) => hub.publish(radarRecord(site, record)), { discard: true })
  )

const expected = (packets: ReturnType<typeof burst>, sites?: ReadonlyArray<string>) =>
  packets
    .filter(({ site }) => sites === undefined || sites.includes(site))
    .map(({ record, site }) => ({ event: site, packet: expectedPacket(site, record) }))

const payloads = (events: ReadonlyArray<ReceivedEvent>) => events.map((e) => ({ event: e.event, packet: e.args[0] }))

describe("packets due to a client at once go out together", () => {
  it.scopedLive("every packet of a burst arrives, in order, as its own <site> event, on every transport", () =>
    Effect.gen(function*() {
      const { url } = yield* HttpServer
      const everything = yield* connectClient(url)
      const polling = yield* connectClient(url, "polling")
      const two = yield* connectClient(url)
      yield* two.request("subscribe", ["han", "kap"])

      const packets = burst(30, 0)
      yield* publishBurst(packets)
      expect(payloads(yield* everything.take(30))).toEqual(expected(packets))
      expect(payloads(yield* polling.take(30))).toEqual(expected(packets))
      expect(payloads(yield* two.take(20))).toEqual(expected(packets, ["han", "kap"]))

      // A later single packet comes after the burst, nothing repeated or left over in between.
      const after = burst(1, 40)
      yield* publishBurst(after)
      for (const client of [everything, polling]) {
        expect(payloads(yield* client.take(1))).toEqual(expected(after))
        expect(yield* client.pending).toEqual([])
      }
      expect(payloads(yield* two.take(1))).toEqual(expected(after))
      expect(yield* two.pending).toEqual([])
    }).pipe(Effect.provide(feedLayer())))

  it.scopedLive("a burst is one socket write per WebSocket client, whatever the number of packets", () =>
    Effect.gen(function*() {
      const { url } = yield* HttpServer
      const everything = yield* connectClient(url)
      const two = yield* connectClient(url)
      yield* two.request("subscribe", ["sas", "kap"])
      const writesBefore = yield* counter("superdarn_hub_client_writes_total")

      const packets = burst(30, 50)
      yield* publishBurst(packets)
      expect(payloads(yield* everything.take(30))).toEqual(expected(packets))
      expect(payloads(yield* two.take(20))).toEqual(expected(packets, ["sas", "kap"]))
      // One write for the client of every site (the burst's shared buffer), one corked write for the other.
      expect((yield* counter("superdarn_hub_client_writes_total")) - writesBefore).toBe(2)

      // Packets apart in time (each received before the next is published) are each a write of their own.
      const single = burst(3, 60)
      for (const packet of single) {
        yield* publishBurst([packet])
        yield* everything.take(1)
      }
      expect(payloads(yield* two.take(2))).toEqual(expected(single, ["sas", "kap"]))
      expect((yield* counter("superdarn_hub_client_writes_total")) - writesBefore).toBe(2 + 3 + 2)
    }).pipe(Effect.provide(feedLayer())))

  it.scopedLive("a stalled subscriber drops its oldest packets while the others get every burst in full", () =>
    Effect.gen(function*() {
      const server = yield* HttpServer
      const feed = yield* LiveFeed
      const healthy = yield* connectClient(server.url)
      const kapOnly = yield* connectClient(server.url)
      yield* kapOnly.request("subscribe", ["kap"])
      const stalled = yield* connectRawClient(server.address.host, server.address.port)
      while ((yield* feed.clientCount) < 3) yield* Effect.sleep("10 millis")
      // The stalled client gets han and sas; it stops reading once that is settled.
      yield* stalled.send(`2["subscribe",["han","sas"]]`)
      yield* Effect.sleep("100 millis")
      yield* stalled.stopReading
      const stalledId = [...server.io.of("/").sockets.keys()].find((id) =>
        id !== healthy.socket.id && id !== kapOnly.socket.id
      )!

      const hanDroppedBefore = yield* counter("superdarn_hub_packets_dropped_total", "han")
      const kapDroppedBefore = yield* counter("superdarn_hub_packets_dropped_total", "kap")
      let offset = 0
      // Bursts smaller than the budget, until the stalled client's buffers are full and it starts dropping.
      for (
        let round = 0;
        round < 1000 && (yield* counter("superdarn_hub_packets_dropped_total", "han")) === hanDroppedBefore;
        round++
      ) {
        const packets = burst(30, offset)
        offset += 30
        yield* publishBurst(packets)
        expect(payloads(yield* healthy.take(30))).toEqual(expected(packets))
        expect(payloads(yield* kapOnly.take(10))).toEqual(expected(packets, ["kap"]))
      }
      expect(yield* counter("superdarn_hub_packets_dropped_total", "han")).toBeGreaterThan(hanDroppedBefore)

      // Dropping, it still holds no more than its budget while bursts keep coming, and nobody else loses one.
      for (let round = 0; round < 5; round++) {
        const packets = burst(30, offset)
        offset += 30
        yield* publishBurst(packets)
        expect(payloads(yield* healthy.take(30))).toEqual(expected(packets))
        expect(payloads(yield* kapOnly.take(10))).toEqual(expected(packets, ["kap"]))
        expect((yield* feed.clientBacklogs).get(stalledId)!).toBeLessThanOrEqual(BUDGET)
      }
      expect(yield* counter("superdarn_hub_packets_dropped_total", "kap")).toBe(kapDroppedBefore)
      expect(healthy.socket.connected && kapOnly.socket.connected).toBe(true)
    }).pipe(Effect.provide(feedLayer({ coalesceMs: 5 }))))
})
