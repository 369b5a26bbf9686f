/**
 * The one Node http.Server: an HTTP app given from outside (the cli builds it
 * from the HTTP API in `src/http/`, which layers never import) and Socket.IO
 * on the same port.
 *
 * Socket.IO is attached to a server we create from
 * `NodeHttpServer.makeHandler(app)`, not to the server inside
 * `NodeHttpServer.layer`: that layer answers every request and upgrade
 * itself, so engine.io's polling requests and WebSocket upgrades would never
 * reach Socket.IO. engine.io's `attach` wraps our request listener and sends
 * only `/socket.io/` to Socket.IO.
 *
 * `HttpServer.layer(app)` builds `app` when the layer is built, so every
 * route layer `app` reads from must be provided to it: routes registered
 * later are never served.
 */
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import type * as HttpApp from "@effect/platform/HttpApp"
import type * as HttpRouter from "@effect/platform/HttpRouter"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Runtime from "effect/Runtime"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { Server as SocketIoServer } from "socket.io"
import { AppConfig } from "./AppConfig.js"
import { corsMiddleware, makeCorsPolicy, socketIoAllowRequest, socketIoCors } from "./cors.js"

export class HttpServerListenError extends Data.TaggedError("HttpServerListenError")<{
  readonly host: string
  readonly port: number
  /** The system error code (EADDRINUSE, EACCES, ...) or message. */
  readonly reason: string
}> {
  override get message(): string {
    return `cannot listen on ${this.host}:${this.port}: ${this.reason}`
  }
}

/** Open requests get this long to finish at shutdown before their connections are cut. */
const CLOSE_GRACE = "5 seconds"

export const SOCKET_IO_PATH = "/socket.io/"

/**
 * Connections the kernel holds for the server before it accepts them. When
 * a page is shared and a thousand browsers open it at once, Node's default
 * of 511 overflows and the rest are reset before the server sees them
 * (measured: 2000 clients connecting at once, a few hundred refused); the
 * kernel caps the figure at net.core.somaxconn.
 */
const LISTEN_BACKLOG = 4096

const urlOf = (address: AddressInfo): string =>
  `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`

const listen = (server: http.Server, host: string, port: number) =>
  Effect.async<AddressInfo, HttpServerListenError>((resume) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off("listening", onListening)
      resume(Effect.fail(new HttpServerListenError({ host, port, reason: error.code ?? error.message })))
    }
    const onListening = () => {
      server.off("error", onError)
      resume(Effect.succeed(server.address() as AddressInfo))
    }
    server.once("error", onError)
    server.once("listening", onListening)
    server.listen({ port, host, backlog: LISTEN_BACKLOG })
  })

/**
 * Socket.IO disconnects its clients and closes the http.Server, which waits
 * for requests in flight; after the grace period the rest are cut.
 */
const close = (io: SocketIoServer, server: http.Server) =>
  Effect.async<void>((resume) => {
    void io.close(() => resume(Effect.void))
    server.closeIdleConnections()
  }).pipe(
    Effect.interruptible,
    Effect.timeoutOption(CLOSE_GRACE),
    Effect.flatMap(Option.match({
      onNone: () => Effect.sync(() => server.closeAllConnections()),
      onSome: () => Effect.void
    }))
  )

/** What the server answers with: any HTTP app over the platform's default services. */
export type ServedApp = HttpApp.Default<unknown, HttpRouter.HttpRouter.DefaultServices>

/** The app `HttpServer.Default` serves; `HttpServer.layer(app)` provides it. */
export class HttpServerApp extends Context.Tag("superdarn-hub/HttpServerApp")<HttpServerApp, ServedApp>() {}

export class HttpServer extends Effect.Service<HttpServer>()("superdarn-hub/HttpServer", {
  scoped: Effect.gen(function*() {
    const config = yield* AppConfig
    const policy = yield* makeCorsPolicy(config.corsOrigins)
    const app = yield* HttpServerApp
    const handler = yield* NodeHttpServer.makeHandler(app.pipe(corsMiddleware(policy)))
    const runFork = Runtime.runFork(yield* Effect.runtime<never>())

    const server = http.createServer(handler)
    const io = yield* Effect.acquireRelease(
      Effect.sync(() =>
        new SocketIoServer(server, {
          path: SOCKET_IO_PATH,
          transports: ["polling", "websocket"],
          perMessageDeflate: false,
          // Client messages are small requests (a site list, a history query): anything larger
          // is refused by Engine.IO before it is parsed (WebSocket closed, polling 413).
          maxHttpBufferSize: 16 * 1024,
          cors: socketIoCors(policy),
          allowRequest: socketIoAllowRequest(policy)
        })
      ),
      (io) => close(io, server)
    )
    const address = yield* listen(server, config.host, config.port)
    server.on("error", (error) => runFork(Effect.logError("HTTP server error", error)))
    const url = urlOf(address)
    yield* Effect.logInfo(`listening on ${url}`)

    return {
      /** The Socket.IO server sharing this port. */
      io,
      /** Where the server listens; the real port when PORT was 0. */
      address: { host: address.address, port: address.port },
      url
    } as const
  }),
  dependencies: [NodeHttpServer.layerContext]
}) {
  /** The server answering with `app`, which is built (from the routes registered by then) just before it listens. */
  static readonly layer = <E, R>(app: Effect.Effect<ServedApp, E, R>) =>
    HttpServer.Default.pipe(Layer.provide(Layer.effect(HttpServerApp, app)))
}
