import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect } from "effect"
import * as net from "node:net"
import { tcpRadarRecords } from "../../../src/actors/radar/tcp-radar.js"
import { radarHealthState, type RadarStatus, zeroCounters } from "../../../src/domain/radar-status.js"
import { RadarRegistry } from "../../../src/layers/realtime/RadarRegistry.js"
import { DEFAULT_MAX_FRAME_BYTES } from "../../../src/streams/connex-framer.js"
import { awaitStatus, collect, fastBackoff } from "../actors/harness.js"

const status = (overrides: Partial<RadarStatus>): RadarStatus => ({
  site: "han",
  transport: "tcp",
  address: "127.0.0.1:1",
  phase: "receiving",
  phaseSince: 0,
  nextAttemptAt: undefined,
  connectedSince: 0,
  lastRecordAt: 1_000,
  counters: zeroCounters,
  lastError: undefined,
  ...overrides
})

/** A "radar" that accepts connections and sends one byte every 50 ms: bytes, never a record. */
const tricklingServer = Effect.acquireRelease(
  Effect.async<{ readonly port: number; readonly connections: () => number; readonly close: () => void }>((resume) => {
    let connections = 0
    const timers = new Set<NodeJS.Timeout>()
    const server = net.createServer((socket) => {
      connections++
      socket.on("error", () => {})
      const timer = setInterval(() => socket.write(Buffer.from([0x00])), 50)
      timers.add(timer)
      socket.on("close", () => clearInterval(timer))
    })
    server.listen(0, "127.0.0.1", () =>
      resume(Effect.succeed({
        port: (server.address() as net.AddressInfo).port,
        connections: () => connections,
        close: () => {
          for (const timer of timers) clearInterval(timer)
          server.close()
        }
      })))
  }),
  (server) => Effect.sync(() => server.close())
)

describe("stale means no records", () => {
  it("/health judges a radar by its own stall limit, else the global one", () => {
    const now = 1_000 + 10_000
    expect(radarHealthState(status({}), now, 120_000)).toBe("receiving")
    expect(radarHealthState(status({ stallMs: 5_000 }), now, 120_000)).toBe("stale")
    expect(radarHealthState(status({ stallMs: 60_000 }), now, 5_000)).toBe("receiving")
    expect(radarHealthState(status({}), now, 5_000)).toBe("stale")
  })

  it.scopedLive("a radar sending a byte at a time but no record stalls and is reconnected", () =>
    Effect.gen(function*() {
      const server = yield* tricklingServer
      yield* collect(
        tcpRadarRecords({
          site: "han",
          host: "127.0.0.1",
          port: server.port,
          maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
          stall: Duration.millis(600),
          backoff: fastBackoff
        })
      )
      // The actor passes through stalled and backoff quickly (fast backoff): the reason stays.
      const stalled = yield* awaitStatus("han", (s) => s.lastError?.includes("no records for") === true)
      expect(stalled.counters.bytes).toBeGreaterThan(0)
      expect(stalled.counters.records).toBe(0)
      expect(stalled.stallMs).toBe(600)
      // ... and the actor connects again.
      const again = yield* awaitStatus("han", (s) => s.counters.reconnects >= 1)
      expect(again.counters.reconnects).toBeGreaterThanOrEqual(1)
      expect(server.connections()).toBeGreaterThanOrEqual(2)
    }).pipe(Effect.provide(RadarRegistry.Default)))
})
