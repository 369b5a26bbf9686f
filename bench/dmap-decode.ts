/**
 * DMAP codec throughput on a corpus made by repeating pydarn-north.fitacf
 * (decompressed) to about 20 MB: whole-buffer decoding, incremental decoding
 * in 64 KiB chunks (records dropped as they come, as a feed does), encoding,
 * the fitacf view and the JSON lines of `dmap dump`. Median of several runs,
 * in wall-clock time and in this process's CPU time. Then the ratio of
 * keeping every record (decodeRecords) to dropping each one as it comes, and
 * the first pass of a cold process (a fresh `node`) against the warm figure.
 */
import { Effect } from "effect"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { bunzip2Buffer } from "../src/compression/bunzip2.js"
import { decodeRecords } from "../src/dmap/decode.js"
import { encodeRecords } from "../src/dmap/encode.js"
import { fitacfView } from "../src/dmap/fitacf.js"
import { JsonLineWriter } from "../src/dmap/json-line.js"
import { DmapRecordDecoder } from "../src/dmap/record-decoder.js"
import { loadAverage } from "./machine.js"
import { REPLAY_FITACF } from "./replay-file.js"

const FIXTURE = REPLAY_FITACF
const CORPUS_BYTES = 20 * 1024 * 1024
const RUNS = 9
const CHUNK_BYTES = 64 * 1024

const buildCorpus = async (): Promise<Uint8Array> => {
  const file = await Effect.runPromise(bunzip2Buffer(fs.readFileSync(FIXTURE), 64 * 1024 * 1024))
  const copies = Math.max(1, Math.round(CORPUS_BYTES / file.length))
  const corpus = new Uint8Array(copies * file.length)
  for (let i = 0; i < copies; i++) corpus.set(file, i * file.length)
  return corpus
}

interface Timing {
  /** Median wall-clock seconds. */
  readonly wall: number
  /** Median CPU seconds of this process (less disturbed by other load on the machine). */
  readonly cpu: number
}

const median = (values: ReadonlyArray<number>): number => {
  const sorted = values.slice().sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

/** Runs `work` RUNS times after one warm-up; returns the medians. */
const time = (work: () => void): Timing => {
  work()
  const wall: Array<number> = []
  const cpu: Array<number> = []
  for (let i = 0; i < RUNS; i++) {
    const cpuStart = process.cpuUsage()
    const start = process.hrtime.bigint()
    work()
    wall.push(Number(process.hrtime.bigint() - start) / 1e9)
    const used = process.cpuUsage(cpuStart)
    cpu.push((used.user + used.system) / 1e6)
  }
  return { wall: median(wall), cpu: median(cpu) }
}

/**
 * Seconds of one decodeRecords pass in a new process, which has compiled
 * nothing yet; `settled`: with a garbage collection between the file read
 * and the pass (see dmap-decode-cold.ts).
 */
const coldPass = (corpusPath: string, settled: boolean): { readonly wall: number; readonly cpu: number } => {
  const script = fileURLToPath(new URL("./dmap-decode-cold.js", import.meta.url))
  const args = settled ? ["--expose-gc", script, corpusPath, "--settled"] : [script, corpusPath]
  const run = spawnSync(process.execPath, args, { encoding: "utf8" })
  if (run.status !== 0) throw new Error(`cold decode failed: ${run.stderr}`)
  return JSON.parse(run.stdout) as { wall: number; cpu: number }
}

const report = (label: string, timing: Timing, bytes: number, records: number): void => {
  const rate = (seconds: number) =>
    `${(bytes / 1e6 / seconds).toFixed(0).padStart(5)} MB/s ${
      Math.round(records / seconds).toLocaleString("en-US").padStart(9)
    } records/s`
  console.log(`${label.padEnd(34)} wall ${rate(timing.wall)}   cpu ${rate(timing.cpu)}`)
}

export const run = async (): Promise<void> => {
  const corpus = await buildCorpus()
  const { error, records } = decodeRecords(corpus)
  if (error !== undefined) throw error
  console.log(`corpus: ${(corpus.length / 1e6).toFixed(1)} MB, ${records.length} records; median of ${RUNS} runs`)

  const kept = time(() => decodeRecords(corpus))
  report("decode file (all records kept)", kept, corpus.length, records.length)

  const dropped = time(() => {
    const decoder = new DmapRecordDecoder()
    for (let offset = 0; offset < corpus.length; offset += CHUNK_BYTES) {
      decoder.push(corpus.subarray(offset, offset + CHUNK_BYTES))
    }
    decoder.finish()
  })
  report("decode stream (64 KiB, dropped)", dropped, corpus.length, records.length)
  console.log(
    `keeping / dropping: ${(dropped.wall / kept.wall).toFixed(2)}× wall, ${(dropped.cpu / kept.cpu).toFixed(2)}× cpu ` +
      `(target ≥ 0.9×; load average ${loadAverage()})`
  )

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-dmap-"))
  try {
    const corpusPath = path.join(dir, "corpus.fitacf")
    fs.writeFileSync(corpusPath, corpus)
    // Interleaved, so load on the shared machine hits both alike.
    const colds = Array.from({ length: 5 }, () => [coldPass(corpusPath, false), coldPass(corpusPath, true)] as const)
    const medianOf = (runs: ReadonlyArray<{ readonly wall: number; readonly cpu: number }>): Timing => ({
      wall: median(runs.map((c) => c.wall)),
      cpu: median(runs.map((c) => c.cpu))
    })
    const cold = medianOf(colds.map(([plain]) => plain))
    const settled = medianOf(colds.map(([, after]) => after))
    report("decode file, cold process (1st pass)", cold, corpus.length, records.length)
    report("  the same, GC settled first", settled, corpus.length, records.length)
    console.log(
      `cold / warm: ${(cold.wall / kept.wall).toFixed(2)}× wall, ${
        (cold.cpu / kept.cpu).toFixed(2)
      }× cpu (target ≤ 2×); ` +
        `GC settled first: ${(settled.wall / kept.wall).toFixed(2)}× wall, ${(settled.cpu / kept.cpu).toFixed(2)}× cpu`
    )
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }

  report("encode", time(() => encodeRecords(records)), corpus.length, records.length)

  report(
    "fitacf view",
    time(() => {
      for (const record of records) fitacfView(record)
    }),
    corpus.length,
    records.length
  )

  // As `dmap dump` writes them: from records whose fields were never read
  // (the fitacf view above built them), into one buffer handed on every 256 KiB.
  const unread = decodeRecords(corpus).records
  const lines = new JsonLineWriter()
  report(
    "JSON lines (dmap dump)",
    time(() => {
      for (const record of unread) {
        lines.add(record)
        if (lines.size >= 256 * 1024) lines.take()
      }
      lines.take()
    }),
    corpus.length,
    records.length
  )
}
