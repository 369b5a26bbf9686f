/**
 * `superdarn-hub dmap dump` of the built CLI (run `npm run build` first) on
 * a ~21 MB fitacf corpus (pydarn-north repeated) and on one 10× larger, to
 * /dev/null: input MB/s (median of several runs) and the peak resident
 * memory of the process (VmHWM, read while it runs), which must not grow
 * with the file.
 */
import { Effect } from "effect"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { bunzip2Buffer } from "../src/compression/bunzip2.js"
import { packagePath } from "../src/domain/package-files.js"
import { childrenCpuMs, loadAverage } from "./machine.js"
import { REPLAY_FITACF } from "./replay-file.js"

const MAIN_JS = packagePath("dist", "main.js")
const CORPUS_BYTES = 21 * 1024 * 1024
const RUNS = 5

const median = (values: ReadonlyArray<number>): number => {
  const sorted = values.slice().sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

const writeCorpus = (file: string, one: Uint8Array, copies: number): number => {
  const fd = fs.openSync(file, "w")
  try {
    for (let i = 0; i < copies; i++) fs.writeSync(fd, one)
  } finally {
    fs.closeSync(fd)
  }
  return copies * one.length
}

/** Peak RSS so far; undefined once the process is gone (a zombie's status has no VmHWM). */
const peakKb = (pid: number): number | undefined => {
  try {
    const kb = Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1])
    return Number.isFinite(kb) ? kb : undefined
  } catch {
    return undefined
  }
}

/** One dump to /dev/null: wall and CPU seconds, and the last peak RSS read before the process ended. */
const dump = (file: string): Promise<{ readonly seconds: number; readonly cpu: number; readonly peakMb: number }> =>
  new Promise((resolve, reject) => {
    const cpuBefore = childrenCpuMs()
    const start = process.hrtime.bigint()
    const out = fs.openSync("/dev/null", "w")
    const child = spawn(process.execPath, [MAIN_JS, "dmap", "dump", file], { stdio: ["ignore", out, "pipe"] })
    fs.closeSync(out)
    let peak = 0
    let stderr = ""
    const poll = setInterval(() => (peak = Math.max(peak, peakKb(child.pid!) ?? 0)), 10)
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
    child.once("exit", (code) => {
      clearInterval(poll)
      const seconds = Number(process.hrtime.bigint() - start) / 1e9
      if (code !== 0) reject(new Error(`dmap dump exited ${code}: ${stderr}`))
      else resolve({ seconds, cpu: (childrenCpuMs() - cpuBefore) / 1000, peakMb: peak / 1024 })
    })
  })

export const run = async (): Promise<void> => {
  if (!fs.existsSync(MAIN_JS)) throw new Error(`${MAIN_JS} is missing: run \`npm run build\` first`)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-dump-"))
  try {
    const one = await Effect.runPromise(bunzip2Buffer(fs.readFileSync(REPLAY_FITACF), 64 * 1024 * 1024))
    const copies = Math.max(1, Math.round(CORPUS_BYTES / one.length))
    const small = path.join(dir, "corpus.fitacf")
    const large = path.join(dir, "corpus-10x.fitacf")
    const smallBytes = writeCorpus(small, one, copies)
    const largeBytes = writeCorpus(large, one, copies * 10)
    const runs: Array<{ seconds: number; cpu: number; peakMb: number }> = []
    for (let i = 0; i < RUNS; i++) runs.push(await dump(small))
    const seconds = median(runs.map((r) => r.seconds))
    const cpu = median(runs.map((r) => r.cpu))
    console.log(`dmap dump to /dev/null, median of ${RUNS} runs (load average ${loadAverage()})`)
    console.log(
      `  ${(smallBytes / 1e6).toFixed(1)} MB corpus   ${(smallBytes / 1e6 / seconds).toFixed(1).padStart(6)} MB/s` +
        ` (${(smallBytes / 1e6 / cpu).toFixed(1)} MB per CPU second)` +
        `   peak RSS ${Math.max(...runs.map((r) => r.peakMb)).toFixed(0)} MB   (targets ≥ 35 MB/s, ≤ 100 MB)`
    )
    const big = await dump(large)
    console.log(
      `  ${(largeBytes / 1e6).toFixed(1)} MB corpus  ${(largeBytes / 1e6 / big.seconds).toFixed(1).padStart(6)} MB/s` +
        ` (${(largeBytes / 1e6 / big.cpu).toFixed(1)} MB per CPU second)` +
        `   peak RSS ${big.peakMb.toFixed(0)} MB   (one run; load average ${loadAverage()})`
    )
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}
