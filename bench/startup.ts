/**
 * Start-up cost of the built command line (dist/main.js, `npm run build`
 * first): wall time of `--help` and of `dmap info` on a 10 kB file against
 * `node -e 0` measured in the same rounds (interleaved, so load on the shared
 * machine hits every command alike), and the resident memory of `serve` once
 * it listens, with no radars and then with 1000 idle Socket.IO clients.
 *
 * Two floors run in the same rounds, bundled as the CLI is (`scripts/build.mjs
 * --floor`): Effect's runtime running one effect, and the smallest
 * @effect/cli command line printing its help (bench/startup-floor/). What
 * they take, our code cannot remove without leaving the stack.
 */
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { io, type Socket } from "socket.io-client"
import { packagePath } from "../src/domain/package-files.js"
import { childrenCpuMs, loadAverage } from "./machine.js"

const MAIN_JS = packagePath("dist", "main.js")
const FITACF = packagePath("test", "fixtures", "test.fitacf")
const ROUNDS = 9
const IDLE_CLIENTS = 1000

const median = (values: ReadonlyArray<number>): number => {
  const sorted = values.slice().sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

/** Wall and CPU milliseconds of one run of `node args`; its output is discarded, a failure aborts the bench. */
const runMs = (args: ReadonlyArray<string>): { readonly wall: number; readonly cpu: number } => {
  const cpuBefore = childrenCpuMs()
  const start = process.hrtime.bigint()
  const run = spawnSync(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] })
  const wall = Number(process.hrtime.bigint() - start) / 1e6
  if (run.status !== 0) throw new Error(`node ${args.join(" ")} exited ${run.status}: ${run.stderr}`)
  return { wall, cpu: childrenCpuMs() - cpuBefore }
}

/** The floor programs, built into a temp folder the caller removes. */
const buildFloors = (dir: string): { readonly runtime: string; readonly cli: string } => {
  const build = spawnSync(process.execPath, [packagePath("scripts", "build.mjs"), "--floor", dir], {
    stdio: ["ignore", "ignore", "pipe"]
  })
  if (build.status !== 0) throw new Error(`building the start-up floors failed: ${build.stderr}`)
  return { runtime: path.join(dir, "effect-runtime.js"), cli: path.join(dir, "effect-cli.js") }
}

const startupCases = async (): Promise<void> => {
  const floorDir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-startup-floor-"))
  try {
    await timeStartup(buildFloors(floorDir))
  } finally {
    fs.rmSync(floorDir, { recursive: true, force: true })
  }
}

const timeStartup = async (floors: { readonly runtime: string; readonly cli: string }): Promise<void> => {
  const cases = [
    { label: "node -e 0 (baseline)", args: ["-e", "0"] },
    { label: "floor: Effect runtime, one effect", args: [floors.runtime] },
    { label: "floor: @effect/cli, 1 command --help", args: [floors.cli, "--help"] },
    { label: "superdarn-hub --help", args: [MAIN_JS, "--help"] },
    { label: "superdarn-hub dmap info test.fitacf", args: [MAIN_JS, "dmap", "info", FITACF] }
  ]
  const times = cases.map(() => [] as Array<{ readonly wall: number; readonly cpu: number }>)
  // One warm-up round: the first run pays for the OS file cache.
  cases.forEach((c) => runMs(c.args))
  for (let round = 0; round < ROUNDS; round++) cases.forEach((c, i) => times[i]!.push(runMs(c.args)))
  const wall = (i: number) => median(times[i]!.map((t) => t.wall))
  const cpu = (i: number) => median(times[i]!.map((t) => t.cpu))
  console.log(`start-up, median of ${ROUNDS} interleaved rounds (load average ${loadAverage()})`)
  if (process.env["NODE_EXTRA_CA_CERTS"] !== undefined) {
    // Node reads and parses those certificates at every start, before any script.
    console.log("  NODE_EXTRA_CA_CERTS is set: every start below includes loading it, which lowers the ratios")
  }
  cases.forEach((c, i) => {
    console.log(
      `  ${c.label.padEnd(38)} wall ${wall(i).toFixed(0).padStart(6)} ms ${
        (wall(i) / wall(0)).toFixed(2).padStart(5)
      }×` +
        `   cpu ${cpu(i).toFixed(0).padStart(5)} ms ${(cpu(i) / cpu(0)).toFixed(2).padStart(5)}×`
    )
  })
}

const rssMb = (pid: number): number => {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8")
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1])
  return kb / 1024
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const connectClients = async (url: string, count: number): Promise<ReadonlyArray<Socket>> => {
  const sockets: Array<Socket> = []
  // In batches, so the accept queue of the server is never the limit.
  for (let i = 0; i < count; i += 100) {
    const batch = Array.from(
      { length: Math.min(100, count - i) },
      () => io(url, { path: "/socket.io/", transports: ["websocket"], reconnection: false, forceNew: true })
    )
    await Promise.all(batch.map((socket) =>
      new Promise<void>((resolve, reject) => {
        socket.once("connect", () => resolve())
        socket.once("connect_error", reject)
      })
    ))
    sockets.push(...batch)
  }
  return sockets
}

/** `serve` with no radars and a database in a temp folder: RSS after start-up, then with idle clients. */
const serveMemory = async (): Promise<void> => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-startup-"))
  fs.writeFileSync(path.join(dir, "radars.json"), "{}")
  const server = spawn(
    process.execPath,
    [MAIN_JS, "serve", "--port", "0", "--config", "radars.json", "--database-path", "hub.sqlite"],
    { cwd: dir, env: { PATH: process.env.PATH ?? "/usr/bin:/bin" }, stdio: ["ignore", "pipe", "pipe"] }
  )
  let stderr = ""
  server.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = ""
      server.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString()
        const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(out)
        if (match !== null) resolve(match[1]!)
      })
      server.once("exit", (code) => reject(new Error(`serve exited ${code} before listening: ${stderr}`)))
    })
    // Start-up work (migrations, first timers) settles before the reading.
    await sleep(2000)
    const idle = rssMb(server.pid!)
    console.log(`serve RSS (load average ${loadAverage()})`)
    console.log(`  after start-up, no radars, no clients   ${idle.toFixed(1).padStart(6)} MB`)
    const sockets = await connectClients(url, IDLE_CLIENTS)
    await sleep(2000)
    const busy = rssMb(server.pid!)
    console.log(`  with ${IDLE_CLIENTS} idle clients connected     ${busy.toFixed(1).padStart(6)} MB`)
    for (const socket of sockets) socket.disconnect()
  } finally {
    if (server.exitCode === null && server.signalCode === null) {
      server.kill("SIGTERM")
      await new Promise((resolve) => server.once("exit", resolve))
    }
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

export const run = async (): Promise<void> => {
  if (!fs.existsSync(MAIN_JS)) throw new Error(`${MAIN_JS} is missing: run \`npm run build\` first`)
  await startupCases()
  await serveMemory()
}
