/**
 * The ingest's output, replicated to every edge through one Redis Stream.
 *
 * The leading ingest appends each record it receives (its DMAP bytes, as the
 * radar sent them, so nothing is lost or re-derived) and each closed scan's
 * `<site>/echoes` event; it also keeps the radars' states in a Redis hash.
 * Every edge reads the stream from where it left off and publishes the records
 * into its own hub, so its live feed, `latest` and history behave exactly as
 * in a single process: budgets, coalesced writes and one encoding per packet
 * stay where the client is.
 *
 * The stream is trimmed by time to the history window (HISTORY_MINUTES), so a
 * new edge starts with the last minutes and an edge cut from Redis for a while
 * resumes from its last entry without a gap, as long as it was away for less
 * than the window. Entries it missed beyond that are counted as a gap.
 */
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Metric from "effect/Metric"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import { decodeRecord } from "../../dmap/decode.js"
import { encodeRecord } from "../../dmap/encode.js"
import { fitacfView } from "../../dmap/fitacf.js"
import type { RadarRecord } from "../../domain/radar-record.js"
import type { RadarStatus } from "../../domain/radar-status.js"
import { Redis, type RedisError } from "../platform/Redis.js"
import { Hub } from "./Hub.js"
import { RadarRegistry } from "./RadarRegistry.js"

export interface FleetRelayOptions {
  /** Entries older than this are trimmed from the stream; also how far back a new edge starts. */
  readonly windowMs: number
  /** How often the ingest writes the radars' states and the edges read them. */
  readonly statusIntervalMs: number
}

export const defaultFleetRelayOptions: FleetRelayOptions = {
  windowMs: 10 * 60_000,
  statusIntervalMs: 1000
}

/** Something an edge read from the stream that it could not use. */
export class RelayEntryError extends Data.TaggedError("RelayEntryError")<{
  readonly id: string
  readonly reason: string
}> {
  override get message(): string {
    return `relay entry ${this.id}: ${this.reason}`
  }
}

export const relayedRecords = Metric.counter("superdarn_hub_relay_records_total", {
  description: "Records appended to (ingest) or read from (edge) the Redis relay stream.",
  incremental: true
})
export const relayErrors = Metric.counter("superdarn_hub_relay_errors_total", {
  description: "Relay stream appends or reads that failed, and entries that could not be used.",
  incremental: true
})

type Fields = ReadonlyArray<Buffer>

const field = (fields: Fields, name: string): Buffer | undefined => {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i]!.toString("latin1") === name) return fields[i + 1]
  return undefined
}

/** A relay entry as the edge applies it. */
export type RelayEntry =
  | { readonly _tag: "Record"; readonly record: RadarRecord }
  | { readonly _tag: "Event"; readonly site: string; readonly event: string; readonly payload: unknown }

/** Pure: one stream entry's fields → what to apply, or why not. */
export const parseRelayEntry = (id: string, fields: Fields): Either.Either<RelayEntry, RelayEntryError> => {
  const kind = field(fields, "kind")?.toString("latin1")
  const site = field(fields, "site")?.toString("latin1")
  if (site === undefined || !/^[a-z0-9-]{1,32}$/.test(site)) {
    return Either.left(new RelayEntryError({ id, reason: "no site" }))
  }
  if (kind === "record") {
    const bytes = field(fields, "dmap")
    const receivedAt = Number(field(fields, "receivedAt")?.toString("latin1"))
    if (bytes === undefined || !Number.isFinite(receivedAt)) {
      return Either.left(new RelayEntryError({ id, reason: "a record entry without its bytes or time" }))
    }
    return decodeRecord(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)).pipe(
      Either.flatMap((record) => Either.map(fitacfView(record), (fitacf) => ({ record, fitacf }))),
      Either.mapLeft((error) => new RelayEntryError({ id, reason: error.message })),
      Either.map(({ fitacf, record }): RelayEntry => ({ _tag: "Record", record: { site, receivedAt, record, fitacf } }))
    )
  }
  if (kind === "event") {
    const event = field(fields, "event")?.toString("utf8")
    const json = field(fields, "json")?.toString("utf8")
    if (event === undefined || json === undefined) {
      return Either.left(new RelayEntryError({ id, reason: "an event entry without its name or body" }))
    }
    return Either.try({
      try: (): RelayEntry => ({ _tag: "Event", site, event, payload: JSON.parse(json) as unknown }),
      catch: () => new RelayEntryError({ id, reason: "an event body that is not JSON" })
    })
  }
  return Either.left(new RelayEntryError({ id, reason: `unknown kind ${JSON.stringify(kind ?? "")}` }))
}

