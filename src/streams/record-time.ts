/**
 * The UTC instant a fitacf record was taken, from its `time.*` fields.
 */
import type { FitacfTime } from "../dmap/fitacf.js"

/**
 * Epoch milliseconds. `Date.UTC` normalises out-of-range fields, and a
 * negative `us` (old ROS servers send it as a signed short) simply moves the
 * instant back, so no record is refused for its time alone.
 */
export const recordTimeMs = (time: FitacfTime): number =>
  Date.UTC(time.yr, time.mo - 1, time.dy, time.hr, time.mt, time.sc) + Math.floor(time.us / 1000)
