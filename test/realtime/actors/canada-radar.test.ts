import { describe, expect, it } from "@effect/vitest"
import { Chunk, Duration, Effect, Either, Exit, Queue, Scope, TestClock } from "effect"
import * as net from "node:net"
import * as zlib from "node:zlib"
import { classifyMessage } from "../../../src/actors/radar/canada-message-form.js"
import { type CanadaFeedOptions, canadaRecords } from "../../../src/actors/radar/canada-radar.js"
import { defaultBackoffPolicy } from "../../../src/actors/radar/radar-backoff.js"
import { fitacfView } from "../../../src/dmap/fitacf.js"
import type { DmapRecord } from "../../../src/dmap/types.js"
import { CANADA_FEED_ENTRY } from "../../../src/domain/radar-status.js"
import { RadarRegistry } from "../../../src/layers/realtime/RadarRegistry.js"
import { bzip2Compress } from "../../../src/simulate/bzip2-compress.js"
import {
  encodeCanadaMessage,
  type FakeCanadaPublisherHandle,
  makeFakeCanadaPublisher
} from "../../../src/simulate/fake-canada-publisher.js"
import { testsNeedProgram } from "../../support/required-program.js"
import { inuvikRecords, northRecords } from "./fixture-records.js"
import { awaitSleeper, awaitStatus, collect, fastBackoff } from "./harness.js"

testsNeedProgram("bzip2", "bzip2")

const feed = (
  publisher: Pick<FakeCanadaPublisherHandle, "host" | "port">,
  overrides: Partial<CanadaFeedOptions> = {}
): CanadaFeedOptions => ({
  host: publisher.host,
  port: publisher.port,
  stall: Duration.seconds(120),
  maxMessageBytes: 1024 * 1024,
  backoff: fastBackoff,
  ...overrides
})

const viewOf = (record: DmapRecord) => Either.getOrThrow(fitacfView(record))

/** The view's values with typed arrays as plain lists, so DMAP element types do not matter. */
const plain = (view: object) =>
  Object.fromEntries(
    Object.entries(view).map(([k, v]) => [k, ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v])
  )

