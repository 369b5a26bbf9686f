/**
 * Time rules for a listed file: whether it may still be growing (never
 * collect it yet), and whether its date needs a person's eye.
 */
import type { ParsedName } from "../domain/file-name.js"
import type { RemoteFile } from "./source.js"

const DAY_MS = 86_400_000
/** A data file covers at most this long after its start (SuperDARN writes 1-2 h files). */
const DATA_FILE_SPAN_MS = 2 * 3_600_000

/** Why the file must wait, or undefined when it is complete. */
export const growingReason = (
  name: ParsedName,
  file: RemoteFile,
  nowMs: number,
  settleMs: number,
  futureGraceMs: number
): string | undefined => {
  if (file.mtimeMs !== undefined) {
    if (nowMs - file.mtimeMs < settleMs) return `modified less than ${Math.round(settleMs / 1000)} s ago`
  }
  // A date past the grace is wrong, so it bounds nothing: collect now and report the date at once, rather
  // than wait for a time that may never come.
  if (name.startMs > nowMs + futureGraceMs) return undefined
  if (name.family === "log" && name.startMs + DAY_MS > nowMs) return "today's log may still be written"
  if (file.mtimeMs !== undefined) return undefined
  // Without a modification time, the name's start time bounds when writing ended.
  return name.startMs + DATA_FILE_SPAN_MS + settleMs > nowMs
    ? "no modification time, and the file's period may not be over"
    : undefined
}

export type DateWarning = "earlier-year" | "future"

export const dateWarning = (name: ParsedName, nowMs: number, futureGraceMs: number): DateWarning | undefined => {
  if (name.year < new Date(nowMs).getUTCFullYear()) return "earlier-year"
  if (name.startMs > nowMs + futureGraceMs) return "future"
  return undefined
}
