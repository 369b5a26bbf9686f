import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { zeroCounters } from "../../../src/domain/radar-status.js"
import { RadarsHttp } from "../../../src/http/radars-http.js"
import { HttpServer } from "../../../src/layers/platform/HttpServer.js"
import { RadarRegistry } from "../../../src/layers/realtime/RadarRegistry.js"
import { httpServerLayer } from "./server-layers.js"

const layer = httpServerLayer(RadarsHttp).pipe(Layer.provideMerge(RadarRegistry.Default))

describe("GET /radars", () => {
  it.scopedLive("lists configured radars with table metadata and live state, as JSON", () =>
    Effect.gen(function*() {
      const { url } = yield* HttpServer
      const registry = yield* RadarRegistry
      const empty = yield* Effect.promise(() => fetch(`${url}/radars`).then((r) => r.json()))
      expect(empty).toEqual([])

      yield* registry.put({
        site: "kod",
        transport: "zmq",
        address: "tcp://10.1.2.3:5555",
        phase: "receiving",
        phaseSince: 1_700_000_000_000,
        nextAttemptAt: undefined,
        connectedSince: 1_699_999_999_000,
        lastRecordAt: 1_700_000_001_000,
        counters: { ...zeroCounters, records: 42, frames: 42, bytes: 123_456 },
        lastError: undefined
      })
      yield* registry.put({
        site: "bks",
        transport: "tcp",
        address: "10.0.0.9:6040",
        phase: "backoff",
        phaseSince: 1_700_000_000_500,
        nextAttemptAt: 1_700_000_004_500,
        connectedSince: undefined,
        lastRecordAt: undefined,
        counters: { ...zeroCounters, reconnects: 3 },
        lastError: "ECONNREFUSED"
      })
      const response = yield* Effect.promise(() =>
        fetch(`${url}/radars`, { headers: { Origin: "http://localhost:8080" } })
      )
      expect(response.headers.get("content-type")).toContain("application/json")
      expect(response.headers.get("cache-control")).toBe("no-store")
      expect(response.headers.get("access-control-allow-origin")).toBe("http://localhost:8080")
      expect(yield* Effect.promise(() => response.json())).toEqual([
        {
          site: "bks",
          stid: 33,
          name: "Blackstone",
          operator: "Virginia Tech",
          transport: "tcp",
          phase: "backoff",
          phaseSince: 1_700_000_000_500,
          connectedSince: null,
          lastRecordAt: null,
          nextAttemptAt: 1_700_000_004_500,
          counters: { ...zeroCounters, reconnects: 3 },
          lastError: "ECONNREFUSED"
        },
        {
          site: "kod",
          stid: 7,
          name: "Kodiak",
          operator: "Penn State University",
          transport: "zmq",
          phase: "receiving",
          phaseSince: 1_700_000_000_000,
          connectedSince: 1_699_999_999_000,
          lastRecordAt: 1_700_000_001_000,
          nextAttemptAt: null,
          counters: { ...zeroCounters, records: 42, frames: 42, bytes: 123_456 },
          lastError: null
        }
      ])
    }).pipe(Effect.provide(layer)))
})
