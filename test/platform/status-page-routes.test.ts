import { HttpApiBuilder, HttpServer } from "@effect/platform"
import { NodeContext, NodeHttpServer } from "@effect/platform-node"
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Exit, Layer } from "effect"
import * as fs from "node:fs"
import * as http from "node:http"
import { createRequire } from "node:module"
import * as os from "node:os"
import * as path from "node:path"
import {
  etagMatches,
  statusPageRoutes,
  StatusPageRoutes,
  strongEtag
} from "../../src/http/status-page-routes.js"

const server = HttpApiBuilder.Router.serve().pipe(
  Layer.provide(StatusPageRoutes),
  Layer.provide(HttpApiBuilder.Router.Live),
  Layer.provideMerge(NodeHttpServer.layer(() => http.createServer(), { port: 0, host: "127.0.0.1" })),
  Layer.provide(NodeContext.layer)
)

const baseUrl = Effect.map(HttpServer.HttpServer, (s) => {
  const address = s.address as HttpServer.TcpAddress
  return `http://127.0.0.1:${address.port}`
})

const get = (path: string, headers: Record<string, string> = {}) =>
  Effect.flatMap(baseUrl, (base) =>
    Effect.promise(async () => {
      const response = await fetch(`${base}${path}`, { headers })
      return { response, body: new Uint8Array(await response.arrayBuffer()) }
    }))

const text = (body: Uint8Array) => new TextDecoder().decode(body)

describe("etagMatches", () => {
  it("matches the tag, a weak form of it, a list holding it and *", () => {
    expect(etagMatches("\"abc\"", "\"abc\"")).toBe(true)
    expect(etagMatches("W/\"abc\"", "\"abc\"")).toBe(true)
    expect(etagMatches("\"x\", \"abc\"", "\"abc\"")).toBe(true)
    expect(etagMatches("*", "\"abc\"")).toBe(true)
  })

  it("refuses another tag and a missing header", () => {
    expect(etagMatches("\"abd\"", "\"abc\"")).toBe(false)
    expect(etagMatches(undefined, "\"abc\"")).toBe(false)
    expect(etagMatches("", "\"abc\"")).toBe(false)
  })

  it("derives a quoted tag that changes with the content", () => {
    const a = strongEtag(new TextEncoder().encode("a"))
    expect(a).toMatch(/^"[A-Za-z0-9_-]{27}"$/)
    expect(strongEtag(new TextEncoder().encode("b"))).not.toBe(a)
  })
})

layer(server)("status page routes over real HTTP", (it) => {
  it.effect("GET / serves the page as HTML with a security policy, revalidated on every load", () =>
    Effect.gen(function*() {
      const { body, response } = yield* get("/")
      expect(response.status).toBe(200)
      expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8")
      expect(response.headers.get("cache-control")).toBe("no-cache")
      expect(response.headers.get("x-content-type-options")).toBe("nosniff")
      expect(response.headers.get("content-security-policy")).toContain("default-src 'self'")
      expect(response.headers.get("etag")).toMatch(/^"[^"]+"$/)
      expect(text(body)).toBe(fs.readFileSync("public/status/index.html", "utf8"))
    }))

  it.effect("every asset the page links to is served with its content type", () =>
    Effect.gen(function*() {
      const { body } = yield* get("/")
      const links = [...text(body).matchAll(/(?:src|href)="(\/status\/[^"]+)"/g)].map((m) => m[1]!)
      expect(links.sort()).toEqual([
        "/status/app.js",
        "/status/style.css",
        "/status/vendor/uPlot.iife.min.js",
        "/status/vendor/uPlot.min.css"
      ])
      for (const link of links) {
        const { response, body: asset } = yield* get(link)
        expect(response.status, link).toBe(200)
        const expected = link.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8"
        expect(response.headers.get("content-type"), link).toBe(expected)
        expect(asset.length, link).toBeGreaterThan(0)
      }
    }))

  it.effect("uPlot comes from the installed package and may be cached for a day", () =>
    Effect.gen(function*() {
      const { body, response } = yield* get("/status/vendor/uPlot.iife.min.js")
      const installed = fs.readFileSync(createRequire(import.meta.url).resolve("uplot/dist/uPlot.iife.min.js"))
      expect(Buffer.from(body).equals(installed)).toBe(true)
      expect(response.headers.get("cache-control")).toBe("public, max-age=86400")
    }))

  it.effect("a request with the current ETag gets 304 and no body; a stale one gets the file", () =>
    Effect.gen(function*() {
      const first = yield* get("/status/app.js")
      const etag = first.response.headers.get("etag")!
      const again = yield* get("/status/app.js", { "if-none-match": etag })
      expect(again.response.status).toBe(304)
      expect(again.body.length).toBe(0)
      expect(again.response.headers.get("etag")).toBe(etag)
      const stale = yield* get("/status/app.js", { "if-none-match": "\"stale\"" })
      expect(stale.response.status).toBe(200)
      expect(Buffer.from(stale.body).equals(Buffer.from(first.body))).toBe(true)
    }))

  it.effect("an unknown asset is a 404, not the page", () =>
    Effect.gen(function*() {
      const { response } = yield* get("/status/missing.js")
      expect(response.status).toBe(404)
    }))
})

describe("status page start-up", () => {
  it.scoped("a missing page file stops start-up with an error naming the file", () =>
    Effect.gen(function*() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sdh-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true })))
      const exit = yield* Layer.build(
        statusPageRoutes(dir).pipe(Layer.provide(HttpApiBuilder.Router.Live), Layer.provide(NodeContext.layer))
      ).pipe(Effect.exit)
      expect(Exit.isFailure(exit)).toBe(true)
      if (Exit.isFailure(exit)) {
        const error = exit.cause._tag === "Fail" ? exit.cause.error : undefined
        expect(error?._tag).toBe("StatusPageAssetError")
        expect(error?.path).toBe(path.join(dir, "index.html"))
        expect(error?.message).toContain(path.join(dir, "index.html"))
      }
    }))
})
