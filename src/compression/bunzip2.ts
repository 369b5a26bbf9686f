/**
 * bzip2 decompression by the system's `bzip2` (or `lbzip2`), spawned with
 * `-dc` and streamed through stdin/stdout. The JS bzip2 decoders on npm stop
 * after the first stream of a multi-stream file or hang on truncated input;
 * the system tools do neither.
 *
 * Observed behaviour (bzip2 1.0.8, lbzip2 2.5, input on stdin):
 * - truncated input: bzip2 exits 2, stderr "Compressed file ends unexpectedly";
 *   lbzip2 exits 1, stderr "compressed data error: unexpected end of file"
 *   (or "bad block header magic" / "stream CRC mismatch" depending on where
 *   the cut falls).
 * - corrupt data: bzip2 exits 2, "Data integrity error when decompressing";
 *   lbzip2 exits 1, "compressed data error: block CRC mismatch".
 * - not bzip2 at all: bzip2 exits 2, "is not a bzip2 file"; lbzip2 exits 1,
 *   "not a valid bzip2 file".
 * - empty input: bzip2 exits 2 ("ends unexpectedly"), lbzip2 exits 1.
 * - trailing garbage after the last stream: bzip2 exits 0 and only warns
 *   "trailing garbage after EOF ignored" on stderr; lbzip2 exits 0 and says
 *   nothing at all. Because lbzip2 hides it, `bzip2` is tried first and
 *   `lbzip2` is the fallback for systems without it.
 * - several concatenated streams (pbzip2/lbzip2 output): both decode all.
 * Both read extra options from the BZIP, BZIP2 and LBZIP2 environment
 * variables, so those are removed from the child's environment.
 *
 * `{ fast: true }` puts lbzip2 (every core) first for callers that check the
 * end of the file themselves with `endsAtStreamEnd`, the one thing lbzip2
 * does not report.
 *
 * `bunzip2File` is the archive's hot path (the full test of every file
 * collected): the child reads the file itself as its stdin, and its output is
 * handed to a plain callback as it arrives, with no stream machinery per
 * chunk; per 5 MB file that saves about as much CPU as the DMAP check costs.
 */
import * as NodeStream from "@effect/platform-node/NodeStream"
import * as Data from "effect/Data"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import * as Stream from "effect/Stream"
import { type ChildProcessByStdio, spawn } from "node:child_process"
import * as fs from "node:fs"
import type { Readable, Writable } from "node:stream"

export class Bzip2Error extends Data.TaggedError("Bzip2Error")<{
  readonly reason: "Corrupt" | "Truncated" | "TrailingGarbage" | "TooLarge" | "Unavailable"
  readonly detail: string
}> {
  override get message(): string {
    return `bzip2 ${this.reason}: ${this.detail}`
  }
}

/** Tried in this order; see the header comment for why bzip2 comes first. */
const DECOMPRESSORS = ["bzip2", "lbzip2"] as const
const FAST_DECOMPRESSORS = ["lbzip2", "bzip2"] as const

export interface Bunzip2Options {
  /** lbzip2 first: the caller checks for trailing garbage with `endsAtStreamEnd`. */
  readonly fast?: boolean
  /**
   * lbzip2's worker threads (its `-n`); by default it starts one per core.
   * Callers that decompress several files at once divide the cores between
   * them: two lbzip2 with two threads each on two cores used twice the CPU
   * of two with one thread each, and took twice as long.
   */
  readonly threads?: number
}

/** The 48-bit end-of-stream magic (sqrt(pi)), followed by the 32-bit combined CRC and zero padding to a byte. */
const END_OF_STREAM_MAGIC = 0x177245385090n
/** Magic, CRC and up to 7 padding bits fit in the last 11 bytes. */
export const STREAM_END_BYTES = 11

/**
 * Whether `tail` (the last bytes of a file, at least the last 10) ends exactly
 * with a bzip2 end-of-stream marker, its CRC and zero padding: anything
 * appended after the last stream makes this false. The marker is not byte
 * aligned, so every padding width is tried.
 */
