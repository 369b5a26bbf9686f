import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { withScalars } from "../../../src/dmap/record.js"
import type { DmapRecord } from "../../../src/dmap/types.js"
import { HttpServer } from "../../../src/layers/platform/HttpServer.js"
import { History } from "../../../src/layers/realtime/History.js"
import { Hub } from "../../../src/layers/realtime/Hub.js"
import { LiveFeed, type LiveFeedOptions } from "../../../src/layers/realtime/LiveFeed.js"
import { RadarRegistry } from "../../../src/layers/realtime/RadarRegistry.js"
import { testsNeedProgram } from "../../support/required-program.js"
import { northRecords, radarRecord } from "../hub/fixture-records.js"
import { connectClient } from "./clients.js"
import { expectedPacket } from "./expected-packet.js"
import { httpServerLayer } from "./server-layers.js"

testsNeedProgram("bzip2", "bzip2")

const feedLayer = (options: Partial<LiveFeedOptions> = {}, minutes = 10) =>
  LiveFeed.layer(options).pipe(
    Layer.provideMerge(History.layer({ minutes })),
    Layer.provideMerge(Hub.Default),
    Layer.provideMerge(RadarRegistry.Default),
    Layer.provideMerge(httpServerLayer(Layer.empty))
  )

/** Record `i` of the fixture, re-timed to `at` (epoch ms): history keeps the last minutes relative to now. */
const at = (i: number, ms: number): DmapRecord => {
  const t = new Date(ms)
  return withScalars(northRecords()[i % 100]!, {
    "time.yr": t.getUTCFullYear(),
    "time.mo": t.getUTCMonth() + 1,
    "time.dy": t.getUTCDate(),
    "time.hr": t.getUTCHours(),
    "time.mt": t.getUTCMinutes(),
    "time.sc": t.getUTCSeconds(),
    "time.us": (ms % 1000) * 1000
  })
}

const publish = (site: string, records: ReadonlyArray<DmapRecord>) =>
  Effect.flatMap(
    Hub,
    (hub) => Effect.forEach(records, (record) => hub.publish(radarRecord(site, record)), { discard: true })
  )

interface HistoryAnswer {
  readonly ok: boolean
  readonly site?: string
  readonly more?: boolean
  readonly packets?: ReadonlyArray<{ readonly time_iso: string }>
  readonly error?: string
}

