/**
 * `serve --role ingest|edge`: the hub split over machines, sharing PostgreSQL
 * (scans) and Redis (the ingest lease, the relay stream, the radars' states).
 *
 * - ingest: the radar fleet runs only while this process holds the lease
 *   (LeadingPump); its hub feeds the echo aggregator (scans into PostgreSQL)
 *   and the relay stream; closed scans' events are relayed too. It serves
 *   the same HTTP API as `all` (its /health and /metrics are its own).
 * - edge: no radar; RelayFollower publishes the relayed records into its hub,
 *   so its live feed, `latest`, history and /radars serve the whole fleet;
 *   /echoes/ reads PostgreSQL. No aggregator and no retention: scans are the
 *   ingest's to store.
 *
 * `all` (serve's default) is ServerLive, unchanged.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { LeadingPump } from "../actors/radar/LeadingPump.js"
import { RadarFleet } from "../actors/radar/RadarFleet.js"
import { AppConfig } from "../layers/platform/AppConfig.js"
import { Deployment } from "../layers/platform/Deployment.js"
import { Redis } from "../layers/platform/Redis.js"
import { ShutdownLive } from "../layers/platform/shutdown.js"
import { EchoAggregator } from "../layers/realtime/EchoAggregator.js"
import { FleetRelay } from "../layers/realtime/FleetRelay.js"
import { HardwareTables } from "../layers/realtime/HardwareTables.js"
import { History } from "../layers/realtime/History.js"
import { Hub } from "../layers/realtime/Hub.js"
import { IngestLease } from "../layers/realtime/IngestLease.js"
import { LiveFeed } from "../layers/realtime/LiveFeed.js"
import { RadarRegistry } from "../layers/realtime/RadarRegistry.js"
import { RelayFollower } from "../layers/realtime/RelayFollower.js"
import { RetentionLive } from "../layers/realtime/retention.js"
import { HubHttpServer, ServerLive, StorageLayer } from "./server-layers.js"

/** Redis at REDIS_URL (Deployment has checked that a role other than `all` sets it). */
const RedisLive = Layer.unwrapEffect(
  Effect.map(
    Deployment,
    ({ redisKeyPrefix, redisUrl }) =>
      Redis.layer({ url: Option.getOrElse(redisUrl, () => "redis://127.0.0.1:6379"), keyPrefix: redisKeyPrefix })
  )
)

/** The live feed, whose site events (closed scans) also go to the relay for the edges' clients. */
const RelayedLiveFeed = Layer.effect(
  LiveFeed,
  Effect.gen(function*() {
    const feed = yield* LiveFeed
    const relay = yield* FleetRelay
    return {
      ...feed,
      emitSiteEvent: (site: string, event: string, payload: unknown) =>
        feed.emitSiteEvent(site, event, payload).pipe(Effect.zipRight(relay.publishEvent(site, event, payload)))
    }
  })
)

const shared = <A, E, R>(self: Layer.Layer<A, E, R>) =>
  self.pipe(
    Layer.provideMerge(
      Layer.mergeAll(Hub.Default, History.Default, RadarRegistry.Default, StorageLayer, HardwareTables.Default)
    ),
    Layer.provideMerge(FleetRelay.layer()),
    Layer.provideMerge(RedisLive),
    Layer.provideMerge(Deployment.Default),
    Layer.provideMerge(AppConfig.Default),
    Layer.provide(NodeContext.layer),
    Layer.provide(ShutdownLive)
  )

export const IngestLive = LeadingPump.Default.pipe(
  Layer.provide(RadarFleet.Live),
  Layer.provideMerge(
    Layer.merge(EchoAggregator.Default.pipe(Layer.provide(RelayedLiveFeed)), RetentionLive).pipe(
      Layer.provideMerge(LiveFeed.Default),
      Layer.provideMerge(HubHttpServer)
    )
  ),
  Layer.provideMerge(IngestLease.layer()),
  shared
)

export const EdgeLive = RelayFollower.Default.pipe(
  Layer.provideMerge(LiveFeed.Default),
  Layer.provideMerge(HubHttpServer),
  shared
)

type LaunchError =
  | Layer.Layer.Error<typeof ServerLive>
  | Layer.Layer.Error<typeof IngestLive>
  | Layer.Layer.Error<typeof EdgeLive>

/** Run the server for this process's ROLE until it is interrupted. */
export const launchRole = Effect.flatMap(Deployment, ({ role }): Effect.Effect<never, LaunchError> => {
  switch (role) {
    case "all":
      return Layer.launch(ServerLive)
    case "ingest":
      return Layer.launch(IngestLive)
    case "edge":
      return Layer.launch(EdgeLive)
  }
}).pipe(Effect.provide(Deployment.Default))
