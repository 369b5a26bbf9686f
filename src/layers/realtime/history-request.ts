/**
 * A history request as a client sends it, over Socket.IO (`{ site, since? }`)
 * or HTTP (`/radars/{site}/history?since=`). Sizes are checked before any
 * parsing, and refusals never repeat the input: they say what was expected.
 */
import * as Data from "effect/Data"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { parseIsoInstant } from "../../domain/iso-instant.js"

export class HistoryRequestError extends Data.TaggedError("HistoryRequestError")<{
  readonly field: "site" | "since" | "request"
  readonly reason: string
  /** 404 for a site the hub does not know, else 400. */
  readonly unknownSite: boolean
}> {
  override get message(): string {
    return this.field === "request" ? this.reason : `${this.field} ${this.reason}`
  }
}

/** Longer than any ISO 8601 time with a zone and nanoseconds. */
const MAX_SINCE_LENGTH = 40
const SITE_CODE = /^[a-z][a-z0-9]{1,7}$/

const refuse = (field: HistoryRequestError["field"], reason: string, unknownSite = false) =>
  Either.left(new HistoryRequestError({ field, reason, unknownSite }))

export interface HistoryRequest {
  readonly site: string
  /** Epoch ms; packets strictly after it. */
  readonly since: number | undefined
}

/** `site` as given (case-insensitive); `known` says whether the hub has the site at all. */
export const checkHistorySite = (
  site: unknown,
  known: (site: string) => boolean
): Either.Either<string, HistoryRequestError> => {
  if (typeof site !== "string" || site.length > 8 || !SITE_CODE.test(site.toLowerCase())) {
    return refuse("site", "must be a site code (2-8 letters and digits)")
  }
  const code = site.toLowerCase()
  return known(code) ? Either.right(code) : refuse("site", "is not a radar of this hub", true)
}

/** An optional ISO 8601 time; absent or empty means the whole history. */
export const checkHistorySince = (since: unknown): Either.Either<number | undefined, HistoryRequestError> => {
  if (since === undefined || since === null || since === "") return Either.right(undefined)
  if (typeof since !== "string" || since.length > MAX_SINCE_LENGTH) {
    return refuse("since", "must be an ISO 8601 date-time such as 2025-01-31T12:00:00Z")
  }
  return Option.match(parseIsoInstant(since), {
    onNone: () => refuse("since", "must be an ISO 8601 date-time such as 2025-01-31T12:00:00Z"),
    onSome: (ms) => Either.right(ms)
  })
}

/** The Socket.IO form: `{ site, since? }`. */
export const checkHistoryRequest = (
  payload: unknown,
  known: (site: string) => boolean
): Either.Either<HistoryRequest, HistoryRequestError> => {
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    return refuse("request", "must be an object { site, since? }")
  }
  const { since, site } = payload as { readonly site?: unknown; readonly since?: unknown }
  return Either.flatMap(
    checkHistorySite(site, known),
    (code) => Either.map(checkHistorySince(since), (ms): HistoryRequest => ({ site: code, since: ms }))
  )
}
