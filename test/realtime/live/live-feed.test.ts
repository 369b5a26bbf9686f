import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Metric, MetricState } from "effect"
import { withScalars } from "../../../src/dmap/record.js"
import type { RadarStatus } from "../../../src/domain/radar-status.js"
import { zeroCounters } from "../../../src/domain/radar-status.js"
import { HttpServer } from "../../../src/layers/platform/HttpServer.js"
import { History } from "../../../src/layers/realtime/History.js"
import { Hub } from "../../../src/layers/realtime/Hub.js"
import { LiveFeed, type LiveFeedOptions } from "../../../src/layers/realtime/LiveFeed.js"
import { RadarRegistry } from "../../../src/layers/realtime/RadarRegistry.js"
import { testsNeedProgram } from "../../support/required-program.js"
import { northRecords, radarRecord } from "../hub/fixture-records.js"
import { connectClient, connectRawClient, type ReceivedEvent } from "./clients.js"
import { expectedPacket, withArrays, withoutEchoes } from "./expected-packet.js"
import { httpServerLayer } from "./server-layers.js"

testsNeedProgram("bzip2", "bzip2")

const liveFeedLayer = (options: Partial<LiveFeedOptions> = {}, historyMinutes = 10) =>
  LiveFeed.layer(options).pipe(
    Layer.provideMerge(History.layer({ minutes: historyMinutes })),
    Layer.provideMerge(Hub.Default),
    Layer.provideMerge(RadarRegistry.Default),
    Layer.provideMerge(httpServerLayer(Layer.empty))
  )

const publish = (site: string, records: ReadonlyArray<import("../../../src/dmap/types.js").DmapRecord>) =>
  Effect.flatMap(
    Hub,
    (hub) => Effect.forEach(records, (record) => hub.publish(radarRecord(site, record)), { discard: true })
  )

/** A small budget (under 200 packets), so a stalled client's TCP buffers plus this fill quickly. */
const BUDGET = 512 * 1024

const payloads = (events: ReadonlyArray<ReceivedEvent>) => events.map((e) => ({ event: e.event, packet: e.args[0] }))

/** The special records of the issue, each a real record with single fields changed. */
const specialRecords = () => {
  // Not records 0 and 1: the second repeats the first (time and beam), which the hub drops as a repeat.
  const [first, , second] = northRecords()
  return [
    withoutEchoes(first!),
    withScalars(second!, { cp: -151 }),
    withScalars(first!, { "time.us": -1 }),
    northRecords()[8]!, // w_l holds Infinity
    withArrays(first!, {
      w_l: (w) => w.map((x, i) => (i === 0 ? NaN : x)),
      v: (v) => v.map((x, i) => (i === 2 ? NaN : x))
    }),
    second!
  ]
}

const counterValue = (name: string, site: string) =>
  Effect.map(Metric.snapshot, (pairs) => {
    const pair = pairs.find((p) =>
      p.metricKey.name === name && p.metricKey.tags.some((t) => t.key === "site" && t.value === site)
    )
    return pair !== undefined && MetricState.isCounterState(pair.metricState) ? Number(pair.metricState.count) : 0
  })

