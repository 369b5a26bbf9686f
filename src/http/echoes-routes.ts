/**
 * `GET /echoes/` and `GET /echoes`: one site's scan-averaged echo counts over
 * a time range, as JSON columns or, with `save=true`, as a streamed CSV file.
 * Refusals are 400 `{message}`; a database failure is 503 `{message}`.
 */
import { HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Chunk, Clock, Effect, Option, Stream } from "effect"
import { AppConfig } from "../layers/platform/AppConfig.js"
import { EchoStore, type EchoStoreError } from "../layers/realtime/EchoStore.js"
import { ApiRouter } from "./ApiRouter.js"
import { CSV_HEADER, csvLines, echoColumns } from "./echoes-body.js"
import { type EchoesQuery, type EchoesQueryError, parseEchoesQuery } from "./echoes-query.js"
import { formatCompactUtc } from "../domain/iso-instant.js"

const csvFileName = (query: EchoesQuery): string =>
  `${query.site}_echoes_${formatCompactUtc(query.start)}_${formatCompactUtc(query.end)}.csv`

export const EchoesRoutes = ApiRouter.use((router) =>
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

    const echoes = Effect.gen(function*() {
      const params = yield* HttpServerRequest.ParsedSearchParams
      const query = yield* parseEchoesQuery(params, yield* Clock.currentTimeMillis, config.maxDaysStoreEchoes)
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
      const points = yield* Stream.runCollect(store.seriesStream(series))
      return HttpServerResponse.unsafeJson(echoColumns(points))
    }).pipe(
      Effect.catchTags({
        EchoesQueryError: (error: EchoesQueryError) =>
          Effect.succeed(HttpServerResponse.unsafeJson({ message: error.message }, { status: 400 })),
        EchoStoreError: (error: EchoStoreError) =>
          Effect.as(
            Effect.logError("GET /echoes failed", error),
            HttpServerResponse.unsafeJson({ message: "the echo database is unavailable" }, { status: 503 })
          )
      }),
      Effect.withSpan("GET /echoes")
    )

    // The platform router ignores a trailing slash, so this also serves /echoes/
    // (registering both would be a duplicate route).
    yield* router.get("/echoes", echoes)
  })
)
