/**
 * Archive collection end to end: 200 files of ~5 MB from a local HTTP
 * autoindex through download, SHA-1, full bzip2 test, journal and durable
 * filing; against the reference a shell script would run on the same files
 * (`sha1sum` then `lbzip2 -t`, or `bzip2 -t` without lbzip2).
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
import { REPLAY_FITACF } from "./replay-file.js"

/** 200 by default; SDH_BENCH_ARCHIVE_FILES overrides it for a quick look on a busy machine. */
const FILES = Number(process.env.SDH_BENCH_ARCHIVE_FILES ?? 200)
const TARGET_BYTES = 5 * 1024 * 1024
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

    const config = Schema.decodeUnknownSync(ArchiveConfig)({
      archiveRoot: path.join(root, "archive"),
      stagingRoot: path.join(root, "staging"),
      holdingDir: path.join(root, "holding"),
      quarantineDir: path.join(root, "quarantine"),
      workDir: path.join(root, "work"),
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
    console.log(
      `${FILES} files, ${mb.toFixed(0)} MB (multi-stream bzip2 of fitacf), ${os.availableParallelism()} cores`
    )

    const started = process.hrtime.bigint()
    const report = await Effect.runPromise(
      runCollection(config.institutions[0]!).pipe(
        Effect.provide(
          Layer.merge(
            archiveLayer(config, { journalPath: path.join(root, "journal.sqlite"), progress: TransferProgress.silent }),
            Logger.minimumLogLevel(LogLevel.Warning)
          )
        )
      )
    )
    const collectSeconds = seconds(started)
    const archived = report.files.filter((file) => file.kind === "archived").length
    if (archived !== FILES) throw new Error(`only ${archived} of ${FILES} files archived`)
    console.log(
      `collector (http → sha1 → bzip2 test → journal → durable link): ${(FILES / collectSeconds).toFixed(1)} files/s, ${
        (mb / collectSeconds).toFixed(1)
      } MB/s (${collectSeconds.toFixed(1)} s)`
    )

    const tester = have("lbzip2") ? "lbzip2" : "bzip2"
    const referenceStart = process.hrtime.bigint()
    const reference = spawnSync("sh", ["-c", `sha1sum -- * > /dev/null && ${tester} -t -- *`], { cwd: served })
    if (reference.status !== 0) throw new Error(`reference failed: ${reference.stderr.toString()}`)
    const referenceSeconds = seconds(referenceStart)
    console.log(
      `reference (sha1sum + ${tester} -t, files already local): ${(FILES / referenceSeconds).toFixed(1)} files/s, ${
        (mb / referenceSeconds).toFixed(1)
      } MB/s (${referenceSeconds.toFixed(1)} s)`
    )
    console.log(`collector / reference: ${(100 * referenceSeconds / collectSeconds).toFixed(0)}%`)
  } finally {
    server?.closeAllConnections()
    server?.close()
    fs.rmSync(root, { recursive: true, force: true })
  }
}
