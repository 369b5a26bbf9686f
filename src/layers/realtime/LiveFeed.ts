/**
 * The Socket.IO live feed: every record from the hub becomes one packet,
 * broadcast as event `<site>` to the clients that get that site.
 *
 * Rooms. A client that never subscribes sits in the every-site room, as with
 * the old server. `subscribe` moves it to one room per chosen site;
 * `unsubscribe` leaves rooms, and a client left with no site returns to the
 * every-site room. A broadcast goes to the union of the every-site room and
 * the site's room, so Socket.IO encodes the packet (and its WebSocket frame)
 * once and every client shares the bytes.
 *
 * Slow clients. Socket.IO buffers without limit for a client that does not
 * read. Volatile emits would bound that, but they also skip healthy clients
 * whenever two packets leave in the same tick (the transport is "not
 * writable" until the previous write's callback), and they starve polling
 * clients between polls. Instead broadcasts exclude the clients whose
 * engine.io buffer already holds `maxClientBacklog` packets: a stalled client
 * costs at most that backlog plus one batch, misses packets while stalled
 * (counted in `superdarn_hub_packets_dropped_total`), and gets packets again
 * once it has read its backlog.
 */
import { Context, Effect, Either, Layer, Metric, MetricBoundaries, Queue, Runtime, Schema } from "effect"
import type { Scope } from "effect"
import type { Socket } from "socket.io"
import { radarList } from "../../domain/radar-list.js"
import type { RadarRecord } from "../../domain/radar-record.js"
import { radarTable } from "../../domain/radar-table.js"
import { type LivePacket, livePacket } from "../../streams/live-packet.js"
import { HttpServer } from "../platform/HttpServer.js"
import { Hub } from "./Hub.js"
import { RadarRegistry } from "./RadarRegistry.js"

export interface LiveFeedOptions {
  /** The feed's buffer in the hub (records); the oldest slide out if emitting falls behind. */
  readonly consumerCapacity: number
  /** Packets a client may have waiting before broadcasts skip it. */
  readonly maxClientBacklog: number
}

export const defaultLiveFeedOptions: LiveFeedOptions = {
  // A live packet seconds late is worth less than a fresh one: when the feed
  // falls behind (more clients than the CPU can serve), the oldest records
  // slide out (counted by the hub) instead of piling up latency and memory.
  // 256 records is over a second at 200 records/s.
  consumerCapacity: 256,
  // 64 packets: over a second of every radar at once, and enough for a polling client
  // with a slow link to collect between two polls at 200 records/s.
  maxClientBacklog: 64
}

/** The hub consumer name of the feed, as it appears in consumer statistics. */
export const LIVE_FEED_CONSUMER = "live-feed"

const EVERY_SITE_ROOM = "sites:*"
const siteRoom = (site: string): string => `site:${site}`
const SITE_ROOM_PREFIX = "site:"

/**
 * Records emitted per step of the feed fiber. A step blocks the event loop
 * for records × clients socket writes (about 15 µs each on loopback), so the
 * step shrinks as clients grow: about DELIVERIES_PER_STEP writes, at least one
 * record, at most MAX_EMIT_BATCH. Radar sockets and new clients get a turn
 * between steps; with few clients, larger steps spend less time switching.
 */
export const MAX_EMIT_BATCH = 64
const DELIVERIES_PER_STEP = 2048
const recordsPerStep = (clients: number): number =>
  Math.min(MAX_EMIT_BATCH, Math.max(1, Math.floor(DELIVERIES_PER_STEP / Math.max(1, clients))))

/** Resumes after pending I/O callbacks (socket write completions) have run. */
const turnOfEventLoop = Effect.async<void>((resume) => {
  const immediate = setImmediate(() => resume(Effect.void))
  return Effect.sync(() => clearImmediate(immediate))
})

