/**
 * What the archive holds for one radar and file type over a time range, and
 * which two-hour slots it lacks. A rawacf file normally covers two hours
 * starting at an even hour (00, 02, … 22 UTC); a slot counts as covered when
 * any file's start time falls inside it, so a late-started or split file still
 * covers its slot. Pure, so the CLI and the HTTP API share one reading.
 */
import * as Data from "effect/Data"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { FILE_TYPES, type FileType } from "./file-name.js"
import { formatIsoSeconds, parseIsoInstant } from "./iso-instant.js"

export const SLOT_MS = 2 * 3_600_000
const DAY_MS = 86_400_000
/** Longest range asked at once: a year of slots (4,392) keeps an answer small enough to print or send whole. */
export const MAX_RANGE_MS = 366 * DAY_MS

/** Which files to look at: a radar, a type, and the half-open range [fromMs, toMs). */
export interface InventoryQuery {
  readonly radar: string
  readonly type: FileType
  readonly fromMs: number
  readonly toMs: number
}

/** One archived file, as the journal recorded its filing. */
export interface HeldFile {
  readonly name: string
  readonly startMs: number
  readonly size: number | null
  readonly sha1: string | null
  readonly filedAt: number
  readonly institution: string
}

/** A two-hour slot with no file starting inside it: [startMs, endMs). */
export interface Gap {
  readonly startMs: number
  readonly endMs: number
}

export class InventoryQueryError extends Data.TaggedError("InventoryQueryError")<{
  readonly parameter: string
  readonly reason: string
}> {
  override get message(): string {
    return `${this.parameter}: ${this.reason}`
  }
}

const RADAR = /^[a-z]{3}$/

/**
 * Checks the raw parameters (from flags or a query string). `from` and `to`
 * are ISO 8601 instants or dates (a zone-less time is UTC); `to` is exclusive.
 */
export const parseInventoryQuery = (
  raw: { readonly radar: string; readonly type: string; readonly from: string; readonly to: string }
): Either.Either<InventoryQuery, InventoryQueryError> => {
  if (!RADAR.test(raw.radar)) {
    return Either.left(
      new InventoryQueryError({
        parameter: "radar",
        reason: `expected a three-letter radar code, got ${JSON.stringify(raw.radar)}`
      })
    )
  }
  if (!(FILE_TYPES as ReadonlyArray<string>).includes(raw.type)) {
    return Either.left(
      new InventoryQueryError({
        parameter: "type",
        reason: `expected one of ${FILE_TYPES.join(", ")}, got ${JSON.stringify(raw.type)}`
      })
    )
  }
  const instant = (parameter: string, text: string) =>
    Option.match(parseIsoInstant(text), {
      onNone: () =>
        Either.left(
          new InventoryQueryError({
            parameter,
            reason: `expected an ISO 8601 date or time, got ${JSON.stringify(text)}`
          })
        ),
      onSome: (ms) => Either.right(ms)
    })
  return Either.gen(function*() {
    const fromMs = yield* instant("from", raw.from)
    const toMs = yield* instant("to", raw.to)
    if (toMs <= fromMs) {
      return yield* Either.left(
        new InventoryQueryError({ parameter: "to", reason: `must be after from (${raw.from})` })
      )
    }
    if (toMs - fromMs > MAX_RANGE_MS) {
      return yield* Either.left(
        new InventoryQueryError({ parameter: "to", reason: "the range may span at most 366 days" })
      )
    }
    return { radar: raw.radar, type: raw.type as FileType, fromMs, toMs }
  })
}

/** The slot holding `ms`: slots start at even UTC hours. */
export const slotStart = (ms: number): number => Math.floor(ms / SLOT_MS) * SLOT_MS

/**
 * The slots of [fromMs, toMs) that no file starts in, in time order. A range
 * starting or ending mid-slot counts that partial slot too, cut to the range:
 * a file starting in its part covers it.
 */
export const findGaps = (fromMs: number, toMs: number, startTimes: Iterable<number>): ReadonlyArray<Gap> => {
  const covered = new Set<number>()
  for (const ms of startTimes) if (ms >= fromMs && ms < toMs) covered.add(slotStart(ms))
  const gaps: Array<Gap> = []
  for (let slot = slotStart(fromMs); slot < toMs; slot += SLOT_MS) {
    if (!covered.has(slot)) gaps.push({ startMs: Math.max(slot, fromMs), endMs: Math.min(slot + SLOT_MS, toMs) })
  }
  return gaps
}

/** JSON forms, the same for a CLI line and an HTTP body. */
export const heldFileJson = (file: HeldFile) => ({
  name: file.name,
  start: formatIsoSeconds(file.startMs),
  size: file.size,
  sha1: file.sha1,
  filedAt: new Date(file.filedAt).toISOString(),
  institution: file.institution
})

export const gapJson = (gap: Gap) => ({ from: formatIsoSeconds(gap.startMs), to: formatIsoSeconds(gap.endMs) })
