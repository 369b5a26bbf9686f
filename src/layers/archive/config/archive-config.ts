/**
 * `archive.config.json`: where files go and which institution's files to
 * collect, how. Decoded with Schema so every mistake is reported with its
 * path (e.g. `institutions[2].source.url`).
 */
import * as Cron from "effect/Cron"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { FILE_TYPES } from "../../../domain/file-name.js"
import { SmtpSettings } from "../../platform/smtp.js"
import { LEAVE_ONLY_KINDS, SourceConfig } from "./source-config.js"

const PositiveInt = Schema.Number.pipe(Schema.int(), Schema.positive())
const NonNegativeInt = Schema.Number.pipe(Schema.int(), Schema.nonNegative())
const Dir = Schema.NonEmptyTrimmedString

/** What happens to a source's copy once the file is durably archived and journalled. */
export type Disposition =
  | { readonly kind: "delete" }
  | { readonly kind: "move"; readonly backupDir: string }
  | { readonly kind: "leave" }

const DispositionValue: Schema.Schema<Disposition> = Schema.Union(
  Schema.Struct({ kind: Schema.Literal("delete") }),
  Schema.Struct({ kind: Schema.Literal("move"), backupDir: Schema.String }),
  Schema.Struct({ kind: Schema.Literal("leave") })
)

/** `delete`, `leave` or `move:<backupDir>`. */
export const DispositionFromString = Schema.transformOrFail(Schema.String, DispositionValue, {
  strict: true,
  decode: (text, _, ast) => {
    if (text === "delete") return ParseResult.succeed({ kind: "delete" as const })
    if (text === "leave") return ParseResult.succeed({ kind: "leave" as const })
    if (text.startsWith("move:") && text.length > "move:".length) {
      return ParseResult.succeed({ kind: "move" as const, backupDir: text.slice("move:".length) })
    }
    return ParseResult.fail(
      new ParseResult.Type(ast, text, `must be "delete", "leave" or "move:<backupDir>", got "${text}"`)
    )
  },
  encode: (disposition) =>
    ParseResult.succeed(disposition.kind === "move" ? `move:${disposition.backupDir}` : disposition.kind)
})

export type CollectorSchedule =
  | { readonly kind: "cron"; readonly expression: string }
  | { readonly kind: "interval"; readonly millis: number }

const ScheduleValue: Schema.Schema<CollectorSchedule> = Schema.Union(
  Schema.Struct({ kind: Schema.Literal("cron"), expression: Schema.String }),
  Schema.Struct({ kind: Schema.Literal("interval"), millis: PositiveInt })
)

/** A cron expression (`"*\/30 * * * *"`, UTC) or an interval (`"15 minutes"`). */
export const ScheduleFromString = Schema.transformOrFail(Schema.String, ScheduleValue, {
  strict: true,
  decode: (text, _, ast) => {
    const interval = Duration.decodeUnknown(text.trim())
    if (Option.isSome(interval)) {
      const millis = Duration.toMillis(interval.value)
      return millis >= 1000 && Number.isFinite(millis)
        ? ParseResult.succeed({ kind: "interval" as const, millis })
        : ParseResult.fail(new ParseResult.Type(ast, text, `interval must be at least 1 second, got "${text}"`))
    }
    const cron = Cron.parse(text.trim(), "UTC")
    return Either.isRight(cron)
      ? ParseResult.succeed({ kind: "cron" as const, expression: text.trim() })
      : ParseResult.fail(
        new ParseResult.Type(
          ast,
          text,
          `must be a cron expression or an interval like "15 minutes", got "${text}" (${cron.left.message})`
        )
      )
  },
  encode: (schedule) =>
    ParseResult.succeed(schedule.kind === "cron" ? schedule.expression : `${schedule.millis} millis`)
})

/** How the source's SHA-1 is known. */
export const HashMode = Schema.Literal("remote-sha1sum", "sidecar", "transfer", "none")
export type HashMode = typeof HashMode.Type

const RadarCode = Schema.String.pipe(
  Schema.pattern(/^[a-z]{3}$/, { message: () => "radar codes are three lower-case letters" })
)

