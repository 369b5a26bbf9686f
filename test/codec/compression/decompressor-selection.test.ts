/**
 * Which program bunzip2 runs. PATH is narrowed to a folder holding only the
 * wanted tools, so this file changes process.env for its own test process
 * (vitest runs each test file in its own fork).
 */
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { bunzip2Stream } from "../../../src/compression/bunzip2.js"
import { findProgram, testsNeedProgram } from "../../support/required-program.js"
import { fixtureBytes, fixturePath } from "../dmap/fixture-files.js"

/** Found on the test's own PATH, before the tests narrow it. */
const bzip2 = findProgram("bzip2")
const lbzip2 = findProgram("lbzip2")
const originalPath = process.env["PATH"]
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sdh-"))
afterAll(() => {
  process.env["PATH"] = originalPath
  fs.rmSync(dir, { recursive: true, force: true })
})

/** A PATH with only the given programs on it. */
const onlyOnPath = (programs: Record<string, string>): void => {
  const bin = fs.mkdtempSync(path.join(dir, "bin-"))
  for (const [name, target] of Object.entries(programs)) fs.symlinkSync(target, path.join(bin, name))
  process.env["PATH"] = bin
}

const compressed = new Uint8Array(fs.readFileSync(fixturePath("test.fitacf.bz2")))
const decompress = (bytes: Uint8Array) =>
  bunzip2Stream(Stream.make(bytes)).pipe(
    Stream.runCollect,
    Effect.map((chunks) => Buffer.concat(Chunk.toReadonlyArray(chunks)))
  )

const TOOL_VARIABLES = ["BZIP", "BZIP2", "LBZIP2"] as const

/**
 * Runs `effect` with the variables both tools read extra arguments from set to
 * a file name: left in the child's environment, it would make the tool read
 * that file instead of stdin.
 */
const withToolVariables = <A, E>(effect: Effect.Effect<A, E>): Effect.Effect<A, E> =>
  Effect.acquireUseRelease(
    Effect.sync(() => {
      for (const name of TOOL_VARIABLES) process.env[name] = "/nonexistent"
    }),
    () => effect,
    () =>
      Effect.sync(() => {
        for (const name of TOOL_VARIABLES) delete process.env[name]
      })
  )
describe("decompressor selection, lbzip2 alone", () => {
  testsNeedProgram("lbzip2", "lbzip2")

  it.live(
    "falls back to lbzip2 when bzip2 is missing",
    () =>
      Effect.gen(function*() {
        onlyOnPath({ lbzip2: lbzip2! })
        expect(Buffer.compare(yield* decompress(compressed), fixtureBytes("test.fitacf"))).toBe(0)
        // lbzip2 names a cut by what it finds there ("bad block header magic"),
        // so it may come out as Corrupt; what matters is that it fails.
        const cut = yield* Effect.flip(decompress(compressed.subarray(0, 3000)))
        expect(["Truncated", "Corrupt"]).toContain(cut.reason)
        expect(cut.detail).toContain("lbzip2")
      })
  )

  it.live("lbzip2 ignores the BZIP, BZIP2 and LBZIP2 variables", () =>
    Effect.gen(function*() {
      onlyOnPath({ lbzip2: lbzip2! })
      expect(Buffer.compare(yield* withToolVariables(decompress(compressed)), fixtureBytes("test.fitacf"))).toBe(0)
    }))
})

describe("decompressor selection, bzip2", () => {
  testsNeedProgram("bzip2", "bzip2")

  it.live(
    "uses bzip2 when both exist (it reports trailing garbage)",
    () =>
      Effect.gen(function*() {
        onlyOnPath({ bzip2: bzip2!, ...(lbzip2 === undefined ? {} : { lbzip2 }) })
        const garbage = Buffer.concat([compressed, Buffer.from("junk")])
        expect((yield* Effect.flip(decompress(garbage))).reason).toBe("TrailingGarbage")
      })
  )

  it.live("bzip2 ignores the BZIP, BZIP2 and LBZIP2 variables", () =>
    Effect.gen(function*() {
      onlyOnPath({ bzip2: bzip2! })
      expect(Buffer.compare(yield* withToolVariables(decompress(compressed)), fixtureBytes("test.fitacf"))).toBe(0)
    }))
})

describe("decompressor selection, no program", () => {
  it.live("fails with Unavailable when neither can be run", () =>
    Effect.gen(function*() {
      onlyOnPath({})
      const error = yield* Effect.flip(decompress(compressed))
      expect(error.reason).toBe("Unavailable")
      expect(error.detail).toContain("neither bzip2 nor lbzip2")
      expect(error.detail).toContain("install the Debian package bzip2 or lbzip2")
    }))
})
