/**
 * The `edge` role's source of records: the relay stream, followed from where
 * it left off, published into this process's hub as if the radars were here,
 * so the live feed, `latest` and history serve the whole fleet. Closed scans'
 * `<site>/echoes` events reach this edge's clients the same way, and the
 * radars' states are mirrored into the registry for /radars and /health.
 */
import * as Effect from "effect/Effect"
import { FleetRelay } from "./FleetRelay.js"
import { Hub } from "./Hub.js"
import { LiveFeed } from "./LiveFeed.js"

export class RelayFollower extends Effect.Service<RelayFollower>()("superdarn-hub/RelayFollower", {
  scoped: Effect.gen(function*() {
    const relay = yield* FleetRelay
    const hub = yield* Hub
    const feed = yield* LiveFeed
    yield* Effect.forkScoped(
      relay.follow((entry) =>
        entry._tag === "Record" ? hub.publish(entry.record) : feed.emitSiteEvent(entry.site, entry.event, entry.payload)
      )
    )
    yield* Effect.forkScoped(relay.mirrorStatuses)
    return {} as const
  })
}) {}
