import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Metric, MetricState } from "effect"
import { HttpServer } from "../../../src/layers/platform/HttpServer.js"
import { History } from "../../../src/layers/realtime/History.js"
import { Hub } from "../../../src/layers/realtime/Hub.js"
import { LiveFeed, type LiveFeedOptions } from "../../../src/layers/realtime/LiveFeed.js"
import { RadarRegistry } from "../../../src/layers/realtime/RadarRegistry.js"
import { testsNeedProgram } from "../../support/required-program.js"
import { northRecords, radarRecord } from "../hub/fixture-records.js"
import { connectClient, connectRawClient } from "./clients.js"
import { httpServerLayer } from "./server-layers.js"

testsNeedProgram("bzip2", "bzip2")

const BUDGET = 512 * 1024

const feedLayer = (options: Partial<LiveFeedOptions> = {}) =>
  LiveFeed.layer({ clientByteBudget: BUDGET, ...options }).pipe(
    Layer.provideMerge(History.layer({ minutes: 10 })),
    Layer.provideMerge(Hub.Default),
    Layer.provideMerge(RadarRegistry.Default),
    Layer.provideMerge(httpServerLayer(Layer.empty))
  )

const counter = (name: string, key: string, value: string) =>
  Effect.map(Metric.snapshot, (pairs) =>
    pairs.reduce(
      (sum, p) =>
        p.metricKey.name === name && p.metricKey.tags.some((t) => t.key === key && t.value === value) &&
          MetricState.isCounterState(p.metricState)
          ? sum + Number(p.metricState.count)
          : sum,
      0
    ))

const untaggedCounter = (name: string) =>
  Effect.map(Metric.snapshot, (pairs) =>
    pairs.reduce(
      (sum, p) =>
        p.metricKey.name === name && MetricState.isCounterState(p.metricState)
          ? sum + Number(p.metricState.count)
          : sum,
      0
    ))

/** Publishes `count` distinct records of `site` (the hub drops a repeat of the previous one). */
const publishMany = (site: string, count: number, offset = 0) =>
  Effect.flatMap(Hub, (hub) =>
    Effect.forEach(
      Array.from({ length: count }, (_, i) => northRecords()[(offset + i) % 100]!),
      (record) => hub.publish(radarRecord(site, record)),
      { discard: true }
    ))

const rawClientCount = (count: number) =>
  Effect.gen(function*() {
    const feed = yield* LiveFeed
    while ((yield* feed.clientCount) < count) yield* Effect.sleep("10 millis")
  })

describe("every byte sent to a client counts against its budget", () => {
  it.scopedLive("a latest flood from a client that does not read stays within its budget, the others unharmed", () =>
    Effect.gen(function*() {
      const server = yield* HttpServer
      const feed = yield* LiveFeed
      const healthy = yield* connectClient(server.url)
      // 40 sites with a latest packet each: one `latest` answer is about 110 kB.
      const sites = Array.from({ length: 40 }, (_, i) => `s${String(i).padStart(2, "0")}`)
      for (const [i, site] of sites.entries()) yield* publishMany(site, 1, i)
      yield* healthy.take(sites.length)

      const flooder = yield* connectRawClient(server.address.host, server.address.port)
      yield* rawClientCount(2)
      yield* flooder.stopReading
      const request = `2["latest",${JSON.stringify(sites)}]`
      for (let i = 0; i < 2000; i++) yield* flooder.send(request)
      // Until the server has read every request: it counts each as answered or refused.
      while ((yield* counter("superdarn_hub_client_requests_refused_total", "event", "latest")) < 1500) {
        yield* Effect.sleep("20 millis")
      }
      const flooderId = [...server.io.of("/").sockets.keys()].find((id) => id !== healthy.socket.id)!
      expect((yield* feed.clientBacklogs).get(flooderId)!).toBeLessThanOrEqual(BUDGET)

      // The healthy client still gets every packet.
      yield* publishMany("han", 20, 50)
      expect((yield* healthy.take(20)).map((e) => e.event)).toEqual(Array(20).fill("han"))
      expect(healthy.socket.connected).toBe(true)
    }).pipe(Effect.provide(feedLayer())))

  it.scopedLive("a client that stays over its budget is disconnected", () =>
    Effect.gen(function*() {
      const server = yield* HttpServer
      const feed = yield* LiveFeed
      const healthy = yield* connectClient(server.url)
      const stalled = yield* connectRawClient(server.address.host, server.address.port)
      yield* rawClientCount(2)
      yield* stalled.stopReading
      const before = yield* untaggedCounter("superdarn_hub_clients_over_budget_disconnected_total")
      let sent = 0
      while ((yield* feed.clientCount) > 1 && sent < 40_000) {
        yield* publishMany("sas", 50, sent)
        yield* healthy.take(50)
        sent += 50
        yield* Effect.sleep("5 millis")
      }
      expect(yield* feed.clientCount).toBe(1)
      expect(yield* untaggedCounter("superdarn_hub_clients_over_budget_disconnected_total")).toBe(before + 1)
      expect(healthy.socket.connected).toBe(true)
    }).pipe(Effect.provide(feedLayer({ maxOverBudgetMs: 300 }))))
})

