/**
 * The echo aggregation sink: records from the hub, windowed into scans per
 * (site, channel), each closed scan stored and then emitted as
 * `<site>/echoes` from the row the database returned, so the event and the
 * database can never disagree.
 *
 * - It subscribes to the hub while the layer is built, so build it before the
 *   radars start and it sees every record.
 * - Windows live in a Ref that one consumer fiber and one idle ticker update
 *   atomically; the ticker reads the Clock, so a TestClock drives idle closes.
 * - Closed scans wait in a bounded buffer (`pendingCapacity`); offering never
 *   waits, and when the database has been away long enough to fill it, the
 *   oldest scans are dropped and counted. A writer fiber takes batches of at
 *   most one INSERT statement:
 *   - a transient failure (busy, full disk, I/O) is retried with capped
 *     backoff until the database takes it, so storing resumes by itself;
 *   - a batch the database refuses is split in halves until the refused row
 *     is alone, which is dropped (logged, counted): one bad scan never holds
 *     up the others;
 *   - the first failure of an episode is one WARN (DatabaseHealth), which
 *     `/health` reports as degraded until a write succeeds again.
 * - On shutdown (scope close) the consumers stop first, every open scan is
 *   closed with `complete = false` and queued, then the writer stores what it
 *   can within `drainTimeout` and the log says how many scans it could not.
 */
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as HashMap from "effect/HashMap"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import { formatIsoSeconds } from "../../domain/iso-instant.js"
import type { RadarRecord } from "../../domain/radar-record.js"
import {
  closeIdle,
  type EchoScan,
  emptyWindows,
  feedRecord,
  flushWindows,
  type ScanWindows,
  type WindowStep
} from "../../streams/scan-window.js"
import { AppConfig } from "../platform/AppConfig.js"
import { DatabaseHealth } from "./DatabaseHealth.js"
import {
  scanRewinds,
  scansDropped,
  scansPending,
  scansStored,
  scanWriteFailures,
  scanWriteSeconds
} from "./echo-metrics.js"
import { EchoStore, type EchoStoreError, ROWS_PER_STATEMENT } from "./EchoStore.js"
import { Hub } from "./Hub.js"
import { LiveFeed } from "./LiveFeed.js"

export interface EchoAggregatorOptions {
  /** The aggregator's buffer in the hub (records). */
  readonly consumerCapacity: number
  /** Most scans per write (capped at one INSERT statement's rows). */
  readonly batchSize: number
  /** Longest a closed scan waits for its batch to fill. */
  readonly batchWindow: Duration.DurationInput
  /** How often open windows are checked for silence. */
  readonly idleCheckInterval: Duration.DurationInput
  /** Pause before retrying a transient failure; doubles up to `maxRetryDelay`. */
  readonly retryDelay: Duration.DurationInput
  readonly maxRetryDelay: Duration.DurationInput
  /** Closed scans that may wait for the database; beyond it the oldest are dropped. */
  readonly pendingCapacity: number
  /** How long shutdown waits for the last writes. */
  readonly drainTimeout: Duration.DurationInput
}

export const defaultEchoAggregatorOptions: EchoAggregatorOptions = {
  consumerCapacity: 4096,
  batchSize: 500,
  batchWindow: "1 second",
  idleCheckInterval: "5 seconds",
  retryDelay: "200 millis",
  maxRetryDelay: "30 seconds",
  // About 4 hours of 40 stereo radars at one scan a minute.
  pendingCapacity: 20_000,
  drainTimeout: "5 seconds"
}

/** The hub consumer name, as it appears in consumer statistics. */
export const ECHO_AGGREGATOR_CONSUMER = "echo-aggregator"

/** Records windowed per step of the consumer fiber. */
const CONSUME_BATCH = 256

/** What `<site>/echoes` carries: the stored row's means rounded like `GET /echoes/` rounds them. */
export const echoesEvent = (scan: EchoScan) => ({
  total_echoes: Math.round(scan.totalEchoes),
  ionospheric_echoes: Math.round(scan.ionosphericEchoes),
  ground_scatter_echoes: Math.round(scan.groundScatterEchoes),
  timestamp: formatIsoSeconds(scan.timestamp),
  channel: scan.channel
})

