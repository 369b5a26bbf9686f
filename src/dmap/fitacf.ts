/**
 * The typed fitacf view: the fields the realtime feed, the packet builder and
 * the echo counter read. CONTRACT (shared by every module): the `Fitacf`
 * interface below, produced by `fitacfView`.
 */
import * as Data from "effect/Data"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
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

/** A record that is not a usable fitacf record: which field, and what is wrong with it. */
export class FitacfViewError extends Data.TaggedError("FitacfViewError")<{
  readonly field: string
  readonly problem: string
}> {
  override get message(): string {
    return `fitacf field "${this.field}": ${this.problem}`
  }
}

/** Any numeric DMAP array whose elements are JS numbers (not the 64-bit bigint kinds). */
const NumericArray = Schema.declare(
  (input: unknown): input is ArrayLike<number> =>
    ArrayBuffer.isView(input) &&
    !(input instanceof DataView) &&
    !(input instanceof BigInt64Array) &&
    !(input instanceof BigUint64Array),
  { identifier: "NumericArray", description: "a numeric DMAP array" }
)

const ECHO_ARRAYS = ["v", "p_l", "w_l", "gflg", "qflg"] as const

/** The DMAP fields the view reads, under their DMAP names, with their rules. */
const FitacfFields = Schema.Struct({
  stid: Schema.Int,
  "time.yr": Schema.Int,
  "time.mo": Schema.Int,
  "time.dy": Schema.Int,
  "time.hr": Schema.Int,
  "time.mt": Schema.Int,
  "time.sc": Schema.Int,
  // Schema.Int accepts the short that old ROS servers send as well as the int.
  "time.us": Schema.Int,
  bmnum: Schema.Int,
  channel: Schema.optional(Schema.Int),
  cp: Schema.Int,
  frang: Schema.Int,
  rsep: Schema.Int,
  nave: Schema.Int,
  tfreq: Schema.Int,
  "noise.sky": Schema.Number,
  "noise.search": Schema.Number,
  nrang: Schema.Int,
  scan: Schema.Int,
  slist: Schema.optional(NumericArray),
  v: Schema.optional(NumericArray),
  p_l: Schema.optional(NumericArray),
  w_l: Schema.optional(NumericArray),
  gflg: Schema.optional(NumericArray),
  qflg: Schema.optional(NumericArray),
  elv: Schema.optional(NumericArray)
}).pipe(
  Schema.filter((fields) => {
    // A record with no echoes carries no slist and none of the per-echo
    // arrays; with echoes, each per-echo array has one entry per slist gate.
    const echoes = fields.slist?.length ?? 0
    for (const name of ECHO_ARRAYS) {
      const array = fields[name]
      if (array === undefined) {
        if (fields.slist !== undefined) return { path: [name], message: "is missing although slist is present" }
      } else if (array.length !== echoes) {
        return { path: [name], message: `has ${array.length} entries but slist has ${echoes}` }
      }
    }
    if (fields.elv !== undefined && fields.elv.length !== echoes) {
      return { path: ["elv"], message: `has ${fields.elv.length} entries but slist has ${echoes}` }
    }
    return undefined
  })
)

const decodeFields = Schema.decodeUnknownEither(FitacfFields)

const SCALAR_NAMES: ReadonlySet<string> = new Set([
  "stid",
  "time.yr",
  "time.mo",
  "time.dy",
  "time.hr",
  "time.mt",
  "time.sc",
  "time.us",
  "bmnum",
  "channel",
  "cp",
  "frang",
  "rsep",
  "nave",
  "tfreq",
  "noise.sky",
  "noise.search",
  "nrang",
  "scan"
])
const ARRAY_NAMES: ReadonlySet<string> = new Set(["slist", "elv", ...ECHO_ARRAYS])

const NO_ECHOES = new Float32Array(0)

const toViewError = (error: ParseResult.ParseError): FitacfViewError => {
  const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
  const field = issue?.path[0]
  return new FitacfViewError({
    field: field === undefined ? "record" : String(field),
    problem: issue?.message ?? error.message
  })
}

/** The fitacf fields of a decoded record, validated; one pass over the record plus a Schema check. */
export const fitacfView = (record: DmapRecord): Either.Either<Fitacf, FitacfViewError> => {
  const input: Record<string, unknown> = {}
  for (const scalar of record.scalars) {
    if (SCALAR_NAMES.has(scalar.name)) input[scalar.name] = scalar.value
  }
  for (const array of record.arrays) {
    if (ARRAY_NAMES.has(array.name)) input[array.name] = array.data
  }
  return Either.match(decodeFields(input), {
    onLeft: (error) => Either.left(toViewError(error)),
    onRight: (fields) =>
      Either.right({
        stid: fields.stid,
        time: {
          yr: fields["time.yr"],
          mo: fields["time.mo"],
          dy: fields["time.dy"],
          hr: fields["time.hr"],
          mt: fields["time.mt"],
          sc: fields["time.sc"],
          us: fields["time.us"]
        },
        bmnum: fields.bmnum,
        channel: fields.channel ?? 0,
        cp: fields.cp,
        frang: fields.frang,
        rsep: fields.rsep,
        nave: fields.nave,
        tfreq: fields.tfreq,
        noiseSky: fields["noise.sky"],
        noiseSearch: fields["noise.search"],
        nrang: fields.nrang,
        scan: fields.scan,
        slist: fields.slist ?? NO_ECHOES,
        v: fields.v ?? NO_ECHOES,
        pl: fields.p_l ?? NO_ECHOES,
        wl: fields.w_l ?? NO_ECHOES,
        gflg: fields.gflg ?? NO_ECHOES,
        qflg: fields.qflg ?? NO_ECHOES,
        elv: fields.elv
      })
  })
}
