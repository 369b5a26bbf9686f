/**
 * The handler of `GET /radars/{site}/history`: the History's frames written
 * out as one JSON array, packets spliced as the live feed encoded them (no
 * parse, no re-encode).
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { radarTable } from "../domain/radar-table.js"
import { checkHistorySince, checkHistorySite } from "../layers/realtime/history-request.js"
import { History } from "../layers/realtime/History.js"
import { frameJsonBytes } from "../layers/realtime/live-frame.js"
import { RadarRegistry } from "../layers/realtime/RadarRegistry.js"
import { HubApi } from "./hub-api.js"
import { InvalidRequest, UnknownSite } from "./message-errors.js"

/** One answer at most; the client asks again from the last packet's time for the rest. */
const MAX_HTTP_HISTORY_BYTES = 16 * 1024 * 1024

const OPEN = Buffer.from("[")
const COMMA = Buffer.from(",")
const CLOSE = Buffer.from("]")

export const HistoryHttp = HttpApiBuilder.group(HubApi, "history", (handlers) =>
  Effect.gen(function*() {
    const history = yield* History
    const registry = yield* RadarRegistry
    const table = radarTable()
    const known = (site: string) => table.byCode.has(site) || registry.has(site)

    return handlers.handle("recent", ({ path, urlParams }) =>
      Effect.gen(function*() {
        const site = checkHistorySite(path.site, known)
        if (Either.isLeft(site)) {
          const message = site.left.message
          return yield* site.left.unknownSite ? new UnknownSite({ message }) : new InvalidRequest({ message })
        }
        const since = checkHistorySince(urlParams.since)
        if (Either.isLeft(since)) return yield* new InvalidRequest({ message: since.left.message })
        const { entries, more } = yield* history.query(site.right, since.right, MAX_HTTP_HISTORY_BYTES)
        const parts: Array<Buffer> = [OPEN]
        for (let i = 0; i < entries.length; i++) {
          if (i > 0) parts.push(COMMA)
          parts.push(frameJsonBytes(entries[i]!.frame))
        }
        parts.push(CLOSE)
        return HttpServerResponse.uint8Array(Buffer.concat(parts), {
          contentType: "application/json",
          headers: { "cache-control": "no-store", ...(more ? { "x-history-more": "true" } : {}) }
        })
      }).pipe(Effect.withSpan("GET /radars/{site}/history")))
  }))