describe("LiveFeed over Socket.IO", () => {
  for (const transport of ["websocket", "polling"] as const) {
    it.scopedLive(`delivers every packet field over ${transport}, NaN as null, and the client stays connected`, () =>
      Effect.gen(function*() {
        const { url } = yield* HttpServer
        const client = yield* connectClient(url, transport)
        const records = [...northRecords().slice(0, 20), ...specialRecords()]
        yield* publish("han", records)
        const received = yield* client.take(records.length)
        expect(payloads(received)).toEqual(
          records.map((record) => ({ event: "han", packet: expectedPacket("han", record) }))
        )
        const nanPacket = received[records.length - 2]!.args[0] as { width: Array<unknown>; v: Array<unknown> }
        expect(nanPacket.width.filter((w) => w === null)).toHaveLength(1)
        expect(nanPacket.v[2]).toBeNull()
        expect(client.socket.connected).toBe(true)
        // ... and keeps receiving after the packets with non-finite values.
        yield* publish("han", [northRecords()[30]!])
        expect(payloads(yield* client.take(1))).toEqual([{
          event: "han",
          packet: expectedPacket("han", northRecords()[30]!)
        }])
        expect(yield* Effect.flatMap(LiveFeed, (feed) => feed.clientCount)).toBe(1)
      }).pipe(Effect.provide(liveFeedLayer())))
  }

  it.scopedLive("subscribe limits a client to its sites, unsubscribe restores every site", () =>
    Effect.gen(function*() {
      const { url } = yield* HttpServer
      const everything = yield* connectClient(url)
      const sasOnly = yield* connectClient(url)
      const [han, sas] = [northRecords()[0]!, northRecords()[1]!]

      expect(yield* sasOnly.request("subscribe", ["SAS"])).toEqual({ ok: true, sites: ["sas"] })
      yield* publish("han", [han])
      yield* publish("sas", [sas])
      expect((yield* everything.take(2)).map((e) => e.event)).toEqual(["han", "sas"])
      // One connection keeps order: had the han packet been sent, it would come first.
      expect(payloads(yield* sasOnly.take(1))).toEqual([{ event: "sas", packet: expectedPacket("sas", sas) }])

      expect(yield* sasOnly.request("subscribe", "han")).toEqual({ ok: true, sites: ["han", "sas"] })
      expect(yield* sasOnly.request("unsubscribe", ["sas"])).toEqual({ ok: true, sites: ["han"] })
      // Fresh records each time: the hub drops a repeat of a site's previous record.
      yield* publish("sas", [northRecords()[3]!])
      yield* publish("han", [northRecords()[4]!])
      expect((yield* sasOnly.take(1)).map((e) => e.event)).toEqual(["han"])

      expect(yield* sasOnly.request("unsubscribe")).toEqual({ ok: true, sites: [] })
      yield* publish("sas", [northRecords()[5]!])
      expect((yield* sasOnly.take(1)).map((e) => e.event)).toEqual(["sas"])
      expect((yield* everything.take(3)).map((e) => e.event)).toEqual(["sas", "han", "sas"])
    }).pipe(Effect.provide(liveFeedLayer())))

  it.scopedLive("latest sends the last packet of each site at once", () =>
    Effect.gen(function*() {
      const { url } = yield* HttpServer
      const early = yield* connectClient(url)
      const records = northRecords()
      yield* publish("han", records.slice(0, 5))
      yield* publish("sas", records.slice(10, 12))
      yield* early.take(7)

      const late = yield* connectClient(url)
      expect(yield* late.request("latest")).toEqual({ ok: true, sites: ["han", "sas"] })
      expect(payloads(yield* late.take(2))).toEqual([
        { event: "han", packet: expectedPacket("han", records[4]!) },
        { event: "sas", packet: expectedPacket("sas", records[11]!) }
      ])
      expect(yield* late.request("latest", ["sas", "kod"])).toEqual({ ok: true, sites: ["sas"] })
      expect(payloads(yield* late.take(1))).toEqual([{ event: "sas", packet: expectedPacket("sas", records[11]!) }])
      // Without an acknowledgement the packets come all the same.
      late.socket.emit("latest", "han")
      expect((yield* late.take(1)).map((e) => e.event)).toEqual(["han"])
      // Without a list, a subscribed client gets its own sites only.
      yield* late.request("subscribe", ["sas"])
      expect(yield* late.request("latest")).toEqual({ ok: true, sites: ["sas"] })
      expect((yield* late.take(1)).map((e) => e.event)).toEqual(["sas"])
    }).pipe(Effect.provide(liveFeedLayer())))

  it.scopedLive("refuses malformed requests with a reason and carries on", () =>
    Effect.gen(function*() {
      const { url } = yield* HttpServer
      const client = yield* connectClient(url)
      const refused = { ok: false, event: "subscribe", error: expect.stringContaining("site code") }
      expect(yield* client.request("subscribe", ["../etc"])).toEqual(refused)
      expect(yield* client.request("subscribe", 42)).toMatchObject({ ok: false, event: "subscribe" })
      expect(yield* client.request("latest", { sites: "sas" })).toMatchObject({ ok: false, event: "latest" })
      expect(yield* client.request("subscribe", Array.from({ length: 300 }, () => "sas"))).toMatchObject({ ok: false })
      // Without an acknowledgement the refusal comes as an event.
      client.socket.emit("unsubscribe", [null])
      expect((yield* client.take(1))[0]).toMatchObject({
        event: "request_error",
        args: [{ ok: false, event: "unsubscribe" }]
      })
      // Still subscribed to every site.
      yield* publish("han", [northRecords()[0]!])
      expect((yield* client.take(1)).map((e) => e.event)).toEqual(["han"])
      expect(client.socket.connected).toBe(true)
    }).pipe(Effect.provide(liveFeedLayer())))

  it.scopedLive("radars lists the configured radars with table metadata and live state", () =>
    Effect.gen(function*() {
      const { url } = yield* HttpServer
      const registry = yield* RadarRegistry
      const status = (site: string, phase: RadarStatus["phase"]): RadarStatus => ({
        site,
        transport: "tcp",
        address: "10.0.0.1:9999",
        phase,
        phaseSince: 1_700_000_000_000,
        nextAttemptAt: undefined,
        connectedSince: undefined,
        lastRecordAt: undefined,
        counters: { ...zeroCounters, records: 7 },
        lastError: undefined
      })
      yield* registry.put(status("sas", "receiving"))
      yield* registry.put(status("han", "backoff"))
      yield* registry.put(status("zzz", "connecting"))
      const client = yield* connectClient(url)
      expect(yield* client.request("radars")).toEqual({ ok: true, radars: 3 })
      const [event] = yield* client.take(1)
      expect(event!.event).toBe("radars")
      const radars = event!.args[0] as ReadonlyArray<Record<string, unknown>>
      expect(radars.map((r) => [r.site, r.stid, r.phase])).toEqual([["han", 10, "backoff"], ["sas", 5, "receiving"], [
        "zzz",
        null,
        "connecting"
      ]])
      expect(radars[1]).toMatchObject({ name: "Saskatoon", counters: { records: 7 }, lastError: null })
      expect(radars[0]).not.toHaveProperty("address")
    }).pipe(Effect.provide(liveFeedLayer())))

  it.scopedLive("site events go to the same audience as that site's packets", () =>
    Effect.gen(function*() {
      const { url } = yield* HttpServer
      const feed = yield* LiveFeed
      const everything = yield* connectClient(url)
      const han = yield* connectClient(url, "polling")
      const sas = yield* connectClient(url)
      yield* han.request("subscribe", ["han"])
      yield* sas.request("subscribe", ["sas"])
      yield* feed.emitSiteEvent("han", "han/echoes", { total: 12 })
      yield* feed.emitSiteEvent("sas", "sas/echoes", { total: 3 })
      expect(yield* everything.take(2)).toEqual([
        { event: "han/echoes", args: [{ total: 12 }] },
        { event: "sas/echoes", args: [{ total: 3 }] }
      ])
      expect(yield* han.take(1)).toEqual([{ event: "han/echoes", args: [{ total: 12 }] }])
      expect(yield* sas.take(1)).toEqual([{ event: "sas/echoes", args: [{ total: 3 }] }])
      expect(yield* feed.clientCount).toBe(3)
    }).pipe(Effect.provide(liveFeedLayer())))

  it.scopedLive("a client that stops reading misses packets without holding up the others", () =>
    Effect.gen(function*() {
      const server = yield* HttpServer
      const feed = yield* LiveFeed
      const healthy = yield* connectClient(server.url)
      const stalled = yield* connectRawClient(server.address.host, server.address.port)
      while ((yield* feed.clientCount) < 2) yield* Effect.sleep("10 millis")
      yield* stalled.stopReading

      // Rounds of packets until the stalled client's TCP buffers are full and
      // broadcasts start skipping it; the healthy client must get every one.
      const site = "stl"
      const records = northRecords()
      let sent = 0
      // Rounds smaller than the budget: a burst larger than a client's budget is over it even for a healthy client.
      for (
        let round = 0;
        round < 400 && (yield* counterValue("superdarn_hub_packets_dropped_total", site)) === 0;
        round++
      ) {
        const batch = Array.from({ length: 50 }, (_, i) => records[(sent + i) % 100]!)
        yield* publish(site, batch)
        const received = yield* healthy.take(batch.length)
        expect(received.map((e) => (e.args[0] as { time_iso: string }).time_iso))
          .toEqual(batch.map((record) => expectedPacket(site, record).time_iso))
        sent += batch.length
      }
      const dropped = yield* counterValue("superdarn_hub_packets_dropped_total", site)
      expect(dropped).toBeGreaterThan(0)

      // Once dropping, the stalled client's queue stays within its byte budget while packets keep flowing.
      yield* publish(site, records.slice(0, 50))
      expect(yield* healthy.take(50)).toHaveLength(50)
      const stalledId = [...server.io.of("/").sockets.keys()].find((id) => id !== healthy.socket.id)!
      const backlog = (yield* feed.clientBacklogs).get(stalledId)!
      expect(backlog).toBeLessThanOrEqual(BUDGET)
      expect(yield* counterValue("superdarn_hub_packets_dropped_total", site)).toBeGreaterThanOrEqual(dropped + 50)
      expect(yield* counterValue("superdarn_hub_packets_emitted_total", site)).toBe(sent + 50)
      expect(healthy.socket.connected).toBe(true)
    }).pipe(Effect.provide(liveFeedLayer({ clientByteBudget: BUDGET }))))
})
