/**
 * bzip2 compression for the simulated Borealis publisher, by the system's
 * `bzip2 -c`: the hub itself only ever decompresses, so this stays here.
 */
import { Data, Effect } from "effect"
import { spawn } from "node:child_process"

export class Bzip2CompressError extends Data.TaggedError("Bzip2CompressError")<{
  readonly detail: string
}> {
  override get message(): string {
    return `bzip2 -c failed: ${this.detail}`
  }
}

export const bzip2Compress = (input: Uint8Array): Effect.Effect<Uint8Array, Bzip2CompressError> =>
  Effect.async<Uint8Array, Bzip2CompressError>((resume) => {
    const child = spawn("bzip2", ["-c"], { stdio: ["pipe", "pipe", "pipe"] })
    const parts: Array<Buffer> = []
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => parts.push(chunk))
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
    child.once("error", (error) => resume(Effect.fail(new Bzip2CompressError({ detail: error.message }))))
    child.once("close", (code) =>
      resume(
        code === 0
          ? Effect.succeed(new Uint8Array(Buffer.concat(parts)))
          : Effect.fail(new Bzip2CompressError({ detail: `exit ${code}: ${stderr.trim()}` }))
      )
    )
    child.stdin.on("error", () => undefined)
    child.stdin.end(input)
    return Effect.sync(() => child.kill())
  })
