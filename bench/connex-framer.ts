/**
 * Connex framing throughput: the 100 pydarn-north records (decompressed)
 * encoded as connex frames and repeated to about 20 MB, fed to the framer in
 * TCP-segment-sized (1448 B) and 64 KiB chunks; clean, and with garbage
 * between every tenth pair of frames. Then framing plus record decoding plus
 * the fitacf view, which is the whole per-byte work of a TCP radar actor.
 * Median of several runs.
 */
import { Effect, Either } from "effect"
import * as fs from "node:fs"
import { bunzip2Buffer } from "../src/compression/bunzip2.js"
import { decodeRecord, decodeRecords } from "../src/dmap/decode.js"
import { encodeRecord } from "../src/dmap/encode.js"
import { fitacfView } from "../src/dmap/fitacf.js"
import { connexFrame, ConnexFramer } from "../src/streams/connex-framer.js"
import { REPLAY_FITACF } from "./replay-file.js"

const FIXTURE = REPLAY_FITACF
const STREAM_BYTES = 20 * 1024 * 1024
const RUNS = 7

const concat = (parts: ReadonlyArray<Uint8Array>): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

const buildStream = (frames: ReadonlyArray<Uint8Array>, garbage: Uint8Array | undefined) => {
  const parts: Array<Uint8Array> = []
  let bytes = 0
  let count = 0
  for (let i = 0; bytes < STREAM_BYTES; i++) {
    const frame = frames[i % frames.length]!
    parts.push(frame)
    bytes += frame.length
    count++
    if (garbage !== undefined && i % 10 === 9) {
      parts.push(garbage)
      bytes += garbage.length
    }
  }
  return { bytes: concat(parts), frames: count }
}

const median = (values: Array<number>): number => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)]!

const time = (work: () => number): { seconds: number; result: number } => {
  let result = work()
  const seconds: Array<number> = []
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint()
    result = work()
    seconds.push(Number(process.hrtime.bigint() - start) / 1e9)
  }
  return { seconds: median(seconds), result }
}

const frameAll = (bytes: Uint8Array, chunk: number, decode: boolean): number => {
  const framer = new ConnexFramer()
  let records = 0
  for (let offset = 0; offset < bytes.length; offset += chunk) {
    framer.push(bytes.subarray(offset, offset + chunk))
    for (let event = framer.next(); event !== undefined; event = framer.next()) {
      if (event._tag !== "Frame") continue
      if (!decode) {
        records++
        continue
      }
      const record = decodeRecord(event.payload)
      if (Either.isLeft(record)) {
        framer.reject()
        continue
      }
      if (Either.isRight(fitacfView(record.right))) records++
    }
  }
  return records
}

export const run = async (): Promise<void> => {
  const file = await Effect.runPromise(bunzip2Buffer(fs.readFileSync(FIXTURE), 64 * 1024 * 1024))
  const frames = decodeRecords(file).records.map((record) => connexFrame(encodeRecord(record)))
  const garbage = Uint8Array.from({ length: 700 }, (_, i) => (i * 31 + 7) & 0xff)
  const clean = buildStream(frames, undefined)
  const dirty = buildStream(frames, garbage)
  const mb = (n: number) => n / (1024 * 1024)
  const report = (label: string, stream: { bytes: Uint8Array; frames: number }, chunk: number, decode: boolean) => {
    const { result, seconds } = time(() => frameAll(stream.bytes, chunk, decode))
    if (result !== stream.frames) throw new Error(`${label}: ${result} of ${stream.frames} frames`)
    console.log(
      `${label.padEnd(42)} ${(mb(stream.bytes.length) / seconds).toFixed(0).padStart(6)} MB/s ` +
        `${(stream.frames / seconds / 1000).toFixed(0).padStart(6)} k frames/s`
    )
  }
  console.log(
    `stream: ${mb(clean.bytes.length).toFixed(1)} MB, ${clean.frames} frames of ~${
      Math.round(clean.bytes.length / clean.frames)
    } B`
  )
  report("frame, 1448 B chunks", clean, 1448, false)
  report("frame, 64 KiB chunks", clean, 64 * 1024, false)
  report("frame, 64 KiB chunks, 700 B garbage per 10", dirty, 64 * 1024, false)
  report("frame + decode + fitacf view, 1448 B chunks", clean, 1448, true)
}
