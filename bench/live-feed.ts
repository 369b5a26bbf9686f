/**
 * End-to-end live feed benchmark: simulated radars, the server and WebSocket
 * clients, each in its own process, on 127.0.0.1. Per case the radars send
 * for a fixed time; the figures are radar-to-client latency (p50, p99, max)
 * from the send time stamped into each record, the delivery ratio (packets
 * received / records sent × clients), server CPU per record and server RSS.
 */
import { type ChildProcess, fork } from "node:child_process"
import * as crypto from "node:crypto"
import * as net from "node:net"
import * as os from "node:os"
import { fileURLToPath } from "node:url"
import type {
  ClientCommand,
  ClientMessage,
  ClientStats,
  RadarsCommand,
  RadarsMessage,
  ServerCommand,
  ServerMessage,
  ServerStats
} from "./live-feed/protocol.js"
import { LATENCY_BUCKET_MS } from "./live-feed/protocol.js"

interface Case {
  readonly sites: number
  readonly perSiteHz: number
  readonly clients: number
  readonly seconds: number
  /** The hub, or the bare `ws` server writing one pre-encoded frame per packet (the floor). */
  readonly server: "hub" | "baseline"
  /** Settings for the hub (HISTORY_MINUTES, ...). */
  readonly settings?: Readonly<Record<string, string>>
  /** A client that never reads sends this many `latest` requests for every site while the radars send. */
  readonly latestFlood?: number
  readonly label?: string
}

const SITES = 40
const FAN_OUT: ReadonlyArray<Case> = [
  // The hub's cost per record with nobody to write to: what each delivery's share of it is at N clients.
  { sites: SITES, perSiteHz: 1, clients: 0, seconds: 20, server: "hub", label: "hub without clients" },
  { sites: SITES, perSiteHz: 1, clients: 100, seconds: 20, server: "hub" },
  { sites: SITES, perSiteHz: 1, clients: 100, seconds: 20, server: "baseline" },
  { sites: SITES, perSiteHz: 1, clients: 1000, seconds: 20, server: "hub" },
  { sites: SITES, perSiteHz: 1, clients: 1000, seconds: 20, server: "baseline" },
  { sites: SITES, perSiteHz: 5, clients: 100, seconds: 20, server: "hub" },
  { sites: SITES, perSiteHz: 5, clients: 1000, seconds: 20, server: "hub" }
]
/** 40 radars × 1 record/s × 10 minutes = 24000 packets, sent 20× faster (history keeps by arrival time). */
const HISTORY: ReadonlyArray<Case> = [
  {
    sites: SITES,
    perSiteHz: 20,
    clients: 0,
    seconds: 30,
    server: "hub",
    settings: { HISTORY_MINUTES: "0" },
    label: "history off"
  },
  {
    sites: SITES,
    perSiteHz: 20,
    clients: 0,
    seconds: 30,
    server: "hub",
    settings: { HISTORY_MINUTES: "10" },
    label: "history 10 min"
  }
]
/** Client processes share the clients, so parsing on their side does not become the bottleneck. */
const CLIENT_PROCESSES = 2
/** Every client process connected (each connection retried) within this, or the case fails. */
const CONNECT_TIMEOUT_MS = 180_000
/** After the last record: time for packets still in flight. */
const DRAIN_MS = 2_000

const FLOOD: Case = {
  sites: SITES,
  perSiteHz: 1,
  clients: 100,
  seconds: 20,
  server: "hub",
  latestFlood: 2000,
  label: "latest flood"
}
export const child = (name: string, args: ReadonlyArray<string>, execArgv: ReadonlyArray<string> = []): ChildProcess =>
  fork(fileURLToPath(new URL(`./live-feed/${name}.js`, import.meta.url)), args, {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    execArgv: [...execArgv]
  })

/** One masked WebSocket text frame, as clients must send. */
const maskedFrame = (text: string): Buffer => {
  const payload = Buffer.from(text)
  const mask = crypto.randomBytes(4)
  for (let i = 0; i < payload.length; i++) payload[i] = payload[i]! ^ mask[i % 4]!
  const header = payload.length < 126
    ? Buffer.from([0x81, 0x80 | payload.length])
    : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff])
  return Buffer.concat([header, mask, payload])
}

/**
 * A client that connects, stops reading, and sends `requests` `latest`
 * requests for every site: issue 18's attack. Resolves once they are written.
 */
