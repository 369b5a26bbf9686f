/**
 * The handler of `GET /radars/{site}/fov`. HardwareTables computes and caches
 * the corner grid; this file picks the parameters' defaults, writes the grid
 * compactly or as GeoJSON, and turns refusals into `{message}` bodies.
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import { DEFAULT_HEIGHT_KM, type FovParameters } from "../geo/field-of-view.js"
import { compactFov, fovGeoJson } from "../geo/fov-output.js"
import { HardwareTables } from "../layers/realtime/HardwareTables.js"
import { HubApi } from "./hub-api.js"
import { InvalidRequest, ServiceUnavailable, UnknownSite } from "./message-errors.js"

/** A field of view changes only with a new hardware table, which takes a restart to load. */
const cacheForAnHour = HttpApp.appendPreResponseHandler((_request, response) =>
  Effect.succeed(HttpServerResponse.setHeader(response, "cache-control", "public, max-age=3600"))
)

export const FovHttp = HttpApiBuilder.group(HubApi, "fov", (handlers) =>
  Effect.gen(function*() {
    const tables = yield* HardwareTables
    return handlers.handle("fov", ({ path, urlParams }) =>
      Effect.gen(function*() {
        const at = urlParams.date ?? (yield* Clock.currentTimeMillis)
        const params: FovParameters = {
          frang: urlParams.frang,
          rsep: urlParams.rsep,
          rxrise: urlParams.rxrise ?? 0,
          height: urlParams.height ?? DEFAULT_HEIGHT_KM,
          model: urlParams.chisham === "true" || urlParams.chisham === "1" ? "chisham" : "standard"
        }
        const fov = yield* tables.fieldOfView(path.site, params, at, urlParams.nrang)
        const { period } = fov.hardware
        const date = new Date(at).toISOString()
        yield* cacheForAnHour
        if (urlParams.format === "geojson") {
          const collection = fovGeoJson(fov.corners, period.lon, {
            site: path.site,
            stid: period.stid,
            date,
            ...params
          })
          return HttpServerResponse.unsafeJson(collection, { contentType: "application/geo+json" })
        }
        return compactFov({ site: path.site, stid: period.stid, date, params, radarLon: period.lon }, fov.corners)
      }).pipe(
        Effect.catchTags({
          FovError: (error) => Effect.fail(new InvalidRequest({ message: error.message })),
          NoHardwarePeriod: (error) => Effect.fail(new InvalidRequest({ message: `date: ${error.message}` })),
          NoHardwareTable: (error) => Effect.fail(new UnknownSite({ message: error.message })),
          HardwareFileError: (error) =>
            Effect.zipRight(
              Effect.logError("GET /radars/{site}/fov: hardware table unreadable", error),
              Effect.fail(new ServiceUnavailable({ message: `the hardware table of ${path.site} cannot be read` }))
            )
        }),
        Effect.withSpan("GET /radars/{site}/fov")
      ))
  }))
