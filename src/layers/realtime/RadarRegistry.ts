/**
 * The live state of every radar actor. Actors write their own entry; /health,
 * /metrics and the Socket.IO `radars` event read snapshots.
 *
 * An update changes one entry in place: O(1) whatever the number of radars
 * (copying the whole map on every status change made 10k radars cost seconds
 * per reply). Readers get a copy, so a snapshot never changes under them.
 */
import * as Effect from "effect/Effect"
import type { RadarStatus } from "../../domain/radar-status.js"

export class RadarRegistry extends Effect.Service<RadarRegistry>()("superdarn-hub/RadarRegistry", {
  sync: () => {
    const statuses = new Map<string, RadarStatus>()
    return {
      put: (status: RadarStatus) => Effect.sync(() => void statuses.set(status.site, status)),
      update: (site: string, f: (status: RadarStatus) => RadarStatus) =>
        Effect.sync(() => {
          const status = statuses.get(site)
          if (status !== undefined) statuses.set(site, f(status))
        }),
      remove: (site: string) => Effect.sync(() => void statuses.delete(site)),
      snapshot: Effect.sync((): ReadonlyMap<string, RadarStatus> => new Map(statuses)),
      get: (site: string) => Effect.sync(() => statuses.get(site)),
      /** Whether `site` is configured; synchronous, for request checks on the feed's hot path. */
      has: (site: string): boolean => statuses.has(site),
      /** The number of radars; synchronous, as `has`. */
      size: (): number => statuses.size
    } as const
  }
}) {}
