/**
 * Records seen once: RST's servers send their last record a second time when
 * they wrap around their buffer, and a reconnect can replay it too. Per
 * (site, channel), a record with the same time and beam as the one before
 * it is a repeat; it must not become a second packet nor count twice in its
 * scan. Only the immediately previous record is compared: a radar that comes
 * back to a beam later in the scan is not repeating itself.
 */
import type { Fitacf } from "../dmap/fitacf.js"
import { recordTimeMs } from "./record-time.js"

interface LastRecord {
  time: number
  beam: number
}

/** The previous record of each (site, channel); the one owner keeps it for the life of its stream. */
export class RepeatFilter {
  private readonly last = new Map<string, LastRecord>()

  /** True when `fitacf` repeats the previous record of its site and channel; remembers it otherwise. */
  isRepeat(site: string, fitacf: Pick<Fitacf, "time" | "bmnum" | "channel">): boolean {
    const key = `${site}/${fitacf.channel}`
    const time = recordTimeMs(fitacf.time)
    const previous = this.last.get(key)
    if (previous === undefined) {
      this.last.set(key, { time, beam: fitacf.bmnum })
      return false
    }
    if (previous.time === time && previous.beam === fitacf.bmnum) return true
    previous.time = time
    previous.beam = fitacf.bmnum
    return false
  }
}
