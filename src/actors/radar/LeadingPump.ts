/**
 * The `ingest` role's pump: the radar fleet runs into the hub only while this
 * process holds the ingest lease (see IngestLease). Losing the lease stops
 * the actors and the status publishing at once; winning it back starts them
 * again. Every record the hub receives is appended to the relay stream, from
 * which the edges serve their clients.
 *
 * Compose it as HubPump: after every hub consumer has subscribed.
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { FleetRelay } from "../../layers/realtime/FleetRelay.js"
import { Hub } from "../../layers/realtime/Hub.js"
import { IngestLease } from "../../layers/realtime/IngestLease.js"
import { RadarFleet } from "./RadarFleet.js"

export class LeadingPump extends Effect.Service<LeadingPump>()("superdarn-hub/LeadingPump", {
  scoped: Effect.gen(function*() {
    const fleet = yield* RadarFleet
    const hub = yield* Hub
    const lease = yield* IngestLease
    const relay = yield* FleetRelay
    yield* Effect.forkScoped(yield* relay.publishRecords)

    const ingest = Effect.gen(function*() {
      yield* Effect.forkScoped(relay.publishStatuses)
      yield* Effect.logInfo(`radar fleet started: ${fleet.tcpSites.length} TCP radar(s)`)
      yield* Stream.runForEach(fleet.records, hub.publish)
      yield* Effect.logWarning("the radar fleet's record stream ended")
      return yield* Effect.never
    })
    yield* Effect.forkScoped(lease.whileLeading(ingest))
    return { lease } as const
  })
}) {}