const packetsEmitted = Metric.counter("superdarn_hub_packets_emitted_total", {
  description: "Live packets broadcast to Socket.IO clients (one per record)",
  incremental: true
})
const packetsDropped = Metric.counter("superdarn_hub_packets_dropped_total", {
  description: "Deliveries to a client (packets and site events) skipped because it had too much waiting",
  incremental: true
})
const packetsRefused = Metric.counter("superdarn_hub_packets_refused_total", {
  description: "Records that could not become a live packet (corrupt fields)",
  incremental: true
})
const radarToEmitLatency = Metric.histogram(
  "superdarn_hub_radar_to_emit_latency_seconds",
  MetricBoundaries.exponential({ start: 0.0005, factor: 2, count: 14 }),
  "Time from a record's arrival from its radar to its broadcast"
)
const socketClients = Metric.gauge("superdarn_hub_socket_clients", {
  description: "Connected Socket.IO clients"
})

/** A counter per site, tagged once rather than on every record. */
const perSite = (counter: Metric.Metric.Counter<number>) => {
  const bySite = new Map<string, Metric.Metric.Counter<number>>()
  return (site: string) => {
    let tagged = bySite.get(site)
    if (tagged === undefined) {
      tagged = Metric.tagged(counter, "site", site)
      bySite.set(site, tagged)
    }
    return tagged
  }
}

/** A site code as clients send it: case-insensitive letters and digits. */
const SiteCode = Schema.Lowercase.pipe(Schema.pattern(/^[a-z][a-z0-9]{1,7}$/, { message: () => "is not a site code" }))
const SiteList = Schema.Union(
  SiteCode.pipe(Schema.transform(Schema.Array(Schema.String), { decode: (s) => [s], encode: (a) => a[0] ?? "" })),
  Schema.Array(SiteCode).pipe(Schema.maxItems(256))
)
const decodeSites = Schema.decodeUnknownEither(SiteList)
const decodeOptionalSites = Schema.decodeUnknownEither(Schema.UndefinedOr(SiteList))

type Ack = (response: unknown) => void

/** Socket.IO hands the optional acknowledgement callback as the last argument. */
const requestOf = (args: ReadonlyArray<unknown>): { readonly payload: unknown; readonly ack: Ack | undefined } => {
  const last = args[args.length - 1]
  return typeof last === "function"
    ? { payload: args.length > 1 ? args[0] : undefined, ack: last as Ack }
    : { payload: args[0], ack: undefined }
}

/** engine.io keeps a client's queued packets in a field its types mark private. */
interface EngineConnection {
  readonly writeBuffer: ReadonlyArray<unknown>
}
const backlogOf = (socket: Socket): number => (socket.conn as unknown as EngineConnection).writeBuffer.length

const subscribedSites = (socket: Socket): Array<string> => {
  const sites: Array<string> = []
  for (const room of socket.rooms) {
    if (room.startsWith(SITE_ROOM_PREFIX)) sites.push(room.slice(SITE_ROOM_PREFIX.length))
  }
  return sites.sort()
}

export interface LiveFeedService {
  /** Sends `event` to the clients that get `site` (same rooms and slow-client rule as packets). */
  readonly emitSiteEvent: (site: string, event: string, payload: unknown) => Effect.Effect<void>
  readonly clientCount: Effect.Effect<number>
  /** The latest packet of each site, as a client asking `latest` gets it. */
  readonly latestPackets: Effect.Effect<ReadonlyMap<string, LivePacket>>
}