export const InstitutionConfig = Schema.Struct({
  id: Schema.String.pipe(
    Schema.pattern(/^[a-z0-9][a-z0-9_-]{0,31}$/, {
      message: () => "institution id must be 1-32 of a-z, 0-9, '_', '-' (it names folders)"
    })
  ),
  name: Schema.NonEmptyTrimmedString,
  /** Radar code → file types to collect for it. */
  radars: Schema.Record({ key: RadarCode, value: Schema.NonEmptyArray(Schema.Literal(...FILE_TYPES)) }),
  source: SourceConfig,
  hash: HashMode,
  disposition: DispositionFromString,
  /** Stage a copy for the mirror (false for files that came from the mirror). */
  staging: Schema.Boolean,
  schedule: ScheduleFromString,
  /**
   * `content` (default): a name already archived is compared by content.
   * `name`: a name already archived is assumed identical and not fetched, for
   * sources that are themselves a full archive.
   */
  dedupe: Schema.optionalWith(Schema.Literal("content", "name"), { default: () => "content" as const })
}).pipe(
  Schema.filter((institution) =>
    LEAVE_ONLY_KINDS.has(institution.source.kind) && institution.disposition.kind !== "leave"
      ? {
        path: ["disposition"],
        message: `a ${institution.source.kind} source's files can only be left in place ("leave")`
      }
      : undefined
  )
)
export type InstitutionConfig = typeof InstitutionConfig.Type

export const NotifyConfig = Schema.Struct({
  smtp: SmtpSettings,
  from: Schema.NonEmptyTrimmedString,
  to: Schema.NonEmptyArray(Schema.NonEmptyTrimmedString)
})
export type NotifyConfig = typeof NotifyConfig.Type

export const ArchiveConfig = Schema.Struct({
  archiveRoot: Dir,
  /** Folders under archiveRoot; placeholders {year} {month} {day} {type} {radar}. */
  layout: Schema.optionalWith(
    Schema.String.pipe(
      Schema.filter((layout) =>
        !layout.split("/").some((part) => part === ".." || part === ".") || "layout cannot contain '.' or '..'"
      )
    ),
    { default: () => "{year}/{type}/{radar}" }
  ),
  stagingRoot: Dir,
  holdingDir: Dir,
  quarantineDir: Dir,
  /** Partial downloads; must be on the archive's file system (files are hard-linked in). */
  workDir: Dir,
  /** Journal database; default the hub's DATABASE_PATH. */
  journal: Schema.optional(Dir),
  /** A data file modified more recently than this may still be growing. */
  settleSeconds: Schema.optionalWith(NonNegativeInt, { default: () => 600 }),
  /** How far in the future a file's date may be before it is reported. */
  futureGraceHours: Schema.optionalWith(NonNegativeInt, { default: () => 24 }),
  /** Collecting stops when the archive or work dir has less free space. */
  minFreeMegabytes: Schema.optionalWith(NonNegativeInt, { default: () => 2048 }),
  /** Any decompression (gzip conversion, the bzip2 test, de-duplication) stops past this output. */
  maxDecompressedMegabytes: Schema.optionalWith(PositiveInt, { default: () => 2048 }),
  /** ...or past this many output bytes per input byte (above 1 MB of output). */
  maxCompressionRatio: Schema.optionalWith(PositiveInt, { default: () => 200 }),
  /** A file failing this many times in a row is reported. */
  failureNotifyAfter: Schema.optionalWith(PositiveInt, { default: () => 3 }),
  concurrency: Schema.optionalWith(
    Schema.Struct({
      global: Schema.optionalWith(PositiveInt, { default: () => 4 }),
      perInstitution: Schema.optionalWith(PositiveInt, { default: () => 2 })
    }),
    { default: () => ({ global: 4, perInstitution: 2 }) }
  ),
  notify: Schema.optional(NotifyConfig),
  /** Files in the DDWG blocklist format; a listed file is never downloaded or filed. */
  blocklist: Schema.optionalWith(Schema.Array(Dir), { default: () => [] }),
  institutions: Schema.Array(InstitutionConfig).pipe(
    Schema.filter((institutions) => {
      const seen = new Set<string>()
      for (const [index, institution] of institutions.entries()) {
        if (seen.has(institution.id)) {
          return { path: [index, "id"], message: `duplicate institution id "${institution.id}"` }
        }
        seen.add(institution.id)
      }
      return undefined
    })
  )
})
export type ArchiveConfig = typeof ArchiveConfig.Type
