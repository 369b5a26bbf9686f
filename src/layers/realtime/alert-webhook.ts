/**
 * Delivers an alert to one webhook: a JSON POST, signed when a secret is set,
 * retried with backoff within a bounded budget. Each try has its own timeout,
 * so a receiver that hangs costs at most the budget, and only its own queue.
 */
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as crypto from "node:crypto"

/** The header carrying `sha256=<hex HMAC-SHA256 of the body>`. */
export const SIGNATURE_HEADER = "x-superdarn-hub-signature"

export const signBody = (secret: Redacted.Redacted<string>, body: string): string =>
  `sha256=${crypto.createHmac("sha256", Redacted.value(secret)).update(body).digest("hex")}`

export interface WebhookPolicy {
  /** Tries in all (the first and the retries). */
  readonly tries: number
  /** One try's limit, connect to response. */
  readonly timeout: Duration.Duration
  /** First retry delay; doubles each retry. */
  readonly retryDelay: Duration.Duration
}

/** 4 tries of 10 s at most, 2 s, 4 s, 8 s apart: under a minute in the worst case. */
export const defaultWebhookPolicy: WebhookPolicy = {
  tries: 4,
  timeout: Duration.seconds(10),
  retryDelay: Duration.seconds(2)
}

export class WebhookError extends Data.TaggedError("WebhookError")<{
  readonly url: string
  readonly detail: string
}> {
  override get message(): string {
    return `webhook ${this.url}: ${this.detail}`
  }
}

const tryOnce = (url: string, body: string, headers: Record<string, string>, timeout: Duration.Duration) =>
  Effect.tryPromise({
    try: (signal) => fetch(url, { method: "POST", body, headers, signal }),
    catch: (error) =>
      new WebhookError({
        url,
        detail: error instanceof Error ? (error.cause as Error | undefined)?.message ?? error.message : String(error)
      })
  }).pipe(
    Effect.timeoutFail({
      duration: timeout,
      onTimeout: () => new WebhookError({ url, detail: `no answer within ${Duration.format(timeout)}` })
    }),
    Effect.flatMap((response) =>
      // The body is read (and dropped) so the connection is released.
      Effect.promise(() => response.arrayBuffer().catch(() => undefined)).pipe(
        Effect.zipRight(
          response.ok ? Effect.void : Effect.fail(new WebhookError({ url, detail: `answered ${response.status}` }))
        )
      )
    )
  )

/** Posts `payload` to `url`; fails with the last try's error once the budget is spent. */
export const postWebhook = (
  url: string,
  payload: unknown,
  secret: Redacted.Redacted<string> | undefined,
  policy: WebhookPolicy
): Effect.Effect<void, WebhookError> => {
  const body = JSON.stringify(payload)
  const headers: Record<string, string> = { "content-type": "application/json", "user-agent": "superdarn-hub" }
  if (secret !== undefined) headers[SIGNATURE_HEADER] = signBody(secret, body)
  return tryOnce(url, body, headers, policy.timeout).pipe(
    Effect.tapError((error) => Effect.logDebug(`alert delivery try failed: ${error.message}`)),
    Effect.retry(Schedule.exponential(policy.retryDelay).pipe(Schedule.intersect(Schedule.recurs(policy.tries - 1))))
  )
}
