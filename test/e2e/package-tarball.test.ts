/**
 * The package as npm ships it: `npm pack`, the tarball unpacked into an empty
 * folder, and its `dist/main.js demo` run from there. The unpacked package
 * reaches its dependencies through a `node_modules` link to this checkout's,
 * so the test needs no registry; what it proves is that the tarball holds
 * every file the program reads at run time (bundle chunks, status page,
 * hardware tables, replay records, radar table) and nothing of the sources,
 * tests or benchmarks.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { execFileSync, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { testsNeedProgram } from "../support/required-program.js"
import { builtCliMissing } from "./cli-process.js"

testsNeedProgram("bzip2", "bzip2")

const ROOT = fileURLToPath(new URL("../..", import.meta.url))

const PackResult = Schema.Array(Schema.Struct({
  filename: Schema.String,
  files: Schema.Array(Schema.Struct({ path: Schema.String }))
}))

const tempDir = Effect.acquireRelease(
  Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "sdh-pack-"))),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)

/** `npm pack` of this checkout into `dir`: the tarball's path and the files it holds. */
const pack = (dir: string) =>
  Effect.gen(function*() {
    const json = execFileSync("npm", ["pack", "--json", "--pack-destination", dir], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 120_000,
      stdio: ["ignore", "pipe", "pipe"]
    })
    const [result] = yield* Schema.decodeUnknown(Schema.parseJson(PackResult))(json)
    return { tarball: path.join(dir, result!.filename), files: result!.files.map((file) => file.path) }
  })

/** `node <package>/dist/main.js demo --port 0` until it logs where it listens; killed at scope close. */
const startDemo = (mainJs: string, cwd: string) =>
  Effect.gen(function*() {
    const child = yield* Effect.acquireRelease(
      Effect.sync(() =>
        spawn(process.execPath, [mainJs, "demo", "--port", "0"], {
          cwd,
          env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
          stdio: ["ignore", "pipe", "pipe"]
        })
      ),
      (child) => Effect.sync(() => child.exitCode === null && child.kill("SIGKILL"))
    )
    let output = ""
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()))
    return yield* Effect.async<string, Error>((resume) => {
      child.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString()
        const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(output)
        if (match !== null) resume(Effect.succeed(match[1]!))
      })
      child.once("exit", (code) => resume(Effect.fail(new Error(`demo exited with ${code}:\n${output}`))))
    }).pipe(
      Effect.timeoutFail({ duration: "60 seconds", onTimeout: () => new Error(`demo never listened:\n${output}`) })
    )
  })

describe.skipIf(builtCliMissing !== undefined)("the npm package", () => {
  it.scoped("unpacked into an empty folder, runs the demo from its own files", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const { files, tarball } = yield* pack(dir)

      expect(files).toContain("dist/main.js")
      expect(files).toContain("public/status/index.html")
      expect(files).toContain("data/radar-table.json")
      expect(files.some((file) => file.startsWith("data/hdw/"))).toBe(true)
      expect(files.some((file) => file.startsWith("data/replay/"))).toBe(true)
      for (const kept of ["src/", "test/", "bench/", ".bench-build/", ".ci/"]) {
        expect(files.filter((file) => file.startsWith(kept))).toEqual([])
      }

      const unpacked = path.join(dir, "unpacked")
      fs.mkdirSync(unpacked)
      execFileSync("tar", ["-xzf", tarball, "-C", unpacked], { timeout: 60_000 })
      const packageDir = path.join(unpacked, "package")
      fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(packageDir, "node_modules"), "dir")
      const workDir = path.join(dir, "work")
      fs.mkdirSync(workDir)

      const url = yield* startDemo(path.join(packageDir, "dist", "main.js"), workDir)
      const get = (route: string) =>
        Effect.promise(async () => {
          const response = await fetch(`${url}${route}`, { signal: AbortSignal.timeout(10_000) })
          return { status: response.status, body: await response.text() }
        })

      const health = yield* get("/health")
      expect(health.status).toBe(200)
      const page = yield* get("/")
      expect(page.status).toBe(200)
      expect(page.body).toContain("<html")
      const radars = yield* get("/radars")
      expect(radars.status).toBe(200)
      expect(JSON.parse(radars.body)).toEqual(
        expect.arrayContaining([expect.objectContaining({ site: "sas" })])
      )
      const fov = yield* get("/radars/sas/fov?frang=180&rsep=45")
      expect(fov.status, fov.body).toBe(200)
    }), { timeout: 240_000 })
})
