import { HttpApiBuilder, HttpServer } from "@effect/platform"
import { NodeContext, NodeHttpServer } from "@effect/platform-node"
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Exit, Layer, Option } from "effect"
import * as fs from "node:fs"
import * as http from "node:http"
import { createRequire } from "node:module"
import * as os from "node:os"
import * as path from "node:path"
import { etagMatches, requestedFile, strongEtag } from "../../src/http/static-files.js"
import { StatusPageRoutes, statusPageRoutes } from "../../src/http/status-page-routes.js"

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

/** A request whose path goes out exactly as written: fetch would resolve `..` before sending it. */
const rawGet = (port: number, rawPath: string) =>
  Effect.async<{ status: number; body: string }>((resume) => {
    const request = http.get({ host: "127.0.0.1", port, path: rawPath }, (response) => {
      let body = ""
      response.setEncoding("utf8")
      response.on("data", (chunk: string) => (body += chunk))
      response.on("end", () => resume(Effect.succeed({ status: response.statusCode ?? 0, body })))
    })
    request.on("error", (error) => resume(Effect.die(error)))
  })

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

  it.effect("the page's own modules are served as JavaScript, found in the folder rather than listed", () =>
    Effect.gen(function*() {
      const modules = fs.readdirSync("public/status").filter((name) => name.endsWith(".js"))
      expect(modules.length).toBeGreaterThan(1)
      for (const name of modules) {
        const { response, body } = yield* get(`/status/${name}`)
        expect(response.status, name).toBe(200)
        expect(response.headers.get("content-type"), name).toBe("text/javascript; charset=utf-8")
        expect(response.headers.get("cache-control"), name).toBe("no-cache")
        expect(Buffer.from(body).equals(fs.readFileSync(path.join("public/status", name))), name).toBe(true)
      }
    }))

  it.effect("refuses every path that leads outside the folder: .., encoded .., backslash, NUL, absolute", () =>
    Effect.gen(function*() {
      const port = yield* Effect.map(HttpServer.HttpServer, (s) => (s.address as HttpServer.TcpAddress).port)
      const secret = fs.readFileSync("package.json", "utf8")
      const attempts = [
        "/status/../package.json",
        "/status/../../package.json",
        "/status/%2e%2e%2fpackage.json",
        "/status/%2e%2e/%2e%2e/package.json",
        "/status/%2E%2E%2F%2E%2E%2Fpackage.json",
        "/status/..%2f..%2fpackage.json",
        "/status/..%5c..%5cpackage.json",
        "/status/vendor/%2e%2e%2f%2e%2e%2fpackage.json",
        "/status/app.js%00.css",
        "/status/%00",
        "/status//etc/passwd",
        "/status/%2fetc%2fpasswd",
        `/status/${encodeURIComponent(path.resolve("package.json"))}`,
        "/status/./app.js",
        "/status/%zz"
      ]
      for (const attempt of attempts) {
        const answer = yield* rawGet(port, attempt)
        expect(answer.status, attempt).toBeGreaterThanOrEqual(400)
        expect(answer.status, attempt).toBeLessThan(500)
        expect(answer.body, attempt).not.toContain(secret.slice(0, 40))
      }
    }))

  it.effect("an unknown asset is a 404, not the page", () =>
    Effect.gen(function*() {
      const { response } = yield* get("/status/missing.js")
      expect(response.status).toBe(404)
    }))
})

describe("requestedFile", () => {
  it("accepts plain relative names below the prefix", () => {
    expect(requestedFile("/status/app.js", "/status")).toEqual(Option.some("app.js"))
    expect(requestedFile("/status/modules/radar-table.js", "/status")).toEqual(Option.some("modules/radar-table.js"))
    expect(requestedFile("/status/a%20b.css", "/status")).toEqual(Option.some("a b.css"))
  })

  it("refuses anything else", () => {
    for (
      const bad of [
        "/status",
        "/status/",
        "/statusx/app.js",
        "/status/../x",
        "/status/%2e%2e%2fx",
        "/status/a/./b",
        "/status/a//b",
        "/status/%00",
        "/status/a%5cb",
        "/status/%2fetc",
        "/status/%e0%a4%a",
        "/other/app.js"
      ]
    ) {
      expect(requestedFile(bad, "/status"), bad).toEqual(Option.none())
    }
  })
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
        expect(error?._tag).toBe("StaticFileError")
        expect(error?.path).toBe(path.join(dir, "index.html"))
        expect(error?.message).toContain(path.join(dir, "index.html"))
      }
    }))
})

describe("a status folder with subfolders and links", () => {
  it.scoped("serves files of subfolders and links that stay inside, never a link leading out", () =>
    Effect.gen(function*() {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), "sdh-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(root, { recursive: true, force: true })))
      const dir = path.join(root, "status")
      fs.mkdirSync(path.join(dir, "sections"), { recursive: true })
      fs.writeFileSync(path.join(dir, "index.html"), "<!doctype html><title>page</title>")
      fs.writeFileSync(path.join(dir, "sections", "map.js"), "export const map = 1\n")
      fs.writeFileSync(path.join(root, "secret.txt"), "outside the folder")
      fs.symlinkSync(path.join(root, "secret.txt"), path.join(dir, "secret.txt"))
      fs.symlinkSync(root, path.join(dir, "up"))
      fs.symlinkSync(path.join(dir, "sections", "map.js"), path.join(dir, "alias.js"))
      // A link to an enclosing folder: followed once would be harmless, followed for ever would hang start-up.
      fs.symlinkSync(path.join(dir, "sections"), path.join(dir, "sections", "loop"))

      const layer = HttpApiBuilder.Router.serve().pipe(
        Layer.provide(statusPageRoutes(dir)),
        Layer.provide(HttpApiBuilder.Router.Live),
        Layer.provideMerge(NodeHttpServer.layer(() => http.createServer(), { port: 0, host: "127.0.0.1" })),
        Layer.provide(NodeContext.layer)
      )
      const answers = yield* Effect.gen(function*() {
        const port = yield* Effect.map(HttpServer.HttpServer, (s) => (s.address as HttpServer.TcpAddress).port)
        return yield* Effect.forEach(
          [
            "/status/sections/map.js",
            "/status/alias.js",
            "/status/secret.txt",
            "/status/up/secret.txt",
            "/",
            "/status/sections/loop/map.js"
          ],
          (rawPath) => rawGet(port, rawPath)
        )
      }).pipe(Effect.provide(layer))
      const [sub, alias, secret, throughLink, page, looped] = answers
      expect(sub).toEqual({ status: 200, body: "export const map = 1\n" })
      expect(alias).toEqual({ status: 200, body: "export const map = 1\n" })
      expect(secret!.status).toBe(404)
      expect(throughLink!.status).toBe(404)
      expect(secret!.body + throughLink!.body).not.toContain("outside the folder")
      expect(page!.body).toContain("<title>page</title>")
      expect(looped!.status).toBe(404)
    }))
})
