/**
 * End-to-end live feed benchmark: simulated radars, the server and WebSocket
 * clients, each in its own process, on 127.0.0.1. Per case the radars send
 * for a fixed time; the figures are radar-to-client latency (p50, p99, max)
 * from the send time stamped into each record, the delivery ratio (packets
 * received / records sent × clients), server CPU per record and server RSS.
 */
import { type ChildProcess, fork } from "node:child_process"
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
}

const SITES = 40
const CASES: ReadonlyArray<Case> = [
  { sites: SITES, perSiteHz: 1, clients: 100, seconds: 20 },
  { sites: SITES, perSiteHz: 1, clients: 1000, seconds: 20 },
  { sites: SITES, perSiteHz: 5, clients: 100, seconds: 20 },
  { sites: SITES, perSiteHz: 5, clients: 1000, seconds: 20 }
]
/** Client processes share the clients, so parsing on their side does not become the bottleneck. */
const CLIENT_PROCESSES = 2
/** After the last record: time for packets still in flight. */
const DRAIN_MS = 2_000

const child = (name: string, args: ReadonlyArray<string>): ChildProcess =>
  fork(fileURLToPath(new URL(`./live-feed/${name}.js`, import.meta.url)), args, { stdio: ["ignore", "inherit", "inherit", "ipc"] })

/** The next message of `type` from `process`, or a rejection after `timeoutMs`. */
const next = <M extends { readonly type: string }, T extends M["type"]>(
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

const percentile = (buckets: ReadonlyArray<readonly [number, number]>, total: number, p: number): number => {
  const rank = Math.ceil(total * p)
  let seen = 0
  for (const [bucket, count] of buckets) {
    seen += count
    if (seen >= rank) return (bucket + 1) * LATENCY_BUCKET_MS
  }
  return Number.NaN
}

/** A histogram bucket bound; NaN (sent as null over IPC) means beyond the last bucket. */
const bound = (ms: number | null): string =>
  ms === null || Number.isNaN(ms) ? "> 4096 ms" : `≤ ${ms} ms`

const runCase = async (c: Case): Promise<string> => {
  const processes: Array<ChildProcess> = []
  try {
    const radars = child("radars", [String(c.sites)])
    processes.push(radars)
    const { radars: ports } = await next<RadarsMessage, "ports">(radars, "ports")

    const server = child("server", [JSON.stringify(ports)])
    processes.push(server)
    const { port } = await next<ServerMessage, "ready">(server, "ready")
    radars.send({ type: "await-connections" } satisfies RadarsCommand)
    await next<RadarsMessage, "connected">(radars, "connected")

    const clients = Array.from({ length: CLIENT_PROCESSES }, (_, i) => {
      const share = Math.floor(c.clients / CLIENT_PROCESSES) + (i < c.clients % CLIENT_PROCESSES ? 1 : 0)
      return child("clients", ["127.0.0.1", String(port), String(share)])
    })
    processes.push(...clients)
    await Promise.all(clients.map((p) => next<ClientMessage, "ready">(p, "ready", 120_000)))

    for (const p of clients) p.send({ type: "reset" } satisfies ClientCommand)
    server.send({ type: "mark" } satisfies ServerCommand)
    radars.send({ type: "go", perSiteHz: c.perSiteHz, seconds: c.seconds } satisfies RadarsCommand)
    const { records } = await next<RadarsMessage, "sent">(radars, "sent", (c.seconds + 60) * 1000)
    await new Promise((resolve) => setTimeout(resolve, DRAIN_MS))

    const statsOf = clients.map((p) => next<ClientMessage, "stats">(p, "stats"))
    for (const p of clients) p.send({ type: "stats" } satisfies ClientCommand)
    const clientStats: Array<ClientStats> = (await Promise.all(statsOf)).map((m) => m.stats)
    const serverStatsOf = next<ServerMessage, "stats">(server, "stats")
    server.send({ type: "stats" } satisfies ServerCommand)
    const serverStats: ServerStats = (await serverStatsOf).stats

    const merged = new Map<number, number>()
    for (const s of clientStats) for (const [bucket, count] of s.latency) merged.set(bucket, (merged.get(bucket) ?? 0) + count)
    const buckets = [...merged.entries()].sort((a, b) => a[0] - b[0])
    const measured = buckets.reduce((sum, [, count]) => sum + count, 0)
    const received = clientStats.reduce((sum, s) => sum + s.received, 0)
    const expected = records * c.clients
    const rate = c.sites * c.perSiteHz
    return [
      `${String(rate).padStart(3)} rec/s × ${String(c.clients).padStart(4)} clients:`,
      `p50 ${percentile(buckets, measured, 0.5).toFixed(1)} ms`,
      `p99 ${percentile(buckets, measured, 0.99).toFixed(1)} ms`,
      `max ${percentile(buckets, measured, 1).toFixed(1)} ms`,
      `(server: radar→broadcast p50 ${bound(serverStats.emitP50Ms)}, p99 ${bound(serverStats.emitP99Ms)})`,
      `delivered ${(received / expected * 100).toFixed(2)}% (${received}/${expected})`,
      `server ${(serverStats.cpuMs / Math.max(1, serverStats.published)).toFixed(2)} CPU ms/record`,
      `RSS ${(serverStats.rssBytes / 2 ** 20).toFixed(0)} MB (peak ${(serverStats.peakRssBytes / 2 ** 20).toFixed(0)})`,
      `slow-client skips ${serverStats.dropped}`,
      `records dropped behind ${serverStats.feedBehind}`,
      `radar records ${serverStats.published}/${records}`,
      `load average ${os.loadavg()[0]!.toFixed(1)} on ${os.availableParallelism()} cores`
    ].join("  ")
  } finally {
    for (const p of processes) p.kill()
    await Promise.all(processes.map((p) => (p.exitCode === null ? new Promise((resolve) => p.once("exit", resolve)) : undefined)))
  }
}

export const run = async (): Promise<void> => {
  console.log(`live feed: ${SITES} simulated radars, WebSocket clients in ${CLIENT_PROCESSES} processes, ${CASES[0]!.seconds} s per case`)
  for (const c of CASES) console.log(await runCase(c))
}
