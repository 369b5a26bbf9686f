/**
 * The real HTTP + Socket.IO server for tests: port 0 on 127.0.0.1, settings
 * through the same Config keys the process reads.
 */
import { HttpApi, HttpApiBuilder } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { ConfigProvider, type Context, Effect, Layer } from "effect"
import { HubApi } from "../../../src/http/hub-api.js"
import { ParameterRefusals } from "../../../src/http/hub-http.js"
import { AppConfig } from "../../../src/layers/platform/AppConfig.js"
import { HttpServer } from "../../../src/layers/platform/HttpServer.js"

export const settingsLayer = (settings: Readonly<Record<string, string>> = {}) =>
  AppConfig.Default.pipe(
    Layer.provide(
      Layer.setConfigProvider(
        ConfigProvider.fromMap(new Map(Object.entries({ HOST: "127.0.0.1", PORT: "0", ...settings })))
      )
    )
  )

/**
 * HubApi with only the groups a test registers: `HttpApiBuilder.api(HubApi)`
 * would demand every group's handlers (and so every service behind them).
 * Endpoints of other groups are simply not routed.
 */
const someOfHubApi = Layer.effect(
  HttpApi.Api,
  Effect.map(
    Effect.context<never>(),
    (context) => ({ api: HubApi as unknown as Context.Tag.Service<typeof HttpApi.Api>["api"], context })
  )
)

/**
 * The server with `handlers` (HubApi group layers, or plain routes on
 * HttpApiBuilder.Router) registered before the app is built, as the cli does.
 */
export const httpServerLayer = <A, E, R>(
  handlers: Layer.Layer<A, E, R>,
  settings: Readonly<Record<string, string>> = {}
) =>
  HttpServer.layer(HttpApiBuilder.httpApp).pipe(
    Layer.provide(handlers),
    Layer.provide([someOfHubApi, ParameterRefusals, HttpApiBuilder.Router.Live, HttpApiBuilder.Middleware.layer]),
    Layer.provide(NodeContext.layer),
    Layer.provideMerge(settingsLayer(settings))
  )
