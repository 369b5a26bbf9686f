/**
 * The SuperDARN Canada ZeroMQ feed: a SUB socket on tcp://CANADA_ADDR,
 * subscribed to everything, relaying records of several sites. Each message
 * is classified by its form, decompressed with a cap on the output (a small
 * message must not expand without limit), decoded, and attributed to its
 * site. A bad message is counted and skipped. A publisher silent for longer
 * than the stall time is presumed dead and the socket is replaced, since a
 * SUB socket cannot tell a quiet publisher from a vanished one.
 *
 * The publisher has its own registry entry (CANADA_FEED_ENTRY), whose phase
 * follows the socket's monitor events: connecting, connected, receiving, and
 * "backoff" with ZeroMQ's own retry delay once a connection attempt fails or
 * the publisher disconnects, so a wrong or closed CANADA_ADDR reads
 * "unreachable since …" within seconds. ZeroMQ reconnects by itself with
 * jittered delays of 1 s doubling to 4 s (at most 5 s with the jitter); an
 * unanswered connect is given up after 5 s and tried again.
 *
 * Each site is registered in the RadarRegistry (transport "zmq") when its
 * first message arrives; feed-wide events (stall, disconnect) update every
 * site seen so far.
 */
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as zmq from "zeromq"
import { bunzip2Buffer, type Bzip2Error } from "../../compression/bunzip2.js"
import { type GunzipError, inflateBounded } from "../../compression/gunzip.js"
import { decodeRecord } from "../../dmap/decode.js"
import { fitacfView } from "../../dmap/fitacf.js"
import type { RadarRecord } from "../../domain/radar-record.js"
import {
  CANADA_FEED_ENTRY,
  enterBackoff,
  enterConnected,
  type RadarStatus,
  zeroCounters
} from "../../domain/radar-status.js"
import { siteOfStid } from "../../domain/radar-table.js"
import { describeUnknown } from "../../domain/unknown-error.js"
import { RadarRegistry } from "../../layers/realtime/RadarRegistry.js"
import { withCheckedTime } from "../../streams/record-time.js"
import { type CanadaMessage, CanadaMessageError, classifyMessage } from "./canada-message-form.js"
import { recordFromJson } from "./fitacf-json.js"
import type { BackoffPolicy } from "./radar-backoff.js"
import { reconnectLoop, type SessionControl } from "./reconnect-loop.js"
import { recordWatch } from "./record-watch.js"

/** Largest decompressed message accepted: far above a fitacf record (~16 kB), far below harm. */
export const DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024

export interface CanadaFeedOptions {
  readonly host: string
  readonly port: number
  readonly stall: Duration.Duration
  readonly maxMessageBytes: number
  readonly backoff: BackoffPolicy
}

export class CanadaFeedError extends Data.TaggedError("CanadaFeedError")<{
  readonly address: string
  readonly reason: "Stalled" | "SocketError"
  readonly detail: string
}> {
  override get message(): string {
    return `${this.address}: ${this.reason}: ${this.detail}`
  }
}

const OPEN_BRACE = 0x7b

const isJson = (bytes: Uint8Array): boolean => {
  for (const byte of bytes) {
    if (byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d) continue
    return byte === OPEN_BRACE
  }
  return false
}

/** Decompresses, decodes and attributes one classified message. */
export const decodeCanadaMessage = (
  message: CanadaMessage,
  maxMessageBytes: number,
  receivedAt: number
): Effect.Effect<RadarRecord, CanadaMessageError> => {
  const refuse = (reason: string) => new CanadaMessageError({ form: message.form, site: message.site, reason })
  const inflate: Effect.Effect<Uint8Array, Bzip2Error | GunzipError> = message.compression === "bzip2"
    ? bunzip2Buffer(message.payload, maxMessageBytes)
    : inflateBounded(message.payload, maxMessageBytes)
  return inflate.pipe(
    Effect.mapError((error) => refuse(error.message)),
    Effect.flatMap((bytes) => {
      const decoded = isJson(bytes)
        ? Either.try({ try: () => JSON.parse(new TextDecoder().decode(bytes)) as unknown, catch: (e) => String(e) })
          .pipe(Either.flatMap(recordFromJson))
        : decodeRecord(bytes, { maxRecordBytes: maxMessageBytes }).pipe(Either.mapLeft((error) => error.message))
      return Either.match(decoded, {
        onLeft: (reason) => Effect.fail(refuse(reason)),
        onRight: (record) =>
          Either.match(Either.flatMap(fitacfView(record), (fitacf) => withCheckedTime(fitacf, receivedAt)), {
            onLeft: (error) => Effect.fail(refuse(error.message)),
            onRight: (fitacf) => {
              const site = message.site ?? siteOfStid(fitacf.stid)
              return site === undefined
                ? Effect.fail(refuse(`stid ${fitacf.stid} is not in the SuperDARN radar table`))
                : Effect.succeed({ site, receivedAt, record, fitacf })
            }
          })
      })
    })
  )
}

