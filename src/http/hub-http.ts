/**
 * What the HubApi needs besides its groups' handlers: parameter refusals in
 * the API's own words. The cli composes these with the handlers
 * (src/cli/server-layers.ts).
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpApiError from "@effect/platform/HttpApiError"
import type * as HttpApp from "@effect/platform/HttpApp"
import * as Effect from "effect/Effect"
import { HubApi } from "./hub-api.js"
import { InvalidRequest } from "./message-errors.js"

/** `<parameter> <reason>` for the first refused parameter, as the hub has always phrased it. */
export const parameterMessage = (error: HttpApiError.HttpApiDecodeError): string => {
  const issue = error.issues[0]
  if (issue === undefined) return error.message
  return `${issue.path.length === 0 ? "query" : issue.path.join(".")} ${issue.message}`
}

const toRefusal = (error: unknown) =>
  error instanceof HttpApiError.HttpApiDecodeError ? new InvalidRequest({ message: parameterMessage(error) }) : error

/**
 * A path or query parameter that fails its Schema: 400 `{message}` instead of
 * HttpApi's own `HttpApiDecodeError` body, so every refusal reads the same.
 * The router's error type is erased (`never`), hence the widening here.
 */
export const ParameterRefusals = HttpApiBuilder.middleware(
  HubApi,
  (app) =>
    Effect.mapError(app as HttpApp.Default<unknown>, toRefusal) as HttpApp.Default<
      InvalidRequest | HttpApiError.HttpApiDecodeError
    >
)
