/**
 * Archive collection end to end: 200 files of ~5 MB from a local HTTP
 * autoindex through download, SHA-1, full bzip2 test, journal and durable
 * filing; against the reference a shell script would run on the same files
 * (`sha1sum` then `lbzip2 -t`, or `bzip2 -t` without lbzip2).
 *
 * Rounds alternate which side runs first (each collector round into a fresh
 * archive and journal); the figures are medians over the rounds, with the
 * load average before and after. CPU seconds (this process plus its reaped
 * children, from /proc/self/stat) are printed beside the wall times: on a
 * shared machine they move less with the load. The collector's CPU includes
 * the benchmark's own HTTP server, which runs in this process.
 *
 * SDH_BENCH_ARCHIVE_FILES (200), SDH_BENCH_ARCHIVE_MB (5, per file) and
 * SDH_BENCH_ARCHIVE_ROUNDS (3) change the size of the run.
 *
 * The files are multi-stream bzip2 built from a pool of compressed segments
 * of real fitacf data (pydarn-north, each segment made different by a record
 * of its own, so every file still decodes as DMAP records to its end, as the
 * collector's content check requires), realistic to decompress without
 * compressing 1 GB first.
 */
import { Effect, Layer, Logger, LogLevel, Schema } from "effect"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { runCollection } from "../src/archive/collection.js"
import { archiveLayer } from "../src/cli/archive-layers.js"
import { encodeRecord } from "../src/dmap/encode.js"
import { DmapType } from "../src/dmap/types.js"
import { ArchiveConfig } from "../src/layers/archive/config/archive-config.js"
import { TransferProgress } from "../src/layers/archive/TransferProgress.js"
import { loadAverage } from "./machine.js"
import { REPLAY_FITACF } from "./replay-file.js"

const FILES = Number(process.env.SDH_BENCH_ARCHIVE_FILES ?? 200)
const TARGET_BYTES = Number(process.env.SDH_BENCH_ARCHIVE_MB ?? 5) * 1024 * 1024
const ROUNDS = Number(process.env.SDH_BENCH_ARCHIVE_ROUNDS ?? 3)
const POOL = 16
const FIXTURE = REPLAY_FITACF

const have = (program: string) => spawnSync(program, ["--help"], { stdio: "ignore" }).error === undefined

const compress = (data: Uint8Array) => {
  const result = spawnSync(have("lbzip2") ? "lbzip2" : "bzip2", ["-c"], { input: data, maxBuffer: 1 << 30 })
  if (result.status !== 0) throw new Error("compression failed")
  return result.stdout
}

/** Compressed segments of ~1.6 MB of real fitacf each, every one different. */
const makePool = (): ReadonlyArray<Buffer> => {
  const base = spawnSync("bzip2", ["-dc", FIXTURE], { maxBuffer: 1 << 30 }).stdout
  return Array.from({ length: POOL }, (_, i) => {
    const own = encodeRecord({ scalars: [{ name: "segment", type: DmapType.int, value: i }], arrays: [] })
    return compress(Buffer.concat([own, base, base, base, base]))
  })
}

const nginxIndex = (names: ReadonlyArray<string>, sizes: ReadonlyMap<string, number>) =>
  `<html><body><pre><a href="../">../</a>\n${
    names.map((name) => `<a href="${name}">${name}</a>    01-Jan-2024 00:00    ${sizes.get(name)}`).join("\n")
  }\n</pre></body></html>`

const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9

const TICKS_PER_SECOND = 100

/** CPU seconds of this process and of the children it has reaped; undefined without /proc. */
const cpuSeconds = (): number | undefined => {
  try {
    // After the command name: utime, stime, cutime and cstime are the 12th to the 15th fields.
    const fields = fs.readFileSync("/proc/self/stat", "utf8").split(") ")[1]!.split(" ")
    return [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0) / TICKS_PER_SECOND
  } catch {
    return undefined
  }
}

interface Timing {
  readonly wall: number
  readonly cpu: number | undefined
}

const timed = async (run: () => Promise<void> | void): Promise<Timing> => {
  const cpuBefore = cpuSeconds()
  const started = process.hrtime.bigint()
  await run()
  const wall = seconds(started)
  const cpuAfter = cpuSeconds()
  return { wall, cpu: cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore }
}

const median = (values: ReadonlyArray<number>) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

