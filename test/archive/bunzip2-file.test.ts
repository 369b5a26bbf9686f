/**
 * `bunzip2File`, the integrity test's decompression: the child reads the file
 * itself and its output reaches a callback. Real files in a temporary folder,
 * the system's bzip2/lbzip2.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as crypto from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { bunzip2File } from "../../src/compression/bunzip2.js"
import { testsNeedProgram } from "../support/required-program.js"
import { bzip2, content, scopedTree } from "./archive-fixture.js"

testsNeedProgram("bzip2", "bzip2")

/** Every piece `bunzip2File` hands over, joined. */
const decompressFile = (file: string, fast: boolean, threads?: number) =>
  Effect.gen(function*() {
    const pieces: Array<Uint8Array> = []
    yield* bunzip2File(file, (chunk) => {
      pieces.push(Uint8Array.from(chunk))
      return undefined
    }, { fast, ...(threads === undefined ? {} : { threads }) })
    return Buffer.concat(pieces)
  })

describe("bunzip2File", () => {
  it.scopedLive("hands over every stream's output, with bzip2 and with lbzip2 first", () =>
    Effect.gen(function*() {
      const tree = yield* scopedTree
      const parts = [content("one"), crypto.randomBytes(300_000), content("three")]
      const file = path.join(tree.root, "multi.bz2")
      fs.writeFileSync(file, Buffer.concat(parts.map(bzip2)))
      for (const fast of [false, true]) {
        expect((yield* decompressFile(file, fast)).equals(Buffer.concat(parts))).toBe(true)
        // A caller sharing the cores between files gives lbzip2 fewer threads (bzip2 has one anyway).
        expect((yield* decompressFile(file, fast, 1)).equals(Buffer.concat(parts))).toBe(true)
      }
    }))

  it.scopedLive("stops at the callback's first error and fails with it (a bomb cut short)", () =>
    Effect.gen(function*() {
      const tree = yield* scopedTree
      const file = path.join(tree.root, "bomb.bz2")
      // 50 MB of zeros compress to a few hundred bytes.
      fs.writeFileSync(file, bzip2(new Uint8Array(50 * 1024 * 1024)))
      let seen = 0
      let calls = 0
      let callsAfterError = 0
      const error = yield* Effect.flip(bunzip2File(file, (chunk) => {
        if (seen > 1024 * 1024) callsAfterError++
        seen += chunk.length
        calls++
        return seen > 1024 * 1024 ? { tooMuch: seen } : undefined
      }, { fast: true }))
      expect(error).toEqual({ tooMuch: seen })
      expect(callsAfterError).toBe(0)
      expect(seen).toBeLessThan(50 * 1024 * 1024)
      expect(calls).toBeGreaterThan(1)
    }))

  it.scopedLive("bzip2 writes a damaged block before its CRC check: its verdict outranks the callback's refusal", () =>
    Effect.gen(function*() {
      const tree = yield* scopedTree
      const good = bzip2(content("x"))
      const corrupt = Buffer.from(good)
      corrupt[Math.floor(corrupt.length / 2)]! ^= 0xff
      const file = path.join(tree.root, "corrupt.bz2")
      fs.writeFileSync(file, corrupt)
      let refused = 0
      // Refuses the first piece, as the content check does when the damage garbles it.
      const error = yield* Effect.flip(bunzip2File(file, () => ({ refused: ++refused }), { fast: false }))
      expect(error).toMatchObject({ _tag: "Bzip2Error", reason: "Corrupt" })

      // A sound file's refusal stands, whichever tool runs.
      const sound = path.join(tree.root, "sound.bz2")
      fs.writeFileSync(sound, good)
      for (const fast of [false, true]) {
        expect(yield* Effect.flip(bunzip2File(sound, () => ({ wrongContent: true }), { fast }))).toEqual({
          wrongContent: true
        })
      }
    }))

  it.scopedLive("a callback that throws ends the effect as a defect, not the process", () =>
    Effect.gen(function*() {
      const tree = yield* scopedTree
      const file = path.join(tree.root, "one.bz2")
      fs.writeFileSync(file, bzip2(content("one")))
      const exit = yield* Effect.exit(bunzip2File(file, () => {
        throw new Error("checker bug")
      }))
      expect(Exit.isFailure(exit) && Cause.isDie(exit.cause)).toBe(true)
      expect(String(Cause.squash((exit as Exit.Failure<never, never>).cause))).toContain("checker bug")
    }))

  it.scopedLive("fails with a typed error on a cut file, a corrupt one and a missing one", () =>
    Effect.gen(function*() {
      const tree = yield* scopedTree
      const whole = bzip2(crypto.randomBytes(200_000))
      const cut = path.join(tree.root, "cut.bz2")
      fs.writeFileSync(cut, whole.subarray(0, whole.length >> 1))
      const corrupt = path.join(tree.root, "corrupt.bz2")
      const flipped = Buffer.from(whole)
      flipped[flipped.length >> 1]! ^= 0xff
      fs.writeFileSync(corrupt, flipped)
      for (const fast of [false, true]) {
        const cutError = yield* Effect.flip(decompressFile(cut, fast))
        expect(cutError).toMatchObject({ _tag: "Bzip2Error", reason: expect.stringMatching(/Truncated|Corrupt/) })
        const corruptError = yield* Effect.flip(decompressFile(corrupt, fast))
        expect(corruptError).toMatchObject({ _tag: "Bzip2Error", reason: "Corrupt" })
      }
      const missing = yield* Effect.flip(decompressFile(path.join(tree.root, "absent.bz2"), true))
      expect(missing).toMatchObject({ _tag: "Bzip2InputError", reason: expect.stringMatching(/ENOENT/) })
    }))
})
