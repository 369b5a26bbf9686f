import { HttpApiBuilder } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { zeroCounters } from "../../src/domain/radar-status.js"
import { FovHttp } from "../../src/http/fov-http.js"
import { RadarsHttp } from "../../src/http/radars-http.js"
import { HttpServer } from "../../src/layers/platform/HttpServer.js"
import { HardwareTables } from "../../src/layers/realtime/HardwareTables.js"
import { RadarRegistry } from "../../src/layers/realtime/RadarRegistry.js"
import { httpServerLayer } from "../realtime/live/server-layers.js"
import { fovFixture, HDW_DIR } from "./fov-fixtures.js"

const layer = httpServerLayer(
  Layer.mergeAll(FovHttp, HttpApiBuilder.middlewareOpenApi({ path: "/openapi.json" })).pipe(
    Layer.provide(HardwareTables.layer({ dir: HDW_DIR }))
  )
)

// JSON as the server sent it: the tests look into it field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Answer = any

const get = (path: string) =>
  Effect.gen(function*() {
    const { url } = yield* HttpServer
    const response = yield* Effect.promise(() => fetch(`${url}${path}`))
    return {
      status: response.status,
      type: response.headers.get("content-type"),
      cache: response.headers.get("cache-control"),
      body: yield* Effect.promise(() => response.json()) as Effect.Effect<Answer>
    }
  })

describe("GET /radars/{site}/fov", () => {
  it.scopedLive("the compact corner grid equals RST's corners", () =>
    Effect.gen(function*() {
      const { status, type, cache, body } = yield* get("/radars/han/fov?frang=180&rsep=45&date=2018-04-04")
      expect(status).toBe(200)
      expect(type).toContain("application/json")
      expect(cache).toBe("public, max-age=3600")
      expect(body).toMatchObject({
        site: "han",
        stid: 10,
        date: "2018-04-04T00:00:00.000Z",
        frang: 180,
        rsep: 45,
        rxrise: 0,
        height: 300,
        chisham: false,
        beams: 16,
        gates: 75
      })
      expect(body.lat.length).toBe(17)
      expect(body.lon.every((row: Array<number>) => row.length === 76)).toBe(true)
      for (const corner of fovFixture("han-2018").filter((line) => !line.center)) {
        expect(Math.abs(body.lat[corner.beam][corner.gate] - corner.lat)).toBeLessThan(1e-4)
        // Continuous around the radar: the same meridian as RST's, maybe a turn away.
        expect(Math.abs(((body.lon[corner.beam][corner.gate] - corner.lon + 540) % 360) - 180)).toBeLessThan(1e-4)
      }
    }).pipe(Effect.provide(layer)))

  it.scopedLive("McMurdo's grid stays continuous across the antimeridian", () =>
    Effect.gen(function*() {
      const { status, body } = yield* get("/radars/mcm/fov?frang=180&rsep=45&date=2024-06-01")
      expect(status).toBe(200)
      const lons = (body.lon as Array<Array<number>>).flat()
      expect(Math.max(...lons) - Math.min(...lons)).toBeLessThan(180)
    }).pipe(Effect.provide(layer)))

  it.scopedLive("Chisham model and the table's gate count", () =>
    Effect.gen(function*() {
      const { status, body } = yield* get("/radars/bks/fov?frang=180&rsep=45&date=2024-06-01&chisham=true")
      expect(status).toBe(200)
      expect(body).toMatchObject({ beams: 24, gates: 110, chisham: true })
      for (const corner of fovFixture("bks-chisham").filter((line) => !line.center)) {
        expect(Math.abs(body.lat[corner.beam][corner.gate] - corner.lat)).toBeLessThan(1e-4)
      }
    }).pipe(Effect.provide(layer)))

  it.scopedLive("format=geojson: a FeatureCollection of one Polygon per cell", () =>
    Effect.gen(function*() {
      const { status, type, body } = yield* get(
        "/radars/kod/fov?frang=90&rsep=15&nrang=225&date=2024-06-01&format=geojson"
      )
      expect(status).toBe(200)
      expect(type).toContain("application/geo+json")
      expect(body.type).toBe("FeatureCollection")
      expect(body.features.length).toBe(16 * 225)
      expect(body.features[0]).toMatchObject({
        type: "Feature",
        properties: { beam: 0, gate: 0 },
        geometry: { type: "Polygon" }
      })
    }).pipe(Effect.provide(layer)))

  const refusals: ReadonlyArray<[string, string, number, string]> = [
    ["an unknown site", "/radars/xyz/fov?frang=180&rsep=45", 404, "no hardware table for \"xyz\" (no hdw.dat.xyz in "],
    [
      "a site that is not a code",
      "/radars/HAN/fov?frang=180&rsep=45",
      400,
      "site must be 3 lowercase letters, got \"HAN\""
    ],
    ["no frang", "/radars/han/fov?rsep=45", 400, "frang is required"],
    ["rsep 0", "/radars/han/fov?frang=180&rsep=0", 400, "rsep must be km per range gate, 1-1000, got \"0\""],
    [
      "negative frang",
      "/radars/han/fov?frang=-180&rsep=45",
      400,
      "frang must be km to the first range gate, 1-10000, got \"-180\""
    ],
    [
      "a fractional rsep",
      "/radars/han/fov?frang=180&rsep=4.5",
      400,
      "rsep must be km per range gate, 1-1000, got \"4.5\""
    ],
    [
      "a height below 90 km",
      "/radars/han/fov?frang=180&rsep=45&height=20",
      400,
      "height must be a height 90-1000 km, got \"20\""
    ],
    [
      "chisham=maybe",
      "/radars/han/fov?frang=180&rsep=45&chisham=maybe",
      400,
      "chisham must be true or false, got \"maybe\""
    ],
    ["format=kml", "/radars/han/fov?frang=180&rsep=45&format=kml", 400, "format must be json or geojson, got \"kml\""],
    [
      "a date that is not one",
      "/radars/han/fov?frang=180&rsep=45&date=yesterday",
      400,
      "date must be an ISO 8601 date or date-time, got \"yesterday\""
    ],
    [
      "a date before the table",
      "/radars/han/fov?frang=180&rsep=45&date=1990-01-01",
      400,
      "date: the hardware table of han starts 1995-02-22T00:00:00.000Z, after 1990-01-01T00:00:00.000Z"
    ]
  ]
  for (const [name, path, status, message] of refusals) {
    it.scopedLive(`refuses ${name} with ${status} {message}`, () =>
      Effect.gen(function*() {
        const answer = yield* get(path)
        expect(answer.status).toBe(status)
        expect(Object.keys(answer.body)).toEqual(["message"])
        expect(answer.body.message.startsWith(message), answer.body.message).toBe(true)
      }).pipe(Effect.provide(layer)))
  }

  it.scopedLive("is in the OpenAPI document with its parameters and refusals", () =>
    Effect.gen(function*() {
      const { body } = yield* get("/openapi.json")
      const operation = body.paths["/radars/{site}/fov"]?.get
      expect(operation).toBeDefined()
      expect(operation.parameters.map((p: { name: string }) => p.name)).toEqual(
        expect.arrayContaining(["site", "frang", "rsep", "rxrise", "nrang", "date", "height", "chisham", "format"])
      )
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(["200", "400", "404"]))
      expect(operation.responses["200"].content["application/geo+json"]).toBeDefined()
    }).pipe(Effect.provide(layer)))
})

