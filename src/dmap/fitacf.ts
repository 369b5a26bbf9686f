/**
 * The typed fitacf view: the fields the realtime feed, the packet builder and
 * the echo counter read. CONTRACT (shared by every module): the `Fitacf`
 * interface below. The codec owner implements `fitacfView` with Effect Schema.
 */
import type { Either } from "effect"
import type { DmapRecord } from "./types.js"

export interface FitacfTime {
  readonly yr: number
  readonly mo: number
  readonly dy: number
  readonly hr: number
  readonly mt: number
  readonly sc: number
  /** Microseconds; old ROS servers send it as short, and it may be negative. */
  readonly us: number
}

export interface Fitacf {
  readonly stid: number
  readonly time: FitacfTime
  readonly bmnum: number
  /** 0 on single-channel radars, 1 or 2 on stereo radars (absent field => 0). */
  readonly channel: number
  readonly cp: number
  readonly frang: number
  readonly rsep: number
  readonly nave: number
  readonly tfreq: number
  readonly noiseSky: number
  readonly noiseSearch: number
  readonly nrang: number
  /** +1/-1 first beam of a scan, 0 within a scan, -2 frequency sounding. */
  readonly scan: number
  /** Range gates with an echo; empty when the record has no echoes. */
  readonly slist: ArrayLike<number>
  /** Per-echo arrays, parallel to slist (empty when there are no echoes). */
  readonly v: ArrayLike<number>
  readonly pl: ArrayLike<number>
  readonly wl: ArrayLike<number>
  readonly gflg: ArrayLike<number>
  readonly qflg: ArrayLike<number>
  /** Absent on radars without an interferometer. */
  readonly elv: ArrayLike<number> | undefined
}

export declare const fitacfView: (record: DmapRecord) => Either.Either<Fitacf, unknown>
