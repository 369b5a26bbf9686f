/**
 * The handler of `GET /health`: 200 while the database answers, 503 (the same
 * report) when it does not; `?site=sas` narrows the radars to one.
 */
import { HttpApiBuilder } from "@effect/platform"
import { SqlClient } from "@effect/sql"
import { Clock, Effect, Metric, MetricState } from "effect"
import { packageVersion } from "../domain/package-files.js"
import { AppConfig } from "../layers/platform/AppConfig.js"
import { RadarRegistry } from "../layers/realtime/RadarRegistry.js"
import { HealthUnavailable } from "./health-api.js"
import { healthReport } from "./health-report.js"
import { HubApi } from "./hub-api.js"
import { UnknownSite } from "./message-errors.js"
import { noStore } from "./no-store.js"

const version = packageVersion()

/** How long the database may take to answer `SELECT 1` before it counts as down. */
const DATABASE_TIMEOUT = "2 seconds"

/**
 * The LiveFeed keeps this gauge current. It is read from the metric registry
 * because the feed is built after the HTTP server, and so after its routes.
 */
const SOCKET_CLIENTS_GAUGE = "superdarn_hub_socket_clients"

const socketClients = Effect.map(Metric.snapshot, (pairs) => {
  for (const pair of pairs) {
    const state: unknown = pair.metricState
    if (pair.metricKey.name === SOCKET_CLIENTS_GAUGE && MetricState.isGaugeState(state)) return Number(state.value)
  }
  return 0
})

export const HealthHttp = HttpApiBuilder.group(HubApi, "health", (handlers) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const registry = yield* RadarRegistry
    const stallMs = (yield* AppConfig).stallSeconds * 1000
    const startedAt = yield* Clock.currentTimeMillis

    const databaseOk = sql`SELECT 1`.pipe(
      Effect.timeoutFail({ duration: DATABASE_TIMEOUT, onTimeout: () => "timeout" }),
      Effect.as(true),
      Effect.catchAll((error) => Effect.as(Effect.logError("health check: database is not answering", error), false))
    )

    return handlers.handle("report", ({ urlParams: { site } }) =>
      Effect.gen(function*() {
        const statuses = yield* registry.snapshot
        const radars = site === undefined ? [...statuses.values()] : [...statuses.values()].filter((s) => s.site === site)
        if (site !== undefined && radars.length === 0) {
          return yield* Effect.fail(new UnknownSite({ message: `no radar ${site}` }))
        }
        yield* noStore
        const report = healthReport({
          now: yield* Clock.currentTimeMillis,
          startedAt,
          version,
          databaseOk: yield* databaseOk,
          radars,
          stallMs,
          clients: yield* socketClients
        })
        return report.database.ok ? report : yield* Effect.fail(new HealthUnavailable(report))
      }).pipe(Effect.withSpan("GET /health")))
  }))
