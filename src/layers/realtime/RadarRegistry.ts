/**
 * The live state of every radar actor. Actors write their own entry; /health,
 * /metrics and the Socket.IO `radars` event read snapshots or follow changes.
 */
import { Effect, Stream, SubscriptionRef } from "effect"
import type { RadarStatus } from "../../domain/radar-status.js"

export class RadarRegistry extends Effect.Service<RadarRegistry>()("superdarn-hub/RadarRegistry", {
  effect: Effect.gen(function*() {
    const ref = yield* SubscriptionRef.make<ReadonlyMap<string, RadarStatus>>(new Map())

    const put = (status: RadarStatus) =>
      SubscriptionRef.update(ref, (current) => new Map(current).set(status.site, status))

    const update = (site: string, f: (status: RadarStatus) => RadarStatus) =>
      SubscriptionRef.update(ref, (current) => {
        const status = current.get(site)
        return status === undefined ? current : new Map(current).set(site, f(status))
      })

    const remove = (site: string) =>
      SubscriptionRef.update(ref, (current) => {
        const next = new Map(current)
        next.delete(site)
        return next
      })

    return {
      put,
      update,
      remove,
      snapshot: SubscriptionRef.get(ref),
      get: (site: string) => Effect.map(SubscriptionRef.get(ref), (all) => all.get(site)),
      changes: ref.changes as Stream.Stream<ReadonlyMap<string, RadarStatus>>
    } as const
  })
}) {}