const floodLatest = (port: number, sites: number, requests: number): Promise<net.Socket> =>
  new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1")
    socket.once("error", reject)
    socket.once("connect", () =>
      socket.write(
        "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n" +
          `Host: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${crypto.randomBytes(16).toString("base64")}\r\nSec-WebSocket-Version: 13\r\n\r\n`
      ))
    socket.once("data", () => {
      socket.pause()
      socket.write(maskedFrame("40"))
      const list = JSON.stringify(Array.from({ length: sites }, (_, i) => `s${String(i).padStart(2, "0")}`))
      const request = maskedFrame(`42["latest",${list}]`)
      for (let i = 0; i < requests; i++) socket.write(request)
      resolve(socket)
    })
  })

/** The next message of `type` from `process`, or a rejection after `timeoutMs`. */
export const next = <M extends { readonly type: string }, T extends M["type"]>(
  process: ChildProcess,
  type: T,
  timeoutMs = 60_000
): Promise<Extract<M, { type: T }>> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      process.off("message", onMessage)
      reject(new Error(`no "${type}" message within ${timeoutMs} ms`))
    }, timeoutMs)
    const onMessage = (message: M) => {
      if (message.type !== type) return
      clearTimeout(timer)
      process.off("message", onMessage)
      resolve(message as Extract<M, { type: T }>)
    }
    process.on("message", onMessage)
  })

export const percentile = (buckets: ReadonlyArray<readonly [number, number]>, total: number, p: number): number => {
  const rank = Math.ceil(total * p)
  let seen = 0
  for (const [bucket, count] of buckets) {
    seen += count
    if (seen >= rank) return (bucket + 1) * LATENCY_BUCKET_MS
  }
  return Number.NaN
}

/** A histogram bucket bound; NaN (sent as null over IPC) means beyond the last bucket. */
const bound = (ms: number | null): string => ms === null || Number.isNaN(ms) ? "> 4096 ms" : `≤ ${ms} ms`

interface Outcome {
  readonly line: string
  /** Server CPU µs per packet a client received. */
  readonly cpuPerDeliveryUs: number
}

const MB = 2 ** 20

/** Waits for `p` to exit, killing it with SIGKILL if it has not after `ms`. */
const exited = (p: ChildProcess, ms: number): Promise<void> =>
  p.exitCode !== null || p.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => {
      const timer = setTimeout(() => p.kill("SIGKILL"), ms)
      p.once("exit", () => {
        clearTimeout(timer)
        resolve()
      })
    })

