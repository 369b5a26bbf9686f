/**
 * Answers that are a snapshot of live state must not be cached anywhere.
 * HttpApi encodes the handler's value itself, so the header is added on the
 * way out rather than on a response the handler builds.
 */
import * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"

export const noStore: Effect.Effect<void> = HttpApp.appendPreResponseHandler((_request, response) =>
  Effect.succeed(HttpServerResponse.setHeader(response, "cache-control", "no-store"))
)
