/** `GET /alerts` over real HTTP: the Alerts service's notices, newest first, in the webhook's shape. */
import { describe, expect, it } from "@effect/vitest"
import { Clock, Duration, Effect, Layer, TestClock } from "effect"
import { type RadarStatus, zeroCounters } from "../../../src/domain/radar-status.js"
import { AlertsHttp } from "../../../src/http/alerts-http.js"
import { HttpServer } from "../../../src/layers/platform/HttpServer.js"
import { Alerts } from "../../../src/layers/realtime/Alerts.js"
import { RadarRegistry } from "../../../src/layers/realtime/RadarRegistry.js"
import { httpServerLayer } from "./server-layers.js"

const alertsLayer = Alerts.layer({
  hold: Duration.seconds(10),
  stall: Duration.seconds(60),
  webhookUrls: [],
  webhookSecret: undefined,
  email: undefined,
  poll: Duration.seconds(1)
})

const layer = httpServerLayer(AlertsHttp).pipe(
  Layer.provideMerge(alertsLayer),
  Layer.provideMerge(RadarRegistry.Default)
)

const status = (phase: RadarStatus["phase"], now: number): RadarStatus => ({
  site: "sas",
  transport: "tcp",
  address: "10.0.0.1:9999",
  phase,
  phaseSince: now,
  nextAttemptAt: phase === "backoff" ? now + 5000 : undefined,
  connectedSince: phase === "backoff" ? undefined : now,
  lastRecordAt: undefined,
  counters: zeroCounters,
  lastError: phase === "backoff" ? "ECONNREFUSED" : undefined
})

const getAlerts = (url: string) =>
  Effect.promise(async () => {
    const response = await fetch(`${url}/alerts`)
    return { status: response.status, cache: response.headers.get("cache-control"), body: await response.json() }
  })

describe("GET /alerts", () => {
  it.scoped("answers the recent notices, newest first: none, then down, then back with the outage's length", () =>
    Effect.gen(function*() {
      const { url } = yield* HttpServer
      const registry = yield* RadarRegistry
      expect(yield* getAlerts(url)).toEqual({ status: 200, cache: "no-store", body: [] })

      yield* registry.put(status("backoff", yield* Clock.currentTimeMillis))
      yield* TestClock.adjust("11 seconds")
      const down = {
        kind: "down",
        site: "sas",
        state: "down",
        since: new Date(1000).toISOString(),
        at: new Date(11_000).toISOString(),
        outage_s: null,
        detail: "ECONNREFUSED",
        summary: expect.stringContaining("sas")
      }
      expect((yield* getAlerts(url)).body).toEqual([down])

      yield* registry.put(status("connected", yield* Clock.currentTimeMillis))
      yield* TestClock.adjust("11 seconds")
      const { body } = yield* getAlerts(url)
      expect(body).toEqual([
        expect.objectContaining({ kind: "back", site: "sas", state: "receiving", outage_s: 11 }),
        down
      ])
    }).pipe(Effect.provide(layer)))
})