describe("HardwareTables", () => {
  const tables = HardwareTables.layer({ dir: HDW_DIR })
  const params = { frang: 180, rsep: 45, rxrise: 0, height: 300, model: "standard" } as const

  it.effect("a field of view is computed once per site, parameters and hardware period", () =>
    Effect.gen(function*() {
      const service = yield* HardwareTables
      const first = yield* service.fieldOfView("han", params, Date.UTC(2018, 3, 4))
      // Same hardware period (1995-12-07 to 2019-07-20): the same grid object.
      expect(yield* service.fieldOfView("han", params, Date.UTC(2010, 0, 1))).toBe(first)
      expect(yield* service.fieldOfView("han", params, Date.UTC(2020, 0, 1))).not.toBe(first)
      expect(yield* service.fieldOfView("han", { ...params, rsep: 30 }, Date.UTC(2018, 3, 4))).not.toBe(first)
    }).pipe(Effect.provide(tables)))

  it.effect("where a radar is and looks now, undefined without a table", () =>
    Effect.gen(function*() {
      const service = yield* HardwareTables
      expect(yield* service.siteNow("sas")).toEqual({ lat: 52.16, lon: -106.53, boresight: 23.1 })
      expect(yield* service.siteNow("xyz")).toBeUndefined()
    }).pipe(Effect.provide(tables)))
})

describe("GET /radars with hardware tables", () => {
  const withTables = httpServerLayer(RadarsHttp.pipe(Layer.provide(HardwareTables.layer({ dir: HDW_DIR })))).pipe(
    Layer.provideMerge(RadarRegistry.Default)
  )

  it.scopedLive("each radar gains its position and boresight; a site without a table has none", () =>
    Effect.gen(function*() {
      const registry = yield* RadarRegistry
      for (const site of ["sas", "zzz"]) {
        yield* registry.put({
          site,
          transport: "tcp",
          address: "127.0.0.1:9",
          phase: "connecting",
          phaseSince: 1_700_000_000_000,
          nextAttemptAt: undefined,
          connectedSince: undefined,
          lastRecordAt: undefined,
          counters: zeroCounters,
          lastError: undefined
        })
      }
      const { status, body } = yield* get("/radars")
      expect(status).toBe(200)
      expect(body.map((radar: { site: string }) => radar.site)).toEqual(["sas", "zzz"])
      expect(body[0].position).toEqual({ lat: 52.16, lon: -106.53, boresight: 23.1 })
      expect("position" in body[1]).toBe(false)
    }).pipe(Effect.provide(withTables)))
})