export const endsAtStreamEnd = (tail: Uint8Array): boolean => {
  const take = Math.min(tail.length, STREAM_END_BYTES)
  if (take < 10) return false
  let bits = 0n
  for (let i = tail.length - take; i < tail.length; i++) bits = (bits << 8n) | BigInt(tail[i]!)
  for (let pad = 0n; pad <= 7n; pad++) {
    if (BigInt(take * 8) < 80n + pad) break
    if ((bits & ((1n << pad) - 1n)) !== 0n) continue
    if (((bits >> (pad + 32n)) & 0xffffffffffffn) === END_OF_STREAM_MAGIC) return true
  }
  return false
}

/** Enough of stderr to hold its first line; the rest is dropped. */
const STDERR_KEEP_BYTES = 4096

type Child = ChildProcessByStdio<Writable | null, Readable, Readable>

interface Finished {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stderr: string
}

interface Decompressor<C extends Child = ChildProcessByStdio<Writable, Readable, Readable>> {
  readonly program: string
  readonly child: C
  readonly finished: Deferred.Deferred<Finished>
}

const childEnvironment = (): NodeJS.ProcessEnv => {
  const { BZIP: _bzip, BZIP2: _bzip2, LBZIP2: _lbzip2, ...rest } = process.env
  return rest
}

/**
 * Spawns `program` reading a pipe, or the open file `input`; resolves once the
 * OS has started it, or fails if it cannot be run.
 */
function spawnProgram(program: string): Effect.Effect<Decompressor, Bzip2Error>
function spawnProgram(
  program: string,
  input: number,
  threads: number | undefined
): Effect.Effect<Decompressor<ChildProcessByStdio<null, Readable, Readable>>, Bzip2Error>
function spawnProgram(
  program: string,
  input?: number,
  threads?: number
): Effect.Effect<Decompressor<Child>, Bzip2Error> {
  return Effect.async<Decompressor<Child>, Bzip2Error>((resume) => {
    const args = program === "lbzip2" && threads !== undefined ? ["-n", String(threads), "-dc"] : ["-dc"]
    // Node's typings have no overload for a file descriptor as stdin; stdout and stderr are pipes either way.
    const child = spawn(program, args, {
      stdio: [input ?? "pipe", "pipe", "pipe"],
      env: childEnvironment()
    }) as Child
    const finished = Deferred.unsafeMake<Finished>(FiberId.none)
    let stderr = ""
    child.stderr.setEncoding("utf8")
    child.stderr.on("data", (text: string) => {
      if (stderr.length < STDERR_KEEP_BYTES) stderr += text
    })
    // The child may exit before reading all its input (corrupt data); writes
    // then fail with EPIPE. The exit status reports the real cause, so the
    // pipe error itself is deliberately not an error of ours.
    child.stdin?.on("error", () => {})
    child.on("close", (code, signal) => {
      // The first line names the problem; the rest is bzip2's generic advice.
      const firstLine = stderr.trim().split("\n", 1)[0] ?? ""
      Deferred.unsafeDone(finished, Exit.succeed({ code, signal, stderr: firstLine }))
    })
    let started = false
    child.once("spawn", () => {
      started = true
      resume(Effect.succeed({ program, child, finished }))
    })
    // After a successful start, errors (a failed kill) surface through the exit status.
    child.on("error", (error: NodeJS.ErrnoException) => {
      if (started) return
      started = true
      resume(Effect.fail(new Bzip2Error({ reason: "Unavailable", detail: `${program}: ${error.message}` })))
    })
  })
}

const stop = (decompressor: Decompressor<Child>): Effect.Effect<void> =>
  Effect.sync(() => {
    const { child } = decompressor
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
    child.stdin?.destroy()
    child.stdout.destroy()
    child.stderr.destroy()
  })

/** The first of `programs` that `start` can run on this system; killed when the scope closes. */
const firstDecompressor = <C extends Child>(
  programs: ReadonlyArray<string>,
  start: (program: string) => Effect.Effect<Decompressor<C>, Bzip2Error>
) =>
  Effect.acquireRelease(
    Effect.firstSuccessOf(programs.map(start)).pipe(
      Effect.mapError((error) =>
        new Bzip2Error({
          reason: "Unavailable",
          detail: `neither ${programs.join(" nor ")} can be run: install the Debian package bzip2 or lbzip2 ` +
            `(${error.detail})`
        })
      )
    ),
    stop
  )

