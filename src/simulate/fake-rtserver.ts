/**
 * A fake RST/ROS `rtserver`: a TCP server that writes fitacf records to every
 * connected client in connex frames, like a radar's realtime port. Tests drive
 * it record by record (`send`) and break it on purpose (`inject`, `refuse`);
 * the `simulate` command replays a file with it at a fixed interval.
 *
 * Like the real server it broadcasts: a record goes to whoever is connected at
 * that moment. The replay loop waits for a client before each record, so a
 * replay is never consumed by an empty room.
 */
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Runtime from "effect/Runtime"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as SubscriptionRef from "effect/SubscriptionRef"
import * as net from "node:net"
import { encodeRecord } from "../dmap/encode.js"
import type { DmapRecord } from "../dmap/types.js"
import { CONNEX_HEADER_BYTES, CONNEX_MAGIC, connexFrame } from "../streams/connex-framer.js"
import { restampRecord } from "./fitacf-file.js"

/** Damage done to the byte stream of every connected client, once, now. */
export type RtServerFault =
  /** Bytes that are not a frame, written between two frames. */
  | { readonly _tag: "Garbage"; readonly bytes: Uint8Array }
  /** A frame header and only the first half of its payload, as after a dropped buffer. */
  | { readonly _tag: "CutFrame"; readonly record: DmapRecord }
  /** A magic and a length far above any cap, with no payload. */
  | { readonly _tag: "AbsurdLength"; readonly length: number }
  /** A clean close (EOF) of every connection. */
  | { readonly _tag: "Disconnect" }
  /** The current connections stay open but receive nothing more. */
  | { readonly _tag: "Stall" }

export interface FakeRtServerOptions {
  /** Default 127.0.0.1. */
  readonly host?: string
  /** Default 0: an ephemeral port. */
  readonly port?: number
  /** Records the replay loop sends, in order. */
  readonly records?: ReadonlyArray<DmapRecord>
  /** Replay period; without it nothing is sent except on demand. */
  readonly intervalMs?: number
  /** Start again at the first record after the last. */
  readonly loop?: boolean
  /** Re-stamp each record with the current UTC time as it is sent (`--now`). */
  readonly restamp?: boolean
  /** Close each connection cleanly after it has received this many records. */
  readonly disconnectAfter?: number
  /** Reserve the port but refuse connections until `accept` is called. */
  readonly refuseAtStart?: boolean
}

export interface FakeRtServerHandle {
  readonly host: string
  readonly port: number
  /** Frames and writes one record to every live client; succeeds with how many got it. */
  readonly send: (record: DmapRecord) => Effect.Effect<number>
  /** Frames and writes raw payload bytes, valid DMAP or not. */
  readonly sendPayload: (payload: Uint8Array) => Effect.Effect<number>
  readonly inject: (fault: RtServerFault) => Effect.Effect<void>
  /** Stops listening (connections are refused) and closes every connection. */
  readonly refuse: Effect.Effect<void, Error>
  /** Listens again on the same port. */
  readonly accept: Effect.Effect<void, Error>
  /** Connections accepted since start. */
  readonly accepted: Effect.Effect<number>
  /** Waits until at least `n` connections have been accepted since start. */
  readonly awaitAccepted: (n: number) => Effect.Effect<void>
  /** Waits until at least `n` clients are connected and not stalled. */
  readonly awaitClients: (n: number) => Effect.Effect<void>
  /** Completes when a replay without `loop` has sent its last record. */
  readonly replayDone: Effect.Effect<void>
}

interface Client {
  readonly socket: net.Socket
  sent: number
  stalled: boolean
}

interface Counts {
  readonly accepted: number
  readonly live: number
}

const listen = (server: net.Server, port: number, host: string): Effect.Effect<number, Error> =>
  Effect.async<number, Error>((resume) => {
    const onError = (error: Error) => resume(Effect.fail(error))
    server.once("error", onError)
    server.listen(port, host, () => {
      server.off("error", onError)
      resume(Effect.succeed((server.address() as net.AddressInfo).port))
    })
  })

const close = (server: net.Server): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    if (!server.listening) return resume(Effect.void)
    server.close(() => resume(Effect.void))
  })

