/**
 * Which browser origins may use the HTTP API and Socket.IO: one allow-list
 * from CORS_ORIGINS, applied by the HTTP middleware and by the Socket.IO
 * handshake alike. Entries are exact origins (`https://example.org`), origins
 * with any port (`http://localhost:*`, which also allows no port), or `*`,
 * which an operator has to set explicitly.
 */
import * as HttpApp from "@effect/platform/HttpApp"
import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Http from "node:http"

export class CorsOriginError extends Data.TaggedError("CorsOriginError")<{
  readonly entry: string
  readonly reason: string
}> {
  override get message(): string {
    return `CORS_ORIGINS entry "${this.entry}" ${this.reason}`
  }
}

interface OriginRule {
  /** `scheme://host`, lower case. */
  readonly base: string
  /** A port number as text, "" for none, or "*" for any (including none). */
  readonly port: string
}

export interface CorsPolicy {
  readonly anyOrigin: boolean
  readonly rules: ReadonlyArray<OriginRule>
}

const ORIGIN = /^(https?:\/\/(?:\[[0-9a-f:.]+\]|[a-z0-9.-]+))(?::(\d{1,5}|\*))?$/

const parseEntry = (entry: string): Either.Either<OriginRule | "*", CorsOriginError> => {
  if (entry === "*") return Either.right("*")
  const match = ORIGIN.exec(entry.toLowerCase())
  if (match === null) {
    return Either.left(
      new CorsOriginError({
        entry,
        reason: "must be an origin like https://example.org, http://localhost:* or *"
      })
    )
  }
  return Either.right({ base: match[1]!, port: match[2] ?? "" })
}

/** The policy for a list of CORS_ORIGINS entries; the first bad entry is refused. */
export const makeCorsPolicy = (entries: ReadonlyArray<string>): Either.Either<CorsPolicy, CorsOriginError> => {
  const rules: Array<OriginRule> = []
  let anyOrigin = false
  for (const entry of entries) {
    const parsed = parseEntry(entry.trim())
    if (Either.isLeft(parsed)) return Either.left(parsed.left)
    if (parsed.right === "*") anyOrigin = true
    else rules.push(parsed.right)
  }
  return Either.right({ anyOrigin, rules })
}

/** Whether a browser at `origin` (the Origin header) may use the server. */
export const originAllowed = (policy: CorsPolicy, origin: string): boolean => {
  if (policy.anyOrigin) return true
  const match = ORIGIN.exec(origin.toLowerCase())
  if (match === null || match[2] === "*") return false
  const base = match[1]!
  const port = match[2] ?? ""
  for (const rule of policy.rules) {
    if (rule.base === base && (rule.port === "*" || rule.port === port)) return true
  }
  return false
}

/**
 * Requests without an Origin header come from non-browser clients (curl,
 * Node, Python), which CORS does not concern; only browsers are checked.
 */
export const requestAllowed = (policy: CorsPolicy, origin: string | undefined): boolean =>
  origin === undefined || originAllowed(policy, origin)

/**
 * CORS for the HTTP API: allowed origins get the CORS headers and their
 * preflights answered; a preflight from any other origin is refused with 403,
 * so an operator sees the refusal in the browser's network panel.
 */
export const corsMiddleware = (policy: CorsPolicy) => {
  const cors = HttpMiddleware.cors({
    // Called with the raw header, which is absent for non-browser clients.
    allowedOrigins: (origin: string | undefined) => origin !== undefined && originAllowed(policy, origin),
    allowedMethods: ["GET", "HEAD"],
    maxAge: 600
  })
  return HttpMiddleware.make((app) => {
    const withHeaders = cors(app)
    return Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
      const origin = request.headers["origin"]
      if (request.method === "OPTIONS") {
        // The refusal names no origin: whatever the request carried is not repeated back.
        return Effect.map(
          requestAllowed(policy, origin)
            ? withHeaders
            : HttpServerResponse.text("origin not allowed", { status: 403 }),
          varyOnOrigin
        )
      }
      return Effect.zipRight(
        HttpApp.appendPreResponseHandler((_, response) => Effect.succeed(varyOnOrigin(response))),
        withHeaders
      )
    })
  })
}

/**
 * Every answer depends on the Origin header (allowed, refused, or absent for
 * non-browser clients), so every answer says so: a shared cache must not hand
 * one origin's response to another. Other Vary entries are kept.
 */
const varyOnOrigin = (response: HttpServerResponse.HttpServerResponse): HttpServerResponse.HttpServerResponse => {
  const vary = response.headers["vary"]
  if (vary === undefined || vary === "") return HttpServerResponse.setHeader(response, "vary", "Origin")
  return vary.split(",").some((name) => name.trim().toLowerCase() === "origin")
    ? response
    : HttpServerResponse.setHeader(response, "vary", `${vary}, Origin`)
}

/** The same rules for Socket.IO: the response headers of the polling transport ... */
export const socketIoCors = (policy: CorsPolicy) => ({
  origin: (origin: string | undefined, callback: (error: Error | null, allow?: boolean) => void) =>
    callback(null, requestAllowed(policy, origin)),
  methods: ["GET", "POST"]
})

/**
 * ... and the handshake itself, because WebSocket upgrades are not subject to
 * CORS in browsers: a page from any origin could open one.
 */
export const socketIoAllowRequest =
  (policy: CorsPolicy) =>
  (request: Http.IncomingMessage, callback: (error: string | null | undefined, success: boolean) => void) => {
    const allowed = requestAllowed(policy, request.headers.origin)
    callback(allowed ? null : "origin not allowed", allowed)
  }
