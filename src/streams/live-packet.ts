/**
 * The live packet: what Socket.IO clients receive as event `<site>` for every
 * fitacf record. Its shape is a compatibility contract with the SuperDARN web
 * front ends that read today's feed; every field name, type and unit matters.
 * `slist`, `channel` and `time_iso` are additions that old clients ignore.
 *
 * Built once per record; Socket.IO then encodes it once per broadcast.
 */
import * as Data from "effect/Data"
import * as Either from "effect/Either"
import type { FitacfTime } from "../dmap/fitacf.js"
import { controlProgramLabel } from "../domain/control-programs.js"
import type { RadarRecord } from "../domain/radar-record.js"

/** A float that was NaN or ±Infinity travels as null: bare NaN is not JSON and breaks clients. */
export type WireFloat = number | null

export interface LivePacket {
  readonly site_name: string
  readonly beam: number
  readonly cp: string
  readonly frang: number
  readonly nave: number
  readonly freq: number
  readonly noise: WireFloat
  readonly nrang: number
  readonly rsep: number
  readonly stid: number
  readonly scan: number
  /** Per echo, in slist order. */
  readonly gflg: ReadonlyArray<WireFloat>
  readonly v: ReadonlyArray<WireFloat>
  /** UTC, `YYYY-MM-DD HH:MM:SS.ffffff`. */
  readonly time: string
  /** Per range gate (length nrang): the echo's value at its gate, 0 where there is no echo. */
  readonly elevation: ReadonlyArray<WireFloat>
  readonly power: ReadonlyArray<WireFloat>
  readonly velocity: ReadonlyArray<WireFloat>
  readonly width: ReadonlyArray<WireFloat>
  readonly g_scatter: ReadonlyArray<WireFloat>
  readonly slist: ReadonlyArray<number>
  readonly channel: number
  /** ISO 8601 UTC with `Z`, microsecond precision. */
  readonly time_iso: string
}

/**
 * Far beyond any radar (the largest use a few hundred gates); a record
 * claiming more is corrupt, and would make every client allocate it.
 */
export const MAX_RANGE_GATES = 4096

export class LivePacketError extends Data.TaggedError("LivePacketError")<{
  readonly site: string
  readonly field: string
  readonly reason: string
}> {
  override get message(): string {
    return `${this.site}: cannot build a live packet: "${this.field}" ${this.reason}`
  }
}

const wireFloat = (value: number): WireFloat => (Number.isFinite(value) ? value : null)

const perEcho = (values: ArrayLike<number>): Array<WireFloat> => {
  const out = new Array<WireFloat>(values.length)
  for (let i = 0; i < values.length; i++) out[i] = wireFloat(values[i]!)
  return out
}

/** Values placed at their gates; echoes whose gate is outside 0..nrang-1 have no place and are left out. */
const perGate = (nrang: number, slist: ArrayLike<number>, values: ArrayLike<number> | undefined): Array<WireFloat> => {
  const out = new Array<WireFloat>(nrang).fill(0)
  if (values === undefined) return out
  const echoes = Math.min(slist.length, values.length)
  for (let i = 0; i < echoes; i++) {
    const gate = slist[i]!
    if (gate >= 0 && gate < nrang) out[gate] = wireFloat(values[i]!)
  }
  return out
}

const pad = (value: number, width: number): string => String(value).padStart(width, "0")

/**
 * Both time strings. Out-of-range fields are carried over as a calendar would
 * (second 60 becomes the next minute); a negative `us` counts as 0.
 */
const formatTimes = (site: string, time: FitacfTime): Either.Either<readonly [string, string], LivePacketError> => {
  const us = Math.max(0, time.us)
  const date = new Date(0)
  // setUTCFullYear, unlike Date.UTC, keeps years below 100 as they are.
  date.setUTCFullYear(time.yr, time.mo - 1, time.dy)
  date.setUTCHours(time.hr, time.mt, time.sc + Math.floor(us / 1_000_000), 0)
  if (Number.isNaN(date.getTime())) {
    return Either.left(new LivePacketError({ site, field: "time", reason: `is not a date: ${JSON.stringify(time)}` }))
  }
  const day = `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)}`
  const clock = `${pad(date.getUTCHours(), 2)}:${pad(date.getUTCMinutes(), 2)}:${pad(date.getUTCSeconds(), 2)}.${
    pad(us % 1_000_000, 6)
  }`
  return Either.right([`${day} ${clock}`, `${day}T${clock}Z`])
}

export const livePacket = ({ fitacf, site }: RadarRecord): Either.Either<LivePacket, LivePacketError> => {
  const { nrang, slist } = fitacf
  if (nrang < 0 || nrang > MAX_RANGE_GATES) {
    return Either.left(
      new LivePacketError({ site, field: "nrang", reason: `must be 0-${MAX_RANGE_GATES}, got ${nrang}` })
    )
  }
  return Either.map(formatTimes(site, fitacf.time), ([time, timeIso]): LivePacket => ({
    site_name: site,
    beam: fitacf.bmnum,
    cp: controlProgramLabel(fitacf.cp),
    frang: fitacf.frang,
    nave: fitacf.nave,
    freq: fitacf.tfreq,
    noise: wireFloat(Math.trunc(fitacf.noiseSky)),
    nrang,
    rsep: fitacf.rsep,
    stid: fitacf.stid,
    scan: fitacf.scan,
    gflg: perEcho(fitacf.gflg),
    v: perEcho(fitacf.v),
    time,
    elevation: perGate(nrang, slist, fitacf.elv),
    power: perGate(nrang, slist, fitacf.pl),
    velocity: perGate(nrang, slist, fitacf.v),
    width: perGate(nrang, slist, fitacf.wl),
    g_scatter: perGate(nrang, slist, fitacf.gflg),
    slist: Array.from(slist),
    channel: fitacf.channel,
    time_iso: timeIso
  }))
}
