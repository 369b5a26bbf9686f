/**
 * `GET /health`: the process, its database and every radar at a glance.
 * 200 while the database answers, 503 when it does not; `?site=sas` narrows
 * the radars to one.
 */
import { HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { SqlClient } from "@effect/sql"
import { Clock, Data, Effect, Either, Metric, MetricState, ParseResult, Schema } from "effect"
import { packageVersion } from "../domain/package-files.js"
import { AppConfig } from "../layers/platform/AppConfig.js"
import { RadarRegistry } from "../layers/realtime/RadarRegistry.js"
import { ApiRouter } from "./ApiRouter.js"
import { healthReport } from "./health-report.js"

/** Same depth from src/http and dist/http. */
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

class HealthQueryError extends Data.TaggedError("HealthQueryError")<{ readonly reason: string }> {}

const HealthParams = Schema.Struct({
  site: Schema.optional(
    Schema.String.pipe(
      Schema.pattern(/^[a-z][a-z0-9]{1,7}$/),
      Schema.annotations({ message: () => "site must be a site code such as sas" })
    )
  )
})

const decodeParams = (params: unknown) =>
  Either.mapLeft(
    Schema.decodeUnknownEither(HealthParams)(params),
    (error) => new HealthQueryError({ reason: ParseResult.ArrayFormatter.formatErrorSync(error)[0]?.message ?? error.message })
  )

export const HealthRoutes = ApiRouter.use((router) =>
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

    const health = Effect.gen(function*() {
      const { site } = yield* decodeParams(yield* HttpServerRequest.ParsedSearchParams)
      const statuses = yield* registry.snapshot
      const radars = site === undefined ? [...statuses.values()] : [...statuses.values()].filter((s) => s.site === site)
      if (site !== undefined && radars.length === 0) {
        return HttpServerResponse.unsafeJson({ message: `no radar ${site}` }, { status: 404 })
      }
      const report = healthReport({
        now: yield* Clock.currentTimeMillis,
        startedAt,
        version,
        databaseOk: yield* databaseOk,
        radars,
        stallMs,
        clients: yield* socketClients
      })
      return HttpServerResponse.unsafeJson(report, {
        status: report.database.ok ? 200 : 503,
        headers: { "cache-control": "no-store" }
      })
    }).pipe(
      Effect.catchTag("HealthQueryError", (error) =>
        Effect.succeed(HttpServerResponse.unsafeJson({ message: error.reason }, { status: 400 }))),
      Effect.withSpan("GET /health")
    )

    yield* router.get("/health", health)
  })
)
