import SwaggerParser from "@apidevtools/swagger-parser"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import { ApiDocsRoutes } from "../../src/http/api-docs-routes.js"
import { HttpServer } from "../../src/layers/platform/HttpServer.js"
import { httpServerLayer } from "../realtime/live/server-layers.js"

const get = (url: string) =>
  Effect.promise(async () => {
    const response = await fetch(url)
    return { status: response.status, headers: response.headers, text: await response.text() }
  })

/** What the validator takes and returns; its own types come from openapi-types. */
type OpenApiDocument = Parameters<(typeof SwaggerParser)["dereference"]>[0] & object

interface Response {
  readonly content: Record<string, { readonly schema: unknown }>
}

interface Spec {
  readonly paths: Record<
    string,
    Record<
      string,
      { readonly parameters: Array<{ readonly name: string }>; readonly responses: Record<string, Response> }
    >
  >
  readonly components: { readonly schemas: Record<string, unknown> }
}

describe("GET /openapi.json and /docs", () => {
  it.scopedLive("serves an OpenAPI document that a real validator accepts, describing every endpoint", () =>
    Effect.gen(function*() {
      const { url } = yield* HttpServer
      const response = yield* get(`${url}/openapi.json`)
      expect(response.status).toBe(200)
      expect(response.headers.get("content-type")).toMatch(/^application\/json/)
      const spec = JSON.parse(response.text) as Spec
      // The validator dereferences in place: give it a copy.
      const validated = yield* Effect.promise(() =>
        SwaggerParser.validate(structuredClone(spec) as unknown as OpenApiDocument)
      )
      expect((validated as { openapi?: string }).openapi).toBe("3.1.0")

      for (const route of ["/radars", "/echoes/", "/health", "/metrics"]) {
        expect(spec.paths[route]?.["get"], route).toBeDefined()
      }
      const echoes = spec.paths["/echoes/"]!["get"]!
      expect(echoes.parameters.map((p) => p.name)).toEqual(
        expect.arrayContaining(["site_name", "start", "end", "save", "channel"])
      )
      expect(Object.keys(echoes.responses["200"]!.content).sort()).toEqual(["application/json", "text/csv"])
      // Refusals are {message} bodies, never HttpApi's own decode error.
      expect(echoes.responses["400"]!.content["application/json"]!.schema).toEqual({
        $ref: "#/components/schemas/InvalidRequest"
      })
      expect(echoes.responses["503"]!.content["application/json"]!.schema).toEqual({
        $ref: "#/components/schemas/ServiceUnavailable"
      })
      expect(spec.components.schemas["HttpApiDecodeError"]).toBeUndefined()
      expect(spec.paths["/metrics"]!["get"]!.responses["200"]!.content).toHaveProperty(
        ["text/plain; version=0.0.4; charset=utf-8"]
      )
      expect(spec.paths["/radars"]!["get"]!.responses["400"]).toBeUndefined()
    }).pipe(Effect.provide(httpServerLayer(ApiDocsRoutes))))

  it.scopedLive("serves /docs, the package's own page, and its assets with the page's security policy", () =>
    Effect.gen(function*() {
      const { url } = yield* HttpServer
      const page = yield* get(`${url}/docs`)
      expect(page.status).toBe(200)
      expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8")
      expect(page.headers.get("content-security-policy")).toContain("default-src 'self'")
      expect(page.text).toBe(fs.readFileSync("public/docs/index.html", "utf8"))
      const links = [...page.text.matchAll(/(?:src|href)="(\/docs\/[^"]+)"/g)].map((m) => m[1]!)
      expect(links.sort()).toEqual(["/docs/docs.css", "/docs/docs.js"])
      for (const link of links) {
        const asset = yield* get(`${url}${link}`)
        expect(asset.status, link).toBe(200)
        expect(asset.headers.get("content-type"), link).toMatch(
          link.endsWith(".js") ? /^text\/javascript/ : /^text\/css/
        )
      }
      // Everything the page loads comes from this server.
      expect(page.text).not.toMatch(/https?:\/\//)
      expect((yield* get(`${url}/docs/missing.js`)).status).toBe(404)
    }).pipe(Effect.provide(httpServerLayer(ApiDocsRoutes))))
})
