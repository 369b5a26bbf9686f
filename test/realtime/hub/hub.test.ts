import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Exit, Queue, Scope } from "effect"
import type { RadarRecord } from "../../../src/domain/radar-record.js"
import { Hub } from "../../../src/layers/realtime/Hub.js"
import { testsNeedProgram } from "../../support/required-program.js"
import { northRecords, radarRecord } from "./fixture-records.js"

testsNeedProgram("bzip2", "bzip2")

const records = (site: string, count: number): ReadonlyArray<RadarRecord> =>
  Array.from({ length: count }, (_, i) => radarRecord(site, northRecords()[i % 100]!, 1_000 + i))

/** Lets the forwarder fibers run until `done` holds (bounded: fails the test otherwise). */
const settle = <A>(read: Effect.Effect<A>, done: (a: A) => boolean) =>
  Effect.gen(function*() {
    for (let turn = 0; turn < 1_000; turn++) {
      const value = yield* read
      if (done(value)) return value
      yield* Effect.yieldNow()
    }
    return yield* Effect.dieMessage("the hub did not settle")
  })

const statsOf = (hub: Hub, consumer: string) =>
  Effect.map(hub.consumerStats, (all) => all.find((s) => s.consumer === consumer))

describe("Hub", () => {
  it.scoped("delivers every record, in order, to a consumer that keeps up", () =>
    Effect.gen(function*() {
      const hub = yield* Hub
      const queue = yield* hub.subscribe("fast")
      const sent = records("han", 50)
      for (const record of sent) yield* hub.publish(record)
      const got = yield* Queue.takeN(queue, 50)
      expect(Chunk.toReadonlyArray(got)).toEqual(sent)
      expect(yield* statsOf(hub, "fast")).toEqual({ consumer: "fast", dropped: 0, queued: 0 })
    }).pipe(Effect.provide(Hub.Default)))

  it.scoped("a consumer that never reads keeps its newest records and counts the rest as dropped", () =>
    Effect.gen(function*() {
      const hub = yield* Hub
      const slow = yield* hub.subscribe("slow", 4)
      const fast = yield* hub.subscribe("fast", 1_000)
      const sent = records("han", 10)
      for (const record of sent) yield* hub.publish(record)

      // The fast consumer is not affected by the slow one.
      expect(Chunk.toReadonlyArray(yield* Queue.takeN(fast, 10))).toEqual(sent)
      const stats = yield* settle(statsOf(hub, "slow"), (s) => s !== undefined && s.dropped + s.queued === 10)
      expect(stats).toEqual({ consumer: "slow", dropped: 6, queued: 4 })
      expect(Chunk.toReadonlyArray(yield* Queue.takeAll(slow))).toEqual(sent.slice(6))
    }).pipe(Effect.provide(Hub.Default)))

  it.scoped("publish never waits for a stalled consumer", () =>
    Effect.gen(function*() {
      const hub = yield* Hub
      yield* hub.subscribe("stalled", 8)
      const fast = yield* hub.subscribe("fast", 20_000)
      const sent = records("han", 10_000)
      // Publishing all records completes although nobody reads the stalled buffer.
      yield* Effect.forEach(sent, hub.publish, { discard: true })
      const last = yield* Queue.takeN(fast, 10_000).pipe(Effect.map(Chunk.unsafeLast))
      expect(last).toBe(sent[9_999])
      const stats = yield* settle(statsOf(hub, "stalled"), (s) => s !== undefined && s.dropped + s.queued === 10_000)
      expect(stats).toEqual({ consumer: "stalled", dropped: 9_992, queued: 8 })
    }).pipe(Effect.provide(Hub.Default)))

  it.scoped("keeps the latest record of each site", () =>
    Effect.gen(function*() {
      const hub = yield* Hub
      expect((yield* hub.latest).size).toBe(0)
      const han = records("han", 3)
      const sas = records("sas", 2)
      for (const record of [han[0]!, sas[0]!, han[1]!, han[2]!, sas[1]!]) yield* hub.publish(record)
      const latest = yield* hub.latest
      expect([...latest.keys()].sort()).toEqual(["han", "sas"])
      expect(latest.get("han")).toBe(han[2])
      expect(latest.get("sas")).toBe(sas[1])
    }).pipe(Effect.provide(Hub.Default)))

  it.scoped("a consumer that leaves is forgotten and the others carry on", () =>
    Effect.gen(function*() {
      const hub = yield* Hub
      const scope = yield* Scope.make()
      yield* hub.subscribe("leaving", 4).pipe(Scope.extend(scope))
      const staying = yield* hub.subscribe("staying")
      expect((yield* hub.consumerStats).map((s) => s.consumer).sort()).toEqual(["leaving", "staying"])
      yield* Scope.close(scope, Exit.void)
      expect((yield* hub.consumerStats).map((s) => s.consumer)).toEqual(["staying"])
      const [record] = records("han", 1)
      yield* hub.publish(record!)
      expect(yield* Queue.take(staying)).toBe(record)
    }).pipe(Effect.provide(Hub.Default)))
})