export const makeFakeRtServer = (
  options: FakeRtServerOptions = {}
): Effect.Effect<FakeRtServerHandle, Error, Scope.Scope> =>
  Effect.gen(function*() {
    const host = options.host ?? "127.0.0.1"
    const runtime = yield* Effect.runtime<never>()
    const runSync = Runtime.runSync(runtime)
    const counts = yield* SubscriptionRef.make<Counts>({ accepted: 0, live: 0 })
    const clients = new Set<Client>()

    const recount = SubscriptionRef.update(counts, (c) => ({
      accepted: c.accepted,
      live: [...clients].filter((client) => !client.stalled).length
    }))

    const server = net.createServer((socket) => {
      const client: Client = { socket, sent: 0, stalled: false }
      clients.add(client)
      // A client that resets its side must not crash the process.
      socket.on("error", () => socket.destroy())
      socket.on("close", () => {
        clients.delete(client)
        runSync(recount)
      })
      runSync(
        SubscriptionRef.update(counts, (c) => ({ accepted: c.accepted + 1, live: c.live })).pipe(
          Effect.zipRight(recount)
        )
      )
    })

    const dropClients = Effect.sync(() => {
      for (const client of clients) client.socket.destroy()
    })

    yield* Effect.addFinalizer(() => Effect.zipRight(dropClients, close(server)))
    const port = yield* listen(server, options.port ?? 0, host)
    if (options.refuseAtStart === true) yield* close(server)

    const write = (bytes: Uint8Array, countsAsRecord: boolean) =>
      Effect.sync(() => {
        let written = 0
        for (const client of clients) {
          if (client.stalled || client.socket.writableEnded) continue
          client.socket.write(bytes)
          written++
          if (!countsAsRecord) continue
          client.sent++
          if (options.disconnectAfter !== undefined && client.sent >= options.disconnectAfter) client.socket.end()
        }
        return written
      })

    const sendPayload = (payload: Uint8Array) => write(connexFrame(payload), true)

    const send = (record: DmapRecord) =>
      Effect.suspend(() =>
        sendPayload(encodeRecord(options.restamp === true ? restampRecord(record, Date.now()) : record))
      )

    const inject = (fault: RtServerFault): Effect.Effect<void> => {
      switch (fault._tag) {
        case "Garbage":
          return Effect.asVoid(write(fault.bytes, false))
        case "CutFrame": {
          const frame = connexFrame(encodeRecord(fault.record))
          const cut = CONNEX_HEADER_BYTES + Math.floor((frame.length - CONNEX_HEADER_BYTES) / 2)
          return Effect.asVoid(write(frame.subarray(0, cut), false))
        }
        case "AbsurdLength": {
          const header = new Uint8Array(CONNEX_HEADER_BYTES)
          header.set(CONNEX_MAGIC, 0)
          new DataView(header.buffer).setUint32(4, fault.length, true)
          return Effect.asVoid(write(header, false))
        }
        case "Disconnect":
          return Effect.sync(() => {
            for (const client of clients) client.socket.end()
          })
        case "Stall":
          return Effect.sync(() => {
            for (const client of clients) client.stalled = true
          }).pipe(Effect.zipRight(recount))
      }
    }

    const awaitCounts = (ok: (c: Counts) => boolean) =>
      counts.changes.pipe(Stream.filter(ok), Stream.runHead, Effect.asVoid)

    const replayDone = yield* Deferred.make<void>()
    const records = options.records ?? []
    if (options.intervalMs !== undefined && records.length > 0) {
      const interval = options.intervalMs
      yield* Effect.gen(function*() {
        let i = 0
        while (i < records.length) {
          yield* awaitCounts((c) => c.live > 0)
          yield* send(records[i]!)
          i = options.loop === true && i + 1 === records.length ? 0 : i + 1
          yield* Effect.sleep(interval)
        }
        yield* Deferred.succeed(replayDone, undefined)
      }).pipe(Effect.forkScoped)
    }

    return {
      host,
      port,
      send,
      sendPayload,
      inject,
      refuse: Effect.zipRight(dropClients, close(server)),
      accept: Effect.suspend(() => (server.listening ? Effect.void : Effect.asVoid(listen(server, port, host)))),
      accepted: Effect.map(SubscriptionRef.get(counts), (c) => c.accepted),
      awaitAccepted: (n: number) => awaitCounts((c) => c.accepted >= n),
      awaitClients: (n: number) => awaitCounts((c) => c.live >= n),
      replayDone: Deferred.await(replayDone)
    } satisfies FakeRtServerHandle
  })

/** The fake server as a service, for tests that need exactly one. */
export class FakeRtServer extends Context.Tag("superdarn-hub/FakeRtServer")<FakeRtServer, FakeRtServerHandle>() {
  static readonly layer = (options: FakeRtServerOptions = {}): Layer.Layer<FakeRtServer, Error> =>
    Layer.scoped(FakeRtServer, makeFakeRtServer(options))
}