describe("requests are bounded before they are parsed and never echoed", () => {
  it.scopedLive("a site list longer than the known sites is refused by its length; duplicates count once", () =>
    Effect.gen(function*() {
      const { url } = yield* HttpServer
      const client = yield* connectClient(url)
      const long = Array.from({ length: 1000 }, (_, i) => `x${i}`)
      const refused = (yield* client.request("subscribe", long)) as { ok: boolean; error: string }
      expect(refused.ok).toBe(false)
      expect(refused.error).toMatch(/^at most \d+ sites$/)
      expect(yield* client.request("subscribe", ["sas", "SAS", "sas", "han"])).toEqual({
        ok: true,
        sites: ["han", "sas"]
      })
    }).pipe(Effect.provide(feedLayer())))

  it.scopedLive("a refusal says what was expected and never repeats the input", () =>
    Effect.gen(function*() {
      const { url } = yield* HttpServer
      const client = yield* connectClient(url)
      const evil = "<script>alert(1)</script>"
      for (
        const [event, payload] of [
          ["subscribe", [evil]],
          ["latest", { sites: evil }],
          ["unsubscribe", [evil.repeat(100)]],
          ["history", { site: evil, since: evil }],
          ["history", { site: "han", since: evil }]
        ] as const
      ) {
        const answer = (yield* client.request(event, payload)) as { ok: boolean; event: string; error: string }
        expect(answer).toMatchObject({ ok: false, event })
        expect(answer.error).not.toContain("script")
        expect(answer.error.length).toBeLessThan(120)
      }
      expect(client.socket.connected).toBe(true)
    }).pipe(Effect.provide(feedLayer())))

  it.scopedLive("a client asking too often is refused, then served again, and stays connected", () =>
    Effect.gen(function*() {
      const { url } = yield* HttpServer
      const client = yield* connectClient(url)
      const answers = yield* Effect.forEach(
        Array.from({ length: 200 }),
        () => client.request("subscribe", ["sas"]) as Effect.Effect<{ ok: boolean; error?: string }>,
        { concurrency: "unbounded" }
      )
      const refused = answers.filter((a) => !a.ok)
      // The burst allowance is 20: the rest of 200 requests sent at once are refused.
      expect(refused.length).toBeGreaterThanOrEqual(150)
      expect(refused[0]!.error).toMatch(/^too many requests/)
      yield* Effect.sleep("500 millis")
      expect(yield* client.request("subscribe", ["han"])).toEqual({ ok: true, sites: ["han", "sas"] })
      expect(client.socket.connected).toBe(true)
    }).pipe(Effect.provide(feedLayer())))
})

describe("a message larger than any request", () => {
  it.scopedLive("closes that client's connection before it is parsed; others are unaffected", () =>
    Effect.gen(function*() {
      const server = yield* HttpServer
      const feed = yield* LiveFeed
      const healthy = yield* connectClient(server.url)
      const attacker = yield* connectRawClient(server.address.host, server.address.port)
      yield* rawClientCount(2)
      // 100k site codes: about 700 kB, far over the 16 KiB limit.
      const huge = `2["subscribe",${JSON.stringify(Array.from({ length: 100_000 }, () => "sas"))}]`
      yield* attacker.sendLarge(huge)
      yield* attacker.closed
      while ((yield* feed.clientCount) > 1) yield* Effect.sleep("10 millis")
      yield* publishMany("han", 1)
      expect((yield* healthy.take(1)).map((e) => e.event)).toEqual(["han"])
    }).pipe(Effect.provide(feedLayer())))
})
