/**
 * What `dmap info` says about a file: how many records, which format (guessed
 * from the fields), which stations, and the time span, gathered one record
 * at a time so a file of any size is summarised in constant memory.
 */
import { getArray, getScalar } from "./record.js"
import type { DmapRecord } from "./types.js"

export type DmapFormat = "fitacf" | "rawacf" | "iqdat" | "grid" | "map" | "snd" | "unknown"

const hasScalar = (record: DmapRecord, name: string): boolean => getScalar(record, name) !== undefined
const hasArray = (record: DmapRecord, name: string): boolean => getArray(record, name) !== undefined

/**
 * The revision scalars each program writes are the surest sign; snd records
 * also carry fitacf's revision, so snd is tested first. Grid and map records
 * have no revision scalar of their own kind; map adds the model fields.
 */
export const guessFormat = (record: DmapRecord): DmapFormat => {
  if (hasScalar(record, "snd.revision.major")) return "snd"
  if (hasScalar(record, "fitacf.revision.major")) return "fitacf"
  if (hasScalar(record, "rawacf.revision.major") || hasArray(record, "acfd")) return "rawacf"
  if (hasScalar(record, "iqdata.revision.major") || (hasArray(record, "tsc") && hasArray(record, "data"))) {
    return "iqdat"
  }
  if (hasScalar(record, "map.major.revision") || hasScalar(record, "IMF.Bx")) return "map"
  if (hasScalar(record, "start.year") && hasArray(record, "vector.mlat")) return "grid"
  return "unknown"
}

const numeric = (record: DmapRecord, name: string): number | undefined => {
  const value = getScalar(record, name)?.value
  return typeof value === "number" ? value : typeof value === "bigint" ? Number(value) : undefined
}

/** Epoch ms from the named year, month, day, hour, minute and second fields, if all are present. */
const timeOf = (record: DmapRecord, names: ReadonlyArray<string>, micros: string | undefined): number | undefined => {
  const parts = names.map((name) => numeric(record, name))
  if (parts.some((part) => part === undefined)) return undefined
  const [yr, mo, dy, hr, mt, sc] = parts as Array<number>
  const us = micros === undefined ? 0 : numeric(record, micros) ?? 0
  return Date.UTC(yr!, mo! - 1, dy!, hr!, mt!, 0) + sc! * 1000 + us / 1000
}

const RADAR_TIME = ["time.yr", "time.mo", "time.dy", "time.hr", "time.mt", "time.sc"]
const START_TIME = ["start.year", "start.month", "start.day", "start.hour", "start.minute", "start.second"]
const END_TIME = ["end.year", "end.month", "end.day", "end.hour", "end.minute", "end.second"]

/** The [from, to] epoch-ms span a record covers: one instant for radar records, start..end for grid/map. */
export const recordSpan = (record: DmapRecord): readonly [number, number] | undefined => {
  const at = timeOf(record, RADAR_TIME, "time.us")
  if (at !== undefined) return [at, at]
  const start = timeOf(record, START_TIME, undefined)
  if (start === undefined) return undefined
  return [start, timeOf(record, END_TIME, undefined) ?? start]
}

/** Station ids: the `stid` scalar of radar records, or the `stid` array of grid/map records. */
export const recordStations = (record: DmapRecord): ReadonlyArray<number> => {
  const scalar = numeric(record, "stid")
  if (scalar !== undefined) return [scalar]
  const array = getArray(record, "stid")
  if (array === undefined || Array.isArray(array.data)) return []
  return Array.from(array.data as ArrayLike<number | bigint>, Number)
}

export class DmapFileSummary {
  records = 0
  readonly formats = new Set<DmapFormat>()
  readonly stations = new Set<number>()
  from: number | undefined = undefined
  to: number | undefined = undefined

  add(record: DmapRecord): void {
    this.records++
    this.formats.add(guessFormat(record))
    for (const station of recordStations(record)) this.stations.add(station)
    const span = recordSpan(record)
    if (span !== undefined) {
      if (this.from === undefined || span[0] < this.from) this.from = span[0]
      if (this.to === undefined || span[1] > this.to) this.to = span[1]
    }
  }
}
