import { describe, expect, it } from "@effect/vitest"
import { Chunk, Clock, Duration, Effect, Queue, Random, TestClock } from "effect"
import { defaultBackoffPolicy } from "../../../src/actors/radar/radar-backoff.js"
import { type TcpRadarOptions, tcpRadarRecords } from "../../../src/actors/radar/tcp-radar.js"
import { encodeRecord } from "../../../src/dmap/encode.js"
import type { RadarRecord } from "../../../src/domain/radar-record.js"
import { RadarRegistry } from "../../../src/layers/realtime/RadarRegistry.js"
import { type FakeRtServerHandle, makeFakeRtServer } from "../../../src/simulate/fake-rtserver.js"
import { DEFAULT_MAX_FRAME_BYTES } from "../../../src/streams/connex-framer.js"
import { testsNeedProgram } from "../../support/required-program.js"
import { inuvikRecords, northRecords } from "./fixture-records.js"
import { awaitSleeper, awaitStatus, collect, fastBackoff } from "./harness.js"

testsNeedProgram("bzip2", "bzip2")

const radar = (server: FakeRtServerHandle, overrides: Partial<TcpRadarOptions> = {}): TcpRadarOptions => ({
  site: "han",
  host: server.host,
  port: server.port,
  maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
  stall: Duration.seconds(120),
  backoff: fastBackoff,
  ...overrides
})

/** The fixtures' records are from 2018-04-04; the TestClock starts at 1970, where they would be from the future. */
const atFixtureTime = TestClock.setTime(Date.UTC(2018, 3, 4, 6, 0))

const take = (queue: Queue.Queue<RadarRecord>, n: number) =>
  Effect.map(Queue.takeN(queue, n), (chunk) => Chunk.toReadonlyArray(chunk).map((r) => r.record))

