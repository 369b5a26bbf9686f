/**
 * The hub: every radar's records, merged, fanned out to each consumer (the
 * live feed, the echo aggregator, ...) and remembered per site.
 *
 * Isolation design. A single `PubSub.sliding(n)` shares ONE ring buffer among
 * all subscribers: when the slowest subscriber lets it fill up, `slide()`
 * discards the oldest entry for everybody. Fast subscribers have already read
 * that entry, so they do not lose data, but the capacity is shared, and which
 * consumer lost what cannot be told. So the hub is an unbounded PubSub with
 * one forwarder fiber per consumer that only moves records into that
 * consumer's own sliding Queue (never blocks: a full queue drops its oldest
 * record and the consumer's counter says so). The PubSub therefore never holds
 * more than the records of one turn of the event loop, a stalled consumer
 * costs at most its own capacity, and publishing never waits for anyone.
 */
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as PubSub from "effect/PubSub"
import * as Queue from "effect/Queue"
import type { RadarRecord } from "../../domain/radar-record.js"
import { RepeatFilter } from "../../streams/record-repeat.js"

/** A consumer's buffer unless it asks otherwise: about 100 s of 40 radars at 1 record/s. */
export const DEFAULT_CONSUMER_CAPACITY = 4096

/** Records the forwarder moves in one step; bounds the work between yields. */
const FORWARD_BATCH = 256

export interface ConsumerStats {
  readonly consumer: string
  /** Records discarded from this consumer's buffer because it fell behind. */
  readonly dropped: number
  /** Records waiting in this consumer's buffer now. */
  readonly queued: number
}

const recordsPublished = Metric.counter("superdarn_hub_records_published_total", {
  description: "Records published into the hub by all radars",
  incremental: true
})

/** Records seen once (issue 15): a repeat of the previous record of its site and channel never enters the hub. */
const duplicateRecords = Metric.counter("superdarn_hub_duplicate_records_total", {
  description:
    "Records identical in time, beam and channel to the previous record of their site, dropped before the hub",
  incremental: true
})

const consumerDropped = Metric.counter("superdarn_hub_consumer_dropped_records_total", {
  description: "Records a hub consumer lost because its buffer was full (oldest dropped first)",
  incremental: true
})

interface Consumer {
  readonly name: string
  readonly capacity: number
  readonly buffer: Queue.Queue<RadarRecord>
  readonly droppedMetric: Metric.Metric.Counter<number>
  dropped: number
}

export class Hub extends Effect.Service<Hub>()("superdarn-hub/Hub", {
  scoped: Effect.gen(function*() {
    const pubsub = yield* Effect.acquireRelease(PubSub.unbounded<RadarRecord>(), PubSub.shutdown)
    const latestBySite = new Map<string, RadarRecord>()
    const consumers = new Set<Consumer>()
    const repeats = new RepeatFilter()

    const publish = Effect.fn("Hub.publish")(function*(record: RadarRecord) {
      if (repeats.isRepeat(record.site, record.fitacf)) {
        return yield* Metric.increment(Metric.tagged(duplicateRecords, "site", record.site))
      }
      latestBySite.set(record.site, record)
      yield* PubSub.publish(pubsub, record)
      yield* Metric.increment(recordsPublished)
    })

    /** Moves a batch into the consumer's sliding buffer, counting what slides out. */
    const forward = (consumer: Consumer, batch: Iterable<RadarRecord>, size: number) =>
      Effect.suspend(() => {
        const queued = Option.getOrElse(consumer.buffer.unsafeSize(), () => 0)
        const overflow = Math.max(0, queued + size - consumer.capacity)
        if (overflow === 0) return Queue.offerAll(consumer.buffer, batch)
        consumer.dropped += overflow
        return Queue.offerAll(consumer.buffer, batch).pipe(
          Effect.zipLeft(Metric.incrementBy(consumer.droppedMetric, overflow))
        )
      })

    const subscribe = Effect.fn("Hub.subscribe")(
      function*(consumer: string, capacity: number = DEFAULT_CONSUMER_CAPACITY) {
        // Subscribing to the PubSub happens here, synchronously in the caller's
        // fiber: every record published after `subscribe` returns is delivered.
        const subscription = yield* PubSub.subscribe(pubsub)
        const size = Math.max(1, Math.floor(capacity))
        const buffer = yield* Effect.acquireRelease(Queue.sliding<RadarRecord>(size), Queue.shutdown)
        const entry: Consumer = {
          name: consumer,
          capacity: size,
          buffer,
          droppedMetric: Metric.tagged(consumerDropped, "consumer", consumer),
          dropped: 0
        }
        yield* Effect.acquireRelease(
          Effect.sync(() => consumers.add(entry)),
          () => Effect.sync(() => consumers.delete(entry))
        )
        yield* Queue.takeBetween(subscription, 1, FORWARD_BATCH).pipe(
          Effect.flatMap((batch) => forward(entry, batch, batch.length)),
          Effect.forever,
          Effect.forkScoped
        )
        return buffer as Queue.Dequeue<RadarRecord>
      }
    )

    return {
      publish,
      subscribe,
      latest: Effect.sync((): ReadonlyMap<string, RadarRecord> => new Map(latestBySite)),
      consumerStats: Effect.suspend(() =>
        Effect.forEach(consumers, (entry) =>
          Effect.map(Queue.size(entry.buffer), (queued): ConsumerStats => ({
            consumer: entry.name,
            dropped: entry.dropped,
            queued: Math.max(0, queued)
          })))
      )
    } as const
  })
}) {}
