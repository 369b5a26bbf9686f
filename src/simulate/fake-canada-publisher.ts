/**
 * A fake SuperDARN Canada ZeroMQ publisher on 127.0.0.1, sending fitacf
 * records in any of the message forms the Canada actor accepts, on demand or
 * replayed at an interval, plus any raw frames a test wants to break it with.
 *
 * It is an XPUB socket so it can see subscriptions arrive: ZeroMQ drops what
 * a PUB sends before a subscriber's subscription has reached it, and tests
 * need to know when sending is no longer lost.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as SubscriptionRef from "effect/SubscriptionRef"
import * as zlib from "node:zlib"
import * as zmq from "zeromq"
import type { CanadaMessageForm } from "../actors/radar/canada-message-form.js"
import { recordToJson } from "../actors/radar/fitacf-json.js"
import { encodeRecord } from "../dmap/encode.js"
import { getScalar } from "../dmap/record.js"
import type { DmapRecord } from "../dmap/types.js"
import { siteOfStid } from "../domain/radar-table.js"
import { bzip2Compress, type Bzip2CompressError } from "./bzip2-compress.js"

/** The frames of one message carrying `record` in `form`; `site` names the aggregator topic. */
export const encodeCanadaMessage = (
  record: DmapRecord,
  form: CanadaMessageForm,
  site?: string
): Effect.Effect<ReadonlyArray<Uint8Array>, Bzip2CompressError> => {
  const text = new TextEncoder()
  switch (form) {
    case "aggregator": {
      const stid = Number(getScalar(record, "stid")?.value)
      const topic = site ?? siteOfStid(stid) ?? "tst"
      return Effect.succeed([text.encode(topic), zlib.deflateSync(encodeRecord(record))])
    }
    case "borealis":
      return Effect.map(bzip2Compress(encodeRecord(record)), (body) => [text.encode("fitacf/0"), body])
    case "bz2-dmap":
      return Effect.map(bzip2Compress(encodeRecord(record)), (body) => [body])
    case "zlib-json":
      return Effect.succeed([zlib.deflateSync(text.encode(JSON.stringify(recordToJson(record))))])
  }
}

export interface FakeCanadaPublisherOptions {
  /** Default 0: an ephemeral port. */
  readonly port?: number
  /** Records the replay loop sends, in order, in `form`. */
  readonly records?: ReadonlyArray<DmapRecord>
  readonly form?: CanadaMessageForm
  /** Replay period; without it nothing is sent except on demand. */
  readonly intervalMs?: number
  readonly loop?: boolean
}

export interface FakeCanadaPublisherHandle {
  readonly host: string
  readonly port: number
  /** `host:port`, as CANADA_ADDR takes it. */
  readonly address: string
  readonly send: (record: DmapRecord, form: CanadaMessageForm, site?: string) => Effect.Effect<void, Error>
  /** Sends any frames at all: garbage, truncated payloads, compression bombs. */
  readonly sendFrames: (frames: ReadonlyArray<Uint8Array>) => Effect.Effect<void, Error>
  /** Waits until at least `n` subscribers are subscribed. */
  readonly awaitSubscribers: (n: number) => Effect.Effect<void>
  /** Subscriptions received since start (a subscriber that reconnects counts again). */
  readonly subscriptions: Effect.Effect<number>
}

const HOST = "127.0.0.1"

export const makeFakeCanadaPublisher = (
  options: FakeCanadaPublisherOptions = {}
): Effect.Effect<FakeCanadaPublisherHandle, Error, Scope.Scope> =>
  Effect.gen(function*() {
    const socket = yield* Effect.acquireRelease(
      Effect.sync(() => {
        const pub = new zmq.XPublisher({ linger: 0 })
        pub.verbosity = "allSubsUnsubs"
        return pub
      }),
      (pub) => Effect.sync(() => pub.close())
    )
    yield* Effect.tryPromise({
      try: () => socket.bind(`tcp://${HOST}:${options.port === undefined || options.port === 0 ? "*" : options.port}`),
      catch: (error) => error as Error
    })
    const port = Number(/:(\d+)$/.exec(socket.lastEndpoint ?? "")?.[1])

    const counts = yield* SubscriptionRef.make({ live: 0, total: 0 })
    // Subscribe messages start with 1, unsubscribe messages with 0.
    yield* Effect.gen(function*() {
      for (;;) {
        const [message] = yield* Effect.tryPromise(() => socket.receive())
        const delta = message?.[0] === 1 ? 1 : -1
        yield* SubscriptionRef.update(counts, (c) => ({ live: c.live + delta, total: c.total + Math.max(0, delta) }))
      }
    }).pipe(Effect.ignore, Effect.forkScoped)

    // One send at a time: the socket refuses concurrent sends.
    const lock = yield* Effect.makeSemaphore(1)
    const sendFrames = (frames: ReadonlyArray<Uint8Array>) =>
      lock.withPermits(1)(
        Effect.tryPromise({ try: () => socket.send(frames as Array<Uint8Array>), catch: (e) => e as Error })
      )
    const send = (record: DmapRecord, form: CanadaMessageForm, site?: string) =>
      Effect.flatMap(encodeCanadaMessage(record, form, site), sendFrames)
    const awaitSubscribers = (n: number) =>
      counts.changes.pipe(Stream.filter((c) => c.live >= n), Stream.runHead, Effect.asVoid)

    const records = options.records ?? []
    if (options.intervalMs !== undefined && records.length > 0) {
      const interval = options.intervalMs
      const form = options.form ?? "aggregator"
      yield* Effect.gen(function*() {
        let i = 0
        while (i < records.length) {
          yield* awaitSubscribers(1)
          yield* send(records[i]!, form)
          i = options.loop === true && i + 1 === records.length ? 0 : i + 1
          yield* Effect.sleep(interval)
        }
      }).pipe(Effect.forkScoped)
    }

    return {
      host: HOST,
      port,
      address: `${HOST}:${port}`,
      send,
      sendFrames,
      awaitSubscribers,
      subscriptions: Effect.map(SubscriptionRef.get(counts), (c) => c.total)
    } satisfies FakeCanadaPublisherHandle
  })

/** The fake publisher as a service, for tests that need exactly one. */
export class FakeCanadaPublisher extends Context.Tag("superdarn-hub/FakeCanadaPublisher")<
  FakeCanadaPublisher,
  FakeCanadaPublisherHandle
>() {
  static readonly layer = (options: FakeCanadaPublisherOptions = {}): Layer.Layer<FakeCanadaPublisher, Error> =>
    Layer.scoped(FakeCanadaPublisher, makeFakeCanadaPublisher(options))
}
