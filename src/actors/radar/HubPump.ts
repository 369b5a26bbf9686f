/**
 * Runs the radar fleet into the hub. Running `RadarFleet.records` is what
 * starts the radar actors, so this layer must be built AFTER every hub
 * consumer (live feed, echo aggregator) has subscribed; otherwise the first
 * records would reach a hub nobody listens to yet. Compose it last:
 *
 *   HubPump.Default.pipe(Layer.provide(fleet), Layer.provideMerge(consumers), ...)
 *
 * Closing its scope stops the actors before the consumers close.
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { Hub } from "../../layers/realtime/Hub.js"
import { RadarFleet } from "./RadarFleet.js"

export class HubPump extends Effect.Service<HubPump>()("superdarn-hub/HubPump", {
  scoped: Effect.gen(function*() {
    const fleet = yield* RadarFleet
    const hub = yield* Hub
    let pumped = 0
    yield* Stream.runForEach(fleet.records, (record) => {
      pumped++
      return hub.publish(record)
    }).pipe(
      // The fleet's stream never ends while its actors run; if it does, say so.
      Effect.zipRight(Effect.logWarning("the radar fleet's record stream ended")),
      Effect.forkScoped
    )
    yield* Effect.logInfo(`radar fleet started: ${fleet.tcpSites.length} TCP radar(s)`)
    return {
      /** Records moved from the radars into the hub since start. */
      pumped: Effect.sync(() => pumped)
    } as const
  })
}) {}
