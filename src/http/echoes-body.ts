/**
 * The shape of `GET /echoes/`'s bodies, for the API document. The bodies
 * themselves are written by `echo-series-codec.ts` beside the rows (in the
 * query workers), means rounded to whole echoes as the API always has.
 */
import { echoSeriesCodec } from "../layers/realtime/echo-series-codec.js"

export interface EchoColumns {
  readonly timestamp: Array<string>
  readonly total_echoes: Array<number>
  readonly ionospheric_echoes: Array<number>
  /** Same values as `ionospheric_echoes`: the published API documentation uses this name. */
  readonly total_ionospheric_echoes: Array<number>
  readonly ground_scatter_echoes: Array<number>
  /** Whether each scan was complete (issue 15). */
  readonly complete: Array<boolean>
}

export const CSV_HEADER = echoSeriesCodec().csvHeader
