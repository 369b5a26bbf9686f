/**
 * The echo aggregation sink: records from the hub, windowed into scans per
 * (site, channel), each closed scan stored and emitted as `<site>/echoes`.
 *
 * - It subscribes to the hub while the layer is built, so build it before the
 *   radars start and it sees every record.
 * - Windows live in a Ref that one consumer fiber and one idle ticker update
 *   atomically; the ticker reads the Clock, so a TestClock drives idle closes.
 * - Closed scans go to an unbounded mailbox: offering never waits, so the
 *   aggregation never holds up the hub. A writer batches them
 *   (`groupedWithin`) into one transaction per batch and retries a failed
 *   batch with capped backoff, logging each failure, until it is stored.
 * - On shutdown (scope close) the consumers stop first, every open scan is
 *   closed with `complete = false` and queued, then the writer drains the
 *   mailbox before the database closes.
 */
import { Chunk, Clock, Context, Duration, Effect, HashMap, Layer, Mailbox, Metric, Queue, Ref, Schedule, Stream } from "effect"
import type { RadarRecord } from "../../domain/radar-record.js"
import { formatIsoSeconds } from "../../domain/iso-instant.js"
import { scansStored, scanWriteFailures, scanWriteSeconds } from "./echo-metrics.js"
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
import { EchoStore } from "./EchoStore.js"
import { Hub } from "./Hub.js"
import { LiveFeed } from "./LiveFeed.js"

export interface EchoAggregatorOptions {
  /** The aggregator's buffer in the hub (records). */
  readonly consumerCapacity: number
  /** Most scans per write transaction. */
  readonly batchSize: number
  /** Longest a closed scan waits for its batch to fill. */
  readonly batchWindow: Duration.DurationInput
  /** How often open windows are checked for silence. */
  readonly idleCheckInterval: Duration.DurationInput
  /** Pause before retrying a failed write; doubles up to `maxRetryDelay`. */
  readonly retryDelay: Duration.DurationInput
  readonly maxRetryDelay: Duration.DurationInput
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
  drainTimeout: "5 seconds"
}

/** The hub consumer name, as it appears in consumer statistics. */
export const ECHO_AGGREGATOR_CONSUMER = "echo-aggregator"

/** Records windowed per step of the consumer fiber. */
const CONSUME_BATCH = 256

/** What `<site>/echoes` carries: the means rounded like `GET /echoes/` rounds them. */
export const echoesEvent = (scan: EchoScan) => ({
  total_echoes: Math.round(scan.totalEchoes),
  ionospheric_echoes: Math.round(scan.ionosphericEchoes),
  ground_scatter_echoes: Math.round(scan.groundScatterEchoes),
  timestamp: formatIsoSeconds(scan.timestamp),
  channel: scan.channel
})

const makeEchoAggregator = (options: EchoAggregatorOptions) =>
  Effect.gen(function*() {
    const config = yield* AppConfig
    const hub = yield* Hub
    const feed = yield* LiveFeed
    const store = yield* EchoStore
    const idleMs = config.scanIdleSeconds * 1000
    const windows = yield* Ref.make<ScanWindows>(emptyWindows)
    const closedScans = yield* Mailbox.make<EchoScan>()

    const writeBatch = (batch: Chunk.Chunk<EchoScan>) => {
      const scans = Chunk.toReadonlyArray(batch)
      return store.insertScans(scans).pipe(
        Effect.timed,
        Effect.tap(([elapsed]) => Metric.update(scanWriteSeconds, Duration.toSeconds(elapsed))),
        Effect.tapError((error) =>
          Effect.zipRight(
            Metric.increment(scanWriteFailures),
            Effect.logWarning("storing echo scans failed; retrying").pipe(
              Effect.annotateLogs({ scans: scans.length, error: error.message })
            )
          )
        ),
        Effect.retry(
          Schedule.exponential(options.retryDelay).pipe(Schedule.either(Schedule.spaced(options.maxRetryDelay)))
        ),
        Effect.flatMap(([, inserted]) => Metric.incrementBy(scansStored, inserted))
      )
    }

    const writer = yield* Mailbox.toStream(closedScans).pipe(
      Stream.groupedWithin(options.batchSize, options.batchWindow),
      Stream.runForEach(writeBatch),
      Effect.forkScoped
    )

    // Added after the writer is forked, so it runs before the writer is interrupted.
    yield* Effect.addFinalizer(() =>
      Effect.gen(function*() {
        const open = flushWindows(yield* Ref.getAndSet(windows, emptyWindows))
        yield* closedScans.offerAll(open)
        yield* closedScans.end
        const drained = yield* writer.await.pipe(Effect.timeoutOption(options.drainTimeout))
        if (drained._tag === "None") {
          yield* Effect.logError("echo scans not stored at shutdown: the database did not answer in time").pipe(
            Effect.annotateLogs({ open_scans_flushed: open.length })
          )
        }
      })
    )

    const emit = (scan: EchoScan) => feed.emitSiteEvent(scan.site, `${scan.site}/echoes`, echoesEvent(scan))

    /** Moves one step's closed scans to the writer; the state change and the hand-over are one. */
    const advance = (step: (current: ScanWindows, now: number) => WindowStep) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Ref.modify(windows, (current) => {
          const next = step(current, now)
          return [next.closed, next.windows] as const
        }).pipe(
          Effect.tap((closed) => closedScans.offerAll(closed)),
          Effect.uninterruptible,
          Effect.flatMap((closed) => Effect.forEach(closed, emit, { discard: true }))
        ))

    const feedBatch = (records: Chunk.Chunk<RadarRecord>) =>
      advance((current, now) => {
        let state = current
        const closed: Array<EchoScan> = []
        for (const record of records) {
          const step = feedRecord(state, record.site, record.fitacf, now, idleMs)
          state = step.windows
          if (step.closed.length > 0) closed.push(...step.closed)
        }
        return { windows: state, closed }
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
      openScans: Effect.map(Ref.get(windows), HashMap.size)
    }
  })

export class EchoAggregator extends Context.Tag("superdarn-hub/EchoAggregator")<EchoAggregator, {
  /** Scans still collecting records. */
  readonly openScans: Effect.Effect<number>
}>() {
  static readonly layer = (options: Partial<EchoAggregatorOptions> = {}) =>
    Layer.scoped(EchoAggregator, makeEchoAggregator({ ...defaultEchoAggregatorOptions, ...options }))
  static readonly Default = EchoAggregator.layer()
}