const runCase = async (c: Case, baselineUs?: number): Promise<Outcome> => {
  const processes: Array<ChildProcess> = []
  try {
    const loadBefore = os.loadavg()[0]!
    let server: ChildProcess
    let radars: ChildProcess | undefined
    if (c.server === "hub") {
      radars = child("radars", [String(c.sites)])
      processes.push(radars)
      const { radars: ports } = await next<RadarsMessage, "ports">(radars, "ports")
      server = child("server", [JSON.stringify(ports), JSON.stringify(c.settings ?? {})], ["--expose-gc"])
    } else {
      server = child("baseline-server", [])
    }
    processes.push(server)
    const { port } = await next<ServerMessage, "ready">(server, "ready")
    if (radars !== undefined) {
      radars.send({ type: "await-connections" } satisfies RadarsCommand)
      await next<RadarsMessage, "connected">(radars, "connected")
    }

    const clients = c.clients === 0 ? [] : Array.from({ length: CLIENT_PROCESSES }, (_, i) => {
      const share = Math.floor(c.clients / CLIENT_PROCESSES) + (i < c.clients % CLIENT_PROCESSES ? 1 : 0)
      return child("clients", ["127.0.0.1", String(port), String(share)])
    })
    processes.push(...clients)
    const ready = await Promise.all(clients.map((p) => next<ClientMessage, "ready">(p, "ready", CONNECT_TIMEOUT_MS)))
    const connected = ready.reduce((sum, m) => sum + (m.connected ?? 0), 0)
    const connectFailures = ready.reduce((sum, m) => sum + (m.connectFailures ?? 0), 0)

    for (const p of clients) p.send({ type: "reset" } satisfies ClientCommand)
    const marked = next<ServerMessage, "marked">(server, "marked")
    server.send({ type: "mark" } satisfies ServerCommand)
    const { rssBytes: rssAtMark } = await marked
    let records: number
    let flooder: net.Socket | undefined
    if (radars !== undefined) {
      radars.send({ type: "go", perSiteHz: c.perSiteHz, seconds: c.seconds } satisfies RadarsCommand)
      // The flood starts once every site has a latest packet.
      if (c.latestFlood !== undefined) {
        await new Promise((resolve) => setTimeout(resolve, 1500))
        flooder = await floodLatest(port, c.sites, c.latestFlood)
      }
      records = (await next<RadarsMessage, "sent">(radars, "sent", (c.seconds + 60) * 1000)).records
    } else {
      server.send({ type: "go", sites: c.sites, perSiteHz: c.perSiteHz, seconds: c.seconds } satisfies ServerCommand)
      records = (await next<ServerMessage, "sent">(server, "sent", (c.seconds + 60) * 1000)).records
    }
    await new Promise((resolve) => setTimeout(resolve, DRAIN_MS))

    const statsOf = clients.map((p) => next<ClientMessage, "stats">(p, "stats"))
    for (const p of clients) p.send({ type: "stats" } satisfies ClientCommand)
    const clientStats: Array<ClientStats> = (await Promise.all(statsOf)).map((m) => m.stats)
    const serverStatsOf = next<ServerMessage, "stats">(server, "stats")
    server.send({ type: "stats" } satisfies ServerCommand)
    const serverStats: ServerStats = (await serverStatsOf).stats
    flooder?.destroy()

    const merged = new Map<number, number>()
    for (const s of clientStats) {
      for (const [bucket, count] of s.latency) merged.set(bucket, (merged.get(bucket) ?? 0) + count)
    }
    const buckets = [...merged.entries()].sort((a, b) => a[0] - b[0])
    const measured = buckets.reduce((sum, [, count]) => sum + count, 0)
    const received = clientStats.reduce((sum, s) => sum + s.received, 0)
    const expected = records * connected
    const cpuPerDeliveryUs = serverStats.cpuMs * 1000 / Math.max(1, received)
    const load = `load average ${loadBefore.toFixed(1)} → ${
      os.loadavg()[0]!.toFixed(1)
    } on ${os.availableParallelism()} cores`
    const name = `${caseName(c)}:`
    if (c.clients === 0) {
      return {
        cpuPerDeliveryUs,
        line: [
          name,
          `RSS ${(serverStats.rssBytes / MB).toFixed(0)} MB after GC (peak ${
            (serverStats.peakRssBytes / MB).toFixed(0)
          })`,
          `history ${serverStats.historyPackets} packets, ${(serverStats.historyBytes / MB).toFixed(1)} MB of frames`,
          `records the feed dropped behind ${serverStats.feedBehind}`,
          `radar→broadcast p50 ${bound(serverStats.emitP50Ms)}, p99 ${bound(serverStats.emitP99Ms)}`,
          `server ${(serverStats.cpuMs / Math.max(1, serverStats.published)).toFixed(2)} CPU ms/record`,
          `radar records ${serverStats.published}/${records}`,
          load
        ].join("  ")
      }
    }
    return {
      cpuPerDeliveryUs,
      line: [
        name,
        `p50 ${percentile(buckets, measured, 0.5).toFixed(1)} ms`,
        `p99 ${percentile(buckets, measured, 0.99).toFixed(1)} ms`,
        `max ${percentile(buckets, measured, 1).toFixed(1)} ms`,
        ...(c.server === "hub"
          ? [`(server: radar→broadcast p50 ${bound(serverStats.emitP50Ms)}, p99 ${bound(serverStats.emitP99Ms)})`]
          : []),
        `delivered ${(received / expected * 100).toFixed(2)}% (${received}/${expected})`,
        ...(connected < c.clients || connectFailures > 0
          ? [`connected ${connected}/${c.clients} (${connectFailures} failed attempts retried)`]
          : []),
        `${(received / Math.max(1, serverStats.writes)).toFixed(2)} packets/write`,
        `server CPU ${cpuPerDeliveryUs.toFixed(2)} µs/delivered packet` +
        (baselineUs === undefined ? "" : ` (${(cpuPerDeliveryUs / baselineUs).toFixed(2)}× the bare ws floor)`),
        `${(serverStats.cpuMs / Math.max(1, serverStats.published || records)).toFixed(2)} CPU ms/record`,
        c.latestFlood === undefined
          ? `RSS ${(serverStats.rssBytes / MB).toFixed(0)} MB (peak ${(serverStats.peakRssBytes / MB).toFixed(0)})`
          : `RSS growth under the flood ${((serverStats.peakRssBytes - rssAtMark) / MB).toFixed(1)} MB (peak ${
            (serverStats.peakRssBytes / MB).toFixed(0)
          })`,
        ...(c.server === "hub"
          ? [
            `dropped for slow clients ${serverStats.dropped}`,
            `records dropped behind ${serverStats.feedBehind}`,
            `radar records ${serverStats.published}/${records}`
          ]
          : []),
        load
      ].join("  ")
    }
  } finally {
    for (const p of processes) p.kill()
    await Promise.all(processes.map((p) => exited(p, 5_000)))
  }
}