const makeLiveFeed = (options: LiveFeedOptions) =>
  Effect.gen(function*(): Effect.fn.Return<LiveFeedService, never, HttpServer | Hub | RadarRegistry | Scope.Scope> {
    const { io } = yield* HttpServer
    const hub = yield* Hub
    const registry = yield* RadarRegistry
    const table = radarTable()
    const runtime = yield* Effect.runtime<never>()
    const runFork = Runtime.runFork(runtime)
    const sockets = io.of("/").sockets
    const latest = new Map<string, LivePacket>()
    const emittedFor = perSite(packetsEmitted)
    const droppedFor = perSite(packetsDropped)
    const refusedFor = perSite(packetsRefused)

    /** Clients whose backlog is full, decided once per batch (see the batch loop below). */
    const slowClients = (): ReadonlyArray<Socket> => {
      const slow: Array<Socket> = []
      for (const socket of sockets.values()) {
        if (backlogOf(socket) >= options.maxClientBacklog) slow.push(socket)
      }
      return slow
    }

    /** Sends to the site's audience except the slow clients; returns how many of the audience were skipped. */
    const broadcast = (slow: ReadonlyArray<Socket>, site: string, event: string, payload: unknown): number => {
      const room = siteRoom(site)
      const audience = io.to([EVERY_SITE_ROOM, room])
      if (slow.length === 0) {
        audience.emit(event, payload)
        return 0
      }
      audience.except(slow.map((socket) => socket.id)).emit(event, payload)
      let skipped = 0
      for (const socket of slow) {
        if (socket.rooms.has(EVERY_SITE_ROOM) || socket.rooms.has(room)) skipped++
      }
      return skipped
    }

    const emitRecord = (slow: ReadonlyArray<Socket>, record: RadarRecord) =>
      Either.match(livePacket(record), {
        onLeft: (error) =>
          Effect.zipRight(Metric.increment(refusedFor(record.site)), Effect.logWarning(error.message)).pipe(
            Effect.annotateLogs("site", record.site)
          ),
        onRight: (packet) =>
          Effect.suspend(() => {
            latest.set(record.site, packet)
            const skipped = broadcast(slow, record.site, record.site, packet)
            return Effect.all([
              Metric.increment(emittedFor(record.site)),
              Metric.update(radarToEmitLatency, Math.max(0, Date.now() - record.receivedAt) / 1000),
              skipped === 0 ? Effect.void : Metric.incrementBy(droppedFor(record.site), skipped)
            ], { discard: true })
          })
      })

    const respond = (socket: Socket, event: string, ack: Ack | undefined, response: unknown) =>
      Effect.sync(() => (ack === undefined ? socket.emit(event, response) : ack(response)))

    const refuse = (socket: Socket, event: string, ack: Ack | undefined, reason: string) =>
      respond(socket, "request_error", ack, { ok: false, event, error: reason })

    const onSubscribe = (socket: Socket, args: ReadonlyArray<unknown>) => {
      const { ack, payload } = requestOf(args)
      return Either.match(decodeSites(payload), {
        onLeft: (error) => refuse(socket, "subscribe", ack, error.message),
        onRight: (sites) =>
          Effect.suspend(() => {
            void socket.leave(EVERY_SITE_ROOM)
            void socket.join(sites.map(siteRoom))
            return ack === undefined ? Effect.void : respond(socket, "subscribe", ack, { ok: true, sites: subscribedSites(socket) })
          })
      })
    }

    const onUnsubscribe = (socket: Socket, args: ReadonlyArray<unknown>) => {
      const { ack, payload } = requestOf(args)
      return Either.match(decodeOptionalSites(payload), {
        onLeft: (error) => refuse(socket, "unsubscribe", ack, error.message),
        onRight: (sites) =>
          Effect.suspend(() => {
            for (const site of sites ?? subscribedSites(socket)) void socket.leave(siteRoom(site))
            const remaining = subscribedSites(socket)
            if (remaining.length === 0) void socket.join(EVERY_SITE_ROOM)
            return ack === undefined ? Effect.void : respond(socket, "unsubscribe", ack, { ok: true, sites: remaining })
          })
      })
    }

    const onLatest = (socket: Socket, args: ReadonlyArray<unknown>) => {
      const { ack, payload } = requestOf(args)
      return Either.match(decodeOptionalSites(payload), {
        onLeft: (error) => refuse(socket, "latest", ack, error.message),
        onRight: (sites) =>
          Effect.suspend(() => {
            const sent: Array<string> = []
            // Without a list: the sites this client gets.
            const subscribed = subscribedSites(socket)
            const wanted = sites ?? (subscribed.length > 0 ? subscribed : [...latest.keys()].sort())
            for (const site of wanted) {
              const packet = latest.get(site)
              if (packet === undefined) continue
              socket.emit(site, packet)
              sent.push(site)
            }
            return ack === undefined ? Effect.void : respond(socket, "latest", ack, { ok: true, sites: sent })
          })
      })
    }

    const onRadars = (socket: Socket, args: ReadonlyArray<unknown>) => {
      const { ack } = requestOf(args)
      return Effect.flatMap(registry.snapshot, (statuses) => {
        const radars = radarList(statuses, (site) => table.byCode.get(site))
        socket.emit("radars", radars)
        return ack === undefined ? Effect.void : respond(socket, "radars", ack, { ok: true, radars: radars.length })
      })
    }

    const handlers: ReadonlyArray<readonly [string, (socket: Socket, args: ReadonlyArray<unknown>) => Effect.Effect<void>]> = [
      ["subscribe", onSubscribe],
      ["unsubscribe", onUnsubscribe],
      ["latest", onLatest],
      ["radars", onRadars]
    ]

    // Socket.IO calls these outside any fiber; each request runs as its own
    // effect, so a failure is logged for that client and never thrown into
    // Socket.IO's event emitter (which would end the process).
    const onConnection = (socket: Socket) => {
      void socket.join(EVERY_SITE_ROOM)
      runFork(Metric.set(socketClients, sockets.size))
      socket.on("disconnect", () => runFork(Metric.set(socketClients, sockets.size)))
      for (const [event, handle] of handlers) {
        socket.on(event, (...args: Array<unknown>) =>
          runFork(handle(socket, args).pipe(Effect.annotateLogs({ client: socket.id, event }))))
      }
    }
    yield* Effect.acquireRelease(
      Effect.sync(() => io.on("connection", onConnection)),
      () => Effect.sync(() => io.off("connection", onConnection))
    )

    const records = yield* hub.subscribe(LIVE_FEED_CONSUMER, options.consumerCapacity)
    // Within a batch every client's writes pile up in its engine.io buffer:
    // a socket write completes only on a later turn of the event loop. So
    // slowness is judged before each batch, and the loop hands the event loop
    // a turn after it, when healthy clients' writes complete and their
    // buffers drain. A client's backlog stays below maxClientBacklog + one batch.
    yield* Effect.suspend(() => Queue.takeBetween(records, 1, recordsPerStep(sockets.size))).pipe(
      Effect.flatMap((batch) => {
        const slow = slowClients()
        return Effect.forEach(batch, (record) => emitRecord(slow, record), { discard: true })
      }),
      Effect.zipRight(turnOfEventLoop),
      Effect.forever,
      Effect.forkScoped
    )

    return {
      emitSiteEvent: Effect.fn("LiveFeed.emitSiteEvent")(function*(site: string, event: string, payload: unknown) {
        const skipped = broadcast(slowClients(), site, event, payload)
        if (skipped > 0) yield* Metric.incrementBy(droppedFor(site), skipped)
      }),
      clientCount: Effect.sync(() => sockets.size),
      latestPackets: Effect.sync((): ReadonlyMap<string, LivePacket> => new Map(latest))
    }
  })

export class LiveFeed extends Context.Tag("superdarn-hub/LiveFeed")<LiveFeed, LiveFeedService>() {
  static readonly layer = (options: Partial<LiveFeedOptions> = {}) =>
    Layer.scoped(LiveFeed, makeLiveFeed({ ...defaultLiveFeedOptions, ...options }))
  static readonly Default = LiveFeed.layer()
}
