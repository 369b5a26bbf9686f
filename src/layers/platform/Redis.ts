/**
 * The Redis connection of a scaled-out hub (`REDIS_URL`): one client for
 * commands, and a duplicate per subscriber that needs a connection of its own
 * (the Socket.IO adapter's blocking stream reads).
 *
 * node-redis reconnects by itself; commands issued while it is away fail at
 * once (no offline queue), so a caller sees a typed error instead of waiting
 * behind a dead socket, and every episode is logged once as it starts and
 * once as it ends.
 *
 * The client library is loaded when a connection is made, so the processes
 * that never use Redis (the default single process, every CLI command) do
 * not pay for it.
 */
import type { RedisClientType } from "@redis/client"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Runtime from "effect/Runtime"
import { describeUnknown } from "../../domain/unknown-error.js"

export class RedisError extends Data.TaggedError("RedisError")<{
  readonly url: string
  readonly operation: string
  readonly reason: string
}> {
  override get message(): string {
    return `Redis at ${this.url}: ${this.operation} failed: ${this.reason}`
  }
}

/** The URL without its password, fit for logs and error messages. */
export const redactRedisUrl = (url: string): string => {
  try {
    const parsed = new URL(url)
    if (parsed.password !== "") parsed.password = "***"
    return parsed.toString().replace(/\/$/, "")
  } catch {
    return "(an unparseable REDIS_URL)"
  }
}

export interface RedisOptions {
  readonly url: string
  /** Prepended to every key this process writes, so deployments (and tests) can share one server. */
  readonly keyPrefix: string
}

/** Reconnect quickly at first, then every 2 s: a Redis restart takes a second or two. */
const reconnectDelay = (retries: number): number => Math.min(100 * 2 ** retries, 2000)

/**
 * The client library, loaded on first use. It is CommonJS: bundled, its
 * exports sit on the namespace's `default`; under Node's own loader, on both.
 */
const redisLibrary = Effect.promise(() => import("@redis/client")).pipe(
  Effect.map((module) => (module as unknown as { readonly default?: typeof module }).default ?? module)
)

const connectClient = (options: RedisOptions, name: string) =>
  Effect.gen(function*() {
    const url = redactRedisUrl(options.url)
    const runFork = Runtime.runFork(yield* Effect.runtime<never>())
    const { createClient } = yield* redisLibrary
    const client: RedisClientType = createClient({
      url: options.url,
      name,
      disableOfflineQueue: true,
      pingInterval: 5000,
      socket: { connectTimeout: 5000, reconnectStrategy: reconnectDelay }
    })
    let down = false
    client.on("error", (error: unknown) => {
      if (down) return
      down = true
      runFork(
        Effect.logWarning("Redis unreachable; reconnecting", { url, client: name, reason: describeUnknown(error) })
      )
    })
    client.on("ready", () => {
      if (!down) return
      down = false
      runFork(Effect.logInfo("Redis reachable again", { url, client: name }))
    })
    yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => client.connect(),
        catch: (cause) => new RedisError({ url, operation: "connect", reason: describeUnknown(cause) })
      }).pipe(
        // The first connection decides start-up: a wrong URL is one clear line, not endless retries.
        Effect.timeoutFail({
          duration: "6 seconds",
          onTimeout: () => new RedisError({ url, operation: "connect", reason: "no answer within 6 s" })
        }),
        Effect.tapError(() => Effect.sync(() => client.destroy()))
      ),
      () => Effect.promise(() => client.close().catch(() => client.destroy()))
    )
    return client
  })

export class Redis extends Effect.Service<Redis>()("superdarn-hub/Redis", {
  scoped: Effect.fnUntraced(function*(options: RedisOptions) {
    const url = redactRedisUrl(options.url)
    const client = yield* connectClient(options, "superdarn-hub")
    const { RESP_TYPES } = yield* redisLibrary
    return {
      url,
      client,
      key: (name: string): string => `${options.keyPrefix}${name}`,
      /** True while the command connection is up. */
      isReady: (): boolean => client.isReady,
      /** Command options that read bulk strings as Buffers (binary values). */
      asBuffers: { typeMapping: { [RESP_TYPES.BLOB_STRING]: Buffer } },
      /** A client of its own (for blocking reads), closed with the scope it is made in. */
      duplicate: (name: string) => connectClient(options, name),
      /** Run one command, as a typed error when Redis is away or refuses it. */
      run: <A>(operation: string, command: (client: RedisClientType) => Promise<A>) =>
        Effect.tryPromise({
          try: () => command(client),
          catch: (cause) => new RedisError({ url, operation, reason: describeUnknown(cause) })
        })
    } as const
  })
}) {
  static layer = (options: RedisOptions) => Redis.Default(options)
}
