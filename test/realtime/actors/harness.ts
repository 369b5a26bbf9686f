/**
 * Running radar actors in tests: their records go into a queue the test reads,
 * and the test waits on the RadarRegistry instead of on time.
 */
import { Duration, Effect, Queue, type Scope, Stream, TestClock } from "effect"
import type { BackoffPolicy } from "../../../src/actors/radar/radar-backoff.js"
import type { RadarRecord } from "../../../src/domain/radar-record.js"
import type { RadarStatus } from "../../../src/domain/radar-status.js"
import { RadarRegistry } from "../../../src/layers/realtime/RadarRegistry.js"

/** Short enough for live tests, still exponential. */
export const fastBackoff: BackoffPolicy = {
  initial: Duration.millis(20),
  factor: 2,
  max: Duration.millis(200),
  jitter: 0.2
}

/** Runs `records` in the background for the test's scope; the queue receives every record. */
export const collect = <R>(
  records: Stream.Stream<RadarRecord, never, R>
): Effect.Effect<Queue.Queue<RadarRecord>, never, R | Scope.Scope> =>
  Effect.gen(function*() {
    const queue = yield* Queue.unbounded<RadarRecord>()
    yield* Stream.runForEach(records, (record) => Queue.offer(queue, record)).pipe(Effect.forkScoped)
    return queue
  })

/** Real time, whatever clock the test runs on. */
const realPause = (ms: number) => Effect.promise(() => new Promise((resolve) => setTimeout(resolve, ms)))

/**
 * Waits (polling in real time, for at most 20 s) until the site's status
 * satisfies `ok`, and returns that status.
 */
export const awaitStatus = (site: string, ok: (status: RadarStatus) => boolean) =>
  Effect.gen(function*() {
    const registry = yield* RadarRegistry
    let last: RadarStatus | undefined
    for (let i = 0; i < 10_000; i++) {
      last = yield* registry.get(site)
      if (last !== undefined && ok(last)) return last
      yield* realPause(2)
    }
    return yield* Effect.dieMessage(`${site} never reached the awaited status; last: ${JSON.stringify(last)}`)
  })

/**
 * Under the TestClock: waits (in real time, bounded) until some fiber sleeps,
 * so that a following TestClock.adjust wakes it instead of passing it by.
 */
export const awaitSleeper = Effect.gen(function*() {
  for (let i = 0; i < 2_000; i++) {
    const sleeps = yield* TestClock.sleeps()
    if (sleeps.length > 0) return
    yield* realPause(2)
  }
  return yield* Effect.dieMessage("no fiber went to sleep")
})
