/**
 * The query of `GET /echoes/`: parameters decoded with Schema (by the
 * HttpApi, which turns a refusal into 400 `{message}` from the annotations
 * here), then defaults applied against the clock and the range checked.
 */
import * as Data from "effect/Data"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { IsoInstantParam, QueryText, shown } from "./query-params.js"

export class EchoesQueryError extends Data.TaggedError("EchoesQueryError")<{
  readonly parameter: string
  readonly reason: string
}> {
  override get message(): string {
    return `${this.parameter} ${this.reason}`
  }
}

const SiteName = QueryText.pipe(
  Schema.pattern(/^[a-z]{3}$/),
  Schema.annotations({ message: (issue) => `must be 3 lowercase letters, got ${shown(issue.actual)}` })
)

const SAVE_VALUES: ReadonlyArray<string> = ["true", "false", "1", "0"]

const SaveFlag = QueryText.pipe(
  Schema.filter((text) => SAVE_VALUES.includes(text)),
  Schema.annotations({ message: (issue) => `must be true or false, got ${shown(issue.actual)}` })
)

const channelMessage = (issue: ParseResult.ParseIssue) => `must be a channel number 0-255, got ${shown(issue.actual)}`

/** Decimal digits only: `1e2`, `0x1`, ` 1` and `1.0` are not channel numbers (issue 18). */
const Channel = QueryText.pipe(
  Schema.pattern(/^\d{1,3}$/, { message: channelMessage }),
  Schema.compose(Schema.NumberFromString.annotations({ message: channelMessage })),
  Schema.int(),
  Schema.between(0, 255),
  Schema.annotations({ message: channelMessage })
)

export const EchoesParams = Schema.Struct({
  site_name: Schema.propertySignature(SiteName.annotations({ description: "Radar site code, e.g. sas" })).annotations({
    missingMessage: () => "is required"
  }),
  start: Schema.optional(
    IsoInstantParam.annotations({ description: "Range start (inclusive), ISO 8601; default: 24 h before end" })
  ),
  end: Schema.optional(
    IsoInstantParam.annotations({ description: "Range end (exclusive), ISO 8601; default: now, or 24 h after start" })
  ),
  // A refinement by predicate has no JSON Schema of its own: these say what the predicates accept.
  save: Schema.optional(
    SaveFlag.annotations({
      jsonSchema: {
        type: "string",
        enum: SAVE_VALUES,
        description: "true or 1: download the series as a CSV file instead of JSON"
      }
    })
  ),
  channel: Schema.optional(
    Channel.annotations({
      jsonSchema: {
        type: "string",
        pattern: "^[0-9]{1,3}$",
        description: "Channel 0-255; default: the lowest channel with data in the range"
      }
    })
  ),
  complete: Schema.optional(
    SaveFlag.annotations({
      jsonSchema: {
        type: "string",
        enum: SAVE_VALUES,
        description: "true or 1: complete scans only (not one cut short by a restart, a rewind or silence)"
      }
    })
  )
})

export interface EchoesQuery {
  readonly site: string
  /** Inclusive, epoch ms. */
  readonly start: number
  /** Exclusive, epoch ms. */
  readonly end: number
  readonly save: boolean
  /** Complete scans only. */
  readonly completeOnly: boolean
  /** None: the lowest channel of the site with data in the range. */
  readonly channel: Option.Option<number>
}

export const DEFAULT_WINDOW_MS = 24 * 3600_000
const DAY_MS = 24 * 3600_000

/**
 * Without `end` the window ends now, or 24 h after `start` when that is
 * given; without `start` it begins 24 h before `end`. The range may not be
 * empty nor longer than the retention period.
 */
export const echoesQuery = (
  p: typeof EchoesParams.Type,
  now: number,
  retentionDays: number
): Either.Either<EchoesQuery, EchoesQueryError> => {
  const end = p.end ?? (p.start === undefined ? now : p.start + DEFAULT_WINDOW_MS)
  const start = p.start ?? end - DEFAULT_WINDOW_MS
  if (start >= end) {
    return Either.left(new EchoesQueryError({ parameter: "start", reason: "must be before end" }))
  }
  if (end - start > retentionDays * DAY_MS) {
    return Either.left(
      new EchoesQueryError({
        parameter: "start",
        reason: `to end may span at most the ${retentionDays}-day retention period`
      })
    )
  }
  return Either.right({
    site: p.site_name,
    start,
    end,
    save: p.save === "true" || p.save === "1",
    completeOnly: p.complete === "true" || p.complete === "1",
    channel: Option.fromNullable(p.channel)
  })
}
