/**
 * One institution's collector: a fiber that runs a collection on the
 * institution's schedule. Runs never overlap (the next is scheduled only
 * after the previous ends); a failed run is retried with jittered
 * exponential backoff; repeated failed runs are notified; a defect is
 * logged and the schedule goes on. Collectors share nothing but the global
 * transfer limit, so one institution never blocks another.
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Cron from "effect/Cron"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import { type CollectionError, runCollection } from "../../archive/collection.js"
import { ArchiveSettings } from "../../layers/archive/ArchiveSettings.js"
import {
  type CollectorPhase,
  CollectorRegistry,
  initialCollectorStatus
} from "../../layers/archive/CollectorRegistry.js"
import type { CollectorSchedule, InstitutionConfig } from "../../layers/archive/config/archive-config.js"
import { Notifier } from "../../layers/archive/Notifier.js"

export const scheduleOf = (schedule: CollectorSchedule): Schedule.Schedule<unknown> =>
  schedule.kind === "interval"
    ? Schedule.spaced(Duration.millis(schedule.millis))
    : Schedule.cron(Cron.unsafeParse(schedule.expression, "UTC"))

/** When `schedule` runs next after a run that ended at `now`. */
export const nextRunAfter = (schedule: CollectorSchedule, now: number): number =>
  schedule.kind === "interval"
    ? now + schedule.millis
    : Cron.next(Cron.unsafeParse(schedule.expression, "UTC"), new Date(now)).getTime()

/** Retries within one scheduled slot: 30 s, 1 min, 2 min, 4 min, each ±jitter. */
export const RETRY_BASE = Duration.seconds(30)
export const RETRY_LIMIT = 4
const retryPolicy = Schedule.exponential(RETRY_BASE).pipe(
  Schedule.jittered,
  Schedule.intersect(Schedule.recurs(RETRY_LIMIT))
)

export const runCollector = (institution: InstitutionConfig) =>
  Effect.gen(function*() {
    const registry = yield* CollectorRegistry
    const notifier = yield* Notifier
    const { config } = yield* ArchiveSettings
    const id = institution.id
    yield* registry.put(initialCollectorStatus(id, yield* Clock.currentTimeMillis))

    const setPhase = (phase: CollectorPhase, lastError?: string) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        registry.update(id, (status) => ({
          ...status,
          phase,
          phaseSince: now,
          ...(lastError === undefined ? {} : { lastError })
        })))

    // Another process's run holds the institution: nothing touched, wait for the next slot.
    const collect = runCollection(institution, { onPhase: (phase) => setPhase(phase) }).pipe(
      Effect.catchTag("InstitutionBusy", (busy) => Effect.as(Effect.logInfo(busy.message), undefined))
    )

    // The start of the slot's first attempt: a failed run's start, which no report carries.
    const runStartedAt = yield* Ref.make<number | undefined>(undefined)
    const attempt = Effect.flatMap(Clock.currentTimeMillis, (now) =>
      Effect.zipRight(
        Ref.set(runStartedAt, now),
        registry.update(id, (status) => ({ ...status, nextRunAt: undefined }))
      )).pipe(
        Effect.zipRight(collect),
        Effect.tapError((error) =>
          Effect.zipRight(
            setPhase("backing off", error.reason),
            Effect.logWarning("archive run failed").pipe(
              Effect.annotateLogs({ reason: error.reason, retryable: error.retryable })
            )
          )
        ),
        Effect.retry({ schedule: retryPolicy, while: (error: CollectionError) => error.retryable })
      )

    const onFailure = (error: CollectionError) =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const started = yield* Ref.get(runStartedAt)
        yield* registry.update(id, (status) => ({
          ...status,
          phase: "idle",
          phaseSince: now,
          runs: status.runs + 1,
          lastRunStartedAt: started,
          lastRunAt: now,
          lastOutcome: "failed",
          lastCollected: 0,
          lastFailures: 0,
          lastConflicts: 0,
          lastDuplicates: 0,
          lastRefused: 0,
          consecutiveFailures: status.consecutiveFailures + 1,
          lastError: error.reason
        }))
        const status = yield* registry.get(id)
        if (status !== undefined && status.consecutiveFailures % config.failureNotifyAfter === 0) {
          yield* notifier.send({
            institution: id,
            runId: `${id}-${new Date(now).toISOString()}`,
            items: [{
              kind: "run-failed",
              file: undefined,
              detail: `${status.consecutiveFailures} runs in a row failed; last: ${error.reason}`
            }]
          })
        }
      })

    const once = attempt.pipe(
      Effect.matchEffect({
        onFailure,
        onSuccess: (report) =>
          report === undefined ? setPhase("idle") : registry.update(id, (status) => ({
            ...status,
            phase: "idle",
            phaseSince: report.finishedAt,
            runs: status.runs + 1,
            lastRunStartedAt: report.startedAt,
            lastRunAt: report.finishedAt,
            lastOutcome: report.outcome,
            lastCollected: report.files.filter((f) => f.kind === "archived").length,
            lastFailures: report.files.filter((f) => f.kind === "failed").length,
            lastConflicts: report.files.filter((f) => f.kind === "conflict").length,
            lastDuplicates: report.files.filter((f) => f.kind === "duplicate").length,
            lastRefused: report.files.filter((f) => f.kind === "refused").length,
            consecutiveFailures: 0,
            lastError: report.tidyError
          }))
      }),
      // A defect in one run is logged; the schedule carries on.
      Effect.catchAllCause((cause) =>
        Cause.isInterruptedOnly(cause)
          ? Effect.failCause(cause)
          : Effect.zipRight(
            setPhase("idle", Cause.pretty(cause)),
            Effect.logError("archive collector defect", cause)
          )
      )
    )

    const scheduleNext = Effect.flatMap(Clock.currentTimeMillis, (now) =>
      registry.update(id, (status) => ({ ...status, nextRunAt: nextRunAfter(institution.schedule, now) })))

    return yield* once.pipe(
      Effect.zipRight(scheduleNext),
      Effect.repeat(scheduleOf(institution.schedule)),
      Effect.asVoid
    )
  }).pipe(Effect.annotateLogs({ collector: institution.id }))

/** Every institution's collector, each isolated, until interrupted. */
export const runCollectors = (institutions: ReadonlyArray<InstitutionConfig>) =>
  Effect.forEach(institutions, runCollector, { concurrency: "unbounded", discard: true })
