/**
 * Where this process stands in a deployment: its role, and the shared stores
 * of a scaled-out hub.
 *
 * - `all` (the default): today's single process; SQLite unless DATABASE_URL
 *   names PostgreSQL; no Redis needed.
 * - `ingest`: connects to the radars while it holds the ingest lease, stores
 *   scans, and relays its records through Redis. Needs REDIS_URL and
 *   DATABASE_URL, since a standby that takes over must see the same store.
 * - `edge`: connects to no radar; serves clients from the relay and the shared
 *   store. Needs both as well.
 *
 * Each value is checked at start-up, and a mistake names its variable.
 */
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"

export const ROLES = ["all", "ingest", "edge"] as const
export type Role = (typeof ROLES)[number]

const urlSetting = (key: string, schemes: ReadonlyArray<string>) =>
  Config.option(
    Config.string(key).pipe(
      Config.mapOrFail((raw) => {
        const text = raw.trim()
        let url: URL
        try {
          url = new URL(text)
        } catch {
          return Either.left(ConfigError.InvalidData([], `${key} must be a URL (${schemes.join(" or ")}://…)`))
        }
        return schemes.includes(url.protocol.replace(/:$/, ""))
          ? Either.right(text)
          : Either.left(ConfigError.InvalidData(
            [],
            `${key} must start with ${schemes.map((s) => `${s}://`).join(" or ")}, got "${url.protocol}//…"`
          ))
      })
    )
  )

const deployment = Config.all({
  role: Config.string("ROLE").pipe(
    Config.mapOrFail((raw) => {
      const role = ROLES.find((r) => r === raw.trim().toLowerCase())
      return role === undefined
        ? Either.left(ConfigError.InvalidData([], `ROLE must be all, ingest or edge, got "${raw}"`))
        : Either.right(role)
    }),
    Config.withDefault<Role>("all")
  ),
  databaseUrl: urlSetting("DATABASE_URL", ["postgres", "postgresql"]),
  redisUrl: urlSetting("REDIS_URL", ["redis", "rediss"]),
  redisKeyPrefix: Config.string("REDIS_KEY_PREFIX").pipe(Config.withDefault("superdarn-hub:"))
}).pipe(
  Config.mapOrFail((settings) => {
    if (settings.role === "all") return Either.right(settings)
    const missing = [
      Option.isNone(settings.redisUrl) ? "REDIS_URL" : undefined,
      Option.isNone(settings.databaseUrl) ? "DATABASE_URL" : undefined
    ].filter((key) => key !== undefined)
    return missing.length === 0
      ? Either.right(settings)
      : Either.left(
        ConfigError.InvalidData(
          [],
          `ROLE ${settings.role} shares its work through Redis and PostgreSQL: set ${missing.join(" and ")}`
        )
      )
  })
)

export class Deployment extends Effect.Service<Deployment>()("superdarn-hub/Deployment", {
  effect: deployment
}) {}
