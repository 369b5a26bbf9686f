/**
 * One radar's realtime TCP feed (RST/ROS `rtserver`, connex framing) as a
 * stream of records that never fails and never ends: connection failures,
 * clean closes and stalls all lead to a reconnection (reconnect-loop.ts, at
 * most 5 s apart), and bad bytes are skipped by the framer. Everything it meets is published to the
 * RadarRegistry: phase, counters, last error.
 */
import * as NodeStream from "@effect/platform-node/NodeStream"
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as net from "node:net"
import { decodeRecord } from "../../dmap/decode.js"
import { fitacfView } from "../../dmap/fitacf.js"
import type { RadarRecord } from "../../domain/radar-record.js"
import {
  enterBackoff,
  enterConnected,
  type RadarCounters,
  type RadarStatus,
  zeroCounters
} from "../../domain/radar-status.js"
import { describeUnknown } from "../../domain/unknown-error.js"
import { RadarRegistry } from "../../layers/realtime/RadarRegistry.js"
import { ConnexFramer } from "../../streams/connex-framer.js"
import { withCheckedTime } from "../../streams/record-time.js"
import type { BackoffPolicy } from "./radar-backoff.js"
import { reconnectLoop, type SessionControl } from "./reconnect-loop.js"
import { recordWatch } from "./record-watch.js"

export interface TcpRadarOptions {
  /** Three-letter site code, lower case. */
  readonly site: string
  readonly host: string
  readonly port: number
  /** Largest connex frame accepted; larger declared lengths are skipped as garbage. */
  readonly maxFrameBytes: number
  /** Silence on an open connection that counts as a failure. */
  readonly stall: Duration.Duration
  readonly backoff: BackoffPolicy
}

export class RadarConnectionError extends Data.TaggedError("RadarConnectionError")<{
  readonly site: string
  readonly address: string
  readonly reason: "ConnectFailed" | "Closed" | "Stalled" | "SocketError"
  readonly detail: string
}> {
  override get message(): string {
    return `${this.address}: ${this.reason}: ${this.detail}`
  }
}

/**
 * An unanswered connect is given up after this (or the stall time, if
 * shorter) and tried again at once: the kernel resends a SYN only at 1 s and
 * 3 s, then waits longer and longer, so a radar that comes back while one
 * attempt hangs would otherwise wait for the kernel instead of for us.
 */
export const CONNECT_TIMEOUT = Duration.seconds(5)

const errorText = describeUnknown

/** Counter increments gathered while one chunk of bytes is framed. */
interface Tally {
  frames: number
  records: number
  decodeErrors: number
  resyncs: number
  lastError: string | undefined
}

const addTally = (counters: RadarCounters, tally: Tally, bytes: number): RadarCounters => ({
  frames: counters.frames + tally.frames,
  records: counters.records + tally.records,
  bytes: counters.bytes + bytes,
  decodeErrors: counters.decodeErrors + tally.decodeErrors,
  resyncs: counters.resyncs + tally.resyncs,
  reconnects: counters.reconnects,
  failedAttempts: counters.failedAttempts
})

/**
 * Frames a chunk and decodes its whole frames. A payload that is not a DMAP
 * record is given back to the framer, which searches for a frame inside it;
 * a DMAP record that is not fitacf was framed correctly and is only skipped.
 */
const decodeChunk = (
  framer: ConnexFramer,
  chunk: Uint8Array,
  site: string,
  receivedAt: number,
  tally: Tally
): Array<RadarRecord> => {
  const out: Array<RadarRecord> = []
  framer.push(chunk)
  for (let event = framer.next(); event !== undefined; event = framer.next()) {
    if (event._tag === "Resync") {
      tally.resyncs++
      tally.lastError = `skipped ${event.skippedBytes} bytes (${event.reason})`
      continue
    }
    tally.frames++
    if (event.payload.length === 0) continue
    const decoded = decodeRecord(event.payload, { maxRecordBytes: framer.maxFrameBytes })
    if (Either.isLeft(decoded)) {
      tally.decodeErrors++
      tally.lastError = decoded.left.message
      framer.reject()
      continue
    }
    const view = Either.flatMap(fitacfView(decoded.right), (fitacf) => withCheckedTime(fitacf, receivedAt))
    if (Either.isLeft(view)) {
      tally.decodeErrors++
      tally.lastError = view.left.message
      continue
    }
    tally.records++
    out.push({ site, receivedAt, record: decoded.right, fitacf: view.right })
  }
  return out
}

const connect = (
  options: TcpRadarOptions,
  address: string
): Effect.Effect<net.Socket, RadarConnectionError, Scope.Scope> => {
  const timeout = Duration.min(options.stall, CONNECT_TIMEOUT)
  return Effect.acquireRelease(
    Effect.async<net.Socket, RadarConnectionError>((resume) => {
      const socket = net.connect({ host: options.host, port: options.port })
      // A later error is reported by the reading stream; this listener only
      // keeps an error between connect and the first read from being unhandled.
      socket.on("error", () => undefined)
      socket.once("error", (error) => {
        socket.destroy()
        resume(
          Effect.fail(
            new RadarConnectionError({ site: options.site, address, reason: "ConnectFailed", detail: error.message })
          )
        )
      })
      socket.once("connect", () => {
        socket.removeAllListeners("error")
        socket.on("error", () => undefined)
        socket.setKeepAlive(true, 30_000)
        resume(Effect.succeed(socket))
      })
      return Effect.sync(() => socket.destroy())
    }).pipe(
      Effect.timeoutFail({
        duration: timeout,
        onTimeout: () =>
          new RadarConnectionError({
            site: options.site,
            address,
            reason: "ConnectFailed",
            detail: `no answer within ${Duration.format(timeout)}`
          })
      })
    ),
    (socket) => Effect.sync(() => socket.destroy())
  )
}

