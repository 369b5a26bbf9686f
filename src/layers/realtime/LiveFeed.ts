/**
 * The Socket.IO live feed: every record from the hub becomes one packet,
 * sent as event `<site>` to the clients that get that site.
 *
 * Audience. A client that never subscribes gets every site, as with the old
 * server. `subscribe` limits it to the sites listed; `unsubscribe` removes
 * sites, and a client left with none gets every site again.
 *
 * Fan-out at the cost of the write. Each packet is encoded once, into the
 * WebSocket frame `socket.emit(site, packet)` would send (see live-frame.ts);
 * every client, `latest` and the history share that buffer. The feed takes
 * the records that arrive within `coalesceMs` as one step and writes each
 * client everything due to it in one write (see live-client.ts): per packet
 * and client there is no encoding, no Socket.IO or Engine.IO bookkeeping,
 * and a system call only per step.
 *
 * Budgets. Every byte queued for a client counts against `clientByteBudget`:
 * over it the client's oldest waiting packets are dropped (counted in
 * `superdarn_hub_packets_dropped_total`), replies are refused with a short
 * error, and a client that stays over for `maxOverBudgetMs` is disconnected.
 * Requests are bounded in size (Engine.IO's `maxHttpBufferSize`, site lists
 * no longer than the hub's known sites) and in rate (a token bucket per
 * client); refusals say what was expected, never echoing the input.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Runtime from "effect/Runtime"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import type { Socket } from "socket.io"
import { radarList } from "../../domain/radar-list.js"
import type { RadarRecord } from "../../domain/radar-record.js"
import { radarTable } from "../../domain/radar-table.js"
import { type LivePacket, livePacket } from "../../streams/live-packet.js"
import { HttpServer } from "../platform/HttpServer.js"
import { HardwareTables } from "./HardwareTables.js"
import { checkHistoryRequest } from "./history-request.js"
import { History } from "./History.js"
import { Hub } from "./Hub.js"
import { type ClientLimits, type DeliveryOutcome, FrameBatch, LiveClient, type WriteTally } from "./live-client.js"
import { eventFrame, frameJson, type LiveFrame, PreEncodedJson, sendsPreEncodedJson } from "./live-frame.js"
import { RadarRegistry } from "./RadarRegistry.js"

export interface LiveFeedOptions {
  /** The feed's buffer in the hub (records); the oldest slide out if emitting falls behind. */
  readonly consumerCapacity: number
  /** Bytes that may be queued for one client (packets and replies) before its oldest packets are dropped. */
  readonly clientByteBudget: number
  /** A client still over its budget after this long is disconnected. */
  readonly maxOverBudgetMs: number
  /** Records arriving within this window after the first go out in one write per client. */
  readonly coalesceMs: number
  /** Requests a client may send at once, and per second after that. */
  readonly requestBurst: number
  readonly requestsPerSecond: number
  /** Payload bytes of one history answer at most; the rest is had by asking again from the last packet's time. */
  readonly maxHistoryReplyBytes: number
}

export const defaultLiveFeedOptions: LiveFeedOptions = {
  // A live packet seconds late is worth less than a fresh one: when the feed
  // falls behind (more clients than the CPU can serve), the oldest records
  // slide out (counted by the hub) instead of piling up latency and memory.
  // 256 records is over a second at 200 records/s.
  consumerCapacity: 256,
  // About 2 MiB: 10-20 s of every radar at once (40 radars, a few kB a
  // packet), and room for one full history answer. The frames are shared, so
  // a stalled client costs references, not copies.
  clientByteBudget: 2 * 1024 * 1024,
  maxOverBudgetMs: 30_000,
  // A few ms add little latency and let records arriving together share one write.
  coalesceMs: 4,
  requestBurst: 20,
  requestsPerSecond: 10,
  maxHistoryReplyBytes: 1024 * 1024
}

/** The hub consumer name of the feed, as it appears in consumer statistics. */
export const LIVE_FEED_CONSUMER = "live-feed"

/** Records taken in one step at most: bounds the event loop's time per step. */
export const MAX_EMIT_BATCH = 256

/** Resumes after pending I/O callbacks (socket write completions) have run. */
const turnOfEventLoop = Effect.async<void>((resume) => {
  const immediate = setImmediate(() => resume(Effect.void))
  return Effect.sync(() => clearImmediate(immediate))
})

