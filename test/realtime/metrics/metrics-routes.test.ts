import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Metric, TestClock } from "effect"
import { type RadarStatus, zeroCounters } from "../../../src/domain/radar-status.js"
import { MetricsHttp } from "../../../src/http/metrics-http.js"
import { HttpServer } from "../../../src/layers/platform/HttpServer.js"
import { scansStored, scanWriteSeconds } from "../../../src/layers/realtime/echo-metrics.js"
import { Hub } from "../../../src/layers/realtime/Hub.js"
import { RadarRegistry } from "../../../src/layers/realtime/RadarRegistry.js"
import { httpServerLayer } from "../live/server-layers.js"
import { parsePrometheusText } from "./prometheus-format.js"

const T = Date.UTC(2025, 8, 27, 12)

const status = (site: string, overrides: Partial<RadarStatus>): RadarStatus => ({
  site,
  transport: "tcp",
  address: "127.0.0.1:9000",
  phase: "receiving",
  phaseSince: T - 60_000,
  nextAttemptAt: undefined,
  connectedSince: T - 60_000,
  lastRecordAt: T - 2_000,
  counters: zeroCounters,
  lastError: undefined,
  ...overrides
})

const serverLayer = httpServerLayer(MetricsHttp, { STALL_SECONDS: "120" }).pipe(
  Layer.provideMerge(Layer.mergeAll(Hub.Default, RadarRegistry.Default))
)

describe("GET /metrics", () => {
  it.scoped("serves valid Prometheus text with every Effect metric and per-site radar values", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T)
      const { url } = yield* HttpServer
      const registry = yield* RadarRegistry
      const hub = yield* Hub
      yield* hub.subscribe("echo-aggregator", 16)
      yield* registry.put(
        status("sas", {
          counters: {
            ...zeroCounters,
            records: 42,
            bytes: 123_456,
            decodeErrors: 1,
            resyncs: 2,
            reconnects: 3,
            frames: 42
          }
        })
      )
      yield* registry.put(
        status("pgr", { phase: "backoff", connectedSince: undefined, lastRecordAt: undefined, lastError: "refused" })
      )
      yield* registry.put(status("kod", { lastRecordAt: T - 300_000 }))
      yield* Metric.incrementBy(scansStored, 7)
      yield* Metric.update(scanWriteSeconds, 0.004)
      yield* Metric.incrementBy(
        Metric.counter("sdh_route_test_events").pipe(Metric.tagged("note", "a \"quoted\"\nline")),
        2
      )

      const response = yield* Effect.promise(() => fetch(`${url}/metrics`))
      expect(response.status).toBe(200)
      expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8")
      const families = parsePrometheusText(yield* Effect.promise(() => response.text()))

      const value = (family: string, labels: Record<string, string> = {}) =>
        families.get(family)?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value

      expect(families.get("superdarn_hub_radar_records_total")?.type).toBe("counter")
      expect(value("superdarn_hub_radar_records_total", { site: "sas" })).toBe(42)
      expect(value("superdarn_hub_radar_bytes_total", { site: "sas" })).toBe(123_456)
      expect(value("superdarn_hub_radar_decode_errors_total", { site: "sas" })).toBe(1)
      expect(value("superdarn_hub_radar_resyncs_total", { site: "sas" })).toBe(2)
      expect(value("superdarn_hub_radar_reconnects_total", { site: "sas" })).toBe(3)
      expect(value("superdarn_hub_radar_records_total", { site: "pgr" })).toBe(0)

      const states = (site: string) =>
        families.get("superdarn_hub_radar_state")!.samples.filter((s) => s.labels.site === site && s.value === 1).map((
          s
        ) => s.labels.state)
      expect([states("sas"), states("pgr"), states("kod")]).toEqual([["receiving"], ["backoff"], ["stale"]])
      expect(value("superdarn_hub_radar_last_record_age_seconds", { site: "kod" })).toBe(300)
      expect(value("superdarn_hub_radar_last_record_age_seconds", { site: "pgr" })).toBeUndefined()

      expect(value("superdarn_hub_consumer_queued_records", { consumer: "echo-aggregator" })).toBe(0)
      expect(value("superdarn_hub_echo_scans_stored_total")).toBeGreaterThanOrEqual(7)
      expect(families.get("superdarn_hub_echo_db_write_seconds")?.type).toBe("histogram")
      expect(value("superdarn_hub_echo_db_write_seconds", { le: "0.004" })).toBeGreaterThanOrEqual(1)
      expect(value("sdh_route_test_events_total", { note: "a \"quoted\"\nline" })).toBe(2)
    }).pipe(Effect.provide(serverLayer)))
})
