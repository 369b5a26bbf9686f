/** Synthetic fitacf records for windowing tests: only the fields the windowing reads matter. */
import type { Fitacf } from "../../../src/dmap/fitacf.js"

export interface SyntheticRecord {
  /** Record time, epoch ms UTC. */
  readonly at: number
  readonly scan: number
  readonly beam: number
  readonly channel?: number
  /** One entry per echo: 0 ionospheric, 1 ground scatter. */
  readonly gflg?: ReadonlyArray<number>
}

export const syntheticFitacf = (record: SyntheticRecord): Fitacf => {
  const date = new Date(record.at)
  const gflg = Float32Array.from(record.gflg ?? [])
  const slist = Int16Array.from(gflg, (_, i) => i + 5)
  return {
    stid: 5,
    time: {
      yr: date.getUTCFullYear(),
      mo: date.getUTCMonth() + 1,
      dy: date.getUTCDate(),
      hr: date.getUTCHours(),
      mt: date.getUTCMinutes(),
      sc: date.getUTCSeconds(),
      us: date.getUTCMilliseconds() * 1000
    },
    bmnum: record.beam,
    channel: record.channel ?? 0,
    cp: 153,
    frang: 180,
    rsep: 45,
    nave: 20,
    tfreq: 10500,
    noiseSky: 1,
    noiseSearch: 1,
    nrang: 75,
    scan: record.scan,
    slist,
    v: new Float32Array(slist.length),
    pl: new Float32Array(slist.length),
    wl: new Float32Array(slist.length),
    gflg,
    qflg: new Float32Array(slist.length).fill(1),
    elv: undefined
  }
}
