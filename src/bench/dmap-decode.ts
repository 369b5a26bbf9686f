/**
 * DMAP codec throughput on a corpus made by repeating pydarn-north.fitacf
 * (decompressed) to about 20 MB: whole-buffer decoding, incremental decoding
 * in 64 KiB chunks, encoding, and the fitacf view. Median of several runs.
 */
import { Effect } from "effect"
import * as fs from "node:fs"
import { fileURLToPath } from "node:url"
import { bunzip2Buffer } from "../compression/bunzip2.js"
import { decodeRecords } from "../dmap/decode.js"
import { encodeRecords } from "../dmap/encode.js"
import { fitacfView } from "../dmap/fitacf.js"
import { DmapRecordDecoder } from "../dmap/record-decoder.js"

const FIXTURE = fileURLToPath(new URL("../../test/fixtures/pydarn-north.fitacf.bz2", import.meta.url))
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

const median = (values: Array<number>): number => {
  const sorted = values.slice().sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

/** Runs `work` RUNS times after one warm-up; returns the median seconds. */
const time = (work: () => void): number => {
  work()
  const seconds: Array<number> = []
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint()
    work()
    seconds.push(Number(process.hrtime.bigint() - start) / 1e9)
  }
  return median(seconds)
}

const report = (label: string, seconds: number, bytes: number, records: number): void => {
  const mbPerSecond = (bytes / 1e6 / seconds).toFixed(0)
  const recordsPerSecond = Math.round(records / seconds).toLocaleString("en-US")
  console.log(`${label.padEnd(28)} ${mbPerSecond.padStart(5)} MB/s  ${recordsPerSecond.padStart(11)} records/s`)
}

export const run = async (): Promise<void> => {
  const corpus = await buildCorpus()
  const { records, error } = decodeRecords(corpus)
  if (error !== undefined) throw error
  console.log(`corpus: ${(corpus.length / 1e6).toFixed(1)} MB, ${records.length} records; median of ${RUNS} runs`)

  report("decode (whole buffer)", time(() => decodeRecords(corpus)), corpus.length, records.length)

  report(
    "decode (64 KiB chunks)",
    time(() => {
      const decoder = new DmapRecordDecoder()
      for (let offset = 0; offset < corpus.length; offset += CHUNK_BYTES) {
        decoder.push(corpus.subarray(offset, offset + CHUNK_BYTES))
      }
      decoder.finish()
    }),
    corpus.length,
    records.length
  )

  report("encode", time(() => encodeRecords(records)), corpus.length, records.length)

  report(
    "fitacf view",
    time(() => {
      for (const record of records) fitacfView(record)
    }),
    corpus.length,
    records.length
  )
}