const endpointOf = (options: CanadaFeedOptions): string =>
  `tcp://${options.host.includes(":") ? `[${options.host}]` : options.host}:${options.port}`

/** ZeroMQ's reconnect timing: first retry after 1-2 s, doubling to 4 s plus up to 1 s of ZeroMQ's jitter. */
const RECONNECT_INTERVAL_MS = 1_000
const RECONNECT_MAX_INTERVAL_MS = 4_000
/** A connect nobody answers (a firewall dropping packets) is given up after this and retried. */
const CONNECT_TIMEOUT_MS = 5_000

const subscribe = (endpoint: string): Effect.Effect<zmq.Subscriber, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const socket = new zmq.Subscriber({
        linger: 0,
        ipv6: endpoint.includes("["),
        reconnectInterval: RECONNECT_INTERVAL_MS,
        reconnectMaxInterval: RECONNECT_MAX_INTERVAL_MS,
        connectTimeout: CONNECT_TIMEOUT_MS
      })
      // The observer must exist before connect() so the first events are seen.
      void socket.events
      socket.connect(endpoint)
      socket.subscribe()
      return socket
    }),
    (socket) => Effect.sync(() => socket.close())
  )

/** Every record of the feed, for ever. */
export const canadaRecords = (options: CanadaFeedOptions): Stream.Stream<RadarRecord, never, RadarRegistry> =>
  Stream.unwrap(
    Effect.gen(function*() {
      const registry = yield* RadarRegistry
      const address = endpointOf(options)
      const annotate = Effect.annotateLogs({ feed: "canada", address })
      const seen = new Set<string>()
      const watches = new Map<string, ReturnType<typeof recordWatch>>()

      const updateSeen = (f: (status: RadarStatus) => RadarStatus) =>
        Effect.forEach(seen, (site) => registry.update(site, f), { discard: true })
      const updateFeed = (f: (status: RadarStatus) => RadarStatus) => registry.update(CANADA_FEED_ENTRY, f)
      const updateAll = (f: (status: RadarStatus) => RadarStatus) => Effect.zipRight(updateFeed(f), updateSeen(f))
      const iso = (ms: number) => new Date(ms).toISOString()

      yield* registry.put({
        site: CANADA_FEED_ENTRY,
        transport: "zmq",
        address,
        phase: "connecting",
        phaseSince: yield* Clock.currentTimeMillis,
        nextAttemptAt: undefined,
        connectedSince: undefined,
        lastRecordAt: undefined,
        counters: zeroCounters,
        lastError: undefined
      })

      // Whether the publisher was ever reached: the next connection is then a reconnection.
      let everConnected = false
      const onSocketEvent = (event: zmq.Event) =>
        Effect.gen(function*() {
          const now = yield* Clock.currentTimeMillis
          switch (event.type) {
            case "connect": {
              const reconnected = everConnected
              everConnected = true
              yield* updateFeed((status) => enterConnected(status, now, reconnected))
              yield* Effect.log("connected to the Canada publisher").pipe(annotate)
              return
            }
            case "connect:retry": {
              const feed = yield* registry.get(CANADA_FEED_ENTRY)
              const since = feed?.phase === "backoff" ? feed.phaseSince : now
              const reason = `unreachable since ${iso(since)}: no publisher accepts connections at ${address}`
              yield* updateFeed((status) => ({
                ...status,
                phase: "backoff",
                phaseSince: since,
                nextAttemptAt: now + event.interval,
                connectedSince: undefined,
                lastError: `${reason}; retrying in ${event.interval} ms`,
                counters: { ...status.counters, failedAttempts: status.counters.failedAttempts + 1 }
              }))
              // One warning per outage; each retry is only worth a debug line.
              yield* (since === now ? Effect.logWarning(reason) : Effect.logDebug(reason)).pipe(annotate)
              return
            }
            case "disconnect": {
              const reason = `disconnected at ${iso(now)}: the publisher at ${address} went away`
              yield* updateAll((status) => ({
                ...status,
                phase: "backoff",
                phaseSince: now,
                nextAttemptAt: undefined,
                connectedSince: undefined,
                lastError: reason
              }))
              yield* Effect.logWarning(reason).pipe(annotate)
              return
            }
            default:
              return
          }
        })

      /** Follows the socket's monitor events until the socket closes. */
      const watch = (socket: zmq.Subscriber) =>
        Effect.gen(function*() {
          for (;;) {
            const event = yield* Effect.tryPromise(() => socket.events.receive())
            yield* onSocketEvent(event)
          }
        }).pipe(Effect.ignore, Effect.forkScoped)

      const register = (site: string, now: number) =>
        Effect.suspend(() => {
          if (seen.has(site)) return Effect.void
          seen.add(site)
          return registry.put({
            site,
            transport: "zmq",
            address,
            phase: "receiving",
            phaseSince: now,
            nextAttemptAt: undefined,
            connectedSince: now,
            lastRecordAt: undefined,
            counters: zeroCounters,
            lastError: undefined
          }).pipe(
            Effect.zipRight(
              Effect.log("site seen on the Canada feed").pipe(annotate, Effect.annotateLogs("site", site))
            )
          )
        })

      let quietBadMessages = false
      const onMessage = (frames: ReadonlyArray<Uint8Array>, control: SessionControl) =>
        Effect.gen(function*() {
          const now = yield* Clock.currentTimeMillis
          const bytes = frames.reduce((n, frame) => n + frame.length, 0)
          const outcome = yield* Either.match(classifyMessage(frames), {
            onLeft: (error) => Effect.succeed(Either.left(error) as Either.Either<RadarRecord, CanadaMessageError>),
            onRight: (message) => Effect.either(decodeCanadaMessage(message, options.maxMessageBytes, now))
          })
          if (Either.isLeft(outcome)) {
            const error = outcome.left
            yield* updateFeed((status) => ({
              ...status,
              counters: {
                ...status.counters,
                frames: status.counters.frames + 1,
                bytes: status.counters.bytes + bytes,
                decodeErrors: status.counters.decodeErrors + 1
              },
              lastError: error.message
            }))
            if (error.site !== undefined) {
              yield* register(error.site, now)
              yield* registry.update(error.site, (status) => ({
                ...status,
                counters: {
                  ...status.counters,
                  frames: status.counters.frames + 1,
                  bytes: status.counters.bytes + bytes,
                  decodeErrors: status.counters.decodeErrors + 1
                },
                lastError: error.message
              }))
            }
            // The first bad message of a connection is worth a warning; a
            // publisher sending nothing else must not flood the log.
            yield* (quietBadMessages ? Effect.logDebug(error.message) : Effect.logWarning(error.message)).pipe(annotate)
            quietBadMessages = true
            return Option.none<RadarRecord>()
          }
          const record = outcome.right
          yield* register(record.site, now)
          yield* control.healthy
          const received = (status: RadarStatus): RadarStatus => ({
            ...status,
            phase: "receiving",
            phaseSince: status.phase === "receiving" ? status.phaseSince : now,
            lastRecordAt: now,
            counters: {
              ...status.counters,
              frames: status.counters.frames + 1,
              records: status.counters.records + 1,
              bytes: status.counters.bytes + bytes
            }
          })
          const watch = watches.get(record.site) ?? recordWatch()
          watches.set(record.site, watch)
          watch.see(record)
          yield* registry.update(record.site, (status) => ({ ...received(status), ...watch.published() }))
          yield* updateFeed(received)
          return Option.some(record)
        })

      const session = (control: SessionControl): Stream.Stream<RadarRecord, CanadaFeedError> =>
        Stream.unwrapScoped(
          Effect.gen(function*() {
            const now = yield* Clock.currentTimeMillis
            yield* updateAll((status) => ({
              ...status,
              phase: "connecting",
              phaseSince: now,
              nextAttemptAt: undefined
            }))
            const socket = yield* subscribe(address)
            yield* watch(socket)
            quietBadMessages = false
            yield* Effect.log("subscribed to the Canada feed").pipe(annotate)
            return Stream.repeatEffect(
              Effect.tryPromise({
                try: () => socket.receive(),
                catch: (error) =>
                  new CanadaFeedError({
                    address,
                    reason: "SocketError",
                    detail: describeUnknown(error)
                  })
              })
            ).pipe(
              Stream.timeoutFail(
                () =>
                  new CanadaFeedError({
                    address,
                    reason: "Stalled",
                    detail: `no message for ${Duration.format(options.stall)}`
                  }),
                options.stall
              ),
              Stream.mapEffect((frames) => onMessage(frames, control)),
              Stream.filterMap((record) => record)
            )
          })
        )

      return reconnectLoop({
        policy: options.backoff,
        session,
        onLoss: ({ delay, error, now, reason }) =>
          Effect.gen(function*() {
            if (Option.exists(error, (e) => e.reason === "Stalled")) {
              yield* updateAll((status) => ({ ...status, phase: "stalled", phaseSince: now, lastError: reason }))
            }
            yield* updateAll((status) => enterBackoff(status, now, Duration.toMillis(delay), reason))
            yield* Effect.logWarning(`Canada feed down: ${reason}; resubscribing in ${Duration.format(delay)}`).pipe(
              annotate
            )
          })
      })
    })
  )
