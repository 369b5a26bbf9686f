import { afterAll, describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as zlib from "node:zlib"
import { openDataFile, readDataFile } from "../../../src/compression/data-file.js"
import { testsNeedProgram } from "../../support/required-program.js"
import { fixtureBytes, fixturePath } from "../dmap/fixture-files.js"

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sdh-"))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const write = (name: string, bytes: Uint8Array): string => {
  const file = path.join(dir, name)
  fs.writeFileSync(file, bytes)
  return file
}

const contents = (file: string) =>
  readDataFile(file).pipe(Stream.runCollect, Effect.map((chunks) => Buffer.concat(Chunk.toReadonlyArray(chunks))))

/** The bytes as eachChunk hands them out, each piece copied before the next is read. */
const piecesOf = (file: string) =>
  Effect.gen(function*() {
    const pieces: Array<Buffer> = []
    yield* (yield* openDataFile(file)).eachChunk((chunk) => Effect.sync(() => pieces.push(Buffer.from(chunk))))
    return Buffer.concat(pieces)
  })

describe("DataFile.eachChunk", () => {
  it.live("hands out a plain file's bytes in order, through one reused buffer", () =>
    Effect.gen(function*() {
      // Larger than one read, and not a multiple of it.
      const bytes = Uint8Array.from({ length: 700_001 }, (_, i) => (i * 7919) & 0xff)
      const file = write("pieces.bin", bytes)
      expect(Buffer.compare(yield* piecesOf(file), bytes)).toBe(0)
      const buffers = new Set<ArrayBufferLike>()
      yield* (yield* openDataFile(file)).eachChunk((chunk) => Effect.sync(() => buffers.add(chunk.buffer)))
      expect(buffers.size).toBe(1)
    }))

  it.live("an empty file hands out nothing; a file gone after opening is Unreadable", () =>
    Effect.gen(function*() {
      expect((yield* piecesOf(write("empty-pieces", new Uint8Array(0)))).length).toBe(0)
      const file = write("gone", new Uint8Array(10))
      const opened = yield* openDataFile(file)
      fs.rmSync(file)
      const error = yield* Effect.flip(opened.eachChunk(() => Effect.void))
      expect(error).toMatchObject({ _tag: "DataFileError", reason: "Unreadable", path: file })
    }))

  it.live("stops at the consumer's failure, which is the result", () =>
    Effect.gen(function*() {
      const file = write("stop.bin", new Uint8Array(600_000))
      let calls = 0
      const error = yield* Effect.flip(
        (yield* openDataFile(file)).eachChunk(() => Effect.suspend(() => (++calls, Effect.fail("enough" as const))))
      )
      expect(error).toBe("enough")
      expect(calls).toBe(1)
    }))
})

describe("readDataFile", () => {
  it.live("a missing file is Unreadable", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(contents(path.join(dir, "nope")))
      expect(error).toMatchObject({ reason: "Unreadable" })
    }))

  it.live("an empty file is an empty stream", () =>
    Effect.gen(function*() {
      expect((yield* contents(write("empty", new Uint8Array(0)))).length).toBe(0)
    }))
})

describe("readDataFile, bzip2", () => {
  // bzip2 makes the multi-stream file, and the code under test runs it (or lbzip2) to decompress.
  testsNeedProgram("bzip2", "bzip2")
  /** The DMAP bytes inside test.iqdat.bz2 (test/fixtures/README.md). */
  const plain = fixtureBytes("test.iqdat")

  it.live("reads plain, bzip2 and gzip files by content, whatever their names", () =>
    Effect.gen(function*() {
      const bz2 = write("misnamed.gz", fs.readFileSync(fixturePath("test.iqdat.bz2")))
      const gz = write("misnamed.fitacf", zlib.gzipSync(plain))
      const raw = write("misnamed.bz2", plain)
      for (const file of [bz2, gz, raw]) {
        expect(Buffer.compare(yield* contents(file), plain)).toBe(0)
        expect(Buffer.compare(yield* piecesOf(file), plain)).toBe(0)
      }
      expect((yield* openDataFile(bz2)).compression).toBe("bzip2")
      expect((yield* openDataFile(gz)).compression).toBe("gzip")
      expect(yield* openDataFile(raw)).toMatchObject({ compression: "none", fileBytes: plain.length })
    }))

  it.live("a truncated .bz2 fails, naming the file and the reason", () =>
    Effect.gen(function*() {
      const whole = fs.readFileSync(fixturePath("test.iqdat.bz2"))
      const file = write("cut.bz2", whole.subarray(0, whole.length - 100))
      const error = yield* Effect.flip(contents(file))
      expect(error).toMatchObject({ _tag: "DataFileError", path: file, compression: "bzip2", reason: "Truncated" })
      expect(error.message).toContain(file)
    }))

  it.live("a multi-stream .bz2 made by splitting the data decodes completely", () =>
    Effect.gen(function*() {
      const half = Math.floor(plain.length / 2)
      const streams = [plain.subarray(0, half), plain.subarray(half)].map((part) =>
        execFileSync("bzip2", ["-c"], { input: part })
      )
      expect(Buffer.compare(yield* contents(write("multi.bz2", Buffer.concat(streams))), plain)).toBe(0)
    }))
})
