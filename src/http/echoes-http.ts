/**
 * The handlers of the echoes group. The query and the series come from the
 * EchoStore; this file only turns them into JSON columns or a CSV stream and
 * refusals into `{message}` bodies.
 */
import { HttpApiBuilder, HttpServerResponse } from "@effect/platform"
import { Chunk, Clock, Effect, Option, Stream } from "effect"
import { formatCompactUtc } from "../domain/iso-instant.js"
import { AppConfig } from "../layers/platform/AppConfig.js"
import { EchoStore } from "../layers/realtime/EchoStore.js"
import { CSV_HEADER, csvLines, echoColumns } from "./echoes-body.js"
import { type EchoesQuery, echoesQuery } from "./echoes-query.js"
import { HubApi } from "./hub-api.js"
import { InvalidRequest, ServiceUnavailable } from "./message-errors.js"

const csvFileName = (query: EchoesQuery): string =>
  `${query.site}_echoes_${formatCompactUtc(query.start)}_${formatCompactUtc(query.end)}.csv`

const DATABASE_UNAVAILABLE = new ServiceUnavailable({ message: "the echo database is unavailable" })

export const EchoesHttp = HttpApiBuilder.group(HubApi, "echoes", (handlers) =>
  Effect.gen(function*() {
    const store = yield* EchoStore
    const config = yield* AppConfig
    const encoder = new TextEncoder()

    const csvBody = (series: Parameters<typeof store.seriesStream>[0]) =>
      Stream.concat(
        Stream.succeed(encoder.encode(CSV_HEADER)),
        store.seriesStream(series).pipe(Stream.mapChunks((page) => Chunk.of(encoder.encode(csvLines(page)))))
      ).pipe(
        // Headers are sent by now: all that is left is to log and cut the body short.
        Stream.tapErrorCause((cause) => Effect.logError("echoes CSV export failed", cause))
      )

    return handlers.handle("series", ({ urlParams }) =>
      Effect.gen(function*() {
        const query = yield* echoesQuery(urlParams, yield* Clock.currentTimeMillis, config.maxDaysStoreEchoes)
        const channel = Option.isSome(query.channel)
          ? query.channel.value
          : Option.getOrElse(yield* store.lowestChannel(query.site, query.start, query.end), () => 0)
        const series = { site: query.site, channel, from: query.start, to: query.end }
        if (query.save) {
          return HttpServerResponse.stream(csvBody(series), {
            contentType: "text/csv",
            headers: { "content-disposition": `attachment; filename="${csvFileName(query)}"` }
          })
        }
        return echoColumns(yield* Stream.runCollect(store.seriesStream(series)))
      }).pipe(
        Effect.catchTags({
          EchoesQueryError: (error) => Effect.fail(new InvalidRequest({ message: error.message })),
          EchoStoreError: (error) =>
            Effect.zipRight(Effect.logError("GET /echoes failed", error), Effect.fail(DATABASE_UNAVAILABLE))
        }),
        Effect.withSpan("GET /echoes")
      ))
  }))
