/**
 * The built command line (`node dist/main.js …`) as a child process for
 * end-to-end tests: its output collected line by line, its exit awaited with
 * a bound, and a SIGKILL at scope close if a test left it running.
 */
import { Data, Deferred, Duration, Effect, type Scope } from "effect"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

export const MAIN_JS = fileURLToPath(new URL("../../dist/main.js", import.meta.url))

/** Why the built CLI cannot be run, or undefined when it can. */
export const builtCliMissing: string | undefined = fs.existsSync(MAIN_JS)
  ? undefined
  : `${path.relative(process.cwd(), MAIN_JS)} is missing: run \`npm run build\` before the end-to-end tests`

export class CliProcessError extends Data.TaggedError("CliProcessError")<{
  readonly reason: string
  readonly output: string
}> {
  override get message(): string {
    return `${this.reason}\n--- output ---\n${this.output}`
  }
}

export interface CliExit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

export interface CliProcess {
  readonly pid: number
  readonly stdout: ReadonlyArray<string>
  readonly stderr: ReadonlyArray<string>
  /** The first stdout line matching `pattern`, waiting at most `within`. */
  readonly waitForLine: (pattern: RegExp, within: Duration.DurationInput) => Effect.Effect<string, CliProcessError>
  readonly signal: (signal: NodeJS.Signals) => Effect.Effect<void>
  /** The exit, waiting at most `within`. */
  readonly exit: (within: Duration.DurationInput) => Effect.Effect<CliExit, CliProcessError>
}

export const spawnCli = (
  args: ReadonlyArray<string>,
  options: {
    readonly cwd: string
    readonly env?: Readonly<Record<string, string>>
    /** Run as this user and group (the tests run as root; a service user cannot write root's files). */
    readonly uid?: number
    readonly gid?: number
  }
): Effect.Effect<CliProcess, never, Scope.Scope> =>
  Effect.gen(function*() {
    const exited = yield* Deferred.make<CliExit>()
    const stdout: Array<string> = []
    const stderr: Array<string> = []
    const waiters = new Set<() => void>()
    const child = yield* Effect.acquireRelease(
      Effect.sync(() =>
        spawn(process.execPath, [MAIN_JS, ...args], {
          cwd: options.cwd,
          // Only what the test sets: no HOST, PORT or DATABASE_PATH from the developer's shell.
          env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...options.env },
          stdio: ["ignore", "pipe", "pipe"],
          ...(options.uid === undefined ? {} : { uid: options.uid }),
          ...(options.gid === undefined ? {} : { gid: options.gid })
        })
      ),
      (child) => Effect.sync(() => child.exitCode === null && child.signalCode === null && child.kill("SIGKILL"))
    )
    const collect = (stream: NodeJS.ReadableStream, into: Array<string>) => {
      let rest = ""
      stream.setEncoding("utf8")
      stream.on("data", (chunk: string) => {
        const lines = (rest + chunk).split("\n")
        rest = lines.pop() ?? ""
        into.push(...lines)
        for (const wake of waiters) wake()
      })
      stream.on("end", () => {
        if (rest !== "") into.push(rest)
        for (const wake of waiters) wake()
      })
    }
    collect(child.stdout, stdout)
    collect(child.stderr, stderr)
    // "close", not "exit": by then every line of output has been read.
    child.on("close", (code, signal) => {
      Deferred.unsafeDone(exited, Effect.succeed({ code, signal }))
      for (const wake of waiters) wake()
    })

    const output = () => [...stdout.map((l) => `out| ${l}`), ...stderr.map((l) => `err| ${l}`)].join("\n")

    const waitForLine = (pattern: RegExp, within: Duration.DurationInput) =>
      Effect.async<string, CliProcessError>((resume) => {
        const check = () => {
          const line = stdout.find((l) => pattern.test(l))
          if (line !== undefined) {
            waiters.delete(check)
            resume(Effect.succeed(line))
          } else if (child.exitCode !== null || child.signalCode !== null) {
            waiters.delete(check)
            resume(Effect.fail(new CliProcessError({ reason: `exited before printing ${pattern}`, output: output() })))
          }
        }
        waiters.add(check)
        check()
        return Effect.sync(() => waiters.delete(check))
      }).pipe(
        Effect.timeoutFail({
          duration: within,
          onTimeout: () => new CliProcessError({ reason: `no line matching ${pattern}`, output: output() })
        })
      )

    return {
      pid: child.pid ?? -1,
      stdout,
      stderr,
      waitForLine,
      signal: (signal) => Effect.sync(() => void child.kill(signal)),
      exit: (within) =>
        Deferred.await(exited).pipe(
          Effect.timeoutFail({
            duration: within,
            onTimeout: () =>
              new CliProcessError({ reason: `still running after ${Duration.format(within)}`, output: output() })
          })
        )
    } satisfies CliProcess
  })

export interface CliRun extends CliExit {
  readonly stdout: ReadonlyArray<string>
  /** Non-empty stderr lines. */
  readonly stderr: ReadonlyArray<string>
}

/** Runs a command that is expected to end by itself, within `within`. */
export const runCliToEnd = (
  args: ReadonlyArray<string>,
  options: Parameters<typeof spawnCli>[1] & { readonly within?: Duration.DurationInput }
): Effect.Effect<CliRun, CliProcessError> =>
  Effect.scoped(
    Effect.gen(function*() {
      const cli = yield* spawnCli(args, options)
      const exit = yield* cli.exit(options.within ?? "20 seconds")
      return { ...exit, stdout: [...cli.stdout], stderr: cli.stderr.filter((line) => line.trim() !== "") }
    })
  )

/**
 * `serve` on any free port of 127.0.0.1, its database `root/hub.sqlite`,
 * with `extra` arguments, beside one radar, sas, on `radarPort` of 127.0.0.1:
 * by default port 1, which never answers, so the hub runs without radar
 * traffic.
 */
export const spawnServe = (
  root: string,
  extra: ReadonlyArray<string>,
  radarPort = 1
): Effect.Effect<CliProcess, never, Scope.Scope> => {
  fs.writeFileSync(
    path.join(root, "radars.config.json"),
    JSON.stringify({ sas: { host: "127.0.0.1", port: radarPort } })
  )
  return spawnCli([
    "serve",
    "--host",
    "127.0.0.1",
    "--port",
    "0",
    "--config",
    "radars.config.json",
    "--database-path",
    path.join(root, "hub.sqlite"),
    ...extra
  ], { cwd: root })
}

/** The URL a server logs once it listens. */
export const listeningUrl = (cli: CliProcess): Effect.Effect<string, CliProcessError> =>
  Effect.map(
    cli.waitForLine(/listening on http:\/\/127\.0\.0\.1:\d+/, "30 seconds"),
    (line) => /(http:\/\/127\.0\.0\.1:\d+)/.exec(line)![1]!
  )
