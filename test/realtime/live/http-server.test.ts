import { HttpApiBuilder, HttpServerResponse } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer, Scope } from "effect"
import * as net from "node:net"
import { io as connect } from "socket.io-client"
import { HttpServer, HttpServerListenError } from "../../../src/layers/platform/HttpServer.js"
import { httpServerLayer } from "./server-layers.js"

const pingRoute = HttpApiBuilder.Router.use((router) => router.get("/ping", HttpServerResponse.text("pong")))

const request = (url: string, init?: RequestInit) => Effect.promise(() => fetch(url, init))

/** Connects a real socket.io client; resolves once connected or fails with the connect error. */
const socketConnects = (url: string, options: { transports: Array<"polling" | "websocket">; origin?: string }) =>
  Effect.async<"connected" | string>((resume) => {
    const socket = connect(url, {
      transports: options.transports,
      reconnection: false,
      timeout: 5_000,
      ...(options.origin === undefined ? {} : { extraHeaders: { Origin: options.origin } })
    })
    socket.on("connect", () => resume(Effect.succeed(`connected over ${socket.io.engine.transport.name}`)))
    socket.on("connect_error", (error) => resume(Effect.succeed(error.message)))
    return Effect.sync(() => socket.close())
  })

describe("HttpServer", () => {
  it.scopedLive("serves the router and Socket.IO (polling and websocket) on one port", () =>
    Effect.gen(function*() {
      const server = yield* HttpServer
      expect(server.address.port).toBeGreaterThan(0)
      const response = yield* request(`${server.url}/ping`)
      expect(response.status).toBe(200)
      expect(yield* Effect.promise(() => response.text())).toBe("pong")
      expect((yield* request(`${server.url}/nowhere`)).status).toBe(404)
      expect(yield* socketConnects(server.url, { transports: ["websocket"] })).toBe("connected over websocket")
      expect(yield* socketConnects(server.url, { transports: ["polling"] })).toBe("connected over polling")
      // The client script for browser pages comes from Socket.IO itself.
      expect((yield* request(`${server.url}/socket.io/socket.io.min.js`)).status).toBe(200)
    }).pipe(Effect.provide(httpServerLayer(pingRoute))))

  it.scopedLive("answers allowed preflights with CORS headers and refuses other origins", () =>
    Effect.gen(function*() {
      const { url } = yield* HttpServer
      const preflight = (origin: string) =>
        request(`${url}/ping`, {
          method: "OPTIONS",
          headers: { Origin: origin, "Access-Control-Request-Method": "GET" }
        })

      const allowed = yield* preflight("http://localhost:5173")
      expect(allowed.status).toBe(204)
      expect(allowed.headers.get("access-control-allow-origin")).toBe("http://localhost:5173")
      expect(allowed.headers.get("access-control-allow-methods")).toBe("GET, HEAD")

      const listed = yield* preflight("https://radar.example.org")
      expect(listed.headers.get("access-control-allow-origin")).toBe("https://radar.example.org")

      const refused = yield* preflight("https://evil.example.com")
      expect(refused.status).toBe(403)
      expect(refused.headers.get("access-control-allow-origin")).toBeNull()

      const get = yield* request(`${url}/ping`, { headers: { Origin: "http://127.0.0.1:8080" } })
      expect(get.headers.get("access-control-allow-origin")).toBe("http://127.0.0.1:8080")
      const foreignGet = yield* request(`${url}/ping`, { headers: { Origin: "http://localhost.evil.com:80" } })
      expect(foreignGet.headers.get("access-control-allow-origin")).toBeNull()

      // Every answer varies with Origin (allowed, refused or absent), and the refusal does not repeat the Origin.
      const withHeaders = yield* request(`${url}/ping`, {
        method: "OPTIONS",
        headers: {
          Origin: "http://localhost:5173",
          "Access-Control-Request-Method": "GET",
          "Access-Control-Request-Headers": "x-a"
        }
      })
      const noOrigin = yield* request(`${url}/ping`)
      for (const response of [allowed, refused, get, foreignGet, noOrigin]) {
        expect(response.headers.get("vary")).toBe("Origin")
      }
      expect(withHeaders.headers.get("vary")).toBe("Access-Control-Request-Headers, Origin")
      expect(yield* Effect.promise(() => refused.text())).toBe("origin not allowed")
    }).pipe(
      Effect.provide(
        httpServerLayer(pingRoute, { CORS_ORIGINS: "http://localhost:*,http://127.0.0.1:*,https://radar.example.org" })
      )
    ))

  it.scopedLive("applies the same origin rules to the Socket.IO handshake", () =>
    Effect.gen(function*() {
      const { url } = yield* HttpServer
      for (const transports of [["websocket"], ["polling"]] as const) {
        expect(yield* socketConnects(url, { transports: [...transports], origin: "http://localhost:3000" }))
          .toBe(`connected over ${transports[0]}`)
        expect(yield* socketConnects(url, { transports: [...transports], origin: "https://evil.example.com" }))
          .not.toMatch(/^connected/)
      }
      const handshake = (origin: string) =>
        request(`${url}/socket.io/?EIO=4&transport=polling`, { headers: { Origin: origin } })
      const ok = yield* handshake("http://localhost:3000")
      expect(ok.status).toBe(200)
      expect(ok.headers.get("access-control-allow-origin")).toBe("http://localhost:3000")
      expect((yield* handshake("https://evil.example.com")).status).toBe(403)
    }).pipe(Effect.provide(httpServerLayer(pingRoute))))

  it.scopedLive("allows every origin only when the operator sets *", () =>
    Effect.gen(function*() {
      const { url } = yield* HttpServer
      const response = yield* request(`${url}/ping`, { headers: { Origin: "https://anywhere.example.net" } })
      expect(response.headers.get("access-control-allow-origin")).toBe("https://anywhere.example.net")
      expect(yield* socketConnects(url, { transports: ["websocket"], origin: "https://anywhere.example.net" }))
        .toBe("connected over websocket")
    }).pipe(Effect.provide(httpServerLayer(pingRoute, { CORS_ORIGINS: "*" }))))

  it.live("refuses to start with a bad CORS_ORIGINS entry, naming it", () =>
    Effect.gen(function*() {
      const exit = yield* Layer.build(httpServerLayer(pingRoute, { CORS_ORIGINS: "localhost:3000" })).pipe(
        Effect.scoped,
        Effect.exit
      )
      expect(exit).toStrictEqual(Exit.fail(expect.anything()))
      const failure = Exit.isFailure(exit) ? String(exit.cause) : ""
      expect(failure).toContain(`CORS_ORIGINS entry "localhost:3000"`)
    }))

  it.live("fails with HttpServerListenError when the port is taken", () =>
    Effect.gen(function*() {
      const blocker = net.createServer()
      const port = yield* Effect.async<number>((resume) => {
        blocker.listen(0, "127.0.0.1", () => resume(Effect.succeed((blocker.address() as net.AddressInfo).port)))
      })
      const exit = yield* Layer.build(httpServerLayer(pingRoute, { PORT: String(port) })).pipe(
        Effect.scoped,
        Effect.exit
      )
      blocker.close()
      expect(exit).toEqual(Exit.fail(new HttpServerListenError({ host: "127.0.0.1", port, reason: "EADDRINUSE" })))
    }))

  // The server drops the transport rather than sending a Socket.IO disconnect:
  // clients then reconnect by themselves when the service comes back.
  it.live("closes gracefully: connected clients lose their transport and the port is released", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const context = yield* Layer.buildWithScope(httpServerLayer(pingRoute), scope)
      const server = context.unsafeMap.get(HttpServer.key) as HttpServer
      const socket = connect(server.url, { transports: ["websocket"], reconnection: false })
      yield* Effect.async<void>((resume) => {
        socket.once("connect", () => resume(Effect.void))
      })
      const disconnected = Effect.async<string>((resume) => {
        socket.once("disconnect", (reason) => resume(Effect.succeed(reason)))
      })
      const [reason] = yield* Effect.all([disconnected, Scope.close(scope, Exit.void)], { concurrency: 2 })
      expect(reason).toBe("transport close")
      const refused = yield* Effect.promise(() =>
        fetch(`${server.url}/ping`).then(() => "answered", (e: Error) => e.message)
      )
      expect(refused).toBe("fetch failed")
      socket.close()
    }))
})