describe("TCP radar actor", () => {
  it.scopedLive("records arrive intact and in order, each with its fitacf view", () =>
    Effect.gen(function*() {
      const server = yield* makeFakeRtServer()
      const queue = yield* collect(tcpRadarRecords(radar(server)))
      yield* server.awaitClients(1)
      const sent = northRecords().slice(0, 30)
      for (const record of sent) yield* server.send(record)
      const got = yield* Queue.takeN(queue, 30).pipe(Effect.map(Chunk.toReadonlyArray))
      expect(got.map((r) => r.record)).toEqual(sent)
      expect(got.every((r) => r.site === "han" && r.fitacf.stid === 10)).toBe(true)
      expect(got.map((r) => r.fitacf.bmnum)).toEqual(sent.map((r) => r.scalars.find((s) => s.name === "bmnum")!.value))
      const status = yield* awaitStatus("han", (s) => s.counters.records === 30)
      expect(status.phase).toBe("receiving")
      expect(status.transport).toBe("tcp")
      expect(status.counters).toEqual({
        frames: 30,
        records: 30,
        bytes: sent.reduce((n, r) => n + 8 + encodeRecord(r).length, 0),
        decodeErrors: 0,
        resyncs: 0,
        reconnects: 0,
        failedAttempts: 0
      })
    }).pipe(Effect.provide(RadarRegistry.Default)))

  it.scopedLive("a radar down at start-up is retried until it comes up", () =>
    Effect.gen(function*() {
      const server = yield* makeFakeRtServer({ refuseAtStart: true })
      const queue = yield* collect(tcpRadarRecords(radar(server)))
      const down = yield* awaitStatus("han", (s) => s.counters.failedAttempts >= 3)
      expect(down.lastError).toContain("ECONNREFUSED")
      expect(down.counters.reconnects).toBe(0)
      yield* server.accept
      yield* server.awaitClients(1)
      yield* server.send(northRecords()[0]!)
      expect(yield* take(queue, 1)).toEqual([northRecords()[0]])
      // The first connection ever made is not a reconnection.
      expect((yield* awaitStatus("han", (s) => s.phase === "receiving")).counters.reconnects).toBe(0)
    }).pipe(Effect.provide(RadarRegistry.Default)))

  it.scopedLive("garbage, a cut frame and an absurd length are skipped without losing a record after them", () =>
    Effect.gen(function*() {
      const server = yield* makeFakeRtServer()
      const queue = yield* collect(tcpRadarRecords(radar(server)))
      yield* server.awaitClients(1)
      const records = northRecords()
      yield* server.send(records[0]!)
      yield* server.inject({ _tag: "Garbage", bytes: new TextEncoder().encode("stale bytes from a dropped buffer") })
      yield* server.send(records[1]!)
      yield* server.inject({ _tag: "CutFrame", record: records[2]! })
      yield* server.send(records[3]!)
      yield* server.send(records[4]!)
      yield* server.inject({ _tag: "AbsurdLength", length: 0xfffffff0 })
      yield* server.send(records[5]!)
      // A DMAP record that is not fitacf is framed fine but skipped.
      yield* server.sendPayload(encodeRecord({ scalars: [], arrays: [] }))
      yield* server.send(records[6]!)
      expect(yield* take(queue, 6)).toEqual([records[0], records[1], records[3], records[4], records[5], records[6]])
      const status = yield* awaitStatus("han", (s) => s.counters.records === 6)
      // garbage, cut frame (rejected), absurd length; the cut frame and the
      // empty record are decode errors; the connection was never dropped.
      expect(status.counters.resyncs).toBe(3)
      expect(status.counters.decodeErrors).toBe(2)
      expect(status.counters.reconnects).toBe(0)
      expect(yield* server.accepted).toBe(1)
    }).pipe(Effect.provide(RadarRegistry.Default)))

  it.scopedLive("a clean close is a failure: the actor reconnects and goes on", () =>
    Effect.gen(function*() {
      const server = yield* makeFakeRtServer({ disconnectAfter: 2 })
      const queue = yield* collect(tcpRadarRecords(radar(server)))
      const records = northRecords()
      for (let i = 0; i < 6; i += 2) {
        yield* server.awaitAccepted(i / 2 + 1)
        yield* server.send(records[i]!)
        yield* server.send(records[i + 1]!)
      }
      expect(yield* take(queue, 6)).toEqual(records.slice(0, 6))
      const status = yield* awaitStatus("han", (s) => s.counters.reconnects >= 2)
      expect(status.lastError).toContain("closed the connection")
      // Three connections made, two of them after a loss; none refused.
      expect(yield* server.accepted).toBe(3)
      expect(status.counters.failedAttempts).toBe(0)
    }).pipe(Effect.provide(RadarRegistry.Default)))

  it.scopedLive("a record larger than the radar's maxFrameBytes is skipped, the next one is not", () =>
    Effect.gen(function*() {
      const [small, big] = [...inuvikRecords()].sort((a, b) => encodeRecord(a).length - encodeRecord(b).length)
      const server = yield* makeFakeRtServer()
      const queue = yield* collect(
        tcpRadarRecords(radar(server, { site: "inv", maxFrameBytes: encodeRecord(small!).length }))
      )
      yield* server.awaitClients(1)
      yield* server.send(big!)
      yield* server.send(small!)
      expect(yield* take(queue, 1)).toEqual([small])
      expect((yield* awaitStatus("inv", (s) => s.counters.records === 1)).counters.resyncs).toBe(1)
    }).pipe(Effect.provide(RadarRegistry.Default)))

  it.scoped("a stall (connected, no bytes for stallSeconds) triggers a reconnect", () =>
    Effect.gen(function*() {
      yield* atFixtureTime
      const server = yield* makeFakeRtServer()
      const queue = yield* collect(
        tcpRadarRecords(radar(server, { stall: Duration.seconds(120), backoff: defaultBackoffPolicy }))
      )
      yield* server.awaitClients(1)
      yield* server.send(northRecords()[0]!)
      yield* take(queue, 1)
      yield* server.inject({ _tag: "Stall" })
      yield* awaitSleeper
      yield* TestClock.adjust("119 seconds")
      expect((yield* RadarRegistry.pipe(Effect.flatMap((r) => r.get("han"))))?.phase).toBe("receiving")
      yield* TestClock.adjust("1 second")
      const stalled = yield* awaitStatus("han", (s) => s.phase === "backoff")
      expect(stalled.lastError).toContain("Stalled")
      expect(stalled.counters.reconnects).toBe(0)
      // The session outlived its delay: the next attempt comes at once (a jitter pause of at most 0.2 s).
      expect(stalled.nextAttemptAt! - stalled.phaseSince).toBeLessThanOrEqual(200)
      yield* awaitSleeper
      yield* TestClock.adjust("200 millis")
      yield* server.awaitAccepted(2)
      yield* server.awaitClients(1)
      yield* server.send(northRecords()[1]!)
      expect(yield* take(queue, 1)).toEqual([northRecords()[1]])
      expect((yield* awaitStatus("han", (s) => s.phase === "receiving")).counters.reconnects).toBe(1)
    }).pipe(Effect.provide(RadarRegistry.Default)))

  it.scoped("retries grow from 1 s to a 5 s cap while the radar is down, and come at once after a clean close", () =>
    Effect.gen(function*() {
      yield* atFixtureTime
      const server = yield* makeFakeRtServer({ refuseAtStart: true })
      const queue = yield* collect(tcpRadarRecords(radar(server, { backoff: defaultBackoffPolicy })))
      const delays: Array<number> = []
      for (let k = 1; k <= 8; k++) {
        const status = yield* awaitStatus("han", (s) => s.phase === "backoff" && s.counters.failedAttempts === k)
        const delay = status.nextAttemptAt! - status.phaseSince
        delays.push(delay)
        yield* awaitSleeper
        yield* TestClock.adjust(delay)
      }
      const nominal = [1000, 2000, 4000, 5000, 5000, 5000, 5000, 5000]
      delays.forEach((delay, i) => {
        expect(delay).toBeGreaterThanOrEqual(nominal[i]! * 0.8)
        expect(delay).toBeLessThanOrEqual(nominal[i]!)
      })
      // Jittered: not every capped delay is the same.
      expect(new Set(delays.slice(3)).size).toBeGreaterThan(1)
      yield* server.accept
      const last = yield* awaitStatus("han", (s) => s.phase === "backoff" && s.counters.failedAttempts === 9)
      yield* awaitSleeper
      yield* TestClock.adjust(last.nextAttemptAt! - last.phaseSince)
      yield* server.awaitClients(1)
      yield* server.send(northRecords()[0]!)
      yield* take(queue, 1)
      // A feed that carried records for a while, then closed cleanly.
      yield* TestClock.adjust("30 seconds")
      yield* server.inject({ _tag: "Disconnect" })
      const after = yield* awaitStatus("han", (s) => s.phase === "backoff" && s.lastError!.includes("closed"))
      expect(after.nextAttemptAt! - after.phaseSince).toBeLessThanOrEqual(200)
      expect(after.counters.failedAttempts).toBe(9)
    }).pipe(Effect.provide(RadarRegistry.Default), Effect.withRandom(Random.make("backoff"))))

  const outage = (downFor: Duration.Duration) =>
    Effect.gen(function*() {
      yield* atFixtureTime
      const server = yield* makeFakeRtServer()
      const queue = yield* collect(tcpRadarRecords(radar(server, { backoff: defaultBackoffPolicy })))
      yield* server.awaitClients(1)
      yield* server.send(northRecords()[0]!)
      yield* take(queue, 1)
      yield* awaitStatus("han", (s) => s.phase === "receiving")
      const wentAway = yield* Clock.currentTimeMillis
      const returnsAt = wentAway + Duration.toMillis(downFor)
      yield* server.refuse
      // Follow every attempt while the radar is away: none is more than 5 s after the previous one.
      const attempts: Array<number> = []
      for (let k = 0;; k++) {
        const status = yield* awaitStatus("han", (s) => s.phase === "backoff" && s.counters.failedAttempts === k)
        attempts.push(status.phaseSince)
        if (status.nextAttemptAt! >= returnsAt) break
        yield* awaitSleeper
        yield* TestClock.adjust(status.nextAttemptAt! - (yield* Clock.currentTimeMillis))
      }
      const gaps = attempts.slice(1).map((at, i) => at - attempts[i]!)
      expect(Math.max(...gaps)).toBeLessThanOrEqual(5000)
      const pending = yield* awaitStatus("han", (s) => s.phase === "backoff")
      yield* TestClock.adjust(returnsAt - (yield* Clock.currentTimeMillis))
      yield* server.accept
      yield* awaitSleeper
      yield* TestClock.adjust(pending.nextAttemptAt! - (yield* Clock.currentTimeMillis))
      yield* server.awaitClients(1)
      const back = (yield* Clock.currentTimeMillis) - returnsAt
      yield* server.send(northRecords()[1]!)
      expect(yield* take(queue, 1)).toEqual([northRecords()[1]])
      const status = yield* awaitStatus("han", (s) => s.phase === "receiving")
      expect(status.counters.reconnects).toBe(1)
      expect(status.counters.failedAttempts).toBe(attempts.length - 1)
      return { back, attempts: attempts.length }
    }).pipe(Effect.provide(RadarRegistry.Default))

  it.scoped("a radar down for 30 s is back within 5 s of its return", () =>
    Effect.gen(function*() {
      const { back } = yield* outage(Duration.seconds(30))
      expect(back).toBeGreaterThanOrEqual(0)
      expect(back).toBeLessThanOrEqual(5000)
    }))

  it.scoped("a radar down for 10 min is back within 5 s of its return", () =>
    Effect.gen(function*() {
      const { attempts, back } = yield* outage(Duration.minutes(10))
      expect(back).toBeGreaterThanOrEqual(0)
      expect(back).toBeLessThanOrEqual(5000)
      // Retried all along, at most 5 s apart: at least 600 s / 5 s attempts.
      expect(attempts).toBeGreaterThanOrEqual(120)
    }))
})
