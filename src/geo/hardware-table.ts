/**
 * SuperDARN hardware tables (`hdw.dat.<site>`): one line per period of
 * validity, `#` comments, up to 22 whitespace-separated fields. A line applies
 * from its date and time until the next line's.
 *
 * Older files may stop early: the ten fields the geometry cannot do without
 * (station id to beam separation) are required, the later ones are read when
 * present and named in `missing` when not. A line that cannot be read is
 * refused with the file, line and field; the other lines still count.
 */
import * as Data from "effect/Data"
import * as Either from "effect/Either"

/** The 22 columns, in file order. */
export const HARDWARE_FIELDS = [
  "station id",
  "status",
  "valid-from date",
  "valid-from time",
  "latitude",
  "longitude",
  "altitude",
  "boresight",
  "beam offset",
  "beam separation",
  "velocity sign",
  "phase sign",
  "tdiff A",
  "tdiff B",
  "interferometer x",
  "interferometer y",
  "interferometer z",
  "receiver rise time",
  "attenuation step",
  "attenuation stages",
  "maximum range gates",
  "maximum beams"
] as const
export type HardwareField = typeof HARDWARE_FIELDS[number]

/** Fields 1-10: without them a line has no geometry. */
const REQUIRED_FIELDS = 10

export interface HardwarePeriod {
  readonly stid: number
  /** 1 operational, -1 offline. */
  readonly status: number
  /** Epoch milliseconds (UTC) from which this line applies. */
  readonly validFrom: number
  readonly lat: number
  readonly lon: number
  /** Metres. */
  readonly altitude: number
  /** Degrees east of north. */
  readonly boresight: number
  readonly beamOffset: number
  readonly beamSeparation: number
  readonly velocitySign: number | undefined
  readonly phaseSign: number | undefined
  readonly tdiffA: number | undefined
  readonly tdiffB: number | undefined
  readonly interferometer: readonly [number, number, number] | undefined
  /** µs. */
  readonly rxrise: number | undefined
  readonly attenuationStep: number | undefined
  readonly attenuationStages: number | undefined
  readonly maxRangeGates: number | undefined
  readonly maxBeams: number | undefined
  /** Trailing fields an older file does not have. */
  readonly missing: ReadonlyArray<HardwareField>
  /** 1-based line in the file, for messages. */
  readonly line: number
}

/** One line of a hardware file that cannot be read. */
export class HardwareLineError extends Data.TaggedError("HardwareLineError")<{
  readonly file: string
  readonly line: number
  readonly field: HardwareField | "line"
  readonly value: string
  readonly reason: string
}> {
  override get message(): string {
    return `${this.file} line ${this.line}: ${this.field} ${this.reason}${
      this.value === "" ? "" : `, got "${this.value}"`
    }`
  }
}

export interface HardwareTable {
  readonly file: string
  /** Sorted by validFrom. */
  readonly periods: ReadonlyArray<HardwarePeriod>
  /** Lines refused; their periods are absent. */
  readonly problems: ReadonlyArray<HardwareLineError>
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/
const INTEGER = /^[+-]?\d+$/

const lineParser = (file: string, line: number, fields: ReadonlyArray<string>) => {
  const refuse = (index: number, reason: string) =>
    new HardwareLineError({ file, line, field: HARDWARE_FIELDS[index]!, value: fields[index] ?? "", reason })
  const number = (index: number, check?: (n: number) => string | undefined): number => {
    const text = fields[index]!
    if (!NUMBER.test(text)) throw refuse(index, "is not a number")
    const value = Number(text)
    const why = check?.(value)
    if (why !== undefined) throw refuse(index, why)
    return value
  }
  const integer = (index: number, check?: (n: number) => string | undefined): number => {
    if (!INTEGER.test(fields[index]!)) throw refuse(index, "is not an integer")
    return number(index, check)
  }
  const optional = <A>(index: number, read: (index: number) => A): A | undefined =>
    index < fields.length ? read(index) : undefined
  return { refuse, number, integer, optional }
}

const validFrom = (date: string, time: string, refuse: (index: number, reason: string) => HardwareLineError) => {
  const d = /^(\d{4})(\d{2})(\d{2})$/.exec(date)
  if (d === null) throw refuse(2, "must be YYYYMMDD")
  const t = /^(\d{2}):(\d{2}):(\d{2})$/.exec(time)
  if (t === null) throw refuse(3, "must be HH:MM:SS")
  const [year, month, day] = [Number(d[1]), Number(d[2]), Number(d[3])]
  const epoch = Date.UTC(year, month - 1, day)
  const back = new Date(epoch)
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) {
    throw refuse(2, "is not a calendar date")
  }
  const [hh, mm, ss] = [Number(t[1]), Number(t[2]), Number(t[3])]
  if (hh > 23 || mm > 59 || ss > 60) throw refuse(3, "is not a time of day")
  return epoch + ((hh * 60 + mm) * 60 + ss) * 1000
}

