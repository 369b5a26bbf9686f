/**
 * The real HTTP + Socket.IO server for tests: port 0 on 127.0.0.1, settings
 * through the same Config keys the process reads.
 */
import { ConfigProvider, Layer } from "effect"
import { ApiRouter } from "../../../src/http/ApiRouter.js"
import { AppConfig } from "../../../src/layers/platform/AppConfig.js"
import { HttpServer } from "../../../src/layers/platform/HttpServer.js"

export const settingsLayer = (settings: Readonly<Record<string, string>> = {}) =>
  AppConfig.Default.pipe(
    Layer.provide(
      Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries({ HOST: "127.0.0.1", PORT: "0", ...settings }))))
    )
  )

/** The server with `routes` registered first (they must exist before the handler is made). */
export const httpServerLayer = <E, R>(
  routes: Layer.Layer<never, E, R>,
  settings: Readonly<Record<string, string>> = {}
) =>
  HttpServer.Default.pipe(
    Layer.provide(routes),
    Layer.provideMerge(ApiRouter.Live),
    Layer.provideMerge(settingsLayer(settings))
  )
