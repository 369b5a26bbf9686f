/**
 * Issue 18's flood: 2000 parallel 30-day `GET /echoes/` requests against the
 * server as `serve` runs it, with 40 live radars (1 record/s each) and 100
 * Socket.IO clients, each in its own process. The database is first filled
 * with 30 days of one scan a minute for the 40 sites (about 1.7 M rows).
 * Figures: the live feed's p99 latency and delivered fraction during the
 * flood, requests answered (200), refused (503 + Retry-After) and otherwise,
 * and the server's peak RSS. The same run without the flood is the baseline.
 */
import { Effect } from "effect"
import { type ChildProcess, fork } from "node:child_process"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { databaseLayer } from "../src/layers/platform/database.js"
import type { FloodServerMessage } from "./echoes-flood/server.js"
import type { ClientCommand, ClientMessage, ClientStats, RadarsCommand, RadarsMessage } from "./live-feed/protocol.js"
import { LATENCY_BUCKET_MS } from "./live-feed/protocol.js"

const SITES = 40
const CLIENTS = 100
const CLIENT_PROCESSES = 2
const REQUESTS = 2000
const DAYS = 30
const SECONDS = 20
const MINUTE = 60_000
const DAY = 24 * 60 * MINUTE
const MB = 2 ** 20

const child = (file: string, args: ReadonlyArray<string>): ChildProcess =>
  fork(fileURLToPath(new URL(file, import.meta.url)), args, { stdio: ["ignore", "inherit", "inherit", "ipc"] })

const next = <M extends { readonly type: string }, T extends M["type"]>(
  process: ChildProcess,
  type: T,
  timeoutMs = 120_000
): Promise<Extract<M, { type: T }>> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${type}" message within ${timeoutMs} ms`)), timeoutMs)
    const onMessage = (message: M) => {
      if (message.type !== type) return
      clearTimeout(timer)
      process.off("message", onMessage)
      resolve(message as Extract<M, { type: T }>)
    }
    process.on("message", onMessage)
  })

/**
 * The stored sites: codes /echoes/ accepts (three lowercase letters), apart
 * from the live radars' names (`s00`...), which only feed the Socket.IO side.
 */
const siteOf = (i: number): string => `f${String.fromCharCode(97 + Math.floor(i / 26), 97 + (i % 26))}`

/** 30 days of one scan a minute per site, written straight through better-sqlite3 after the migrations ran. */
const fill = async (file: string, end: number): Promise<number> => {
  await Effect.runPromise(Effect.scoped(Effect.provide(Effect.void, databaseLayer(file))))
  const Database = createRequire(import.meta.url)("better-sqlite3") as new(file: string) => {
    prepare(sql: string): { run(...values: Array<unknown>): unknown }
    exec(sql: string): void
    transaction<F extends (...args: Array<never>) => void>(f: F): F
    close(): void
  }
  const db = new Database(file)
  const insert = db.prepare("INSERT INTO echo_scans VALUES (?, 0, ?, ?, ?, ?, 16, 16, 1)")
  let rows = 0
  const day = db.transaction((from: number) => {
    for (let t = from; t < from + DAY; t += MINUTE) {
      for (let i = 0; i < SITES; i++) {
        const total = 10 + ((t / MINUTE + i) % 40)
        insert.run(siteOf(i), t + i * 37, total + 0.25, total * 0.6, total * 0.4 + 0.25)
        rows++
      }
    }
  })
  for (let d = DAYS; d > 0; d--) day(end - d * DAY)
  db.close()
  return rows
}

const percentile = (buckets: ReadonlyArray<readonly [number, number]>, total: number, p: number): number => {
  const rank = Math.ceil(total * p)
  let seen = 0
  for (const [bucket, count] of buckets) {
    seen += count
    if (seen >= rank) return (bucket + 1) * LATENCY_BUCKET_MS
  }
  return Number.NaN
}

interface Flood {
  readonly ok: number
  readonly refused: number
  readonly withRetryAfter: number
  readonly other: number
  /** Why the others failed: the client's error codes, or the HTTP statuses that were neither 200 nor 503. */
  readonly failures: string
  readonly okP50Ms: number
  readonly okMaxMs: number
  readonly wallMs: number
}

const flood = async (port: number, end: number): Promise<Flood> => {
  const began = performance.now()
  const failures = new Map<string, number>()
  const outcomes = await Promise.all(Array.from({ length: REQUESTS }, async (_, i) => {
    const params = new URLSearchParams({
      site_name: siteOf(i % SITES),
      start: new Date(end - DAYS * DAY).toISOString(),
      end: new Date(end).toISOString()
    })
    const started = performance.now()
    try {
      const response = await fetch(`http://127.0.0.1:${port}/echoes/?${params}`)
      await response.arrayBuffer()
      return {
        status: response.status,
        retryAfter: response.headers.get("retry-after"),
        ms: performance.now() - started
      }
    } catch (error) {
      const cause = (error as { readonly cause?: { readonly code?: string; readonly message?: string } }).cause
      failures.set(
        cause?.code ?? cause?.message ?? String(error),
        (failures.get(cause?.code ?? cause?.message ?? String(error)) ?? 0) + 1
      )
      return { status: 0, retryAfter: null, ms: performance.now() - started }
    }
  }))
  const ok = outcomes.filter((o) => o.status === 200).map((o) => o.ms).sort((a, b) => a - b)
  const refused = outcomes.filter((o) => o.status === 503)
  for (const { status } of outcomes) {
    if (status !== 0 && status !== 200 && status !== 503) {
      failures.set(`HTTP ${status}`, (failures.get(`HTTP ${status}`) ?? 0) + 1)
    }
  }
  return {
    ok: ok.length,
    refused: refused.length,
    withRetryAfter: refused.filter((o) => o.retryAfter !== null).length,
    other: outcomes.length - ok.length - refused.length,
    failures: [...failures].map(([why, n]) => `${why} ×${n}`).join(", "),
    okP50Ms: ok[Math.floor(ok.length / 2)] ?? Number.NaN,
    okMaxMs: ok[ok.length - 1] ?? Number.NaN,
    wallMs: performance.now() - began
  }
}