const packetsEmitted = Metric.counter("superdarn_hub_packets_emitted_total", {
  description: "Live packets broadcast to Socket.IO clients (one per record)",
  incremental: true
})
const clientWrites = Metric.counter("superdarn_hub_client_writes_total", {
  description: "Writes of live packets to client sockets (packets due to a client at once share one write)",
  incremental: true
})
const packetsDropped = Metric.counter("superdarn_hub_packets_dropped_total", {
  description: "Deliveries to a client (packets and site events) dropped because it had too many bytes waiting",
  incremental: true
})
const packetsRefused = Metric.counter("superdarn_hub_packets_refused_total", {
  description: "Records that could not become a live packet (corrupt fields)",
  incremental: true
})
const requestsRefused = Metric.counter("superdarn_hub_client_requests_refused_total", {
  description: "Client requests refused (malformed, too large, too frequent, or a reply over the client's byte budget)",
  incremental: true
})
const clientsDisconnected = Metric.counter("superdarn_hub_clients_over_budget_disconnected_total", {
  description: "Clients disconnected because they stayed over their byte budget",
  incremental: true
})
const radarToEmitLatency = Metric.histogram(
  "superdarn_hub_radar_to_emit_latency_seconds",
  MetricBoundaries.exponential({ start: 0.0005, factor: 2, count: 14 }),
  "Time from a record's arrival from its radar to its broadcast"
)
export const socketClients = Metric.gauge("superdarn_hub_socket_clients", {
  description: "Connected Socket.IO clients"
})

/** A counter per tag value, tagged once rather than on every record. */
const perTag = (counter: Metric.Metric.Counter<number>, key: string) => {
  const byValue = new Map<string, Metric.Metric.Counter<number>>()
  return (value: string) => {
    let tagged = byValue.get(value)
    if (tagged === undefined) {
      tagged = Metric.tagged(counter, key, value)
      byValue.set(value, tagged)
    }
    return tagged
  }
}

/** A site code as clients send it: case-insensitive letters and digits. */
const SiteCode = Schema.Lowercase.pipe(Schema.pattern(/^[a-z][a-z0-9]{1,7}$/))
const SiteList = Schema.Union(
  SiteCode.pipe(Schema.transform(Schema.Array(Schema.String), { decode: (s) => [s], encode: (a) => a[0] ?? "" })),
  Schema.Array(SiteCode)
)
const decodeSites = Schema.decodeUnknownEither(SiteList)
const SITES_EXPECTED = "expected a site code or a list of site codes (2-8 letters and digits)"

type Ack = (response: unknown) => void

/** Socket.IO hands the optional acknowledgement callback as the last argument. */
const requestOf = (args: ReadonlyArray<unknown>): { readonly payload: unknown; readonly ack: Ack | undefined } => {
  const last = args[args.length - 1]
  return typeof last === "function"
    ? { payload: args.length > 1 ? args[0] : undefined, ack: last as Ack }
    : { payload: args[0], ack: undefined }
}

/** Record time of a packet, epoch ms, from its ISO text (`...ffffffZ`). */
const packetTime = (packet: LivePacket): number => Date.parse(packet.time_iso)

/** A refusal is small; its size for the budget check. */
const REFUSAL_BYTES = 256

export interface LiveFeedService {
  /** Sends `event` to the clients that get `site` (same audience and budget as packets). */
  readonly emitSiteEvent: (site: string, event: string, payload: unknown) => Effect.Effect<void>
  readonly clientCount: Effect.Effect<number>
  /** The latest packet of each site, as a client asking `latest` gets it. */
  readonly latestPackets: Effect.Effect<ReadonlyMap<string, LivePacket>>
  /** Bytes queued for each client now (waiting here, in its socket and in Engine.IO), by Socket.IO id. */
  readonly clientBacklogs: Effect.Effect<ReadonlyMap<string, number>>
}

