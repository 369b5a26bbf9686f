/**
 * What the status page's fan map needs from npm packages, served from the
 * installed packages (never a CDN): Natural Earth's land outline at 1:110m
 * (world-atlas, TopoJSON) and topojson-client to turn it into GeoJSON in the
 * browser. Just these two files, read once at start-up, with ETags; they
 * change only with the pinned versions, so they may be cached for a day.
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as fs from "node:fs/promises"
import { createRequire } from "node:module"
import { contentTypeOf, etagMatches, StaticFileError, strongEtag } from "./static-files.js"

export const FAN_MAP_ASSETS = {
  "/status/geo/land-110m.json": "world-atlas/land-110m.json",
  "/status/geo/topojson-client.min.js": "topojson-client/dist/topojson-client.min.js"
} as const

const serveFile = (route: `/${string}`, packageFile: string) =>
  Effect.gen(function*() {
    const file = yield* Effect.try({
      try: () => createRequire(import.meta.url).resolve(packageFile),
      catch: (cause) => new StaticFileError({ path: packageFile, reason: String(cause) })
    })
    const body = new Uint8Array(
      yield* Effect.tryPromise({
        try: () => fs.readFile(file),
        catch: (cause) => new StaticFileError({ path: file, reason: String(cause) })
      })
    )
    const contentType = contentTypeOf(file)
    const headers = {
      "cache-control": "public, max-age=86400",
      etag: strongEtag(body),
      "x-content-type-options": "nosniff"
    }
    return [
      route,
      Effect.map(HttpServerRequest.HttpServerRequest, (request) =>
        etagMatches(request.headers["if-none-match"], headers.etag)
          ? HttpServerResponse.empty({ status: 304, headers })
          : HttpServerResponse.uint8Array(body, { contentType, headers }))
    ] as const
  })

export const FanMapAssetRoutes = HttpApiBuilder.Router.use((router) =>
  Effect.gen(function*() {
    for (const [route, packageFile] of Object.entries(FAN_MAP_ASSETS)) {
      const [path, handler] = yield* serveFile(route as `/${string}`, packageFile)
      yield* router.get(path, handler)
    }
  })
)
