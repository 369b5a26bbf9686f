/**
 * The UTC instant a fitacf record was taken, from its `time.*` fields, and
 * the check every record passes at the record boundary before it may reach
 * the hub: a time that is not a number, or lies outside what a SuperDARN
 * radar can have measured, would give its scan a timestamp the database
 * cannot store.
 */
import * as Data from "effect/Data"
import * as Either from "effect/Either"
import type { FitacfTime } from "../dmap/fitacf.js"

/**
 * Epoch milliseconds. `Date.UTC` normalises out-of-range fields, and a
 * negative `us` (old ROS servers send it as a signed short) simply moves the
 * instant back. NaN when a field is not finite or the instant is outside
 * JavaScript's date range.
 */
export const recordTimeMs = (time: FitacfTime): number =>
  Date.UTC(time.yr, time.mo - 1, time.dy, time.hr, time.mt, time.sc) + Math.floor(time.us / 1000)

/** No SuperDARN record predates 1980 (the first radar, Goose Bay, began in 1983). */
export const EARLIEST_RECORD_MS = Date.UTC(1980, 0, 1)

/** How far ahead of the clock a record time may be: beyond a radar's clock error, short of a wrong year. */
export const FUTURE_LIMIT_MS = 24 * 3600_000

/** A record whose time cannot be a measurement's: refused, counted as a decode error of its radar. */
export class RecordTimeError extends Data.TaggedError("RecordTimeError")<{
  readonly time: FitacfTime
  readonly problem: "not a date" | "before 1980" | "more than a day ahead of the clock"
}> {
  override get message(): string {
    const { yr, mo, dy, hr, mt, sc } = this.time
    return `record time ${yr}-${mo}-${dy} ${hr}:${mt}:${sc} is ${this.problem}`
  }
}

/** The record's instant (epoch ms), or why it is refused, against the clock reading `now`. */
export const checkRecordTime = (time: FitacfTime, now: number): Either.Either<number, RecordTimeError> => {
  const ms = recordTimeMs(time)
  if (!Number.isFinite(ms)) return Either.left(new RecordTimeError({ time, problem: "not a date" }))
  if (ms < EARLIEST_RECORD_MS) return Either.left(new RecordTimeError({ time, problem: "before 1980" }))
  if (ms > now + FUTURE_LIMIT_MS) {
    return Either.left(new RecordTimeError({ time, problem: "more than a day ahead of the clock" }))
  }
  return Either.right(ms)
}

/** The record itself when its time passes `checkRecordTime`: the one call the actors make at the record boundary. */
export const withCheckedTime = <A extends { readonly time: FitacfTime }>(
  fitacf: A,
  now: number
): Either.Either<A, RecordTimeError> => Either.map(checkRecordTime(fitacf.time, now), () => fitacf)