const makeLiveFeed = (options: LiveFeedOptions) =>
  Effect.gen(
    function*(): Effect.fn.Return<LiveFeedService, never, HttpServer | Hub | RadarRegistry | History | Scope.Scope> {
      const { io } = yield* HttpServer
      const hub = yield* Hub
      const registry = yield* RadarRegistry
      const history = yield* History
      const table = radarTable()
      // Radar positions for the radars event, when the server has the hardware tables.
      const hardware = Option.getOrUndefined(yield* Effect.serviceOption(HardwareTables))
      const runtime = yield* Effect.runtime<never>()
      const runFork = Runtime.runFork(runtime)
      const limits: ClientLimits = options
      const clients = new Map<string, LiveClient>()
      const tally: WriteTally = { writes: 0 }
      let writesCounted = 0
      /** Socket writes since the last call, for the writes counter. */
      const newWrites = () => {
        const writes = tally.writes - writesCounted
        writesCounted = tally.writes
        return writes
      }
      /** The latest packet of each site, and its frame. */
      const latest = new Map<string, { readonly packet: LivePacket; readonly frame: LiveFrame }>()
      const emittedFor = perTag(packetsEmitted, "site")
      const droppedFor = perTag(packetsDropped, "site")
      const refusedFor = perTag(packetsRefused, "site")
      const requestRefusedFor = perTag(requestsRefused, "event")

      yield* Effect.sync(() => sendsPreEncodedJson(io))

      /** Sites a request may name at most: the hub's known sites. */
      const knownSiteCount = () => Math.max(table.byCode.size, registry.size(), latest.size)
      const isKnownSite = (site: string) => table.byCode.has(site) || registry.has(site) || latest.has(site)

      /** Counts what a delivery dropped, and disconnects a client that stayed over its budget. */
      const settle = (client: LiveClient, outcome: DeliveryOutcome, dropped: Map<string, number>) => {
        if (outcome.dropped !== undefined) {
          for (const event of outcome.dropped) {
            const site = event.split("/")[0]!
            dropped.set(site, (dropped.get(site) ?? 0) + 1)
          }
        }
        if (outcome.disconnect) {
          client.clear()
          client.socket.disconnect(true)
          runFork(Effect.zipRight(
            Metric.increment(clientsDisconnected),
            Effect.logWarning("client disconnected: over its byte budget for too long").pipe(
              Effect.annotateLogs({ client: client.socket.id, budget_bytes: options.clientByteBudget })
            )
          ))
        }
      }

      const countDropped = (dropped: Map<string, number>) =>
        dropped.size === 0
          ? Effect.void
          : Effect.forEach(dropped, ([site, count]) => Metric.incrementBy(droppedFor(site), count), { discard: true })

      /** Writes the batch to every client that gets any of its sites. */
      const deliver = (batch: FrameBatch): Map<string, number> => {
        const dropped = new Map<string, number>()
        const now = Date.now()
        for (const client of clients.values()) {
          const outcome = client.deliver(batch, now)
          if (outcome.dropped !== undefined || outcome.disconnect) settle(client, outcome, dropped)
        }
        return dropped
      }

      const encodeRecords = (records: Iterable<RadarRecord>) =>
        Effect.suspend(() => {
          const frames: Array<LiveFrame> = []
          const sites: Array<string> = []
          const refused: Array<Effect.Effect<void>> = []
          for (const record of records) {
            const built = livePacket(record)
            if (Either.isLeft(built)) {
              refused.push(
                Effect.zipRight(Metric.increment(refusedFor(record.site)), Effect.logWarning(built.left.message)).pipe(
                  Effect.annotateLogs("site", record.site)
                )
              )
              continue
            }
            const packet = built.right
            const frame = eventFrame(record.site, JSON.stringify(packet))
            latest.set(record.site, { packet, frame })
            history.add(record.site, packetTime(packet), record.receivedAt, frame)
            frames.push(frame)
            sites.push(record.site)
          }
          return Effect.as(Effect.all(refused, { discard: true }), { frames, sites })
        })

      const step = (records: Iterable<RadarRecord>) =>
        Effect.flatMap(encodeRecords(records), ({ frames, sites }) => {
          if (frames.length === 0) return Effect.void
          const dropped = deliver(new FrameBatch(frames, sites))
          const now = Date.now()
          const perSite = new Map<string, number>()
          for (const site of sites) perSite.set(site, (perSite.get(site) ?? 0) + 1)
          return Effect.all([
            Effect.forEach(perSite, ([site, count]) => Metric.incrementBy(emittedFor(site), count), { discard: true }),
            Effect.forEach(
              records,
              (record) => Metric.update(radarToEmitLatency, Math.max(0, now - record.receivedAt) / 1000),
              { discard: true }
            ),
            countDropped(dropped),
            Metric.incrementBy(clientWrites, newWrites())
          ], { discard: true })
        })

      // ---- requests ----

      const send = (client: LiveClient, event: string, ack: Ack | undefined, response: unknown) =>
        Effect.sync(() => (ack === undefined ? client.socket.emit(event, response) : ack(response)))

      /** A short refusal, only if even that fits the client's budget. */
      const refuse = (client: LiveClient, event: string, ack: Ack | undefined, reason: string) =>
        Effect.zipRight(
          Metric.increment(requestRefusedFor(event)),
          client.canReply(REFUSAL_BYTES)
            ? send(client, "request_error", ack, { ok: false, event, error: reason })
            : Effect.void
        )

      /** Decodes a site list, its length checked first; undefined means "no list". */
      const siteList = (
        payload: unknown,
        optional: boolean
      ): Either.Either<ReadonlyArray<string> | undefined, string> => {
        if (payload === undefined && optional) return Either.right(undefined)
        const limit = knownSiteCount()
        if (Array.isArray(payload) && payload.length > limit) return Either.left(`at most ${limit} sites`)
        return Either.match(decodeSites(payload), {
          onLeft: () => Either.left(SITES_EXPECTED),
          onRight: (sites) => Either.right([...new Set(sites)])
        })
      }

      const subscribedSites = (
        client: LiveClient
      ): Array<string> => (client.sites === undefined ? [] : [...client.sites].sort())

      const onSubscribe = (client: LiveClient, payload: unknown, ack: Ack | undefined) =>
        Either.match(siteList(payload, false), {
          onLeft: (reason) => refuse(client, "subscribe", ack, reason),
          onRight: (sites) =>
            Effect.suspend(() => {
              const chosen = client.sites ?? new Set<string>()
              for (const site of sites!) chosen.add(site)
              // An empty list leaves the client as it was.
              if (chosen.size > 0) client.sites = chosen
              return ack === undefined
                ? Effect.void
                : send(client, "subscribe", ack, { ok: true, sites: subscribedSites(client) })
            })
        })

      const onUnsubscribe = (client: LiveClient, payload: unknown, ack: Ack | undefined) =>
        Either.match(siteList(payload, true), {
          onLeft: (reason) => refuse(client, "unsubscribe", ack, reason),
          onRight: (sites) =>
            Effect.suspend(() => {
              if (sites === undefined) client.sites = undefined
              else if (client.sites !== undefined) {
                for (const site of sites) client.sites.delete(site)
                if (client.sites.size === 0) client.sites = undefined
              }
              return ack === undefined
                ? Effect.void
                : send(client, "unsubscribe", ack, { ok: true, sites: subscribedSites(client) })
            })
        })

      const onLatest = (client: LiveClient, payload: unknown, ack: Ack | undefined) =>
        Either.match(siteList(payload, true), {
          onLeft: (reason) => refuse(client, "latest", ack, reason),
          onRight: (sites) =>
            Effect.suspend(() => {
              // Without a list: the sites this client gets.
              const wanted = sites ?? (client.sites !== undefined ? subscribedSites(client) : [...latest.keys()].sort())
              const frames: Array<LiveFrame> = []
              const sent: Array<string> = []
              let bytes = 0
              for (const site of wanted) {
                const entry = latest.get(site)
                if (entry === undefined) continue
                frames.push(entry.frame)
                sent.push(site)
                bytes += entry.frame.bytes.length
              }
              if (!client.canReply(bytes)) {
                return refuse(client, "latest", ack, "over this client's byte budget; try again later")
              }
              const dropped = new Map<string, number>()
              settle(client, client.enqueue(frames, Date.now()), dropped)
              return Effect.zipRight(
                countDropped(dropped),
                ack === undefined ? Effect.void : send(client, "latest", ack, { ok: true, sites: sent })
              )
            })
        })

      const radarsNow = Effect.flatMap(registry.snapshot, (statuses) =>
        Effect.map(
          hardware === undefined ? Effect.succeed(new Map()) : hardware.positions(statuses.keys()),
          (positions) => radarList(statuses, (site) => table.byCode.get(site), (site) => positions.get(site))
        ))

      const onRadars = (client: LiveClient, _payload: unknown, ack: Ack | undefined) =>
        Effect.flatMap(radarsNow, (radars) => {
          const json = JSON.stringify(radars)
          if (!client.canReply(json.length)) {
            return refuse(client, "radars", ack, "over this client's byte budget; try again later")
          }
          client.socket.emit("radars", new PreEncodedJson(json))
          return ack === undefined ? Effect.void : send(client, "radars", ack, { ok: true, radars: radars.length })
        })

      const onHistory = (client: LiveClient, payload: unknown, ack: Ack | undefined) =>
        Either.match(checkHistoryRequest(payload, isKnownSite), {
          onLeft: (error) => refuse(client, "history", ack, error.message),
          onRight: ({ since, site }) =>
            Effect.flatMap(history.query(site, since, options.maxHistoryReplyBytes), ({ entries, more }) => {
              const parts = entries.map((entry) => frameJson(entry.frame))
              const json = `{"ok":true,"site":${JSON.stringify(site)},"more":${more},"packets":[${parts.join(",")}]}`
              if (!client.canReply(json.length)) {
                return refuse(client, "history", ack, "over this client's byte budget; try again later")
              }
              return send(client, "history", ack, new PreEncodedJson(json))
            })
        })

      const handlers: ReadonlyArray<
        readonly [string, (client: LiveClient, payload: unknown, ack: Ack | undefined) => Effect.Effect<void>]
      > = [
        ["subscribe", onSubscribe],
        ["unsubscribe", onUnsubscribe],
        ["latest", onLatest],
        ["radars", onRadars],
        ["history", onHistory]
      ]

      // Socket.IO calls these outside any fiber; each request runs as its own
      // effect, so a failure is logged for that client and never thrown into
      // Socket.IO's event emitter (which would end the process).
      const onConnection = (socket: Socket) => {
        const client = new LiveClient(socket, limits, Date.now(), tally)
        clients.set(socket.id, client)
        runFork(Metric.set(socketClients, clients.size))
        socket.on("disconnect", () => {
          client.clear()
          clients.delete(socket.id)
          runFork(Metric.set(socketClients, clients.size))
        })
        for (const [event, handle] of handlers) {
          socket.on(event, (...args: Array<unknown>) => {
            const { ack, payload } = requestOf(args)
            const request = client.allowRequest(Date.now())
              ? handle(client, payload, ack)
              : refuse(client, event, ack, `too many requests: at most ${options.requestsPerSecond} a second`)
            runFork(request.pipe(Effect.annotateLogs({ client: socket.id, event })))
          })
        }
      }
      yield* Effect.acquireRelease(
        Effect.sync(() => io.on("connection", onConnection)),
        () => Effect.sync(() => io.off("connection", onConnection))
      )

      const records = yield* hub.subscribe(LIVE_FEED_CONSUMER, options.consumerCapacity)
      const gather: Effect.Effect<Iterable<RadarRecord>> = options.coalesceMs > 0
        ? Effect.flatMap(Queue.takeBetween(records, 1, MAX_EMIT_BATCH), (first) =>
          first.length >= MAX_EMIT_BATCH
            ? Effect.succeed(first)
            : Effect.sleep(options.coalesceMs).pipe(
              Effect.zipRight(Queue.takeUpTo(records, MAX_EMIT_BATCH - first.length)),
              Effect.map((rest): Iterable<RadarRecord> => [...first, ...rest])
            ))
        : Queue.takeBetween(records, 1, MAX_EMIT_BATCH)
      // After each step the event loop gets a turn: radar sockets, requests and
      // write completions run between steps.
      yield* gather.pipe(
        Effect.flatMap(step),
        // A defect in one step (a bug, a socket throwing) must not end the feed for everybody.
        Effect.catchAllCause((cause) => Effect.logError("live feed step failed", cause)),
        Effect.zipRight(turnOfEventLoop),
        Effect.forever,
        Effect.forkScoped
      )

      return {
        emitSiteEvent: Effect.fn("LiveFeed.emitSiteEvent")(function*(site: string, event: string, payload: unknown) {
          const dropped = deliver(new FrameBatch([eventFrame(event, JSON.stringify(payload))], [site]))
          yield* countDropped(dropped)
        }),
        clientCount: Effect.sync(() => clients.size),
        latestPackets: Effect.sync((): ReadonlyMap<string, LivePacket> =>
          new Map([...latest].map(([site, entry]) => [site, entry.packet]))
        ),
        clientBacklogs: Effect.sync((): ReadonlyMap<string, number> =>
          new Map([...clients].map(([id, client]) => [id, client.queuedBytes()]))
        )
      }
    }
  )

export class LiveFeed extends Context.Tag("superdarn-hub/LiveFeed")<LiveFeed, LiveFeedService>() {
  static readonly layer = (options: Partial<LiveFeedOptions> = {}) =>
    Layer.scoped(LiveFeed, makeLiveFeed({ ...defaultLiveFeedOptions, ...options }))
  /** With the history from HISTORY_MINUTES, which it also provides (the HTTP history route reads the same one). */
  static readonly Default = LiveFeed.layer().pipe(Layer.provideMerge(History.Default))
}
