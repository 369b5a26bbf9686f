/**
 * What `/health` says about the database: ok, or degraded with the last
 * error and since when. Storage reports each failure and each success here;
 * a failure that starts an episode is the one that gets a WARN, so a disk
 * that stays full for an hour logs once, and its recovery logs once more.
 * At start-up the layer runs the store's quick integrity check; a database
 * with corrupt pages stays degraded until it is repaired and restarted.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import { formatIsoSeconds } from "../../domain/iso-instant.js"
import { EchoStore, type EchoStoreError } from "./EchoStore.js"

export interface DatabaseState {
  readonly ok: boolean
  /** The last failure of the current episode (or the integrity check's finding). */
  readonly lastError: string | undefined
  /** When the current episode began, epoch ms. */
  readonly degradedSince: number | undefined
  /** Result of the start-up integrity check. */
  readonly integrity: "ok" | "failed"
}

const healthy: DatabaseState = { ok: true, lastError: undefined, degradedSince: undefined, integrity: "ok" }

export class DatabaseHealth extends Effect.Service<DatabaseHealth>()("superdarn-hub/DatabaseHealth", {
  effect: Effect.gen(function*() {
    const store = yield* EchoStore
    const state = yield* Ref.make<DatabaseState>(healthy)

    /** Records a failure; the first of an episode is logged as a WARN. */
    const failed = Effect.fn("DatabaseHealth.failed")(function*(error: EchoStoreError, context: string) {
      const now = yield* Clock.currentTimeMillis
      const opened = yield* Ref.modify(state, (current) => [
        current.ok,
        { ...current, ok: false, lastError: error.message, degradedSince: current.degradedSince ?? now }
      ])
      if (opened) {
        yield* Effect.logWarning(`database degraded: ${context}; retrying until it recovers`).pipe(
          Effect.annotateLogs({ error: error.message })
        )
      }
    })

    /** Records a success; ends an episode (with one INFO line) unless the integrity check failed. */
    const succeeded = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const ended = yield* Ref.modify(state, (current) =>
        current.ok || current.integrity === "failed"
          ? [Option.none<number>(), current]
          : [Option.fromNullable(current.degradedSince), {
            ...current,
            ok: true,
            lastError: undefined,
            degradedSince: undefined
          }])
      if (Option.isSome(ended)) {
        yield* Effect.logInfo("database recovered").pipe(
          Effect.annotateLogs({
            degraded_since: formatIsoSeconds(ended.value),
            seconds: Math.round((now - ended.value) / 1000)
          })
        )
      }
    })

    yield* store.checkIntegrity().pipe(
      Effect.catchAll((error) =>
        Effect.zipRight(
          Ref.update(state, (current) => ({ ...current, integrity: "failed" as const })),
          failed(error, "the start-up integrity check failed")
        )
      )
    )

    return { state: Ref.get(state), failed, succeeded } as const
  })
}) {}
