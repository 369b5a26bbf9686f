/**
 * The live state of every institution's collector, for `/health`
 * (`collectors` section) and `archive status` when run in-process.
 */
import * as Effect from "effect/Effect"
import * as SubscriptionRef from "effect/SubscriptionRef"

/**
 * Where an institution's collector stands: waiting for its next slot, in one
 * of a run's steps (connecting and listing the source; taking the wanted
 * files through the pipeline; tidying the source and writing the manifests,
 * the run's journal row and the digest), or waiting to retry a failed run.
 */
export const COLLECTOR_PHASES = ["idle", "listing", "fetching", "tidying", "backing off"] as const
export type CollectorPhase = (typeof COLLECTOR_PHASES)[number]
/** The steps of one run, in the order it passes through them. */
export type RunPhase = Extract<CollectorPhase, "listing" | "fetching" | "tidying">

export interface CollectorStatus {
  readonly institution: string
  readonly phase: CollectorPhase
  readonly phaseSince: number
  readonly runs: number
  /** When the last completed run started and ended. */
  readonly lastRunStartedAt: number | undefined
  readonly lastRunAt: number | undefined
  readonly lastOutcome: string | undefined
  /** Files archived by the last completed run. */
  readonly lastCollected: number
  readonly lastFailures: number
  readonly lastConflicts: number
  readonly lastDuplicates: number
  readonly lastRefused: number
  /** When the schedule runs the collection next; undefined while a run is under way. */
  readonly nextRunAt: number | undefined
  /** Runs in a row that failed outright (source unreachable…). */
  readonly consecutiveFailures: number
  readonly lastError: string | undefined
}

export const initialCollectorStatus = (institution: string, now: number): CollectorStatus => ({
  institution,
  phase: "idle",
  phaseSince: now,
  runs: 0,
  lastRunStartedAt: undefined,
  lastRunAt: undefined,
  lastOutcome: undefined,
  lastCollected: 0,
  lastFailures: 0,
  lastConflicts: 0,
  lastDuplicates: 0,
  lastRefused: 0,
  nextRunAt: undefined,
  consecutiveFailures: 0,
  lastError: undefined
})

export class CollectorRegistry extends Effect.Service<CollectorRegistry>()("superdarn-hub/CollectorRegistry", {
  effect: Effect.gen(function*() {
    const ref = yield* SubscriptionRef.make<ReadonlyMap<string, CollectorStatus>>(new Map())
    const put = (status: CollectorStatus) =>
      SubscriptionRef.update(ref, (current) => new Map(current).set(status.institution, status))
    const update = (institution: string, f: (status: CollectorStatus) => CollectorStatus) =>
      SubscriptionRef.update(ref, (current) => {
        const status = current.get(institution)
        return status === undefined ? current : new Map(current).set(institution, f(status))
      })
    return {
      put,
      update,
      snapshot: SubscriptionRef.get(ref),
      get: (institution: string) => Effect.map(SubscriptionRef.get(ref), (all) => all.get(institution)),
      changes: ref.changes
    } as const
  })
}) {}