/**
 * The radar's records, for ever. Registers the radar in the RadarRegistry
 * (phase "connecting") as soon as the stream starts.
 */
export const tcpRadarRecords = (options: TcpRadarOptions): Stream.Stream<RadarRecord, never, RadarRegistry> =>
  Stream.unwrap(
    Effect.gen(function*() {
      const registry = yield* RadarRegistry
      const { site } = options
      const address = `${options.host}:${options.port}`
      const annotate = Effect.annotateLogs({ site, address })

      const update = (f: (status: RadarStatus) => RadarStatus) => registry.update(site, f)
      const enter = (phase: RadarStatus["phase"], extra: Partial<RadarStatus> = {}) =>
        Effect.flatMap(
          Clock.currentTimeMillis,
          (now) => update((status) => ({ ...status, ...extra, phase, phaseSince: now }))
        )

      yield* registry.put({
        site,
        transport: "tcp",
        address,
        phase: "connecting",
        phaseSince: yield* Clock.currentTimeMillis,
        nextAttemptAt: undefined,
        connectedSince: undefined,
        lastRecordAt: undefined,
        counters: zeroCounters,
        lastError: undefined,
        // /health judges staleness by this radar's own limit.
        stallMs: Duration.toMillis(options.stall)
      })

      const stallMs = Duration.toMillis(options.stall)

      // Whether a connection was ever made: the next one is then a reconnection.
      let everConnected = false
      // Transmitter status and quality checks, across connections (time going backwards spans a reconnect).
      const watch = recordWatch()

      const fail = (reason: RadarConnectionError["reason"], detail: string) =>
        new RadarConnectionError({ site, address, reason, detail })

      const session = (control: SessionControl): Stream.Stream<RadarRecord, RadarConnectionError> =>
        Stream.unwrapScoped(
          Effect.gen(function*() {
            yield* enter("connecting", { nextAttemptAt: undefined })
            const socket = yield* connect(options, address)
            const connectedAt = yield* Clock.currentTimeMillis
            const reconnected = everConnected
            everConnected = true
            yield* update((status) => enterConnected(status, connectedAt, reconnected))
            yield* Effect.log("radar connected").pipe(annotate)
            const framer = new ConnexFramer(options.maxFrameBytes)
            let receiving = false
            let lastRecordOrConnect = connectedAt
            let lastBytes = connectedAt
            // One watchdog per connection, not a timer per read (Stream.timeoutFail starts and
            // cancels one for every chunk): it sleeps until the stall is due and looks again.
            const silence = Effect.gen(function*() {
              while (true) {
                const due = lastBytes + stallMs - (yield* Clock.currentTimeMillis)
                if (due <= 0) return yield* fail("Stalled", `no bytes for ${Duration.format(options.stall)}`)
                yield* Effect.sleep(Duration.millis(due))
              }
            })
            return NodeStream.fromReadable<RadarConnectionError, Uint8Array>(
              () => socket,
              (error) => fail("SocketError", errorText(error))
            ).pipe(
              Stream.concat(Stream.fail(fail("Closed", "the radar closed the connection"))),
              Stream.interruptWhen(silence),
              Stream.mapConcatEffect((chunk) =>
                Effect.gen(function*() {
                  const now = yield* Clock.currentTimeMillis
                  lastBytes = now
                  const tally: Tally = { frames: 0, records: 0, decodeErrors: 0, resyncs: 0, lastError: undefined }
                  const records = decodeChunk(framer, chunk, site, now, tally)
                  // Stale means no records: bytes trickling in that never make one do not keep the connection.
                  if (records.length > 0) lastRecordOrConnect = now
                  else if (now - lastRecordOrConnect > stallMs) {
                    return yield* fail("Stalled", `no records for ${Duration.format(options.stall)}`)
                  }
                  const firstRecords = records.length > 0 && !receiving
                  if (records.length > 0) {
                    receiving = true
                    yield* control.healthy
                  }
                  for (const record of records) watch.see(record)
                  yield* update((status) => ({
                    ...status,
                    phase: receiving ? "receiving" : status.phase,
                    phaseSince: firstRecords ? now : status.phaseSince,
                    lastRecordAt: records.length > 0 ? now : status.lastRecordAt,
                    counters: addTally(status.counters, tally, chunk.length),
                    lastError: tally.lastError ?? status.lastError,
                    ...watch.published()
                  }))
                  if (firstRecords) yield* Effect.log("radar receiving").pipe(annotate)
                  if (tally.lastError !== undefined) {
                    yield* Effect.logDebug(`bad bytes: ${tally.lastError}`).pipe(annotate)
                  }
                  return records
                })
              )
            )
          })
        )

      return reconnectLoop({
        policy: options.backoff,
        session,
        onLoss: ({ delay, error, now, reason }) =>
          Effect.gen(function*() {
            if (Option.exists(error, (e) => e.reason === "Stalled")) {
              yield* enter("stalled", { lastError: reason })
              yield* Effect.logWarning(`radar stalled: ${reason}`).pipe(annotate)
            }
            const failedAttempt = Option.exists(error, (e) => e.reason === "ConnectFailed")
            yield* update((status) => {
              const next = enterBackoff(status, now, Duration.toMillis(delay), reason)
              return failedAttempt
                ? { ...next, counters: { ...next.counters, failedAttempts: next.counters.failedAttempts + 1 } }
                : next
            })
            yield* Effect.logWarning(`radar down: ${reason}; next attempt in ${Duration.format(delay)}`).pipe(annotate)
          })
      })
    })
  )