const acquireDecompressor = (programs: ReadonlyArray<string>) =>
  firstDecompressor(programs, (program) => spawnProgram(program))

/** Writes one chunk and waits until the pipe took it; false once the child stopped reading. */
const writeChunk = (stdin: Writable, chunk: Uint8Array): Effect.Effect<boolean> =>
  Effect.async<boolean>((resume) => {
    if (stdin.destroyed || stdin.writableEnded) return resume(Effect.succeed(false))
    stdin.write(chunk, (error) => resume(Effect.succeed(error === null || error === undefined)))
  })

/** Feeds the whole input; returns whether the child accepted all of it. */
const feed = <E, R>(input: Stream.Stream<Uint8Array, E, R>, stdin: Writable): Effect.Effect<boolean, E, R> =>
  Effect.gen(function*() {
    let accepted = true
    yield* input.pipe(
      Stream.takeWhile(() => accepted),
      Stream.runForEach((chunk) =>
        chunk.length === 0 ? Effect.void : Effect.map(writeChunk(stdin, chunk), (ok) => {
          accepted = ok
        })
      )
    )
    if (accepted) stdin.end()
    return accepted
  })

const classify = (program: string, finished: Finished): Bzip2Error | undefined => {
  const { code, signal, stderr } = finished
  if (code === 0) {
    return /trailing garbage/i.test(stderr)
      ? new Bzip2Error({ reason: "TrailingGarbage", detail: stderr })
      : undefined
  }
  const detail = `${program} exited with ${code === null ? `signal ${signal}` : `code ${code}`}: ${
    stderr || "(no message)"
  }`
  if (/ends unexpectedly|unexpected end of file/i.test(stderr)) return new Bzip2Error({ reason: "Truncated", detail })
  return new Bzip2Error({ reason: "Corrupt", detail })
}

/**
 * Decompresses a bzip2 byte stream (one or several concatenated bzip2
 * streams). The output ends only after the decompressor exited cleanly, so a
 * truncated, corrupt or garbage-tailed input fails instead of giving a short
 * output. Interrupting the stream kills the child.
 */
export const bunzip2Stream = <E, R>(
  input: Stream.Stream<Uint8Array, E, R>,
  options: Bunzip2Options = {}
): Stream.Stream<Uint8Array, E | Bzip2Error, R> =>
  Stream.unwrapScoped(
    Effect.gen(function*() {
      const { program, child, finished } = yield* acquireDecompressor(
        options.fast === true ? FAST_DECOMPRESSORS : DECOMPRESSORS
      )
      const feeder = yield* Effect.forkScoped(feed(input, child.stdin))
      const output = NodeStream.fromReadable<Bzip2Error>(
        () => child.stdout,
        (error) => new Bzip2Error({ reason: "Unavailable", detail: `reading ${program} output: ${String(error)}` })
      )
      const verdict = Effect.gen(function*() {
        const result = yield* Deferred.await(finished)
        const failure = classify(program, result)
        if (failure !== undefined) return yield* failure
        const acceptedAll = yield* Fiber.join(feeder)
        if (!acceptedAll) {
          return yield* new Bzip2Error({
            reason: "TrailingGarbage",
            detail: `${program} exited cleanly before reading all of its input`
          })
        }
      })
      // A failing input must fail the output too, not leave it waiting for a
      // child that never sees the end of its stdin.
      const inputFailure = Fiber.join(feeder).pipe(Effect.zipRight(Effect.never))
      return output.pipe(Stream.concat(Stream.execute(verdict)), Stream.interruptWhen(inputFailure))
    })
  )

/**
 * Decompresses one buffer, failing with TooLarge (and killing the child) as
 * soon as the output passes `maxOutputBytes`: a defence against small
 * messages that expand enormously.
 */