export const makeFleetRelay = (options: FleetRelayOptions) =>
  Effect.gen(function*() {
    const redis = yield* Redis
    const streamKey = redis.key("relay")
    const statusKey = redis.key("radars")

    const append = (fields: ReadonlyArray<string | Buffer>) =>
      redis.run("relay append", (client) =>
        client.sendCommand([
          "XADD",
          streamKey,
          "MINID",
          "~",
          String(Date.now() - options.windowMs),
          "*",
          ...fields
        ]))

    /** A failed append is counted and logged; the ingest goes on with the next entry. */
    const countFailure = (error: RedisError) =>
      Metric.increment(relayErrors).pipe(Effect.zipRight(Effect.logDebug("relay append failed", error.reason)))

    /**
     * Ingest: every record the hub receives, in hub order. Subscribes at once
     * (before the radars start) and yields the loop that appends them.
     */
    const publishRecords = Effect.gen(function*() {
      const hub = yield* Hub
      const records = yield* hub.subscribe("relay")
      return Effect.forever(
        Effect.flatMap(records.take, (record) =>
          append([
            "kind",
            "record",
            "site",
            record.site,
            "receivedAt",
            String(record.receivedAt),
            "dmap",
            Buffer.from(encodeRecord(record.record))
          ]).pipe(Effect.zipRight(Metric.increment(relayedRecords)), Effect.catchAll(countFailure)))
      )
    })

    /** Ingest: a site event (a closed scan), after the local clients got it. */
    const publishEvent = (site: string, event: string, payload: unknown) =>
      append(["kind", "event", "site", site, "event", event, "json", JSON.stringify(payload)]).pipe(
        Effect.catchAll(countFailure)
      )

    /** Ingest: the radars' states, written whole each interval (a few kB). */
    const publishStatuses = Effect.gen(function*() {
      const registry = yield* RadarRegistry
      yield* Effect.gen(function*() {
        const snapshot = yield* registry.snapshot
        if (snapshot.size === 0) return
        const fields: Array<string> = []
        for (const [site, status] of snapshot) fields.push(site, JSON.stringify(status))
        yield* redis.run("relay statuses", (client) =>
          client.multi().hSet(statusKey, fields).pExpire(statusKey, Math.max(10_000, options.statusIntervalMs * 30))
            .exec()).pipe(Effect.ignore)
      }).pipe(Effect.repeat(Schedule.spaced(Duration.millis(options.statusIntervalMs))))
    })

    /** Edge: mirror the ingest's radar states into this process's registry. */
    const mirrorStatuses = Effect.gen(function*() {
      const registry = yield* RadarRegistry
      yield* Effect.gen(function*() {
        const entries = yield* redis.run("relay statuses", (client) =>
          client.hGetAll(statusKey)).pipe(
            Effect.orElseSucceed(() =>
              undefined
            )
          )
        if (entries === undefined) return
        const seen = new Set<string>()
        for (const [site, json] of Object.entries(entries)) {
          seen.add(site)
          const status = Either.try(() => JSON.parse(json) as RadarStatus)
          if (Either.isRight(status)) yield* registry.put(status.right)
        }
        for (const site of (yield* registry.snapshot).keys()) if (!seen.has(site)) yield* registry.remove(site)
      }).pipe(Effect.repeat(Schedule.spaced(Duration.millis(options.statusIntervalMs))))
    })

    /**
     * Edge: read the stream from `windowMs` ago, then follow it, applying each
     * entry. A read that fails (Redis away) is retried from the last id seen.
     */
    const follow = (apply: (entry: RelayEntry) => Effect.Effect<void>): Effect.Effect<never, never, Scope.Scope> =>
      Effect.gen(function*() {
        // An edge may start while Redis is away: its reader connects when Redis answers.
        const connection = yield* redis.duplicate("superdarn-hub-relay").pipe(
          Effect.tapError((error) => Effect.logWarning(error.message).pipe(Effect.zipRight(Effect.sleep("1 second")))),
          Effect.eventually
        )
        // Bulk strings as Buffers: the records' DMAP bytes are binary.
        const asBuffers = redis.asBuffers
        let lastId = `${Date.now() - options.windowMs}-0`
        const readBatch = Effect.tryPromise({
          try: () =>
            connection.sendCommand(
              ["XREAD", "COUNT", "512", "BLOCK", "1000", "STREAMS", streamKey, lastId],
              asBuffers
            ) as Promise<
              ReadonlyArray<readonly [Buffer, ReadonlyArray<readonly [Buffer, Fields]>]> | null
            >,
          catch: (cause) => cause
        })
        return yield* Effect.forever(
          readBatch.pipe(
            Effect.flatMap((reply) =>
              Effect.forEach(reply?.[0]?.[1] ?? [], ([rawId, fields]) => {
                const id = rawId.toString("latin1")
                lastId = id
                return parseRelayEntry(id, fields).pipe(
                  Either.match({
                    onLeft: (error) =>
                      Metric.increment(relayErrors).pipe(Effect.zipRight(Effect.logWarning(error.message))),
                    onRight: (entry) =>
                      apply(entry).pipe(
                        Effect.zipRight(entry._tag === "Record" ? Metric.increment(relayedRecords) : Effect.void)
                      )
                  })
                )
              }, { discard: true })
            ),
            Effect.catchAll(() =>
              Metric.increment(relayErrors).pipe(Effect.zipRight(Effect.sleep(Duration.millis(500))))
            )
          )
        )
      })

    return { publishRecords, publishEvent, publishStatuses, mirrorStatuses, follow, lastStatusKey: statusKey } as const
  })

export class FleetRelay extends Effect.Service<FleetRelay>()("superdarn-hub/FleetRelay", {
  effect: makeFleetRelay
}) {
  static layer = (options: FleetRelayOptions = defaultFleetRelayOptions) => FleetRelay.Default(options)
}
