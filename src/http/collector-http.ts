/** The handlers of CollectorApi: both read the CollectorRegistry. */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import { packageVersion } from "../domain/package-files.js"
import { CollectorRegistry } from "../layers/archive/CollectorRegistry.js"
import { CollectorApi } from "./collector-api.js"
import { collectorsHealth } from "./health-report.js"
import { collectorMetricFamilies } from "./metrics/collector-metric-families.js"
import { effectMetricFamilies } from "./metrics/effect-metric-families.js"
import { renderPrometheusText } from "./metrics/prometheus-text.js"
import { noStore } from "./no-store.js"

const version = packageVersion()

export const CollectorHealthHttp = HttpApiBuilder.group(CollectorApi, "health", (handlers) =>
  Effect.gen(function*() {
    const registry = yield* CollectorRegistry
    const startedAt = yield* Clock.currentTimeMillis
    return handlers.handle("report", () =>
      Effect.gen(function*() {
        yield* noStore
        const now = yield* Clock.currentTimeMillis
        return {
          status: "ok" as const,
          uptime_s: Math.max(0, Math.floor((now - startedAt) / 1000)),
          version,
          collectors: collectorsHealth((yield* registry.snapshot).values())
        }
      }).pipe(Effect.withSpan("GET /health")))
  }))

export const CollectorMetricsHttp = HttpApiBuilder.group(CollectorApi, "metrics", (handlers) =>
  Effect.gen(function*() {
    const registry = yield* CollectorRegistry
    return handlers.handle("scrape", () =>
      Effect.gen(function*() {
        const snapshot = yield* Metric.snapshot
        return renderPrometheusText([
          ...effectMetricFamilies(snapshot),
          ...collectorMetricFamilies((yield* registry.snapshot).values())
        ])
      }).pipe(Effect.withSpan("GET /metrics")))
  }))
