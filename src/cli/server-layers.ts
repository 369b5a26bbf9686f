/**
 * The whole `serve` job as one layer: settings → database → registry → hub →
 * HTTP + Socket.IO (after every route) → live feed → echo aggregator and
 * retention → radar fleet and the pump that starts it.
 *
 * Construction order is what makes start-up and shutdown right:
 *
 * - every consumer of the hub (live feed, echo aggregator) subscribes before
 *   the pump runs the radars, so no record is lost at start-up;
 * - the HTTP handler is made after every route layer has registered;
 * - layers close in reverse order, so at SIGTERM the pump and the radars stop
 *   first, the aggregator then stores its open scans (`complete = false`),
 *   Socket.IO and the HTTP server close, and the database closes last.
 *
 * The fleet is a parameter: `serve` runs the radars of radars.config.json
 * and CANADA_ADDR, `demo` runs simulated ones.
 */
import { NodeContext } from "@effect/platform-node"
import { Layer } from "effect"
import { ApiRouter } from "../http/ApiRouter.js"
import { EchoesRoutes } from "../http/echoes-routes.js"
import { HealthRoutes } from "../http/health-routes.js"
import { MetricsRoutes } from "../http/metrics-routes.js"
import { RadarsRoutes } from "../http/radars-routes.js"
import { StatusPageRoutes } from "../http/status-page-routes.js"
import { AppConfig } from "../layers/platform/AppConfig.js"
import { DatabaseLive } from "../layers/platform/database.js"
import { DemoFleet, type DemoRadarsOptions, defaultDemoRadarsOptions, demoRadarsLayer } from "../simulate/DemoRadars.js"
import { EchoAggregator } from "../layers/realtime/EchoAggregator.js"
import { EchoStore } from "../layers/realtime/EchoStore.js"
import { HttpServer } from "../layers/platform/HttpServer.js"
import { Hub } from "../layers/realtime/Hub.js"
import { HubPump } from "../actors/radar/HubPump.js"
import { LiveFeed } from "../layers/realtime/LiveFeed.js"
import { RadarFleet } from "../actors/radar/RadarFleet.js"
import { RadarRegistry } from "../layers/realtime/RadarRegistry.js"
import { RetentionLive } from "../layers/realtime/retention.js"
import { ShutdownLive } from "../layers/platform/shutdown.js"

const Routes = Layer.mergeAll(StatusPageRoutes, RadarsRoutes, EchoesRoutes, HealthRoutes, MetricsRoutes)

/** The server around any fleet. Exposes HttpServer (its URL) and the registry. */
export const serverLayer = <E, R>(fleet: Layer.Layer<RadarFleet, E, R>) => {
  const storage = EchoStore.Default.pipe(Layer.provideMerge(DatabaseLive))
  const http = HttpServer.Default.pipe(Layer.provide(Routes), Layer.provideMerge(ApiRouter.Live))
  const consumers = Layer.merge(EchoAggregator.Default, RetentionLive).pipe(
    Layer.provideMerge(LiveFeed.Default),
    Layer.provideMerge(http)
  )
  return HubPump.Default.pipe(
    Layer.provide(fleet),
    Layer.provideMerge(consumers),
    Layer.provideMerge(Layer.mergeAll(Hub.Default, RadarRegistry.Default, storage)),
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
