/**
 * A database serve cannot use is refused before the port is bound, in one
 * line naming the path, the cause and the fix. The read-only cases need a
 * user other than root (root writes anything): the tests run as root here
 * and in CI, and start the CLI as `nobody` for those.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { databaseLayer } from "../../src/layers/platform/database.js"
import { builtCliMissing, runCliToEnd } from "./cli-process.js"

const NOBODY = 65534
const asRoot = typeof process.getuid === "function" && process.getuid() === 0

const tempDir = Effect.acquireRelease(
  Effect.sync(() => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sdh-db-"))
    fs.chmodSync(dir, 0o755)
    fs.writeFileSync(path.join(dir, "radars.config.json"), "{}")
    return dir
  }),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)

const serve = (dir: string, database: string, user?: number) =>
  runCliToEnd(["serve", "--port", "0", "--database-path", database], {
    cwd: dir,
    ...(user === undefined ? {} : { uid: user, gid: user })
  }).pipe(
    Effect.tap((run) => {
      expect(run.stdout.filter((line) => line.includes("listening"))).toEqual([])
      expect(run.stderr).toHaveLength(1)
      expect(run.code).toBe(1)
    }),
    Effect.map((run) => run.stderr[0]!)
  )

describe.skipIf(builtCliMissing !== undefined)("serve refuses a database it cannot use, naming path and fix", () => {
  it.scopedLive("a folder where the file should be", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      fs.mkdirSync(path.join(dir, "db"))
      expect(yield* serve(dir, "db")).toBe(
        "superdarn-hub serve: cannot open database db: it is a folder; " +
          "DATABASE_PATH names the database file, e.g. db/superdarn-hub.sqlite"
      )
    }))

  it.scopedLive("a file that is not SQLite", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      fs.writeFileSync(path.join(dir, "notes.sqlite"), "loghello, not a database")
      expect(yield* serve(dir, "notes.sqlite")).toBe(
        "superdarn-hub serve: cannot open database notes.sqlite: it is not a SQLite database " +
          "(starts with bytes 6c 6f 67 68 65 6c 6c 6f …); point DATABASE_PATH at a new file name, or move this file away"
      )
    }))

  it.scopedLive("a path under /proc is refused at once, not looped on", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      expect(yield* serve(dir, "/proc/self/superdarn/hub.sqlite")).toBe(
        "superdarn-hub serve: cannot open database /proc/self/superdarn/hub.sqlite: /proc is a kernel file system, " +
          "not a disk; choose a DATABASE_PATH on a disk, e.g. /var/lib/superdarn-hub/superdarn-hub.sqlite"
      )
    }))

  it.scopedLive("a folder that cannot be created", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      fs.writeFileSync(path.join(dir, "plain-file"), "")
      const line = yield* serve(dir, path.join(dir, "plain-file", "sub", "hub.sqlite"))
      expect(line).toBe(
        `superdarn-hub serve: cannot open database ${dir}/plain-file/sub/hub.sqlite: ${dir}/plain-file is a file, ` +
          "not a folder; choose a DATABASE_PATH whose folders are folders"
      )
    }))

  it.scopedLive.skipIf(!asRoot)(
    "created by root, opened by the service user: read-only, with its owner",
    () =>
      Effect.gen(function*() {
        const dir = yield* tempDir
        const database = path.join(dir, "shared")
        fs.mkdirSync(database, { mode: 0o777 })
        fs.chmodSync(database, 0o777)
        // A real, migrated database made by root, as `sudo superdarn-hub serve` once left it.
        yield* Effect.scoped(Layer.build(databaseLayer(path.join(database, "hub.sqlite"))))
        fs.chmodSync(path.join(database, "hub.sqlite"), 0o644)
        const line = yield* serve(dir, path.join(database, "hub.sqlite"), NOBODY)
        expect(line).toBe(
          `superdarn-hub serve: cannot open database ${database}/hub.sqlite: the file is not writable by nobody ` +
            `(owned by root, mode 0644); chown nobody ${database}/hub.sqlite (and its -wal and -shm files), or run as root`
        )
      })
  )

  it.scopedLive.skipIf(!asRoot)("a folder the service user cannot write", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      fs.mkdirSync(path.join(dir, "locked"), { mode: 0o755 })
      const line = yield* serve(dir, path.join(dir, "locked", "hub.sqlite"), NOBODY)
      expect(line).toBe(
        `superdarn-hub serve: cannot open database ${dir}/locked/hub.sqlite: the folder ${dir}/locked is not writable ` +
          `by nobody (owned by root, mode 0755); chown nobody ${dir}/locked, or choose another DATABASE_PATH`
      )
    }))
})

if (builtCliMissing !== undefined) {
  describe("serve refuses a database it cannot use", () => {
    it.skip(`skipped: ${builtCliMissing}`, () => {})
  })
}
