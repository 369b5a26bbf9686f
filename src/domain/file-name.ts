/**
 * SuperDARN file names, parsed strictly. A name comes from a remote listing
 * and becomes a path on our disks, so anything outside the known patterns is
 * refused before it can touch the file system.
 */
import * as Data from "effect/Data"
import * as Either from "effect/Either"

/** DMAP data files: `YYYYMMDD.HHMM.SS.rad[.chan].type`. */
export const DATA_TYPES = ["rawacf", "iqdat", "fitacf", "fft", "dat", "fit", "snd", "map", "grid"] as const
/** Borealis files: `YYYYMMDD.HHMM.SS.rad.N.type.hdf5`, named here with their `.hdf5`. */
export const BOREALIS_TYPES = ["rawacf.hdf5", "antennas_iq.hdf5", "bfiq.hdf5", "rawrf.hdf5"] as const
/** Daily logs: `YYYYMMDD.rad.type`. */
export const LOG_TYPES = ["errlog", "scdlog"] as const

export const FILE_TYPES = [...DATA_TYPES, ...BOREALIS_TYPES, ...LOG_TYPES] as const
export type FileType = (typeof FILE_TYPES)[number]

export type NameFamily = "data" | "borealis" | "log"
export type NameCompression = "bz2" | "gz" | "none"

export interface ParsedName {
  /** The name exactly as the source listed it. */
  readonly name: string
  readonly family: NameFamily
  readonly radar: string
  /** Channel letter a–i of a DMAP data file. */
  readonly channel: string | undefined
  /** Borealis slice number. */
  readonly slice: number | undefined
  readonly type: FileType
  readonly year: number
  readonly month: number
  readonly day: number
  /** Start of the file's data (logs: start of their day), epoch ms UTC. */
  readonly startMs: number
  /** Compression the name claims; the bytes decide what is actually done. */
  readonly compression: NameCompression
  /** The name it is archived under: the uncompressed name plus `.bz2`. */
  readonly archiveName: string
}

export class FileNameError extends Data.TaggedError("FileNameError")<{
  readonly name: string
  readonly reason: string
}> {
  override get message(): string {
    return `refused file name ${JSON.stringify(this.name)}: ${this.reason}`
  }
}

const alternation = (values: ReadonlyArray<string>) => values.map((v) => v.replace(/\./g, "\\.")).join("|")

const DATA_PATTERN = new RegExp(
  `^(\\d{4})(\\d{2})(\\d{2})\\.(\\d{2})(\\d{2})\\.(\\d{2})\\.([a-z]{3})(?:\\.([a-i]))?\\.(${
    alternation(DATA_TYPES)
  })(?:\\.(bz2|gz))?$`
)
const BOREALIS_PATTERN = new RegExp(
  `^(\\d{4})(\\d{2})(\\d{2})\\.(\\d{2})(\\d{2})\\.(\\d{2})\\.([a-z]{3})\\.(\\d{1,2})\\.(${
    alternation(BOREALIS_TYPES)
  })(?:\\.(bz2|gz))?$`
)
const LOG_PATTERN = new RegExp(`^(\\d{4})(\\d{2})(\\d{2})\\.([a-z]{3})\\.(${alternation(LOG_TYPES)})(?:\\.(bz2|gz))?$`)

/** Longest accepted name, with margin; longer input is refused before any regex runs. */
const MAX_NAME_LENGTH = 64

/** Reasons checked before the patterns, so the report says what was dangerous. */
const unsafeReason = (name: string): string | undefined => {
  if (name.length === 0) return "empty name"
  if (name.length > MAX_NAME_LENGTH) return `longer than ${MAX_NAME_LENGTH} characters`
  if (name.includes("\0")) return "contains a NUL byte"
  if (name.includes("/") || name.includes("\\")) return "contains a path separator"
  if (name.includes("..")) return "contains '..'"
  if (name.startsWith(".")) return "starts with a dot"
  return undefined
}

/** UTC epoch ms, or undefined when the fields are not a real date and time. */
const utc = (year: number, month: number, day: number, hour: number, minute: number, second: number) => {
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined
  // Date.UTC reads years 0-99 as 1900-1999; setUTCFullYear takes the year as written.
  const ms = new Date(Date.UTC(2000, month - 1, day, hour, minute, second)).setUTCFullYear(year, month - 1, day)
  // Date.UTC rolls 31 April over into May; a real date survives the round trip.
  return new Date(ms).getUTCDate() === day ? ms : undefined
}

const compressionOf = (suffix: string | undefined): NameCompression =>
  suffix === "bz2" ? "bz2" : suffix === "gz" ? "gz" : "none"

const stripCompression = (name: string, compression: NameCompression) =>
  compression === "none" ? name : name.slice(0, name.length - compression.length - 1)

export const parseFileName = (name: string): Either.Either<ParsedName, FileNameError> => {
  const unsafe = unsafeReason(name)
  if (unsafe !== undefined) return Either.left(new FileNameError({ name, reason: unsafe }))

  const build = (
    family: NameFamily,
    fields: { y: string; m: string; d: string; hh: string; mm: string; ss: string },
    radar: string,
    channel: string | undefined,
    slice: number | undefined,
    type: string,
    suffix: string | undefined
  ): Either.Either<ParsedName, FileNameError> => {
    const year = Number(fields.y)
    const month = Number(fields.m)
    const day = Number(fields.d)
    const startMs = utc(year, month, day, Number(fields.hh), Number(fields.mm), Number(fields.ss))
    if (startMs === undefined) return Either.left(new FileNameError({ name, reason: "not a valid date and time" }))
    const compression = compressionOf(suffix)
    return Either.right({
      name,
      family,
      radar,
      channel,
      slice,
      type: type as FileType,
      year,
      month,
      day,
      startMs,
      compression,
      archiveName: `${stripCompression(name, compression)}.bz2`
    })
  }

  let m = DATA_PATTERN.exec(name)
  if (m !== null) {
    const [, y, mo, d, hh, mm, ss, radar, channel, type, suffix] = m as unknown as Array<string>
    return build("data", { y: y!, m: mo!, d: d!, hh: hh!, mm: mm!, ss: ss! }, radar!, channel, undefined, type!, suffix)
  }
  m = BOREALIS_PATTERN.exec(name)
  if (m !== null) {
    const [, y, mo, d, hh, mm, ss, radar, slice, type, suffix] = m as unknown as Array<string>
    return build(
      "borealis",
      { y: y!, m: mo!, d: d!, hh: hh!, mm: mm!, ss: ss! },
      radar!,
      undefined,
      Number(slice),
      type!,
      suffix
    )
  }
  m = LOG_PATTERN.exec(name)
  if (m !== null) {
    const [, y, mo, d, radar, type, suffix] = m as unknown as Array<string>
    return build(
      "log",
      { y: y!, m: mo!, d: d!, hh: "00", mm: "00", ss: "00" },
      radar!,
      undefined,
      undefined,
      type!,
      suffix
    )
  }
  return Either.left(new FileNameError({ name, reason: "not a SuperDARN data, Borealis or log file name" }))
}
