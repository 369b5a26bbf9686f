/**
 * How long a radar actor waits before reconnecting: exponential with jitter,
 * capped, and reset once records flow again. Pure, so the schedule can be
 * checked exactly; the actor supplies the attempt number and the randomness.
 */
import { Duration } from "effect"

export interface BackoffPolicy {
  readonly initial: Duration.Duration
  readonly factor: number
  readonly max: Duration.Duration
  /**
   * Fraction of each delay that is random, taken off the top: with 0.2 a 10 s
   * delay becomes 8-10 s. Radars that fail together (a site's network drops)
   * then do not all reconnect in the same instant.
   */
  readonly jitter: number
}

/** 1 s doubling to 60 s, 20 % jitter. */
export const defaultBackoffPolicy: BackoffPolicy = {
  initial: Duration.seconds(1),
  factor: 2,
  max: Duration.seconds(60),
  jitter: 0.2
}

/**
 * Delay before reconnection attempt `attempt` (0 for the first retry after a
 * failure), given `random` in [0, 1).
 */
export const backoffDelay = (policy: BackoffPolicy, attempt: number, random: number): Duration.Duration => {
  const initialMs = Duration.toMillis(policy.initial)
  const maxMs = Duration.toMillis(policy.max)
  // Math.pow overflows to Infinity for large attempts; min() keeps the cap.
  const capped = Math.min(maxMs, initialMs * Math.pow(policy.factor, Math.max(0, attempt)))
  return Duration.millis(Math.round(capped * (1 - policy.jitter * random)))
}
