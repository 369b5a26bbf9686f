/**
 * `GET /metrics`: Prometheus text format 0.0.4. Every metric registered with
 * Effect's Metric API (whoever defined it), each radar's counters and state
 * from the RadarRegistry, and the hub consumers' backlog.
 */
import { HttpServerResponse } from "@effect/platform"
import { Clock, Effect, Metric } from "effect"
import { AppConfig } from "../layers/platform/AppConfig.js"
import { Hub } from "../layers/realtime/Hub.js"
import { RadarRegistry } from "../layers/realtime/RadarRegistry.js"
import { effectMetricFamilies } from "./metrics/effect-metric-families.js"
import { hubConsumerFamilies } from "./metrics/hub-consumer-families.js"
import { PROMETHEUS_CONTENT_TYPE, renderPrometheusText } from "./metrics/prometheus-text.js"
import { radarMetricFamilies } from "./metrics/radar-metric-families.js"
import { ApiRouter } from "./ApiRouter.js"

export const MetricsRoutes = ApiRouter.use((router) =>
  Effect.gen(function*() {
    const registry = yield* RadarRegistry
    const hub = yield* Hub
    const stallMs = (yield* AppConfig).stallSeconds * 1000

    yield* router.get(
      "/metrics",
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const snapshot = yield* Metric.snapshot
        const radars = yield* registry.snapshot
        const consumers = yield* hub.consumerStats
        const text = renderPrometheusText([
          ...effectMetricFamilies(snapshot),
          ...radarMetricFamilies(radars.values(), now, stallMs),
          ...hubConsumerFamilies(consumers)
        ])
        return HttpServerResponse.text(text, { contentType: PROMETHEUS_CONTENT_TYPE })
      }).pipe(Effect.withSpan("GET /metrics"))
    )
  })
)
