import { afterAll, describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { execFile, execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as zlib from "node:zlib"
import { DmapOutput, dumpFiles, infoFiles, OutputClosed } from "../../../src/cli/dmap-files.js"
import { encodeRecord } from "../../../src/dmap/encode.js"
import { DmapType } from "../../../src/dmap/types.js"
import { testsNeedProgram } from "../../support/required-program.js"
import { fixtureBytes, fixturePath } from "./fixture-files.js"

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sdh-"))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const write = (name: string, bytes: Uint8Array): string => {
  const file = path.join(dir, name)
  fs.writeFileSync(file, bytes)
  return file
}

/** Runs a command effect with stdout and stderr captured in memory. */
const capture = <E>(effect: Effect.Effect<void, E, DmapOutput>) =>
  Effect.gen(function*() {
    let stdout = ""
    let stderr = ""
    const output = Layer.succeed(DmapOutput, {
      // The dump reuses its buffer once a write resolves: decoded at once, as a real write copies at once.
      stdout: (data) =>
        Effect.sync(() => {
          stdout += typeof data === "string" ? data : Buffer.from(data).toString("utf8")
        }),
      stderr: (text) =>
        Effect.sync(() => {
          stderr += text
        })
    })
    const exit = yield* Effect.exit(Effect.provide(effect, output))
    return { exit, stdout, stderr }
  })

const lines = (text: string): Array<Record<string, unknown>> =>
  text.trimEnd().split("\n").filter((line) => line !== "").map((line) => JSON.parse(line) as Record<string, unknown>)

describe("dmap dump", () => {
  it.live("dumps one JSON object per record per line", () =>
    Effect.gen(function*() {
      const { exit, stderr, stdout } = yield* capture(dumpFiles([fixturePath("test.fitacf")]))
      expect(exit._tag).toBe("Success")
      expect(stderr).toBe("")
      const records = lines(stdout)
      expect(records.map((r) => [r["stid"], r["cp"], r["nrang"], (r["slist"] as Array<number>).length])).toEqual([
        [64, -3503, 75, 26],
        [64, -3503, 75, 27]
      ])
      expect(stdout.endsWith("\n")).toBe(true)
    }))

  it.live("writes exact 64-bit values and NaN as a string", () =>
    Effect.gen(function*() {
      const file = write(
        "special.dat",
        encodeRecord({
          scalars: [{ name: "big", type: DmapType.long, value: 9007199254740993n }],
          arrays: [{ name: "f", type: DmapType.float, dims: [2], data: Float32Array.of(Number.NaN, 2) }]
        })
      )
      const { stdout } = yield* capture(dumpFiles([file]))
      expect(stdout).toBe("{\"big\":9007199254740993,\"f\":[\"NaN\",2]}\n")
    }))

  it.live("a corrupt file: the good records, then an error naming the file and offset, then failure", () =>
    Effect.gen(function*() {
      const bad = write(
        "corrupt.fitacf",
        Buffer.concat([fixtureBytes("test.fitacf"), Buffer.from("garbage that is not a record")])
      )
      const { exit, stderr, stdout } = yield* capture(dumpFiles([bad, fixturePath("test.snd")]))
      expect(lines(stdout).map((r) => r["stid"])).toEqual([64, 64, 211, 211])
      expect(stderr).toBe(
        `dmap dump: ${bad}: record 3 (from byte 10780) is damaged: DMAP BadRecordCode at byte 10780: ` +
          "record code is 1651663207, expected 65537\n"
      )
      expect(exit._tag === "Failure" && String(exit.cause)).toContain("DmapCommandError")
    }))

  it.live("a missing file is reported and the others are still dumped", () =>
    Effect.gen(function*() {
      const missing = path.join(dir, "missing.fitacf")
      const { exit, stderr, stdout } = yield* capture(dumpFiles([missing, fixturePath("test.snd")]))
      expect(lines(stdout)).toHaveLength(2)
      expect(stderr).toContain(`${missing}: Unreadable: ENOENT`)
      expect(exit._tag).toBe("Failure")
    }))
})

describe("dmap dump, bzip2 files", () => {
  testsNeedProgram("bzip2", "bzip2")

  it.live("gives the same output for the plain, .bz2 and .gz forms of a file", () =>
    Effect.gen(function*() {
      const plain = (yield* capture(dumpFiles([fixturePath("test.rawacf")]))).stdout
      const bz2 = (yield* capture(dumpFiles([fixturePath("test.rawacf.bz2")]))).stdout
      const gz =
        (yield* capture(dumpFiles([write("rawacf-gzipped", zlib.gzipSync(fixtureBytes("test.rawacf")))]))).stdout
      expect(lines(plain)).toHaveLength(2)
      expect(bz2).toBe(plain)
      expect(gz).toBe(plain)
    }))

  it.live("dumps all 100 records of the multi-block pydarn file", () =>
    Effect.gen(function*() {
      const { stdout } = yield* capture(dumpFiles([fixturePath("pydarn-north.fitacf.bz2")]))
      const records = lines(stdout)
      expect(records).toHaveLength(100)
      expect(records.filter((r) => r["scan"] === -1)).toHaveLength(8)
    }))

  it.live("a truncated .bz2 is an error, never a silently short dump", () =>
    Effect.gen(function*() {
      const whole = fs.readFileSync(fixturePath("pydarn-north.fitacf.bz2"))
      const cut = write("cut.fitacf.bz2", whole.subarray(0, whole.length - 1))
      const { exit, stderr } = yield* capture(dumpFiles([cut]))
      expect(exit._tag).toBe("Failure")
      expect(stderr).toMatch(new RegExp(`^dmap dump: ${cut} \\(bzip2\\): Truncated: `))
    }))

  it.live("a DMAP error inside a compressed file says the offset counts decompressed bytes", () =>
    Effect.gen(function*() {
      const bytes = Buffer.concat([fixtureBytes("test.fitacf"), new Uint8Array(8)])
      const file = write("short.fitacf.bz2", execFileSync("bzip2", ["-c"], { input: bytes }))
      const { stderr } = yield* capture(dumpFiles([file]))
      expect(stderr).toBe(
        `dmap dump: ${file}: truncated: record 3 (from byte 10780 of the bzip2-decompressed data) is cut inside ` +
          "its header, the file ends 8 bytes into it\n"
      )
    }))

  it.live("stops at once when stdout is closed", () =>
    Effect.gen(function*() {
      let writes = 0
      const closed = Layer.succeed(DmapOutput, {
        stdout: () =>
          Effect.suspend(() => {
            writes++
            return Effect.fail(new OutputClosed({ detail: "EPIPE" }))
          }),
        stderr: () => Effect.void
      })
      const exit = yield* Effect.exit(
        Effect.provide(dumpFiles([fixturePath("pydarn-north.fitacf.bz2"), fixturePath("test.fitacf")]), closed)
      )
      expect(writes).toBe(1)
      expect(exit._tag === "Failure" && String(exit.cause)).toContain("OutputClosed")
    }))
})

describe("dmap info", () => {
  it.live("a corrupt file: the summary of its good records, then the error", () =>
    Effect.gen(function*() {
      const bad = write("bad-info.fitacf", Buffer.concat([fixtureBytes("test.fitacf"), new Uint8Array(3)]))
      const { exit, stderr, stdout } = yield* capture(infoFiles([bad]))
      expect(stdout).toContain("records   2")
      expect(stderr).toContain(
        `${bad}: truncated: record 3 (from byte 10780) is cut inside its header, the file ends 3 bytes into it`
      )
      expect(exit._tag).toBe("Failure")
    }))
})

describe("dmap info, bzip2 files", () => {
  testsNeedProgram("bzip2", "bzip2")

  it.live("summarises each format", () =>
    Effect.gen(function*() {
      const files = [
        "test.fitacf",
        "pydarn-north.fitacf.bz2",
        "test.rawacf",
        "test.iqdat",
        "test.grid",
        "test.map",
        "test.snd"
      ]
      const { exit, stdout } = yield* capture(infoFiles(files.map(fixturePath)))
      expect(exit._tag).toBe("Success")
      const blocks = stdout.trimEnd().split(/\n(?=\/)/)
      expect(blocks).toHaveLength(files.length)
      expect(blocks[0]).toBe(
        [
          fixturePath("test.fitacf"),
          "  records   2",
          "  format    fitacf",
          "  stations  64",
          "  from      2022-11-07T18:01:00.013Z",
          "  to        2022-11-07T18:01:03.899Z",
          "  bytes     10780 DMAP, 10780 on disk (uncompressed)"
        ].join("\n")
      )
      expect(blocks[1]).toContain("records   100")
      expect(blocks[1]).toContain("stations  10\n")
      expect(blocks[1]).toContain("bytes     405624 DMAP, 224464 on disk (bzip2)")
      expect(blocks.map((b) => /format {4}(\w+)/.exec(b)?.[1])).toEqual([
        "fitacf",
        "fitacf",
        "rawacf",
        "iqdat",
        "grid",
        "map",
        "snd"
      ])
      expect(blocks[5]).toContain("stations  3, 5, 6, 9, 10, 33, 40, 64, 65, 204, 205, 206, 207")
      expect(blocks[4]).toContain("from      2015-03-01T20:02:00.000Z\n  to        2015-03-01T20:06:00.000Z")
    }))
})

const built = path.join(import.meta.dirname, "..", "..", "..", "dist", "main.js")

describe("the built command line", () => {
  // The one spawned check: exit codes and real stdout. CI builds before testing.
  it.live.skipIf(!fs.existsSync(built))(
    "exits 0 on good files and non-zero on a corrupt one",
    () =>
      Effect.gen(function*() {
        const run = (args: ReadonlyArray<string>) =>
          Effect.async<{ code: number; stdout: string; stderr: string }>((resume) => {
            execFile(process.execPath, [built, ...args], (error, stdout, stderr) => {
              resume(Effect.succeed({ code: error === null ? 0 : Number(error.code ?? -1), stdout, stderr }))
            })
          })
        const good = yield* run(["dmap", "dump", fixturePath("test.fitacf")])
        expect(good.code).toBe(0)
        expect(lines(good.stdout)).toHaveLength(2)
        const bad = write("cli-corrupt.fitacf", Buffer.concat([fixtureBytes("test.fitacf"), new Uint8Array(20)]))
        const failed = yield* run(["dmap", "dump", bad])
        expect(failed.code).not.toBe(0)
        expect(lines(failed.stdout)).toHaveLength(2)
        expect(failed.stderr).toContain(
          `dmap dump: ${bad}: record 3 (from byte 10780) is damaged: DMAP BadRecordCode at byte 10780`
        )
      })
  )
})
