import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { builtCliMissing, type CliProcess, spawnCli } from "./cli-process.js"

const tempDir = Effect.acquireRelease(
  Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "sdh-"))),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)

/** A folder with a valid radar list (its radar is down, which is no start-up problem). */
const workDir = Effect.map(tempDir, (dir) => {
  fs.writeFileSync(path.join(dir, "radars.config.json"), JSON.stringify({ sas: { host: "127.0.0.1", port: 9 } }))
  return dir
})

const serveArgs = (dir: string, ...extra: ReadonlyArray<string>) => [
  "serve",
  "--host",
  "127.0.0.1",
  "--config",
  "radars.config.json",
  ...(extra.includes("--database-path") ? [] : ["--database-path", path.join(dir, "hub.sqlite")]),
  ...extra
]

/** It exits 1 having written exactly one line to stderr; the line is returned. */
const failsWithOneLine = (cli: CliProcess) =>
  Effect.gen(function*() {
    const exit = yield* cli.exit("20 seconds")
    const lines = cli.stderr.filter((line) => line.trim() !== "")
    expect(lines, cli.stdout.join("\n")).toHaveLength(1)
    expect(exit).toEqual({ code: 1, signal: null })
    return lines[0]!
  })

describe.skipIf(builtCliMissing !== undefined)("serve start-up problems: one line on stderr, exit code 1", () => {
  it.live("a port already in use", () =>
    Effect.gen(function*() {
      const dir = yield* workDir
      const blocker = yield* Effect.acquireRelease(
        Effect.async<net.Server>((resume) => {
          const server = net.createServer().listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
        }),
        (server) => Effect.async<void>((resume) => void server.close(() => resume(Effect.void)))
      )
      const port = (blocker.address() as net.AddressInfo).port
      const line = yield* failsWithOneLine(yield* spawnCli(serveArgs(dir, "--port", String(port)), { cwd: dir }))
      expect(line).toBe(
        `superdarn-hub serve: cannot listen on 127.0.0.1:${port}: EADDRINUSE (the port is already in use)`
      )
    }).pipe(Effect.scoped), 30_000)

  it.live("a database that cannot be written", () =>
    Effect.gen(function*() {
      const dir = yield* workDir
      // A regular file where the database's folder should be: no user can create it.
      fs.writeFileSync(path.join(dir, "not-a-folder"), "")
      const database = path.join(dir, "not-a-folder", "hub.sqlite")
      const line = yield* failsWithOneLine(
        yield* spawnCli(serveArgs(dir, "--port", "0", "--database-path", database), { cwd: dir })
      )
      expect(line).toMatch(new RegExp(`^superdarn-hub serve: cannot open database ${database}: .+`))
    }).pipe(Effect.scoped), 30_000)

  it.live("a bad value in radars.config.json, named by file and key", () =>
    Effect.gen(function*() {
      const dir = yield* workDir
      fs.writeFileSync(path.join(dir, "radars.config.json"), JSON.stringify({ kod: { host: "10.0.0.5", port: "99a" } }))
      const line = yield* failsWithOneLine(yield* spawnCli(serveArgs(dir, "--port", "0"), { cwd: dir }))
      expect(line).toBe("superdarn-hub serve: radars.config.json: \"kod.port\" must be an integer 1-65535, got \"99a\"")
    }).pipe(Effect.scoped), 30_000)

  it.live("a radars.config.json that is not JSON", () =>
    Effect.gen(function*() {
      const dir = yield* workDir
      fs.writeFileSync(path.join(dir, "radars.config.json"), "{ \"sas\": { \"host\": \"10.0.0.5\", ")
      const line = yield* failsWithOneLine(yield* spawnCli(serveArgs(dir, "--port", "0"), { cwd: dir }))
      expect(line).toMatch(/^superdarn-hub serve: radars\.config\.json: .+/)
    }).pipe(Effect.scoped), 30_000)

  it.live("a bad setting in the environment", () =>
    Effect.gen(function*() {
      const dir = yield* workDir
      const line = yield* failsWithOneLine(yield* spawnCli(serveArgs(dir), { cwd: dir, env: { PORT: "50o3" } }))
      expect(line).toBe("superdarn-hub serve: PORT must be an integer 0-65535, got \"50o3\"")
    }).pipe(Effect.scoped), 30_000)

  it.live("a bad setting in .env", () =>
    Effect.gen(function*() {
      const dir = yield* workDir
      fs.writeFileSync(path.join(dir, ".env"), "PORT=0\nMAX_DAYS_STORE_ECHOES=thirty\n")
      const line = yield* failsWithOneLine(yield* spawnCli(serveArgs(dir), { cwd: dir }))
      expect(line).toBe("superdarn-hub serve: MAX_DAYS_STORE_ECHOES must be a positive integer, got \"thirty\"")
    }).pipe(Effect.scoped), 30_000)
})

if (builtCliMissing !== undefined) {
  describe("serve start-up problems", () => {
    it.skip(`skipped: ${builtCliMissing}`, () => {})
  })
}
