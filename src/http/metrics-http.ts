/**
 * The handler of `GET /metrics`: every metric registered with Effect's
 * Metric API (whoever defined it), each radar's counters and state from the
 * RadarRegistry, and the hub consumers' backlog, rendered as Prometheus text.
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import { CollectorRegistry } from "../layers/archive/CollectorRegistry.js"
import { AppConfig } from "../layers/platform/AppConfig.js"
import { Hub } from "../layers/realtime/Hub.js"
import { RadarRegistry } from "../layers/realtime/RadarRegistry.js"
import { HubApi } from "./hub-api.js"
import { collectorMetricFamilies } from "./metrics/collector-metric-families.js"
import { effectMetricFamilies } from "./metrics/effect-metric-families.js"
import { hubConsumerFamilies } from "./metrics/hub-consumer-families.js"
import { renderPrometheusText } from "./metrics/prometheus-text.js"
import { radarMetricFamilies } from "./metrics/radar-metric-families.js"

export const MetricsHttp = HttpApiBuilder.group(HubApi, "metrics", (handlers) =>
  Effect.gen(function*() {
    const registry = yield* RadarRegistry
    const hub = yield* Hub
    const stallMs = (yield* AppConfig).stallSeconds * 1000
    const collectors = yield* Effect.serviceOption(CollectorRegistry)

    return handlers.handle("scrape", () =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const snapshot = yield* Metric.snapshot
        const radars = yield* registry.snapshot
        const consumers = yield* hub.consumerStats
        return renderPrometheusText([
          ...effectMetricFamilies(snapshot),
          ...radarMetricFamilies(radars.values(), now, stallMs),
          ...hubConsumerFamilies(consumers),
          ...(Option.isSome(collectors) ? collectorMetricFamilies((yield* collectors.value.snapshot).values()) : [])
        ])
      }).pipe(Effect.withSpan("GET /metrics")))
  }))