interface Memory {
  readonly rss: number
  readonly heap: number
  readonly external: number
}

/** 40 sites × 1 record/s × 10 minutes of packets in a History, in a process of its own. */
const historyMemory = async (): Promise<string> => {
  const load = os.loadavg()[0]!
  const p = child("history-memory", ["40", "1", "10"], ["--expose-gc"])
  try {
    type Filled = { readonly type: "history-memory"; before: Memory; after: Memory; packets: number; bytes: number }
    const m = await next<Filled, "history-memory">(p, "history-memory", 300_000)
    // arrayBuffers is part of external: buffers counted once.
    const d = (key: keyof Memory) => ((m.after[key] - m.before[key]) / MB).toFixed(1)
    return [
      `history 40 sites × 1 record/s × 10 min: ${m.packets} packets, ${(m.bytes / MB).toFixed(1)} MB of frames;`,
      `RSS +${d("rss")} MB (heap +${d("heap")} MB, buffers +${d("external")} MB), process RSS ${
        (m.after.rss / MB).toFixed(0)
      } MB`,
      `load average ${load.toFixed(1)} on ${os.availableParallelism()} cores`
    ].join("  ")
  } finally {
    p.kill()
  }
}

/** 10k configured radars: a status update each, then the /health body built from the snapshot. */
const registryAtScale = async (): Promise<string> => {
  const { Effect } = await import("effect")
  const { RadarRegistry } = await import("../src/layers/realtime/RadarRegistry.js")
  const { healthReport } = await import("../src/http/health-report.js")
  const { zeroCounters } = await import("../src/domain/radar-status.js")
  const load = os.loadavg()[0]!
  const n = 10_000
  return Effect.runPromise(
    Effect.gen(function*() {
      const registry = yield* RadarRegistry
      for (let i = 0; i < n; i++) {
        yield* registry.put({
          site: `r${i}`,
          transport: "tcp",
          address: `10.0.${i >> 8}.${i & 255}:9999`,
          phase: "receiving",
          phaseSince: 0,
          nextAttemptAt: undefined,
          connectedSince: 0,
          lastRecordAt: 0,
          counters: zeroCounters,
          lastError: undefined
        })
      }
      const updates = performance.now()
      for (let i = 0; i < n; i++) {
        yield* registry.update(`r${i}`, (status) => ({ ...status, lastRecordAt: Date.now() }))
      }
      const updatesMs = performance.now() - updates
      const health = performance.now()
      const statuses = yield* registry.snapshot
      const body = JSON.stringify(healthReport(
        {
          now: Date.now(),
          startedAt: 0,
          version: "bench",
          databaseOk: true,
          radars: statuses.values(),
          stallMs: 120_000,
          clients: 0
        } as Parameters<typeof healthReport>[0]
      ))
      const healthMs = performance.now() - health
      return `registry with ${n} radars: ${n} status updates ${updatesMs.toFixed(1)} ms (${
        (updatesMs * 1000 / n).toFixed(2)
      } µs each), ` +
        `/health body ${healthMs.toFixed(1)} ms (${(body.length / MB).toFixed(1)} MB)  load average ${load.toFixed(1)}`
    }).pipe(Effect.provide(RadarRegistry.Default))
  )
}

const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

const caseName = (c: Case) =>
  `${c.label ?? c.server}: ${String(c.sites * c.perSiteHz).padStart(3)} rec/s × ${
    String(c.clients).padStart(4)
  } clients`

