/**
 * bzip2 compression of one in-memory message for the simulated Borealis
 * publisher, by the system's `bzip2 -c`. The archive's file-to-file
 * compression (src/compression/bzip2-compress.ts) works on files; the fake
 * publisher needs bytes, and shares only its error.
 */
import * as Effect from "effect/Effect"
import { spawn } from "node:child_process"
import { Bzip2CompressError } from "../compression/bzip2-compress.js"

export { Bzip2CompressError }

const INPUT = "(simulated message)"

export const bzip2Compress = (input: Uint8Array): Effect.Effect<Uint8Array, Bzip2CompressError> =>
  Effect.async<Uint8Array, Bzip2CompressError>((resume) => {
    const child = spawn("bzip2", ["-c"], { stdio: ["pipe", "pipe", "pipe"] })
    const parts: Array<Buffer> = []
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => parts.push(chunk))
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
    child.once("error", (error: NodeJS.ErrnoException) =>
      resume(Effect.fail(
        new Bzip2CompressError({
          input: INPUT,
          reason: error.code === "ENOENT" ? "Unavailable" : "Failed",
          detail: error.message
        })
      )))
    child.once("close", (code) =>
      resume(
        code === 0
          ? Effect.succeed(new Uint8Array(Buffer.concat(parts)))
          : Effect.fail(
            new Bzip2CompressError({ input: INPUT, reason: "Failed", detail: `bzip2 exit ${code}: ${stderr.trim()}` })
          )
      ))
    child.stdin.on("error", () => undefined)
    child.stdin.end(input)
    return Effect.sync(() => child.kill())
  })
