/**
 * Echo retention: scans older than MAX_DAYS_STORE_ECHOES days are deleted
 * with one statement when the layer starts, then once a day. The setting is
 * the integer AppConfig validated, never a string compared with a date.
 * A failed run is logged and the next day's run tries again; it never stops
 * the service.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { formatIsoSeconds } from "../../domain/iso-instant.js"
import { AppConfig } from "../platform/AppConfig.js"
import { EchoStore } from "./EchoStore.js"

const DAY_MS = 24 * 3600_000

export const RetentionLive = Layer.scopedDiscard(
  Effect.gen(function*() {
    const { maxDaysStoreEchoes } = yield* AppConfig
    const store = yield* EchoStore

    const applyRetention = Effect.gen(function*() {
      const cutoff = (yield* Clock.currentTimeMillis) - maxDaysStoreEchoes * DAY_MS
      yield* store.deleteOlderThan(cutoff)
      yield* Effect.logInfo("echo retention applied").pipe(
        Effect.annotateLogs({ max_days: maxDaysStoreEchoes, deleted_before: formatIsoSeconds(cutoff) })
      )
    }).pipe(
      Effect.catchAll((error) => Effect.logError("echo retention failed", error)),
      Effect.withSpan("Retention.apply")
    )

    yield* applyRetention
    yield* applyRetention.pipe(Effect.delay("1 day"), Effect.forever, Effect.forkScoped)
  })
)
