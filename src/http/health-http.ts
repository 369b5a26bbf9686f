/**
 * The handler of `GET /health`: 200 while the database answers, 503 (the same
 * report) when it does not; `?site=sas` narrows the radars to one.
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as SqlClient from "@effect/sql/SqlClient"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import { packageVersion } from "../domain/package-files.js"
import { CollectorRegistry } from "../layers/archive/CollectorRegistry.js"
import { AppConfig } from "../layers/platform/AppConfig.js"
import { Redis } from "../layers/platform/Redis.js"
import { DatabaseHealth } from "../layers/realtime/DatabaseHealth.js"
import { IngestLease, leaseHolder } from "../layers/realtime/IngestLease.js"
import { socketClients } from "../layers/realtime/LiveFeed.js"
import { RadarRegistry } from "../layers/realtime/RadarRegistry.js"
import { HealthUnavailable } from "./health-api.js"
import { type DeploymentHealth, healthReport } from "./health-report.js"
import { HubApi } from "./hub-api.js"
import { UnknownSite } from "./message-errors.js"
import { noStore } from "./no-store.js"

const version = packageVersion()

/** How long the database may take to answer `SELECT 1` before it counts as down. */
const DATABASE_TIMEOUT = "2 seconds"

/**
 * The LiveFeed keeps its gauge current; read through the metric itself,
 * because the feed is built after the HTTP server, and so after its routes.
 */
const clientCount = Effect.map(Metric.value(socketClients), (state) => Number(state.value))

/**
 * In a scaled-out process: its role, the lease holder and Redis; none in the
 * single-process role. The services are looked up when the routes are built.
 */
const deploymentHealth = (redis: Option.Option<Redis>, lease: Option.Option<IngestLease>) =>
  Effect.gen(function*() {
    if (Option.isNone(redis)) return undefined
    const holder = Option.isSome(lease) ? yield* lease.value.holder : yield* leaseHolder(redis.value)
    const health: DeploymentHealth = {
      role: Option.isSome(lease) ? "ingest" : "edge",
      leader: holder ?? null,
      leading: Option.isSome(lease) && holder === lease.value.id,
      redis: redis.value.isReady() ? "ok" : "unreachable"
    }
    return health
  })

export const HealthHttp = HttpApiBuilder.group(HubApi, "health", (handlers) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const registry = yield* RadarRegistry
    const stallMs = (yield* AppConfig).stallSeconds * 1000
    const startedAt = yield* Clock.currentTimeMillis

    const storage = yield* DatabaseHealth
    const redis = yield* Effect.serviceOption(Redis)
    const lease = yield* Effect.serviceOption(IngestLease)
    const collectorRegistry = yield* Effect.serviceOption(CollectorRegistry)
    const databaseDegraded = Effect.map(storage.state, (state) =>
      state.ok ? {} : { databaseDegraded: { lastError: state.lastError, since: state.degradedSince } })

    const databaseOk = sql`SELECT 1`.pipe(
      Effect.timeoutFail({
        duration: DATABASE_TIMEOUT,
        onTimeout: () =>
          "timeout"
      }),
      Effect.as(true),
      Effect.catchAll((error) => Effect.as(Effect.logError("health check: database is not answering", error), false))
    )

    return handlers.handle("report", ({ urlParams: { site } }) =>
      Effect.gen(function*() {
        const statuses = yield* registry.snapshot
        const radars = site === undefined
          ? [...statuses.values()]
          : [...statuses.values()].filter((s) => s.site === site)
        if (site !== undefined && radars.length === 0) {
          return yield* Effect.fail(new UnknownSite({ message: `no radar ${site}` }))
        }
        yield* noStore
        const deployment = yield* deploymentHealth(redis, lease)
        // Absent unless collectors run in this process (serve --archive-config).
        const collectorStatuses = Option.isSome(collectorRegistry) ? yield* collectorRegistry.value.snapshot : undefined
        const collectors = collectorStatuses === undefined || collectorStatuses.size === 0
          ? undefined
          : collectorStatuses.values()
        const report = healthReport({
          now: yield* Clock.currentTimeMillis,
          startedAt,
          version,
          databaseOk: yield* databaseOk,
          ...(yield* databaseDegraded),
          radars,
          stallMs,
          clients: yield* clientCount,
          ...(deployment === undefined ? {} : { deployment }),
          ...(collectors === undefined ? {} : { collectors })
        })
        return report.database.ok ? report : yield* Effect.fail(new HealthUnavailable(report))
      }).pipe(Effect.withSpan("GET /health")))
  }))