describe("Canada ZeroMQ actor", () => {
  it.scopedLive("decodes every message form and names each record's site", () =>
    Effect.gen(function*() {
      const publisher = yield* makeFakeCanadaPublisher()
      const queue = yield* collect(canadaRecords(feed(publisher)))
      yield* publisher.awaitSubscribers(1)
      const [n0, n1, n2] = northRecords()
      const inv = inuvikRecords()[0]!
      yield* publisher.send(n0!, "aggregator", "han")
      yield* publisher.send(n1!, "borealis")
      yield* publisher.send(inv, "bz2-dmap")
      yield* publisher.send(n2!, "zlib-json")
      const got = Chunk.toReadonlyArray(yield* Queue.takeN(queue, 4))
      expect(got.map((r) => r.site)).toEqual(["han", "han", "inv", "han"])
      expect(got.slice(0, 3).map((r) => r.record)).toEqual([n0, n1, inv])
      // JSON carries values, not DMAP types: the fitacf view is what must match.
      expect(plain(got[3]!.fitacf)).toEqual(plain(viewOf(n2!)))
      const han = yield* awaitStatus("han", (s) => s.counters.records === 3)
      expect(han.transport).toBe("zmq")
      expect(han.address).toBe(`tcp://${publisher.address}`)
      expect((yield* awaitStatus("inv", (s) => s.counters.records === 1)).phase).toBe("receiving")
    }).pipe(Effect.provide(RadarRegistry.Default)))

  it.scopedLive("refuses zip bombs, truncated and malformed messages, and goes on with the next good one", () =>
    Effect.gen(function*() {
      const publisher = yield* makeFakeCanadaPublisher()
      const queue = yield* collect(canadaRecords(feed(publisher, { maxMessageBytes: 1024 * 1024 })))
      yield* publisher.awaitSubscribers(1)
      const text = new TextEncoder()
      const zeros = new Uint8Array(64 * 1024 * 1024)
      const zlibBomb = zlib.deflateSync(zeros, { level: 9 })
      const bz2Bomb = yield* bzip2Compress(zeros)
      expect(zlibBomb.length + bz2Bomb.length).toBeLessThan(200_000)
      const good = yield* encodeCanadaMessage(northRecords()[0]!, "borealis")
      const aggregator = yield* encodeCanadaMessage(northRecords()[1]!, "aggregator", "han")
      yield* publisher.sendFrames([text.encode("han"), zlibBomb])
      yield* publisher.sendFrames([text.encode("fitacf/0"), bz2Bomb])
      yield* publisher.sendFrames([bz2Bomb])
      yield* publisher.sendFrames([good[0]!, good[1]!.subarray(0, good[1]!.length - 40)])
      yield* publisher.sendFrames([aggregator[0]!, aggregator[1]!.subarray(0, 100)])
      yield* publisher.sendFrames([text.encode("not compressed at all")])
      yield* publisher.sendFrames([text.encode("a"), text.encode("b"), text.encode("c")])
      yield* publisher.sendFrames([text.encode("han"), zlib.deflateSync(text.encode("not a DMAP record"))])
      yield* publisher.sendFrames([text.encode("rawacf/0"), good[1]!])
      yield* publisher.sendFrames(good)
      const got = Chunk.toReadonlyArray(yield* Queue.takeN(queue, 1))
      expect(got.map((r) => r.record)).toEqual([northRecords()[0]])
      // The aggregator messages name their site, so their failures are counted there.
      const han = yield* awaitStatus("han", (s) => s.counters.records === 1)
      expect(han.counters.decodeErrors).toBe(3)
      expect(han.counters.reconnects).toBe(0)
      expect(yield* Queue.size(queue)).toBe(0)
    }).pipe(Effect.provide(RadarRegistry.Default)))

  it("tells the forms apart by frame count and content", () => {
    const text = new TextEncoder()
    const z = zlib.deflateSync(text.encode("x"))
    const bz = new Uint8Array([0x42, 0x5a, 0x68, 0x39, 0x31])
    const form = (frames: Array<Uint8Array>) =>
      Either.map(classifyMessage(frames), (m) => [m.form, m.site, m.compression])
    expect(form([text.encode("sas"), z])).toEqual(Either.right(["aggregator", "sas", "zlib"]))
    expect(form([text.encode("fitacf/2"), bz])).toEqual(Either.right(["borealis", undefined, "bzip2"]))
    expect(form([bz])).toEqual(Either.right(["bz2-dmap", undefined, "bzip2"]))
    expect(form([z])).toEqual(Either.right(["zlib-json", undefined, "zlib"]))
    expect(Either.isLeft(form([text.encode("SAS!"), z]))).toBe(true)
    expect(Either.isLeft(form([new Uint8Array([0, 1, 2]), z]))).toBe(true)
    expect(Either.isLeft(form([]))).toBe(true)
  })

  it.scoped("a publisher silent for longer than the stall time is resubscribed", () =>
    Effect.gen(function*() {
      // The fixtures' records are from 2018; at the TestClock's 1970 they would be from the future.
      yield* TestClock.setTime(Date.UTC(2018, 3, 4, 6, 0))
      const publisher = yield* makeFakeCanadaPublisher()
      const queue = yield* collect(
        canadaRecords(feed(publisher, { stall: Duration.seconds(120), backoff: defaultBackoffPolicy }))
      )
      yield* publisher.awaitSubscribers(1)
      yield* publisher.send(northRecords()[0]!, "aggregator", "han")
      yield* Queue.take(queue)
      yield* awaitSleeper
      yield* TestClock.adjust("120 seconds")
      const status = yield* awaitStatus("han", (s) => s.phase === "backoff")
      expect(status.lastError).toContain("Stalled")
      expect(status.counters.reconnects).toBe(0)
      expect((yield* awaitStatus(CANADA_FEED_ENTRY, (s) => s.phase === "backoff")).lastError).toContain("Stalled")
      yield* awaitSleeper
      yield* TestClock.adjust("1 second")
      yield* awaitStatus("han", (s) => s.phase === "connecting")
      // The new socket's subscription (the old one's was withdrawn when it closed).
      yield* Effect.repeat(publisher.subscriptions, { until: (n) => n >= 2 })
      yield* publisher.awaitSubscribers(1)
      yield* publisher.send(northRecords()[1]!, "aggregator", "han")
      expect((yield* Queue.take(queue)).record).toEqual(northRecords()[1])
      // The new socket's connection is a reconnection of the feed.
      expect((yield* awaitStatus(CANADA_FEED_ENTRY, (s) => s.phase === "receiving")).counters.reconnects).toBe(1)
    }).pipe(Effect.provide(RadarRegistry.Default)))

  it.scopedLive("a closed address reads \"unreachable since …\" on the feed's own entry within 10 s", () =>
    Effect.gen(function*() {
      const port = yield* closedPort
      yield* collect(canadaRecords({ ...feed({ host: "127.0.0.1", port }), backoff: defaultBackoffPolicy }))
      const entry = yield* awaitStatus(
        CANADA_FEED_ENTRY,
        (s) => s.phase === "backoff" && s.counters.failedAttempts >= 2
      ).pipe(Effect.timeoutFail({ duration: "10 seconds", onTimeout: () => new Error("not unreachable within 10 s") }))
      expect(entry.transport).toBe("zmq")
      expect(entry.address).toBe(`tcp://127.0.0.1:${port}`)
      expect(entry.lastError).toMatch(
        /^unreachable since \d{4}-\d\d-\d\dT[\d:.]+Z: no publisher accepts connections at tcp:\/\/127\.0\.0\.1:\d+; retrying in \d+ ms$/
      )
      // ZeroMQ's own retry delay, at most 5 s away.
      expect(entry.nextAttemptAt! - Date.now()).toBeLessThanOrEqual(5000)
      expect(entry.counters.reconnects).toBe(0)
      // "since" is the first failure of the outage, not the latest retry.
      const since = Date.parse(/since (\S+):/.exec(entry.lastError!)![1]!)
      expect(since).toBe(entry.phaseSince)
    }).pipe(Effect.provide(RadarRegistry.Default)))

  it.scopedLive("a publisher that goes away and comes back: disconnected, then reconnected within 5 s", () =>
    Effect.gen(function*() {
      const first = yield* Scope.make()
      const publisher = yield* makeFakeCanadaPublisher().pipe(Scope.extend(first))
      const queue = yield* collect(canadaRecords({ ...feed(publisher), backoff: defaultBackoffPolicy }))
      yield* publisher.awaitSubscribers(1)
      yield* awaitStatus(CANADA_FEED_ENTRY, (s) => s.phase === "connected")
      yield* publisher.send(inuvikRecords()[0]!, "bz2-dmap")
      yield* Queue.take(queue)
      const receiving = yield* awaitStatus(CANADA_FEED_ENTRY, (s) => s.phase === "receiving")
      expect(receiving.counters.records).toBe(1)
      yield* Scope.close(first, Exit.void)
      const gone = yield* awaitStatus(CANADA_FEED_ENTRY, (s) => s.phase === "backoff")
      expect(gone.lastError).toMatch(/disconnected|unreachable/)
      // The site relayed by the feed is shown as away too.
      expect((yield* awaitStatus("inv", (s) => s.phase === "backoff")).lastError).toMatch(/disconnected|unreachable/)
      const back = yield* makeFakeCanadaPublisher({ port: publisher.port })
      const returnedAt = Date.now()
      yield* back.awaitSubscribers(1)
      const reconnected = yield* awaitStatus(CANADA_FEED_ENTRY, (s) => s.phase === "connected")
      expect(reconnected.phaseSince - returnedAt).toBeLessThanOrEqual(5000)
      expect(reconnected.counters.reconnects).toBe(1)
      yield* back.send(inuvikRecords()[1]!, "bz2-dmap")
      expect((yield* Queue.take(queue)).record).toEqual(inuvikRecords()[1])
    }).pipe(Effect.provide(RadarRegistry.Default)))
})

/** A port nothing listens on: bound once by the kernel's choice, then closed. */
const closedPort = Effect.async<number>((resume) => {
  const server = net.createServer()
  server.listen(0, "127.0.0.1", () => {
    const { port } = server.address() as net.AddressInfo
    server.close(() => resume(Effect.succeed(port)))
  })
})
