/**
 * The ingest lease against a real Redis: one leader among several, a standby
 * taking over when the leader's key expires, and a leader cut off from Redis
 * stopping before its key can expire, so no two ingests ever overlap.
 */
import { describe, expect, it } from "@effect/vitest"
import { createClient } from "@redis/client"
import { Context, Deferred, Duration, Effect, Fiber, Layer, Ref } from "effect"
import { randomBytes } from "node:crypto"
import { Redis } from "../../../src/layers/platform/Redis.js"
import { IngestLease, type LeaseTimings } from "../../../src/layers/realtime/IngestLease.js"
import { requireRedis, TEST_REDIS_URL } from "../../support/required-service.js"
import { scopedTcpProxy } from "../../support/tcp-proxy.js"

const missing = await requireRedis()

const FAST: LeaseTimings = { ttlMs: 1200, renewMs: 300, fenceMs: 800, pollMs: 200 }

/** A lease with its own Redis connection, open for the rest of the enclosing scope (one "process"). */
const scopedLease = (url: string, keyPrefix: string) =>
  Layer.build(IngestLease.layer(FAST).pipe(Layer.provide(Redis.layer({ url, keyPrefix })))).pipe(
    Effect.map((context) => Context.get(context, IngestLease))
  )

/** Counts how many ingests run at once and the most that ever did. */
const overlapProbe = Effect.gen(function*() {
  const running = yield* Ref.make(0)
  const most = yield* Ref.make(0)
  const starts = yield* Ref.make(0)
  const ingest: Effect.Effect<never> = Effect.acquireRelease(
    Ref.updateAndGet(running, (n) => n + 1).pipe(
      Effect.tap((n) => Ref.update(most, (m) => Math.max(m, n))),
      Effect.zipRight(Ref.update(starts, (n) => n + 1))
    ),
    () => Ref.update(running, (n) => n - 1)
  ).pipe(Effect.zipRight(Effect.never), Effect.scoped)
  return { running, most, starts, ingest }
})

const waitUntil = (check: Effect.Effect<boolean>, within: Duration.DurationInput) =>
  Effect.gen(function*() {
    while (!(yield* check)) yield* Effect.sleep("50 millis")
  }).pipe(Effect.timeout(within))

describe.skipIf(missing !== undefined)("ingest lease on Redis", () => {
  it.live("one of two processes leads; the other takes over within ttl + poll when the leader goes", () =>
    Effect.gen(function*() {
      const prefix = `sdh-test-${randomBytes(4).toString("hex")}:`
      const probe = yield* overlapProbe
      const first = yield* Effect.gen(function*() {
        const lease = yield* scopedLease(TEST_REDIS_URL, prefix)
        return yield* lease.whileLeading(probe.ingest)
      }).pipe(Effect.scoped, Effect.forkScoped)
      yield* waitUntil(Effect.map(Ref.get(probe.running), (n) => n === 1), "5 seconds")

      const secondLease = yield* scopedLease(TEST_REDIS_URL, prefix)
      yield* Effect.forkScoped(secondLease.whileLeading(probe.ingest))
      yield* Effect.sleep("1 second")
      expect(yield* Ref.get(probe.starts)).toBe(1)
      const standby = yield* secondLease.role.get
      expect(standby._tag).toBe("Standby")

      yield* Fiber.interrupt(first)
      yield* waitUntil(Effect.map(Ref.get(probe.starts), (n) => n === 2), "3 seconds")
      expect((yield* secondLease.role.get)._tag).toBe("Leader")
      expect(yield* Ref.get(probe.most)).toBe(1)
    }).pipe(Effect.scoped))

  it.live("a leader that dies without letting go is replaced once its key expires", () =>
    Effect.gen(function*() {
      const prefix = `sdh-test-${randomBytes(4).toString("hex")}:`
      const raw = createClient({ url: TEST_REDIS_URL })
      yield* Effect.acquireRelease(Effect.promise(() => raw.connect()), () => Effect.promise(() => raw.close()))
      // A leader killed with SIGKILL: its key stays until the TTL runs out.
      yield* Effect.promise(() =>
        raw.set(`${prefix}ingest:leader`, "dead-host:1:abc", { expiration: { type: "PX", value: FAST.ttlMs } })
      )
      const probe = yield* overlapProbe
      const started = Date.now()
      const lease = yield* scopedLease(TEST_REDIS_URL, prefix)
      yield* Effect.forkScoped(lease.whileLeading(probe.ingest))
      yield* Effect.sleep(Duration.millis(FAST.pollMs * 2))
      const waiting = yield* lease.role.get
      expect(waiting).toEqual({ _tag: "Standby", leader: "dead-host:1:abc" })
      yield* waitUntil(Effect.map(Ref.get(probe.running), (n) => n === 1), "5 seconds")
      expect(Date.now() - started).toBeLessThanOrEqual(FAST.ttlMs + FAST.pollMs + 1000)
    }).pipe(Effect.scoped))

  it.live("a leader cut off from Redis stops ingesting before its key expires, and a standby then leads alone", () =>
    Effect.gen(function*() {
      const prefix = `sdh-test-${randomBytes(4).toString("hex")}:`
      const target = new URL(TEST_REDIS_URL)
      const proxy = yield* scopedTcpProxy({ host: target.hostname, port: Number(target.port || 6379) })
      const probe = yield* overlapProbe
      const stopped = yield* Deferred.make<number>()
      const cutOff = yield* scopedLease(`redis://127.0.0.1:${proxy.port}`, prefix)
      const fencedIngest: Effect.Effect<never> = probe.ingest.pipe(
        Effect.onInterrupt(() => Deferred.succeed(stopped, Date.now()))
      )
      yield* Effect.forkScoped(cutOff.whileLeading(fencedIngest))
      yield* waitUntil(Effect.map(Ref.get(probe.running), (n) => n === 1), "5 seconds")

      const standby = yield* scopedLease(TEST_REDIS_URL, prefix)
      yield* Effect.forkScoped(standby.whileLeading(probe.ingest))
      const cutAt = Date.now()
      proxy.cut()
      const stoppedAt = yield* Deferred.await(stopped).pipe(Effect.timeout("5 seconds"))
      expect(stoppedAt - cutAt).toBeLessThan(FAST.ttlMs)
      yield* waitUntil(Effect.map(Ref.get(probe.starts), (n) => n === 2), "5 seconds")
      expect(yield* Ref.get(probe.most)).toBe(1)
      expect((yield* standby.role.get)._tag).toBe("Leader")
    }).pipe(Effect.scoped))
})