const dropped = (reason: "buffer_full" | "refused" | "shutdown") => Metric.tagged(scansDropped, "reason", reason)

const makeEchoAggregator = (options: EchoAggregatorOptions) =>
  Effect.gen(function*() {
    const config = yield* AppConfig
    const hub = yield* Hub
    const feed = yield* LiveFeed
    const store = yield* EchoStore
    const health = yield* DatabaseHealth
    const idleMs = config.scanIdleSeconds * 1000
    const batchSize = Math.max(1, Math.min(ROWS_PER_STATEMENT, Math.floor(options.batchSize)))
    const capacity = Math.max(1, Math.floor(options.pendingCapacity))
    const retryMs = Duration.toMillis(options.retryDelay)
    const maxRetryMs = Duration.toMillis(options.maxRetryDelay)
    const windows = yield* Ref.make<ScanWindows>(emptyWindows)
    const pending = yield* Queue.sliding<EchoScan>(capacity)
    /** Scans taken from `pending` and not yet stored or given up. */
    let inFlight = 0
    const queued = () => Math.max(0, Option.getOrElse(pending.unsafeSize(), () => 0))
    let closing = false
    const drained = yield* Deferred.make<void>()

    const emit = (scan: EchoScan) => feed.emitSiteEvent(scan.site, `${scan.site}/echoes`, echoesEvent(scan))

    /** Queues closed scans; a full buffer drops its oldest, counted, never waits. */
    const enqueue = (scans: ReadonlyArray<EchoScan>) =>
      Effect.suspend(() => {
        if (scans.length === 0) return Effect.void
        const overflow = Math.max(0, queued() + scans.length - capacity)
        return Queue.offerAll(pending, scans).pipe(
          Effect.zipRight(
            overflow === 0
              ? Effect.void
              : Effect.zipRight(
                Metric.incrementBy(dropped("buffer_full"), overflow),
                Effect.logWarning("echo scans dropped: the database has been away too long").pipe(
                  Effect.annotateLogs({ dropped: overflow, pending_capacity: capacity })
                )
              )
          ),
          Effect.zipRight(Metric.set(scansPending, queued() + inFlight))
        )
      })

    const stored = (rows: ReadonlyArray<EchoScan>) =>
      Effect.zipRight(Metric.incrementBy(scansStored, rows.length), Effect.forEach(rows, emit, { discard: true }))

    /**
     * Stores `scans` or gives each one up for a reason: transient failures
     * wait and retry (the backoff grows with `attempt`), a refused batch is
     * halved until the refused scan is alone.
     */
    const storeScans = (scans: ReadonlyArray<EchoScan>, attempt: number): Effect.Effect<void> =>
      store.insertScans(scans).pipe(
        Effect.timed,
        Effect.tap(([elapsed]) => Metric.update(scanWriteSeconds, Duration.toSeconds(elapsed))),
        Effect.matchEffect({
          onSuccess: ([, rows]) => Effect.zipRight(health.succeeded, stored(rows)),
          onFailure: (error: EchoStoreError) =>
            Effect.zipRight(
              Metric.increment(scanWriteFailures),
              error.kind === "poison" ? refused(scans, error) : retryLater(scans, error, attempt)
            )
        })
      )

    const refused = (scans: ReadonlyArray<EchoScan>, error: EchoStoreError): Effect.Effect<void> => {
      if (scans.length > 1) {
        const half = Math.ceil(scans.length / 2)
        return Effect.zipRight(storeScans(scans.slice(0, half), 0), storeScans(scans.slice(half), 0))
      }
      const scan = scans[0]!
      return Effect.zipRight(
        Metric.increment(dropped("refused")),
        Effect.logError("echo scan refused by the database; dropped").pipe(
          Effect.annotateLogs({
            site: scan.site,
            channel: scan.channel,
            timestamp: Number.isFinite(scan.timestamp) ? formatIsoSeconds(scan.timestamp) : String(scan.timestamp),
            error: error.message
          })
        )
      )
    }

    const retryLater = (scans: ReadonlyArray<EchoScan>, error: EchoStoreError, attempt: number) =>
      health.failed(error, `storing ${scans.length} echo scan(s) failed`).pipe(
        Effect.zipRight(Effect.sleep(Math.min(maxRetryMs, retryMs * 2 ** Math.min(attempt, 30)))),
        Effect.zipRight(Effect.suspend(() => storeScans(scans, attempt + 1)))
      )

    /** Signals the shutdown drain once nothing is left. */
    const checkDrained = Effect.suspend(() =>
      closing && inFlight === 0 && queued() === 0 ? Deferred.succeed(drained, undefined) : Effect.void
    )

    const writeBatch = Effect.gen(function*() {
      let batch = yield* Queue.takeBetween(pending, 1, batchSize)
      if (batch.length < batchSize && !closing) {
        inFlight = batch.length
        yield* Effect.sleep(options.batchWindow)
        batch = Chunk.appendAll(batch, yield* Queue.takeUpTo(pending, batchSize - batch.length))
      }
      inFlight = batch.length
      yield* storeScans(Chunk.toReadonlyArray(batch), 0)
      inFlight = 0
      yield* Metric.set(scansPending, queued())
      yield* checkDrained
    })

    const writer = yield* writeBatch.pipe(Effect.forever, Effect.forkScoped)

    // Added after the writer is forked, so it runs before the writer is interrupted.
    yield* Effect.addFinalizer(() =>
      Effect.gen(function*() {
        const open = flushWindows(yield* Ref.getAndSet(windows, emptyWindows))
        yield* enqueue(open)
        closing = true
        yield* checkDrained
        // Finalizers run uninterruptibly: without `interruptible` the deadline
        // could not stop the wait, and shutdown would hang on a wedged database.
        const done = yield* Effect.interruptible(Deferred.await(drained)).pipe(
          Effect.timeoutOption(options.drainTimeout)
        )
        if (done._tag === "None") {
          const lost = queued() + inFlight
          yield* Fiber.interrupt(writer)
          yield* Metric.incrementBy(dropped("shutdown"), lost)
          yield* Effect.logError(`${lost} echo scan(s) not stored at shutdown: the database did not take them in time`)
            .pipe(
              Effect.annotateLogs({ open_scans_flushed: open.length, deadline: Duration.format(options.drainTimeout) })
            )
        }
      })
    )

    /** Moves one step's closed scans to the writer; the state change and the hand-over are one. */
    const advance = (step: (current: ScanWindows, now: number) => WindowStep) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Ref.modify(windows, (current) => {
          const next = step(current, now)
          return [next, next.windows] as const
        }).pipe(
          Effect.tap((next) => enqueue(next.closed)),
          Effect.tap((next) => next.rewinds === 0 ? Effect.void : Metric.incrementBy(scanRewinds, next.rewinds)),
          Effect.uninterruptible
        ))

    const feedBatch = (records: Chunk.Chunk<RadarRecord>) =>
      advance((current, now) => {
        let state = current
        let rewinds = 0
        const closed: Array<EchoScan> = []
        for (const record of records) {
          const step = feedRecord(state, record.site, record.fitacf, now, idleMs)
          state = step.windows
          rewinds += step.rewinds
          if (step.closed.length > 0) closed.push(...step.closed)
        }
        return { windows: state, closed, rewinds }
      })

    const records = yield* hub.subscribe(ECHO_AGGREGATOR_CONSUMER, options.consumerCapacity)
    yield* Queue.takeBetween(records, 1, CONSUME_BATCH).pipe(
      Effect.flatMap(feedBatch),
      Effect.forever,
      Effect.forkScoped
    )
    yield* advance((current, now) => closeIdle(current, now, idleMs)).pipe(
      Effect.repeat(Schedule.spaced(options.idleCheckInterval)),
      Effect.forkScoped
    )

    return {
      openScans: Effect.map(Ref.get(windows), HashMap.size),
      pendingScans: Effect.sync(() => queued() + inFlight)
    }
  })

export class EchoAggregator extends Context.Tag("superdarn-hub/EchoAggregator")<EchoAggregator, {
  /** Scans still collecting records. */
  readonly openScans: Effect.Effect<number>
  /** Closed scans not stored yet. */
  readonly pendingScans: Effect.Effect<number>
}>() {
  static readonly layer = (options: Partial<EchoAggregatorOptions> = {}) =>
    Layer.scoped(EchoAggregator, makeEchoAggregator({ ...defaultEchoAggregatorOptions, ...options }))
  static readonly Default = EchoAggregator.layer()
}