const runCase = async (file: string, end: number, withFlood: boolean): Promise<string> => {
  const processes: Array<ChildProcess> = []
  try {
    const loadBefore = os.loadavg()[0]!
    const radars = child("./live-feed/radars.js", [String(SITES)])
    processes.push(radars)
    const { radars: ports } = await next<RadarsMessage, "ports">(radars, "ports")
    const server = child("./echoes-flood/server.js", [JSON.stringify(ports), file])
    processes.push(server)
    const { port } = await next<FloodServerMessage, "ready">(server, "ready")
    radars.send({ type: "await-connections" } satisfies RadarsCommand)
    await next<RadarsMessage, "connected">(radars, "connected")
    const clients = Array.from(
      { length: CLIENT_PROCESSES },
      () => child("./live-feed/clients.js", ["127.0.0.1", String(port), String(CLIENTS / CLIENT_PROCESSES)])
    )
    processes.push(...clients)
    await Promise.all(clients.map((p) => next<ClientMessage, "ready">(p, "ready")))
    for (const p of clients) p.send({ type: "reset" } satisfies ClientCommand)

    radars.send({ type: "go", perSiteHz: 1, seconds: SECONDS } satisfies RadarsCommand)
    const sent = next<RadarsMessage, "sent">(radars, "sent", (SECONDS + 120) * 1000)
    // The flood starts once the feed is flowing.
    await new Promise((resolve) => setTimeout(resolve, 2_000))
    const statsBefore = next<FloodServerMessage, "stats">(server, "stats")
    server.send({ type: "stats" })
    const { cpuMs: cpuBefore, mainCpuMs: mainBefore } = await statsBefore
    const flooded = withFlood ? await flood(port, end) : undefined
    const { records } = await sent
    await new Promise((resolve) => setTimeout(resolve, 2_000))

    const statsOf = clients.map((p) => next<ClientMessage, "stats">(p, "stats"))
    for (const p of clients) p.send({ type: "stats" } satisfies ClientCommand)
    const clientStats: Array<ClientStats> = (await Promise.all(statsOf)).map((m) => m.stats)
    const serverStatsOf = next<FloodServerMessage, "stats">(server, "stats")
    server.send({ type: "stats" })
    const serverStats = await serverStatsOf

    const merged = new Map<number, number>()
    for (const s of clientStats) {
      for (const [bucket, count] of s.latency) merged.set(bucket, (merged.get(bucket) ?? 0) + count)
    }
    const buckets = [...merged.entries()].sort((a, b) => a[0] - b[0])
    const measured = buckets.reduce((sum, [, count]) => sum + count, 0)
    const received = clientStats.reduce((sum, s) => sum + s.received, 0)
    const disconnects = clientStats.reduce((sum, s) => sum + s.disconnects, 0)
    const expected = records * CLIENTS
    return [
      withFlood ? `flood of ${REQUESTS} × 30-day /echoes/:` : "no flood (baseline):",
      `live p50 ${percentile(buckets, measured, 0.5).toFixed(1)} ms`,
      `p99 ${percentile(buckets, measured, 0.99).toFixed(1)} ms`,
      `max ${percentile(buckets, measured, 1).toFixed(1)} ms`,
      `delivered ${
        (received / expected * 100).toFixed(2)
      }% (${received}/${expected}), client disconnects ${disconnects}`,
      ...(flooded === undefined ? [] : [
        `answered ${flooded.ok} (p50 ${flooded.okP50Ms.toFixed(0)} ms, last ${flooded.okMaxMs.toFixed(0)} ms)`,
        `503 ${flooded.refused} (${flooded.withRetryAfter} with Retry-After)`,
        `other ${flooded.other}${flooded.failures === "" ? "" : ` (${flooded.failures})`}`,
        `all answered within ${flooded.wallMs.toFixed(0)} ms`
      ]),
      `server CPU from the flood's start ${((serverStats.cpuMs - cpuBefore) / 1000).toFixed(1)} s${
        serverStats.mainCpuMs === undefined || mainBefore === undefined
          ? ""
          : ` (main thread ${((serverStats.mainCpuMs - mainBefore) / 1000).toFixed(1)} s)`
      }`,
      `server peak RSS ${(serverStats.peakRssBytes / MB).toFixed(0)} MB`,
      `load average ${loadBefore.toFixed(1)} → ${os.loadavg()[0]!.toFixed(1)} on ${os.availableParallelism()} cores`
    ].join("  ")
  } finally {
    for (const p of processes) p.kill()
    await Promise.all(
      processes.map((p) => (p.exitCode === null ? new Promise((resolve) => p.once("exit", resolve)) : undefined))
    )
  }
}

export const run = async (): Promise<void> => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sdh-bench-flood-"))
  try {
    const file = path.join(dir, "flood.sqlite")
    const end = Math.floor(Date.now() / MINUTE) * MINUTE
    const began = performance.now()
    const rows = await fill(file, end)
    console.log(
      `database: ${rows} scans of ${SITES} sites over ${DAYS} days in ${
        ((performance.now() - began) / 1000).toFixed(1)
      } s`
    )
    console.log(await runCase(file, end, false))
    console.log(await runCase(file, end, true))
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}
