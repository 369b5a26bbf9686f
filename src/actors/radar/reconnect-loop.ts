/**
 * The one reconnect loop of the radar actors (TCP radars and the Canada
 * feed): run a session, the stream of one connection's life that ends only by
 * failing; when it fails, tell the actor (which publishes the loss and logs
 * it), wait for the backoff delay and run a new session, for ever.
 *
 * Defects are handled like failures: a bug met on one radar's bytes must not
 * end that radar's actor, let alone another's. Only interruption gets through.
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import { type BackoffPolicy, retryWait } from "./radar-backoff.js"

/** What a session may tell the loop. */
export interface SessionControl {
  /** Records flow: the next loss starts the schedule from its first delay. */
  readonly healthy: Effect.Effect<void>
}

/** A failed session, as the actor is told of it before the wait. */
export interface SessionLoss<E> {
  /** The session's error, or none for a defect. */
  readonly error: Option.Option<E>
  /** One line for the status and the log. */
  readonly reason: string
  /** The wait before the next attempt (see `retryWait`). */
  readonly delay: Duration.Duration
  /** Epoch ms (Clock) when the loss was seen. */
  readonly now: number
}

export interface ReconnectLoopOptions<A, E extends { readonly message: string }> {
  readonly policy: BackoffPolicy
  readonly session: (control: SessionControl) => Stream.Stream<A, E>
  readonly onLoss: (loss: SessionLoss<E>) => Effect.Effect<void>
}

const describeCause = <E extends { readonly message: string }>(cause: Cause.Cause<E>): string =>
  Option.match(Cause.failureOption(cause), {
    onSome: (error) => error.message,
    onNone: () => `defect: ${Cause.pretty(cause).split("\n")[0] ?? "unknown"}`
  })

/** The sessions' elements, for ever; the stream never fails and ends only when interrupted. */
export const reconnectLoop = <A, E extends { readonly message: string }>(
  options: ReconnectLoopOptions<A, E>
): Stream.Stream<A> =>
  Stream.unwrap(
    Effect.gen(function*() {
      const attempt = yield* Ref.make(0)
      const startedAt = yield* Ref.make(0)
      const control: SessionControl = { healthy: Ref.set(attempt, 0) }

      const wait = (cause: Cause.Cause<E>) =>
        Effect.gen(function*() {
          const n = yield* Ref.getAndUpdate(attempt, (k) => k + 1)
          const now = yield* Clock.currentTimeMillis
          const delay = retryWait(options.policy, n, now - (yield* Ref.get(startedAt)), yield* Random.next)
          yield* options.onLoss({ error: Cause.failureOption(cause), reason: describeCause(cause), delay, now })
          yield* Effect.sleep(delay)
        })

      const session = Stream.unwrap(Effect.gen(function*() {
        yield* Ref.set(startedAt, yield* Clock.currentTimeMillis)
        return options.session(control)
      }))
      return session.pipe(
        Stream.catchAllCause((cause) =>
          // Only interruption gets through, and it carries no error value.
          Cause.isInterruptedOnly(cause) ? Stream.failCause(cause as Cause.Cause<never>) : Stream.execute(wait(cause))
        ),
        Stream.forever
      )
    })
  )
