/**
 * Scale-out benchmark: 40 simulated radars at one record a second, 1000
 * WebSocket clients, served (a) by one `serve` process (ROLE all) and (b) by
 * one ingest and two edges sharing Redis and PostgreSQL, the clients split
 * over the edges. All on this machine, each server a process of the built
 * CLI. Figures: radar-to-client latency p50/p99 and the delivered fraction,
 * with the load average beside them.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import pg from "pg"
import { packagePath } from "../src/domain/package-files.js"
import { radarTable } from "../src/domain/radar-table.js"
import { child, next, percentile } from "./live-feed.js"
import type { ClientCommand, ClientMessage, ClientStats, RadarsCommand, RadarsMessage } from "./live-feed/protocol.js"

const SITES = 40
const CLIENTS = 1000
const SECONDS = 20
const DATABASE = process.env["TEST_DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/postgres"
const REDIS = process.env["TEST_REDIS_URL"] ?? "redis://127.0.0.1:6379"

const admin = async (text: string) => {
  const client = new pg.Client({ connectionString: DATABASE })
  await client.connect()
  try {
    await client.query(text)
  } finally {
    await client.end()
  }
}

/** A `serve` process of the built CLI; resolves with its port once it listens. */
const serve = (dir: string, env: Record<string, string>): Promise<{ process: ChildProcess; port: number }> =>
  new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [
      packagePath("dist", "main.js"),
      "serve",
      "--host",
      "127.0.0.1",
      "--port",
      "0"
    ], {
      cwd: dir,
      env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", ...env },
      stdio: ["ignore", "pipe", "inherit"]
    })
    let out = ""
    proc.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out)
      if (match !== null) resolve({ process: proc, port: Number(match[1]) })
    })
    proc.once("exit", (code) => reject(new Error(`serve exited (${code}) before listening`)))
  })

const runCase = async (topology: "all" | "ingest + 2 edges"): Promise<string> => {
  const processes: Array<ChildProcess> = []
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sdh-bench-scale-"))
  const database = `sdh_bench_${randomBytes(4).toString("hex")}`
  try {
    const loadBefore = os.loadavg()[0]!
    const radars = child("radars", [String(SITES)])
    processes.push(radars)
    const { radars: ports } = await next<RadarsMessage, "ports">(radars, "ports")
    // The radar table's codes, so the radar list validates; the records still say Hankasalmi.
    const codes = radarTable().radars.map((r) => r.code).slice(0, SITES)
    fs.writeFileSync(
      path.join(dir, "radars.config.json"),
      JSON.stringify(Object.fromEntries(ports.map(({ port }, i) => [codes[i]!, { host: "127.0.0.1", port }])))
    )
    let clientPorts: Array<number>
    if (topology === "all") {
      // One process in its own SQLite file.
      const one = await serve(dir, { DATABASE_PATH: path.join(dir, "hub.sqlite") })
      processes.push(one.process)
      clientPorts = [one.port, one.port]
    } else {
      await admin(`CREATE DATABASE ${database}`)
      const url = new URL(DATABASE)
      url.pathname = `/${database}`
      const env = { DATABASE_URL: url.toString(), REDIS_URL: REDIS, REDIS_KEY_PREFIX: `${database}:` }
      const ingest = await serve(dir, { ...env, ROLE: "ingest" })
      const edges = [await serve(dir, { ...env, ROLE: "edge" }), await serve(dir, { ...env, ROLE: "edge" })]
      processes.push(ingest.process, ...edges.map((e) => e.process))
      clientPorts = edges.map((e) => e.port)
    }
    radars.send({ type: "await-connections" } satisfies RadarsCommand)
    await next<RadarsMessage, "connected">(radars, "connected")
    const clients = clientPorts.map((port) => child("clients", ["127.0.0.1", String(port), String(CLIENTS / 2)]))
    processes.push(...clients)
    await Promise.all(clients.map((p) => next<ClientMessage, "ready">(p, "ready", 120_000)))
    for (const p of clients) p.send({ type: "reset" } satisfies ClientCommand)
    radars.send({ type: "go", perSiteHz: 1, seconds: SECONDS } satisfies RadarsCommand)
    const records = (await next<RadarsMessage, "sent">(radars, "sent", (SECONDS + 60) * 1000)).records
    await new Promise((resolve) => setTimeout(resolve, 3000))
    const statsOf = clients.map((p) => next<ClientMessage, "stats">(p, "stats"))
    for (const p of clients) p.send({ type: "stats" } satisfies ClientCommand)
    const stats: Array<ClientStats> = (await Promise.all(statsOf)).map((m) => m.stats)

    const merged = new Map<number, number>()
    for (const s of stats) {
      for (const [bucket, count] of s.latency) merged.set(bucket, (merged.get(bucket) ?? 0) + count)
    }
    const buckets = [...merged.entries()].sort((a, b) => a[0] - b[0])
    const measured = buckets.reduce((sum, [, count]) => sum + count, 0)
    const received = stats.reduce((sum, s) => sum + s.received, 0)
    return [
      `${topology.padEnd(16)} ${SITES} rec/s × ${CLIENTS} clients:`,
      `p50 ${percentile(buckets, measured, 0.5).toFixed(1)} ms`,
      `p99 ${percentile(buckets, measured, 0.99).toFixed(1)} ms`,
      `delivered ${(received / (records * CLIENTS) * 100).toFixed(2)}% (${received}/${records * CLIENTS})`,
      `disconnects ${stats.reduce((sum, s) => sum + s.disconnects, 0)}`,
      `load average ${loadBefore.toFixed(1)} → ${os.loadavg()[0]!.toFixed(1)} on ${os.availableParallelism()} cores`
    ].join("  ")
  } finally {
    for (const p of processes) p.kill()
    await Promise.all(
      processes.map((p) => (p.exitCode === null ? new Promise((resolve) => p.once("exit", resolve)) : undefined))
    )
    fs.rmSync(dir, { recursive: true, force: true })
    if (topology !== "all") await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined)
  }
}

export const run = async (): Promise<void> => {
  console.log("needs the built CLI (npm run build), PostgreSQL and Redis")
  for (const topology of ["all", "ingest + 2 edges"] as const) console.log(await runCase(topology))
}
