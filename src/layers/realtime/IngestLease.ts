/**
 * One active ingest among several: the leader holds a Redis key with a TTL
 * and renews it well inside its expiry; standbys try to take it once a second.
 *
 * Safety comes from timing on the leader's own clock: it counts its lease as
 * lost `fenceMs` after its last successful renewal, which is shorter than the
 * key's TTL, so a leader cut off from Redis stops ingesting before the key can
 * expire and a standby can take it. No two ingests publish at once.
 *
 * Liveness: a leader that dies (SIGKILL, machine loss) stops renewing; its key
 * expires within `ttlMs` and a standby polling every `pollMs` takes over within
 * ttl + poll (7 s with the defaults, inside the 10 s the operators were promised).
 */
import * as Data from "effect/Data"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import * as SubscriptionRef from "effect/SubscriptionRef"
import { randomBytes } from "node:crypto"
import * as os from "node:os"
import { Redis } from "../platform/Redis.js"

export interface LeaseTimings {
  /** The key's lifetime; a dead leader's lease is free after this. */
  readonly ttlMs: number
  /** How often the leader renews. */
  readonly renewMs: number
  /** Since the last successful renewal, after this the leader stops ingesting (< ttlMs). */
  readonly fenceMs: number
  /** How often a standby tries to take the lease. */
  readonly pollMs: number
}

export const DEFAULT_LEASE_TIMINGS: LeaseTimings = { ttlMs: 6000, renewMs: 1500, fenceMs: 4000, pollMs: 1000 }

export type LeaseRole =
  | { readonly _tag: "Standby"; readonly leader: string | undefined }
  | { readonly _tag: "Leader"; readonly since: number }

export class LeaseLost extends Data.TaggedError("LeaseLost")<{ readonly holder: string; readonly reason: string }> {
  override get message(): string {
    return `ingest lease lost by ${this.holder}: ${this.reason}`
  }
}

/** Renew only while the key still holds our id, atomically. */
const RENEW =
  `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end`
/** Give the lease back at shutdown, only if it is still ours. */
const RELEASE = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`

/** The Redis key of the lease. */
const leaseKey = (redis: Redis) => redis.key("ingest:leader")

/** Which ingest holds the lease now, if any; readable by any process on the same Redis (edges too). */
export const leaseHolder = (redis: Redis) =>
  redis.run("lease read", (client) => client.get(leaseKey(redis))).pipe(
    Effect.map((value) => value ?? undefined),
    Effect.orElseSucceed(() => undefined)
  )

export const makeIngestLease = (timings: LeaseTimings = DEFAULT_LEASE_TIMINGS) =>
  Effect.gen(function*() {
    const redis = yield* Redis
    const key = leaseKey(redis)
    const id = `${os.hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`
    const role = yield* SubscriptionRef.make<LeaseRole>({ _tag: "Standby", leader: undefined })

    const tryAcquire = redis.run("lease acquire", (client) =>
      client.set(key, id, { condition: "NX", expiration: { type: "PX", value: timings.ttlMs } })).pipe(
        Effect.map((reply) =>
          reply === "OK"
        )
      )

    const holder = leaseHolder(redis)

    const renew = redis.run("lease renew", (client) =>
      client.eval(RENEW, { keys: [key], arguments: [id, String(timings.ttlMs)] })).pipe(Effect.map((reply) =>
        reply === 1
      ))

    /** Runs while we lead; fails with LeaseLost when the lease is gone or unconfirmed past the fence. */
    const keepLease = Effect.gen(function*() {
      const lastRenewed = yield* Ref.make(Date.now())
      return yield* Effect.gen(function*() {
        const ok = yield* renew.pipe(Effect.either)
        const now = Date.now()
        if (ok._tag === "Right" && ok.right) {
          yield* Ref.set(lastRenewed, now)
          return
        }
        if (ok._tag === "Right") return yield* new LeaseLost({ holder: id, reason: "another ingest holds it" })
        if (now - (yield* Ref.get(lastRenewed)) >= timings.fenceMs) {
          return yield* new LeaseLost({
            holder: id,
            reason: `not renewed for ${timings.fenceMs} ms (${ok.left.reason})`
          })
        }
      }).pipe(
        Effect.repeat(Schedule.spaced(Duration.millis(timings.renewMs))),
        // The fence is a deadline, not just a check at renew time: a renew stuck
        // on a dead socket must not keep us leading.
        Effect.raceFirst(
          Effect.gen(function*() {
            while (true) {
              yield* Effect.sleep(Duration.millis(Math.min(250, timings.fenceMs / 4)))
              const since = Date.now() - (yield* Ref.get(lastRenewed))
              if (since >= timings.fenceMs) {
                return yield* new LeaseLost({ holder: id, reason: `no renewal confirmed for ${since} ms` })
              }
            }
          })
        )
      )
    })

    const release = redis.run("lease release", (client) => client.eval(RELEASE, { keys: [key], arguments: [id] }))
      .pipe(Effect.ignore)

    /**
     * Run `ingest` whenever this process leads, forever: wait as a standby,
     * lead until the lease is lost (then `ingest` is interrupted and we wait
     * again), and give the lease back when the scope closes.
     */
    const whileLeading = <E, R>(ingest: Effect.Effect<never, E, R>) =>
      Effect.gen(function*() {
        while (true) {
          const acquired = yield* tryAcquire.pipe(Effect.orElseSucceed(() => false))
          if (!acquired) {
            yield* SubscriptionRef.set(role, { _tag: "Standby", leader: yield* holder })
            yield* Effect.sleep(Duration.millis(timings.pollMs))
            continue
          }
          yield* SubscriptionRef.set(role, { _tag: "Leader", since: Date.now() })
          yield* Effect.logInfo("leading ingest", { lease: id })
          const lost = yield* Deferred.make<LeaseLost>()
          const keeper = yield* keepLease.pipe(
            Effect.catchAll((error) => Deferred.succeed(lost, error)),
            Effect.fork
          )
          const exit = yield* Effect.scoped(ingest).pipe(
            Effect.raceFirst(Effect.flatMap(Deferred.await(lost), (error) => Effect.fail(error))),
            Effect.exit,
            Effect.onInterrupt(() => Fiber.interrupt(keeper).pipe(Effect.zipRight(release)))
          )
          yield* Fiber.interrupt(keeper)
          yield* SubscriptionRef.set(role, { _tag: "Standby", leader: undefined })
          if (Exit.isFailure(exit)) {
            yield* Effect.logWarning("stopped ingesting", { lease: id, cause: exit.cause })
          }
          yield* release
          yield* Effect.sleep(Duration.millis(timings.pollMs))
        }
      })

    return {
      id,
      role,
      leader: Effect.map(SubscriptionRef.get(role), (r) => (r._tag === "Leader" ? Option.some(id) : Option.none())),
      holder,
      whileLeading
    } as const
  })

export class IngestLease extends Effect.Service<IngestLease>()("superdarn-hub/IngestLease", {
  effect: makeIngestLease
}) {
  static layer = (timings: LeaseTimings = DEFAULT_LEASE_TIMINGS) => IngestLease.Default(timings)
}