describe("history over Socket.IO", () => {
  it.scopedLive("answers a site's packets in time order, the same packets as live, since honoured", () =>
    Effect.gen(function*() {
      const { url } = yield* HttpServer
      const live = yield* connectClient(url)
      const start = Date.now() - 60_000
      const han = Array.from({ length: 30 }, (_, i) => at(i, start + i * 1000))
      const sas = Array.from({ length: 5 }, (_, i) => at(40 + i, start + i * 1000 + 500))
      yield* publish("han", han.slice(0, 15))
      yield* publish("sas", sas)
      yield* publish("han", han.slice(15))
      yield* live.take(35)

      const client = yield* connectClient(url)
      const all = (yield* client.request("history", { site: "han" })) as HistoryAnswer
      expect(all).toMatchObject({ ok: true, site: "han", more: false })
      expect(all.packets).toEqual(han.map((record) => expectedPacket("han", record)))

      const since = expectedPacket("han", han[19]!).time_iso
      const later = (yield* client.request("history", { site: "HAN", since })) as HistoryAnswer
      expect(later.packets).toEqual(han.slice(20).map((record) => expectedPacket("han", record)))

      // A time zone other than Z is the same instant.
      const zoned = new Date(Date.parse(since)).toISOString().replace("Z", "+00:00")
      expect(((yield* client.request("history", { site: "han", since: zoned })) as HistoryAnswer).packets).toHaveLength(
        10
      )

      // Without an acknowledgement the answer comes as a `history` event.
      client.socket.emit("history", { site: "sas" })
      const [event] = yield* client.take(1)
      expect(event!.event).toBe("history")
      expect((event!.args[0] as HistoryAnswer).packets).toEqual(sas.map((record) => expectedPacket("sas", record)))
    }).pipe(Effect.provide(feedLayer())))

  it.scopedLive("a radar that rewinds still gets its history in time order", () =>
    Effect.gen(function*() {
      const { url } = yield* HttpServer
      const client = yield* connectClient(url)
      const start = Date.now() - 120_000
      const times = [0, 1, 2, 3, 4, -90, -89, 5]
      const records = times.map((s, i) => at(i, start + 90_000 + s * 1000))
      yield* publish("han", records)
      yield* client.take(records.length)
      const answer = (yield* client.request("history", { site: "han" })) as HistoryAnswer
      const seen = answer.packets!.map((p) => Date.parse(p.time_iso))
      expect(seen).toEqual([...seen].sort((a, b) => a - b))
      expect(seen).toHaveLength(records.length)
    }).pipe(Effect.provide(feedLayer())))

  it.scopedLive("a long history is answered in bounded parts; asking again from the last packet gets the rest", () =>
    Effect.gen(function*() {
      const { url } = yield* HttpServer
      const client = yield* connectClient(url)
      const start = Date.now() - 300_000
      const records = Array.from({ length: 200 }, (_, i) => at(i, start + i * 1000))
      yield* publish("han", records)
      yield* client.take(records.length)
      const times: Array<string> = []
      let since: string | undefined
      for (let part = 0; part < 50; part++) {
        const answer = (yield* client.request("history", { site: "han", since })) as HistoryAnswer
        expect(answer.ok).toBe(true)
        expect(JSON.stringify(answer.packets).length).toBeLessThanOrEqual(64 * 1024 + 4096)
        times.push(...answer.packets!.map((p) => p.time_iso))
        if (!answer.more) break
        since = times[times.length - 1]
      }
      expect(times).toEqual(records.map((record) => expectedPacket("han", record).time_iso))
    }).pipe(Effect.provide(feedLayer({ maxHistoryReplyBytes: 64 * 1024 }))))

  it.scopedLive("keeps only the last HISTORY_MINUTES, and at most its count per site", () =>
    Effect.gen(function*() {
      const { url } = yield* HttpServer
      const client = yield* connectClient(url)
      const history = yield* History
      // One minute of history holds at most 600 packets per site.
      const start = Date.now() - 50_000
      const records = Array.from({ length: 700 }, (_, i) => at(i, start + i * 10))
      yield* publish("han", records)
      yield* client.take(records.length)
      expect((yield* history.stats).packets).toBe(600)
      const answer = (yield* client.request("history", { site: "han" })) as HistoryAnswer
      expect(answer.packets!.map((p) => p.time_iso)).toEqual(
        records.slice(100).map((record) => expectedPacket("han", record).time_iso)
      )
    }).pipe(
      Effect.provide(
        feedLayer({
          maxHistoryReplyBytes: 64 * 1024 * 1024,
          clientByteBudget: 64 * 1024 * 1024,
          consumerCapacity: 2048
        }, 1)
      )
    ))

  it.scopedLive("with HISTORY_MINUTES 0 the answer is empty", () =>
    Effect.gen(function*() {
      const { url } = yield* HttpServer
      const client = yield* connectClient(url)
      yield* publish("han", [at(0, Date.now() - 1000)])
      yield* client.take(1)
      expect(yield* client.request("history", { site: "han" })).toEqual({
        ok: true,
        site: "han",
        more: false,
        packets: []
      })
    }).pipe(Effect.provide(feedLayer({}, 0))))

  it.scopedLive("bad requests get a clear error, never an echo, and the client carries on", () =>
    Effect.gen(function*() {
      const { url } = yield* HttpServer
      const client = yield* connectClient(url)
      yield* publish("han", [at(0, Date.now() - 1000)])
      yield* client.take(1)
      const refusal = (payload: unknown) => client.request("history", payload) as Effect.Effect<HistoryAnswer>
      expect(yield* refusal({ site: "zzz" })).toEqual({
        ok: false,
        event: "history",
        error: "site is not a radar of this hub"
      })
      expect(yield* refusal({ site: 42 })).toMatchObject({
        ok: false,
        error: expect.stringMatching(/^site must be a site code/)
      })
      expect(yield* refusal({ site: ["han"] })).toMatchObject({
        ok: false,
        error: expect.stringMatching(/^site must be/)
      })
      expect(yield* refusal("han")).toMatchObject({ ok: false, error: "must be an object { site, since? }" })
      expect(yield* refusal(null)).toMatchObject({ ok: false, error: "must be an object { site, since? }" })
      for (const since of ["yesterday", "2025-02-30T00:00:00Z", "9".repeat(10_000), 1_700_000_000_000, { $gt: 0 }]) {
        const answer = yield* refusal({ site: "han", since })
        expect(answer).toMatchObject({
          ok: false,
          error: expect.stringMatching(/^since must be an ISO 8601 date-time/)
        })
        expect(JSON.stringify(answer).length).toBeLessThan(200)
      }
      expect(((yield* client.request("history", { site: "han" })) as HistoryAnswer).packets).toHaveLength(1)
    }).pipe(Effect.provide(feedLayer())))

  it.scopedLive("thousands of requests a second from one client get a bounded number of answers", () =>
    Effect.gen(function*() {
      const { url } = yield* HttpServer
      const client = yield* connectClient(url)
      const start = Date.now() - 60_000
      yield* publish("han", Array.from({ length: 50 }, (_, i) => at(i, start + i * 1000)))
      yield* client.take(50)
      // Answers (served or refused) as they come; a refusal the client has no budget left for is not sent.
      const answers: Array<HistoryAnswer> = []
      for (let i = 0; i < 2000; i++) {
        client.socket.emit("history", { site: "han" }, (a: HistoryAnswer) => answers.push(a))
      }
      for (let waited = 0; answers.length === 0 && waited < 200; waited++) yield* Effect.sleep("50 millis")
      let seen = -1
      while (seen !== answers.length) {
        seen = answers.length
        yield* Effect.sleep("1 second")
      }
      const served = answers.filter((a) => a.ok)
      expect(served.length).toBeGreaterThan(0)
      // The burst allowance (20) and a few seconds' refill at 10 a second.
      expect(served.length).toBeLessThanOrEqual(80)
      expect(answers.filter((a) => !a.ok).every((a) => /^too many requests|byte budget/.test(a.error!))).toBe(true)
      expect(client.socket.connected).toBe(true)
      yield* Effect.sleep("1 second")
      expect(((yield* client.request("history", { site: "han" })) as HistoryAnswer).packets).toHaveLength(50)
    }).pipe(Effect.provide(feedLayer())))
})
