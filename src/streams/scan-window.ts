/**
 * Scan windowing: fitacf records in, closed scans out, one window per
 * (site, channel). Pure: the caller passes the clock reading in, so the same
 * state machine runs live, in replays and under a TestClock.
 *
 * Rules (issue 5):
 * - `scan` of +1 or -1 starts a scan; that record belongs to the NEW scan.
 * - `scan` of -2 (frequency sounding) belongs to no scan and changes nothing.
 * - Stereo channels interleave, so each channel has its own window.
 * - A window silent for longer than the idle limit closes with
 *   `complete = false`; so does one the process shuts down on, and one that
 *   never saw its first record (opened mid-scan, e.g. after a restart).
 * - A record earlier than the open scan's latest one (the radar's server
 *   restarted and replays, issue 15) closes that scan as incomplete and
 *   starts a new window with itself; the step counts it as a rewind, so a
 *   rewind is never absorbed into the scan it went back from.
 * - A record whose time is not a date is ignored: the record boundary
 *   refuses those (`checkRecordTime`), this only keeps the state sane.
 */
import * as HashMap from "effect/HashMap"
import * as HashSet from "effect/HashSet"
import * as Option from "effect/Option"
import type { Fitacf } from "../dmap/fitacf.js"
import { countEchoes } from "./echo-count.js"
import { recordTimeMs } from "./record-time.js"

/** One closed scan, as stored and published. */
export interface EchoScan {
  readonly site: string
  readonly channel: number
  /** Record time of the scan's first record, epoch ms UTC. */
  readonly timestamp: number
  /** Per-record means: the fraction is kept, rounding is the API's business. */
  readonly totalEchoes: number
  readonly ionosphericEchoes: number
  readonly groundScatterEchoes: number
  readonly recordCount: number
  readonly beamCount: number
  readonly complete: boolean
}

/** A scan still collecting records. */
export interface OpenScan {
  readonly site: string
  readonly channel: number
  readonly startedAt: number
  /** Record time of the latest record, to notice gaps in replayed data. */
  readonly lastRecordTime: number
  /** Clock reading when the latest record arrived, for the idle close. */
  readonly lastSeenAt: number
  /** Opened by a scan-start flag, so the scan can be complete. */
  readonly fromStart: boolean
  readonly recordCount: number
  readonly totalSum: number
  readonly ionosphericSum: number
  readonly groundScatterSum: number
  readonly beams: HashSet.HashSet<number>
}

export type ScanWindows = HashMap.HashMap<string, OpenScan>

export const emptyWindows: ScanWindows = HashMap.empty()

export interface WindowStep {
  readonly windows: ScanWindows
  readonly closed: ReadonlyArray<EchoScan>
  /** Records that went back in time and so closed their open scan. */
  readonly rewinds: number
}

const windowKey = (site: string, channel: number): string => `${site}/${channel}`

const isScanStart = (flag: number): boolean => flag === 1 || flag === -1

const SOUNDING = -2

const closeScan = (open: OpenScan, complete: boolean): EchoScan => ({
  site: open.site,
  channel: open.channel,
  timestamp: open.startedAt,
  totalEchoes: open.totalSum / open.recordCount,
  ionosphericEchoes: open.ionosphericSum / open.recordCount,
  groundScatterEchoes: open.groundScatterSum / open.recordCount,
  recordCount: open.recordCount,
  beamCount: HashSet.size(open.beams),
  complete
})

const openScan = (site: string, fitacf: Fitacf, time: number, now: number, fromStart: boolean): OpenScan => {
  const count = countEchoes(fitacf)
  return {
    site,
    channel: fitacf.channel,
    startedAt: time,
    lastRecordTime: time,
    lastSeenAt: now,
    fromStart,
    recordCount: 1,
    totalSum: count.total,
    ionosphericSum: count.ionospheric,
    groundScatterSum: count.groundScatter,
    beams: HashSet.make(fitacf.bmnum)
  }
}

const addRecord = (open: OpenScan, fitacf: Fitacf, time: number, now: number): OpenScan => {
  const count = countEchoes(fitacf)
  return {
    ...open,
    lastRecordTime: time,
    lastSeenAt: now,
    recordCount: open.recordCount + 1,
    totalSum: open.totalSum + count.total,
    ionosphericSum: open.ionosphericSum + count.ionospheric,
    groundScatterSum: open.groundScatterSum + count.groundScatter,
    beams: HashSet.add(open.beams, fitacf.bmnum)
  }
}

/**
 * Feeds one record of `site`, received when the clock read `now`. A jump
 * forward in record time of more than `idleMs` is a silence the live clock
 * may not have seen, as in a replay, so it ends the open scan as incomplete;
 * any step back in time is a rewind and does the same.
 */
export const feedRecord = (
  windows: ScanWindows,
  site: string,
  fitacf: Fitacf,
  now: number,
  idleMs: number
): WindowStep => {
  const time = recordTimeMs(fitacf.time)
  if (fitacf.scan === SOUNDING || !Number.isFinite(time)) return { windows, closed: [], rewinds: 0 }
  const key = windowKey(site, fitacf.channel)
  const current = HashMap.get(windows, key)
  const starts = isScanStart(fitacf.scan)
  if (Option.isNone(current)) {
    return { windows: HashMap.set(windows, key, openScan(site, fitacf, time, now, starts)), closed: [], rewinds: 0 }
  }
  const open = current.value
  const rewound = time < open.lastRecordTime
  const broken = rewound || time - open.lastRecordTime > idleMs
  if (!starts && !broken) {
    return { windows: HashMap.set(windows, key, addRecord(open, fitacf, time, now)), closed: [], rewinds: 0 }
  }
  return {
    windows: HashMap.set(windows, key, openScan(site, fitacf, time, now, starts)),
    closed: [closeScan(open, open.fromStart && !broken)],
    rewinds: rewound ? 1 : 0
  }
}

/** Closes, as incomplete, every window that has been silent for longer than `idleMs`. */
export const closeIdle = (windows: ScanWindows, now: number, idleMs: number): WindowStep => {
  const closed: Array<EchoScan> = []
  const kept = HashMap.filter(windows, (open) => {
    if (now - open.lastSeenAt <= idleMs) return true
    closed.push(closeScan(open, false))
    return false
  })
  return closed.length === 0 ? { windows, closed, rewinds: 0 } : { windows: kept, closed, rewinds: 0 }
}

/** Every open window, closed as incomplete (shutdown). */
export const flushWindows = (windows: ScanWindows): ReadonlyArray<EchoScan> =>
  Array.from(HashMap.values(windows), (open) => closeScan(open, false))