export const run = async (): Promise<void> => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "sdh-bench-"))
  const served = path.join(root, "served")
  fs.mkdirSync(served)
  let server: http.Server | undefined
  try {
    const pool = makePool()
    const year = new Date().getUTCFullYear()
    const names: Array<string> = []
    const sizes = new Map<string, number>()
    let totalBytes = 0
    for (let i = 0; i < FILES; i++) {
      const parts: Array<Buffer> = []
      let size = 0
      for (let j = 0; size < TARGET_BYTES; j++) {
        const part = pool[(i * 7 + j * 3) % POOL]!
        parts.push(part)
        size += part.length
      }
      const day = String(1 + (i % 28)).padStart(2, "0")
      const hour = String(Math.floor(i / 28) * 2).padStart(2, "0")
      const name = `${year}01${day}.${hour}00.00.bks.rawacf.bz2`
      fs.writeFileSync(path.join(served, name), Buffer.concat(parts))
      names.push(name)
      sizes.set(name, size)
      totalBytes += size
    }
    const list = [...names].sort()
    server = http.createServer((request, response) => {
      const name = decodeURIComponent((request.url ?? "/").slice(1))
      if (name === "") {
        response.writeHead(200, { "content-type": "text/html" })
        return response.end(nginxIndex(list, sizes))
      }
      const size = sizes.get(name)
      if (size === undefined) {
        response.writeHead(404)
        return response.end()
      }
      response.writeHead(200, { "content-length": size })
      fs.createReadStream(path.join(served, name)).pipe(response)
    })
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve))
    const port = (server.address() as AddressInfo).port

    const configFor = (round: string) =>
      Schema.decodeUnknownSync(ArchiveConfig)({
        archiveRoot: path.join(round, "archive"),
        stagingRoot: path.join(round, "staging"),
        holdingDir: path.join(round, "holding"),
        quarantineDir: path.join(round, "quarantine"),
        workDir: path.join(round, "work"),
        minFreeMegabytes: 0,
        concurrency: { global: os.availableParallelism(), perInstitution: os.availableParallelism() },
        institutions: [{
          id: "bench",
          name: "Benchmark",
          radars: { bks: ["rawacf"] },
          source: { kind: "http-index", url: `http://127.0.0.1:${port}/` },
          hash: "none",
          disposition: "leave",
          staging: false,
          schedule: "1 hour"
        }]
      })
    const mb = totalBytes / 1e6
    const tester = have("lbzip2") ? "lbzip2" : "bzip2"
    console.log(
      `${FILES} files, ${
        mb.toFixed(0)
      } MB (multi-stream bzip2 of fitacf), ${os.availableParallelism()} cores, ${ROUNDS} rounds`
    )
    console.log(`load average before: ${loadAverage()}`)

    const collector = async (round: number) => {
      const dir = path.join(root, `round-${round}`)
      const config = configFor(dir)
      try {
        const report = await Effect.runPromise(
          runCollection(config.institutions[0]!).pipe(
            Effect.provide(
              Layer.merge(
                archiveLayer(config, {
                  journalPath: path.join(dir, "journal.sqlite"),
                  progress: TransferProgress.silent
                }),
                Logger.minimumLogLevel(LogLevel.Warning)
              )
            )
          )
        )
        const archived = report.files.filter((file) => file.kind === "archived").length
        if (archived !== FILES) throw new Error(`only ${archived} of ${FILES} files archived`)
      } finally {
        fs.rmSync(dir, { recursive: true, force: true })
      }
    }
    const reference = () => {
      const result = spawnSync("sh", ["-c", `sha1sum -- * > /dev/null && ${tester} -t -- *`], { cwd: served })
      if (result.status !== 0) throw new Error(`reference failed: ${result.stderr.toString()}`)
    }

    const collectorTimes: Array<Timing> = []
    const referenceTimes: Array<Timing> = []
    const describe = (t: Timing) =>
      `${(mb / t.wall).toFixed(1)} MB/s (${t.wall.toFixed(1)} s${
        t.cpu === undefined ? "" : `, ${t.cpu.toFixed(1)} CPU s`
      })`
    for (let round = 0; round < ROUNDS; round++) {
      const sides = [
        async () => referenceTimes.push(await timed(reference)),
        async () => collectorTimes.push(await timed(() => collector(round)))
      ]
      for (const side of round % 2 === 0 ? sides : sides.reverse()) await side()
      console.log(
        `round ${round + 1}: collector ${describe(collectorTimes.at(-1)!)}; reference ${
          describe(referenceTimes.at(-1)!)
        }; load ${loadAverage()}`
      )
    }

    const collectorWall = median(collectorTimes.map((t) => t.wall))
    const referenceWall = median(referenceTimes.map((t) => t.wall))
    console.log(
      `collector (http → sha1 → bzip2 test → journal → durable link), median: ${
        (FILES / collectorWall).toFixed(1)
      } files/s, ${(mb / collectorWall).toFixed(1)} MB/s (${collectorWall.toFixed(1)} s)`
    )
    console.log(
      `reference (sha1sum + ${tester} -t, files already local), median: ${
        (FILES / referenceWall).toFixed(1)
      } files/s, ${(mb / referenceWall).toFixed(1)} MB/s (${referenceWall.toFixed(1)} s)`
    )
    console.log(`collector / reference (wall, medians): ${(100 * referenceWall / collectorWall).toFixed(0)}%`)
    // Paired within each round, so load that drifts between rounds cancels out.
    const paired = collectorTimes.map((t, round) => referenceTimes[round]!.wall / t.wall)
    console.log(
      `collector / reference (wall, median of the rounds' ratios): ${(100 * median(paired)).toFixed(0)}% (rounds: ${
        paired.map((ratio) => `${(100 * ratio).toFixed(0)}%`).join(", ")
      })`
    )
    const collectorCpu = collectorTimes.flatMap((t) => (t.cpu === undefined ? [] : [t.cpu]))
    const referenceCpu = referenceTimes.flatMap((t) => (t.cpu === undefined ? [] : [t.cpu]))
    if (collectorCpu.length > 0 && referenceCpu.length > 0) {
      console.log(
        `CPU seconds, medians: collector ${median(collectorCpu).toFixed(1)}, reference ${
          median(referenceCpu).toFixed(1)
        } (reference / collector ${(100 * median(referenceCpu) / median(collectorCpu)).toFixed(0)}%)`
      )
    }
    console.log(`load average after: ${loadAverage()}`)
  } finally {
    server?.closeAllConnections()
    server?.close()
    fs.rmSync(root, { recursive: true, force: true })
  }
}
