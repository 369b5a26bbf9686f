/**
 * When a radar actor tries again after losing its feed. Attempts start at
 * most `max` apart (5 s by default) for as long as the radar stays away: a
 * TCP connect to one address every few seconds costs nothing, a dark radar
 * costs the users their data. Early retries come sooner (1 s, 2 s, 4 s) so a
 * blip is over at once. Pure, so the schedule can be checked exactly; the
 * actor supplies the attempt number, the time the attempt took and the
 * randomness.
 */
import * as Duration from "effect/Duration"

export interface BackoffPolicy {
  readonly initial: Duration.Duration
  readonly factor: number
  readonly max: Duration.Duration
  /**
   * Fraction of each delay that is random, taken off the top: with 0.2 a 5 s
   * delay becomes 4-5 s. Radars that fail together (a site's network drops)
   * then do not all reconnect in the same instant.
   */
  readonly jitter: number
}

/** 1 s doubling to 5 s, 20 % jitter. */
export const defaultBackoffPolicy: BackoffPolicy = {
  initial: Duration.seconds(1),
  factor: 2,
  max: Duration.seconds(5),
  jitter: 0.2
}

/**
 * Time from the start of one attempt to the start of the next, for attempt
 * `attempt` (0 for the first retry after records last flowed), given `random`
 * in [0, 1).
 */
export const backoffDelay = (policy: BackoffPolicy, attempt: number, random: number): Duration.Duration => {
  const initialMs = Duration.toMillis(policy.initial)
  const maxMs = Duration.toMillis(policy.max)
  // Math.pow overflows to Infinity for large attempts; min() keeps the cap.
  const capped = Math.min(maxMs, initialMs * Math.pow(policy.factor, Math.max(0, attempt)))
  return Duration.millis(Math.round(capped * (1 - policy.jitter * random)))
}

/**
 * The wait after a failed session that lasted `elapsedMs`: what is left of
 * the attempt's delay. A session that outlived its delay (a connection that
 * carried records and then closed, a connect that timed out) is followed at
 * once, after a random pause of at most `jitter` × `initial` so radars that
 * lost their feeds together still do not retry in the same instant.
 */
export const retryWait = (
  policy: BackoffPolicy,
  attempt: number,
  elapsedMs: number,
  random: number
): Duration.Duration => {
  const delayMs = Duration.toMillis(backoffDelay(policy, attempt, random))
  const pauseMs = Math.round(Duration.toMillis(policy.initial) * policy.jitter * random)
  return Duration.millis(Math.max(delayMs - Math.max(0, elapsedMs), pauseMs))
}
