/**
 * The whole `serve` job as one layer: settings → database → registry → hub →
 * HTTP + Socket.IO (after every route) → live feed → echo aggregator and
 * retention → radar fleet and the pump that starts it.
 *
 * Construction order is what makes start-up and shutdown right:
 *
 * - every consumer of the hub (live feed, echo aggregator) subscribes before
 *   the pump runs the radars, so no record is lost at start-up;
 * - the HTTP app is built after every handler and route layer has registered;
 * - layers close in reverse order, so at SIGTERM the pump and the radars stop
 *   first, the aggregator then stores its open scans (`complete = false`),
 *   Socket.IO and the HTTP server close, and the database closes last.
 *
 * The fleet is a parameter: `serve` runs the radars of radars.config.json
 * and CANADA_ADDR, `demo` runs simulated ones.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as Layer from "effect/Layer"
import { HubPump } from "../actors/radar/HubPump.js"
import { RadarFleet } from "../actors/radar/RadarFleet.js"
import { AlertsHttp } from "../http/alerts-http.js"
import { ApiDocsRoutes } from "../http/api-docs-routes.js"
import { ArchiveHttp } from "../http/archive-http.js"
import { EchoesHttp } from "../http/echoes-http.js"
import { FovHttp } from "../http/fov-http.js"
import { FanMapAssetRoutes } from "../http/fov-map-assets.js"
import { HealthHttp } from "../http/health-http.js"
import { HistoryHttp } from "../http/history-http.js"
import { HubApi } from "../http/hub-api.js"
import { ParameterRefusals } from "../http/hub-http.js"
import { MetricsHttp } from "../http/metrics-http.js"
import { RadarsHttp } from "../http/radars-http.js"
import { StatusPageRoutes } from "../http/status-page-routes.js"
import { CollectorRegistry } from "../layers/archive/CollectorRegistry.js"
import { AppConfig } from "../layers/platform/AppConfig.js"
import { DatabaseLive } from "../layers/platform/database.js"
import { HttpServer } from "../layers/platform/HttpServer.js"
import { ShutdownLive } from "../layers/platform/shutdown.js"
import { Alerts } from "../layers/realtime/Alerts.js"
import { DatabaseHealth } from "../layers/realtime/DatabaseHealth.js"
import { EchoAggregator } from "../layers/realtime/EchoAggregator.js"
import { EchoQueries } from "../layers/realtime/EchoQueries.js"
import { EchoStore } from "../layers/realtime/EchoStore.js"
import { HardwareTables } from "../layers/realtime/HardwareTables.js"
import { History } from "../layers/realtime/History.js"
import { Hub } from "../layers/realtime/Hub.js"
import { LiveFeed } from "../layers/realtime/LiveFeed.js"
import { RadarRegistry } from "../layers/realtime/RadarRegistry.js"
import { RetentionLive } from "../layers/realtime/retention.js"
import { defaultDemoRadarsOptions, DemoFleet, demoRadarsLayer, type DemoRadarsOptions } from "../simulate/DemoRadars.js"
import { InProcessArchive, InProcessCollectors } from "./collector-layers.js"

/** One handler layer per group of HubApi (src/http/hub-api.ts): a new group adds its layer here. */
const ApiHandlers = Layer.mergeAll(
  AlertsHttp,
  ArchiveHttp,
  RadarsHttp,
  EchoesHttp,
  HealthHttp,
  MetricsHttp,
  FovHttp,
  HistoryHttp
)

/** What HttpApi does not describe, registered on the same router: the status page and the API document. */
const PlainRoutes = Layer.mergeAll(StatusPageRoutes, ApiDocsRoutes, FanMapAssetRoutes)

/**
 * The HTTP app: HubApi's endpoints and the plain routes on one router, built
 * by HttpServer after every handler layer has registered its routes.
 */
export const HubHttpServer = HttpServer.layer(HttpApiBuilder.httpApp).pipe(
  Layer.provide(PlainRoutes),
  Layer.provide(HttpApiBuilder.api(HubApi).pipe(Layer.provide(ApiHandlers))),
  Layer.provide([ParameterRefusals, HttpApiBuilder.Router.Live, HttpApiBuilder.Middleware.layer])
)

/** The server around any fleet. Exposes HttpServer (its URL) and the registry. */
/**
 * The echo store and its readers. DatabaseHealth runs the start-up integrity
 * check and is what /health reports; EchoQueries runs /echoes/ reads in
 * worker threads (SQLite) or on the pool (PostgreSQL).
 */
export const StorageLayer = Layer.mergeAll(DatabaseHealth.Default, EchoQueries.Default).pipe(
  Layer.provideMerge(EchoStore.Default),
  Layer.provideMerge(DatabaseLive),
  Layer.provideMerge(RadarRegistry.Default)
)

export const serverLayer = <E, R>(fleet: Layer.Layer<RadarFleet, E, R>) => {
  const storage = StorageLayer
  const http = HubHttpServer
  const consumers = Layer.mergeAll(EchoAggregator.Default, RetentionLive).pipe(
    Layer.provideMerge(LiveFeed.Default),
    Layer.provideMerge(http)
  )
  // The archive collectors of --archive-config (none without it) start with the radars, after the HTTP server.
  return Layer.merge(HubPump.Default.pipe(Layer.provide(fleet)), InProcessCollectors).pipe(
    Layer.provideMerge(consumers),
    // HardwareTables: the fov endpoint and the radars' positions in /radars and the radars event.
    // History: the live feed fills it, GET /radars/{site}/history reads it (one instance: layers are memoized).
    // Alerts: radar state changes as notices after the hold-down (ALERT_*), logged, posted and mailed; below the
    // HTTP server because GET /alerts reads its recent notices (the registry is the same memoized instance).
    Layer.provideMerge(Layer.mergeAll(
      Hub.Default,
      History.Default,
      RadarRegistry.Default,
      storage,
      HardwareTables.Default,
      Alerts.Default.pipe(Layer.provide(RadarRegistry.Default))
    )),
    // The archive of --archive-config (nothing without it): the journal GET /archive/* reads, the collectors' services.
    Layer.provideMerge(InProcessArchive),
    // What /health and /metrics read of the collectors; empty (and absent from /health) without --archive-config.
    Layer.provideMerge(CollectorRegistry.Default),
    Layer.provideMerge(AppConfig.Default),
    Layer.provide(NodeContext.layer),
    Layer.provide(ShutdownLive)
  )
}

/** `serve`: the radars of radars.config.json, plus Canada's publisher when CANADA_ADDR is set. */
export const ServerLive = serverLayer(RadarFleet.Live)

/** `demo`: simulated radars, started first and stopped last so the server never sees them vanish. */
export const demoServerLayer = (options: DemoRadarsOptions = defaultDemoRadarsOptions) =>
  serverLayer(DemoFleet).pipe(Layer.provideMerge(demoRadarsLayer(options).pipe(Layer.provide(AppConfig.Default))))
