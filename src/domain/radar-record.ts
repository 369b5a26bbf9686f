import type { Fitacf } from "../dmap/fitacf.js"
import type { DmapRecord } from "../dmap/types.js"

/** One decoded fitacf record as it leaves a radar actor. */
export interface RadarRecord {
  /** Three-letter site code, lower case (e.g. "sas"). */
  readonly site: string
  /** Epoch milliseconds at which the hub process received the record. */
  readonly receivedAt: number
  readonly record: DmapRecord
  readonly fitacf: Fitacf
}
