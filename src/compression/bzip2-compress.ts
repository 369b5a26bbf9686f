/**
 * bzip2 compression by the system's `lbzip2` (parallel) or `bzip2`, spawned
 * and streamed: a plain file is compressed, a gzip file is gunzipped on the
 * way in, so nothing is held in memory. The output is complete only when the
 * input was read to its end, the compressor exited 0 and the output flushed.
 * A gzip input is decompressed under `DecompressionLimits`: a bomb stops the
 * copy as soon as it expands too far (the caller removes the partial output).
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import { pipeline } from "node:stream/promises"
import * as zlib from "node:zlib"
import { byteCounter } from "./byte-counter.js"
import { decompressionExcess, type DecompressionLimits } from "./decompression-limits.js"

export class Bzip2CompressError extends Data.TaggedError("Bzip2CompressError")<{
  readonly input: string
  readonly reason: "Unavailable" | "InputCorrupt" | "TooLarge" | "Failed"
  readonly detail: string
}> {
  override get message(): string {
    return `compressing ${this.input} to bzip2: ${this.reason}: ${this.detail}`
  }
}

/** lbzip2 first: it uses every core, and its output is standard multi-stream bzip2. */
const COMPRESSORS = ["lbzip2", "bzip2"] as const

export type CompressFrom = "gzip" | "none"

const childEnvironment = (): NodeJS.ProcessEnv => {
  // Both tools read extra flags from these; a stray value must not change the output.
  const { BZIP: _bzip, BZIP2: _bzip2, LBZIP2: _lbzip2, ...rest } = process.env
  return rest
}

class Unavailable extends Error {}
class InputCorrupt extends Error {}
class TooLarge extends Error {}

const compressWith = (
  program: string,
  input: string,
  output: string,
  from: CompressFrom,
  limits: DecompressionLimits,
  signal: AbortSignal
) =>
  new Promise<void>((resolve, reject) => {
    const child = spawn(program, ["-c"], { stdio: ["pipe", "pipe", "pipe"], env: childEnvironment(), signal })
    let stderr = ""
    child.stderr.setEncoding("utf8")
    child.stderr.on("data", (text: string) => {
      if (stderr.length < 4096) stderr += text
    })
    let settled = false
    const fail = (error: Error) => {
      if (settled) return
      settled = true
      child.kill("SIGKILL")
      reject(error)
    }
    child.once("error", (error: NodeJS.ErrnoException) =>
      fail(error.code === "ENOENT" ? new Unavailable(`${program}: ${error.message}`) : error))
    child.once("spawn", () => {
      const source = fs.createReadStream(input, { highWaterMark: 1 << 20 })
      const feed = from === "gzip"
        ? fs.promises.stat(input).then(({ size }) => {
          const counter = byteCounter({
            refuse: (bytes) => {
              const excess = decompressionExcess(limits, size, bytes)
              return excess === undefined ? undefined : new TooLarge(`gzip ${excess}`)
            }
          })
          return pipeline(source, zlib.createGunzip(), counter.stream, child.stdin).catch((error: Error) => {
            throw error instanceof TooLarge ? error : new InputCorrupt(`gzip: ${error.message}`)
          })
        })
        : pipeline(source, child.stdin)
      const drain = pipeline(child.stdout, fs.createWriteStream(output))
      const exit = new Promise<number | null>((done) =>
        child.once("close", (code) =>
          done(code))
      )
      Promise.all([feed, drain, exit]).then(([, , code]) => {
        if (code === 0) {
          if (!settled) {
            settled = true
            resolve()
          }
        } else fail(new Error(`${program} exited with ${code}: ${stderr.trim() || "(no message)"}`))
      }, fail)
    })
  })

/** Compress `input` (plain or gzip, the latter decompressed within `limits`) into `output` as bzip2. */
export const compressToBzip2 = (
  input: string,
  output: string,
  from: CompressFrom,
  limits: DecompressionLimits
): Effect.Effect<void, Bzip2CompressError> =>
  Effect.tryPromise({
    try: async (signal) => {
      let unavailable = ""
      for (const program of COMPRESSORS) {
        try {
          return await compressWith(program, input, output, from, limits, signal)
        } catch (error) {
          if (!(error instanceof Unavailable)) throw error
          unavailable += `${error.message}; `
        }
      }
      throw new Unavailable(unavailable)
    },
    catch: (error) =>
      new Bzip2CompressError({
        input,
        reason: error instanceof Unavailable
          ? "Unavailable"
          : error instanceof InputCorrupt
          ? "InputCorrupt"
          : error instanceof TooLarge
          ? "TooLarge"
          : "Failed",
        detail: error instanceof Error ? error.message : String(error)
      })
  })
