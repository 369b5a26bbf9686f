/**
 * The handlers of the echoes group. The bodies come from EchoQueries (written
 * in its worker threads); this file only picks JSON or a CSV stream and turns
 * refusals into `{message}` bodies: 400 for a parameter, 404 for an unknown
 * site, 503 for the database and, with `Retry-After`, for too many queries.
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { formatCompactUtc } from "../domain/iso-instant.js"
import { AppConfig } from "../layers/platform/AppConfig.js"
import { EchoQueries } from "../layers/realtime/EchoQueries.js"
import { type EchoesQuery, echoesQuery } from "./echoes-query.js"
import { HubApi } from "./hub-api.js"
import { InvalidRequest, ServiceUnavailable, UnknownSite } from "./message-errors.js"

const csvFileName = (query: EchoesQuery): string =>
  `${query.site}_echoes_${formatCompactUtc(query.start)}_${formatCompactUtc(query.end)}.csv`

const DATABASE_UNAVAILABLE = new ServiceUnavailable({ message: "the echo database is unavailable" })

export const EchoesHttp = HttpApiBuilder.group(HubApi, "echoes", (handlers) =>
  Effect.gen(function*() {
    const queries = yield* EchoQueries
    const config = yield* AppConfig

    return handlers.handle("series", ({ urlParams }) =>
      Effect.gen(function*() {
        const query = yield* echoesQuery(urlParams, yield* Clock.currentTimeMillis, config.maxDaysStoreEchoes)
        const request = {
          site: query.site,
          channel: query.channel,
          from: query.start,
          to: query.end,
          completeOnly: query.completeOnly
        }
        if (query.save) {
          const lines = yield* queries.seriesCsv(request)
          return HttpServerResponse.stream(
            // Headers are sent by now: all that is left is to log and cut the body short.
            Stream.tapErrorCause(lines, (cause) => Effect.logError("echoes CSV export failed", cause)),
            {
              contentType: "text/csv",
              headers: { "content-disposition": `attachment; filename="${csvFileName(query)}"` }
            }
          )
        }
        // Written by the query worker, byte for byte what the columns' schema would encode.
        return HttpServerResponse.uint8Array(yield* queries.seriesJson(request), { contentType: "application/json" })
      }).pipe(
        Effect.catchTags({
          EchoesQueryError: (error) => Effect.fail(new InvalidRequest({ message: error.message })),
          UnknownSite: (error) => Effect.fail(new UnknownSite({ message: error.message })),
          EchoQueriesBusy: (error) =>
            Effect.succeed(
              HttpServerResponse.unsafeJson({ message: error.message }, {
                status: 503,
                headers: { "retry-after": String(error.retryAfterSeconds) }
              })
            ),
          EchoStoreError: (error) =>
            Effect.zipRight(Effect.logError("GET /echoes failed", error), Effect.fail(DATABASE_UNAVAILABLE))
        }),
        Effect.withSpan("GET /echoes")
      ))
  }))