const within = (low: number, high: number) => (n: number) =>
  n >= low && n <= high ? undefined : `must be between ${low} and ${high}`
const positive = (n: number) => (n > 0 ? undefined : "must be positive")

/** One data line (comments already removed) as a period, or the reason it is refused. */
export const parseHardwareLine = (
  file: string,
  line: number,
  text: string
): Either.Either<HardwarePeriod, HardwareLineError> => {
  const fields = text.trim().split(/\s+/)
  if (fields.length > HARDWARE_FIELDS.length) {
    return Either.left(
      new HardwareLineError({
        file,
        line,
        field: "line",
        value: fields.slice(HARDWARE_FIELDS.length).join(" "),
        reason: `has ${fields.length} fields, at most ${HARDWARE_FIELDS.length} expected`
      })
    )
  }
  if (fields.length < REQUIRED_FIELDS) {
    return Either.left(
      new HardwareLineError({
        file,
        line,
        field: HARDWARE_FIELDS[fields.length]!,
        value: "",
        reason: `is missing (the line has ${fields.length} fields, ${REQUIRED_FIELDS} are needed)`
      })
    )
  }
  const { integer, number, optional, refuse } = lineParser(file, line, fields)
  try {
    const interferometer = fields.length > 16 ? [number(14), number(15), number(16)] as const : undefined
    return Either.right({
      // The test radar's table uses 0.
      stid: integer(0, (n) => (n >= 0 ? undefined : "must not be negative")),
      status: integer(1),
      validFrom: validFrom(fields[2]!, fields[3]!, refuse),
      lat: number(4, within(-90, 90)),
      lon: number(5, within(-360, 360)),
      altitude: number(6),
      boresight: number(7, within(-360, 360)),
      beamOffset: number(8, within(-90, 90)),
      // Negative where beams are numbered anticlockwise (Buckland Park).
      beamSeparation: number(9, (n) => (n !== 0 && Math.abs(n) < 90 ? undefined : "must be non-zero and within ±90")),
      velocitySign: optional(10, integer),
      phaseSign: optional(11, integer),
      tdiffA: optional(12, number),
      tdiffB: optional(13, number),
      interferometer,
      rxrise: optional(17, (i) => number(i, (n) => (n >= 0 ? undefined : "must not be negative"))),
      attenuationStep: optional(18, number),
      attenuationStages: optional(19, integer),
      maxRangeGates: optional(20, (i) => integer(i, positive)),
      maxBeams: optional(21, (i) => integer(i, positive)),
      missing: HARDWARE_FIELDS.slice(fields.length),
      line
    })
  } catch (error) {
    if (error instanceof HardwareLineError) return Either.left(error)
    throw error
  }
}

/** A whole file. `file` is the name used in messages. */
export const parseHardwareTable = (file: string, text: string): HardwareTable => {
  const periods: Array<HardwarePeriod> = []
  const problems: Array<HardwareLineError> = []
  text.split(/\r?\n/).forEach((raw, index) => {
    const hash = raw.indexOf("#")
    const content = (hash === -1 ? raw : raw.slice(0, hash)).trim()
    if (content === "") return
    Either.match(parseHardwareLine(file, index + 1, content), {
      onLeft: (problem) => problems.push(problem),
      onRight: (period) => periods.push(period)
    })
  })
  // Files are written in date order; a stable sort keeps a later line for the same instant last, so it wins.
  periods.sort((a, b) => a.validFrom - b.validFrom)
  return { file, periods, problems }
}

/** The period in force at `at` (epoch ms): the last one starting at or before it. */
export const periodAt = (table: HardwareTable, at: number): HardwarePeriod | undefined => {
  let found: HardwarePeriod | undefined
  for (const period of table.periods) {
    if (period.validFrom > at) break
    found = period
  }
  return found
}

/** The index of the period in force at `at`, -1 before the first: part of a cache key. */
export const periodIndexAt = (table: HardwareTable, at: number): number => {
  const period = periodAt(table, at)
  return period === undefined ? -1 : table.periods.indexOf(period)
}