export const bunzip2Buffer = (input: Uint8Array, maxOutputBytes: number): Effect.Effect<Uint8Array, Bzip2Error> =>
  Effect.suspend(() => {
    const parts: Array<Uint8Array> = []
    let total = 0
    return bunzip2Stream(Stream.succeed(input)).pipe(
      Stream.runForEach((chunk) => {
        total += chunk.length
        if (total > maxOutputBytes) {
          return Effect.fail(new Bzip2Error({ reason: "TooLarge", detail: `output exceeds ${maxOutputBytes} bytes` }))
        }
        parts.push(chunk)
        return Effect.void
      }),
      Effect.map(() => {
        const output = new Uint8Array(total)
        let offset = 0
        for (const part of parts) {
          output.set(part, offset)
          offset += part.length
        }
        return output
      })
    )
  })

/** The file could not be opened for the decompressor. */
export class Bzip2InputError extends Data.TaggedError("Bzip2InputError")<{
  readonly path: string
  readonly reason: string
}> {
  override get message(): string {
    return `cannot read ${this.path}: ${this.reason}`
  }
}

/**
 * After `consume` refuses a piece, the decompressor may yet report that the
 * block the piece came from is damaged: bzip2 writes a block's output before
 * it checks the block's CRC (lbzip2 checks first), so a corrupt file would
 * otherwise read as wrong content and be refused for good instead of being
 * fetched again. The decompressor gets this much more output, discarded, and
 * this long to say so; then it is killed and the refusal stands.
 */
const REFUSAL_GRACE_BYTES = 1024 * 1024
const REFUSAL_GRACE_MS = 2_000

/**
 * Decompresses the bzip2 file at `path` (one or several streams), handing
 * each piece of output to `consume` as it arrives. `consume` returns an error
 * to stop: the child is killed (after the grace above) and that error is the
 * result (how a bomb is stopped as it expands), unless the decompressor
 * failed on its input first. Succeeds only once the decompressor exited
 * cleanly; as with `bunzip2Stream`, lbzip2 (first with `fast`) does not
 * report trailing bytes, so such callers check `endsAtStreamEnd` themselves.
 */
export const bunzip2File = <E>(
  path: string,
  consume: (chunk: Uint8Array) => E | undefined,
  options: Bunzip2Options = {}
): Effect.Effect<void, E | Bzip2Error | Bzip2InputError> =>
  Effect.scoped(Effect.gen(function*() {
    const input = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => fs.promises.open(path, "r"),
        catch: (error) => new Bzip2InputError({ path, reason: error instanceof Error ? error.message : String(error) })
      }),
      (handle) => Effect.promise(() => handle.close())
    )
    const { child, finished, program } = yield* firstDecompressor(
      options.fast === true ? FAST_DECOMPRESSORS : DECOMPRESSORS,
      (program) => spawnProgram(program, input.fd, options.threads)
    )
    let refusal: { readonly error: E } | { readonly defect: unknown } | undefined
    let killed = false
    let graceLeft = REFUSAL_GRACE_BYTES
    let graceTimer: ReturnType<typeof setTimeout> | undefined
    const kill = () => {
      killed = true
      child.kill("SIGKILL")
    }
    yield* Effect.addFinalizer(() => Effect.sync(() => clearTimeout(graceTimer)))
    child.stdout.on("data", (chunk: Uint8Array) => {
      if (refusal !== undefined) {
        graceLeft -= chunk.length
        if (graceLeft < 0 && !killed) kill()
        return
      }
      try {
        const error = consume(chunk)
        if (error === undefined) return
        refusal = { error }
        graceTimer = setTimeout(kill, REFUSAL_GRACE_MS)
      } catch (defect) {
        // Thrown inside an event handler it would take the process down; it ends this effect instead.
        refusal = { defect }
        kill()
      }
    })
    const result = yield* Deferred.await(finished)
    if (refusal !== undefined) {
      if ("defect" in refusal) return yield* Effect.die(refusal.defect)
      // The decompressor's own verdict on its input outranks a refusal of what it wrote before checking.
      const failure = killed ? undefined : classify(program, result)
      return yield* (failure ?? Effect.fail(refusal.error))
    }
    const failure = classify(program, result)
    if (failure !== undefined) return yield* failure
  }))