/** One case, its failure (a timeout, a child that died) printed as its line instead of ending the benchmark. */
const attempt = async (c: Case, baselineUs?: number): Promise<Outcome | undefined> => {
  try {
    const outcome = await runCase(c, baselineUs)
    console.log(outcome.line)
    return outcome
  } catch (error) {
    console.log(
      `${caseName(c)}: FAILED: ${error instanceof Error ? error.message : String(error)}  load average ${
        os.loadavg()[0]!.toFixed(1)
      }`
    )
    return undefined
  }
}

/**
 * Each hub case with a floor runs LIVE_FEED_RUNS times (default 3), each run
 * right after a floor run with the same clients so both see the same machine;
 * the summary gives the medians and the median of the per-pair ratios.
 * LIVE_FEED_CLIENTS=1000 picks the cases of that many clients, LIVE_FEED_HZ=1
 * those of that rate per radar (a rate not in the table adds its own pairs).
 */
const fanOut = async () => {
  const counts = process.env["LIVE_FEED_CLIENTS"]?.split(",").map(Number)
  const rates = process.env["LIVE_FEED_HZ"]?.split(",").map(Number)
  // LIVE_FEED_MAX_CLIENTS=100 skips the 1000-client cases (on a machine too loaded to serve them).
  const maxClients = Number(process.env["LIVE_FEED_MAX_CLIENTS"] ?? Infinity)
  const runs = Math.max(1, Number(process.env["LIVE_FEED_RUNS"] ?? 3))
  // A rate the table lacks (LIVE_FEED_HZ=0.5) makes hub/floor pairs of its own, at 1000 clients unless told.
  const extra = (rates ?? []).filter((hz) => !FAN_OUT.some((c) => c.perSiteHz === hz)).flatMap((hz) =>
    (counts ?? [1000]).flatMap((clients): ReadonlyArray<Case> =>
      (["baseline", "hub"] as const).map((server) => ({ sites: SITES, perSiteHz: hz, clients, seconds: 20, server }))
    )
  )
  const cases = [...FAN_OUT, ...extra]
  const chosen = cases.filter((c) =>
    c.server === "hub" && c.clients <= maxClients && (counts === undefined || counts.includes(c.clients)) &&
    (rates === undefined || rates.includes(c.perSiteHz))
  )
  for (const c of chosen) {
    const base = cases.find((b) => b.server === "baseline" && b.clients === c.clients && b.perSiteHz === c.perSiteHz)
    if (base === undefined) {
      await attempt(c)
      continue
    }
    const floors: Array<number> = []
    const hubs: Array<number> = []
    const ratios: Array<number> = []
    for (let i = 0; i < runs; i++) {
      const floor = await attempt(base)
      const hub = await attempt(c, floor?.cpuPerDeliveryUs)
      if (floor !== undefined) floors.push(floor.cpuPerDeliveryUs)
      if (hub !== undefined) hubs.push(hub.cpuPerDeliveryUs)
      if (floor !== undefined && hub !== undefined) ratios.push(hub.cpuPerDeliveryUs / floor.cpuPerDeliveryUs)
    }
    console.log(
      `${caseName(c)}: MEDIAN of ${ratios.length} paired runs: hub ${
        hubs.length === 0 ? "-" : median(hubs).toFixed(2)
      } µs/delivered packet, floor ${floors.length === 0 ? "-" : median(floors).toFixed(2)} µs, ratio ${
        ratios.length === 0 ? "-" : `${median(ratios).toFixed(2)}×`
      } (${ratios.map((r) => r.toFixed(2)).join(", ")})  load average ${os.loadavg()[0]!.toFixed(1)}`
    )
  }
}

/** Cases by name: `npm run bench -- live-feed` runs all; LIVE_FEED_CASES=fan-out,history,flood,registry picks. */
export const run = async (): Promise<void> => {
  const wanted = (process.env["LIVE_FEED_CASES"] ?? "fan-out,history,flood,registry").split(",")
  console.log(`live feed: ${SITES} simulated radars, WebSocket clients in ${CLIENT_PROCESSES} processes`)
  if (wanted.includes("fan-out")) await fanOut()
  if (wanted.includes("history")) {
    console.log(await historyMemory())
    for (const c of HISTORY) console.log((await runCase(c)).line)
  }
  if (wanted.includes("flood")) console.log((await runCase(FLOOD)).line)
  if (wanted.includes("registry")) console.log(await registryAtScale())
}
