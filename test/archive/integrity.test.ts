/**
 * Only data into the archive, and no bomb through any decompression: the
 * pipeline through a local source with real bzip2/gzip files, a real journal
 * and a temporary tree. Refusals are journalled, reported once, never staged,
 * and leave nothing on disk.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawnSync } from "node:child_process"
import * as crypto from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { runCollection } from "../../src/archive/collection.js"
import type { FileOutcome } from "../../src/archive/file-outcome.js"
import { endsAtStreamEnd } from "../../src/compression/bunzip2.js"
import { ArchiveJournal } from "../../src/layers/archive/ArchiveJournal.js"
import { testsNeedProgram } from "../support/required-program.js"
import {
  bzip2,
  configJson,
  content,
  dataName,
  decodeConfig,
  EMPTY_BZIP2,
  listArchive,
  listTree,
  logText,
  pastDay,
  provideArchive,
  scopedTree,
  writeSourceFile
} from "./archive-fixture.js"

testsNeedProgram("bzip2", "bzip2")

const byName = (files: ReadonlyArray<FileOutcome>) => new Map(files.map((f) => [f.name, f]))

/**
 * `size` zero bytes (after `prefix`, printf syntax) through a shell pipe into
 * `program`, written to `file`: no gigabyte in this process.
 */
const zerosThrough = (program: string, size: string, file: string, prefix = "") => {
  const result = spawnSync("sh", [
    "-c",
    `(printf '${prefix}'; head -c ${size} /dev/zero) | ${program} > "$1"`,
    "sh",
    file
  ])
  if (result.status !== 0) throw new Error(`${program} failed: ${result.stderr.toString()}`)
}

describe("bzip2 end-of-stream check", () => {
  it("accepts a file ending at its last stream's end marker and refuses anything after it", () => {
    const one = bzip2(content("a"))
    const two = Buffer.concat([one, bzip2(content("b"))])
    for (const file of [one, two, EMPTY_BZIP2, bzip2(crypto.randomBytes(333))]) {
      expect(endsAtStreamEnd(file.subarray(file.length - 11))).toBe(true)
    }
    expect(endsAtStreamEnd(Buffer.concat([one, Buffer.from("x")]).subarray(-11))).toBe(false)
    expect(endsAtStreamEnd(Buffer.concat([one, Buffer.alloc(1)]).subarray(-11))).toBe(false)
    expect(endsAtStreamEnd(one.subarray(0, one.length - 1).subarray(-11))).toBe(false)
    expect(endsAtStreamEnd(Buffer.alloc(5))).toBe(false)
  })
})

describe("only data into the archive", () => {
  it.scopedLive("refuses text, random bytes and a wrong HDF5 as their types; files real DMAP, HDF5 and logs", () =>
    Effect.gen(function*() {
      const tree = yield* scopedTree
      const day = pastDay()
      const config = decodeConfig(configJson(tree, {
        radars: { bks: ["rawacf", "fitacf", "iqdat", "errlog", "rawacf.hdf5"] }
      }))
      const names = {
        dmap: dataName("bks", "rawacf", "0000"),
        text: dataName("bks", "rawacf", "0200"),
        random: dataName("bks", "iqdat", "0400", day, ".gz"),
        cut: dataName("bks", "rawacf", "0600", day, ""),
        hdf5: `${day}.0800.00.bks.0.rawacf.hdf5.bz2`,
        notHdf5: `${day}.1000.00.bks.0.rawacf.hdf5.bz2`,
        log: `${day}.bks.errlog.bz2`,
        binaryLog: `${day.slice(0, 6)}01.bks.errlog`
      }
      const hdf5 = Buffer.concat([
        Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]),
        crypto.randomBytes(4000)
      ])
      writeSourceFile(tree.source, names.dmap, bzip2(content("dmap")))
      writeSourceFile(tree.source, names.text, bzip2(Buffer.from("Not Found\n".repeat(100))))
      writeSourceFile(
        tree.source,
        names.random,
        Buffer.from(spawnSync("gzip", ["-c"], { input: crypto.randomBytes(50_000) }).stdout)
      )
      writeSourceFile(tree.source, names.cut, content("cut").subarray(0, 70_000))
      writeSourceFile(tree.source, names.hdf5, bzip2(hdf5))
      writeSourceFile(tree.source, names.notHdf5, bzip2(crypto.randomBytes(4000)))
      writeSourceFile(tree.source, names.log, bzip2(logText("ok")))
      writeSourceFile(tree.source, names.binaryLog, Buffer.concat([logText("bad"), Buffer.alloc(8)]))

      const first = yield* runCollection(config.institutions[0]!).pipe(provideArchive(tree, config))
      const outcomes = byName(first.files)
      expect(outcomes.get(names.dmap)).toMatchObject({ kind: "archived" })
      expect(outcomes.get(names.hdf5)).toMatchObject({ kind: "archived" })
      expect(outcomes.get(names.log)).toMatchObject({ kind: "archived" })
      const refusedFor = (name: string) => outcomes.get(name)
      expect(refusedFor(names.text)).toMatchObject({
        kind: "refused",
        firstTime: true,
        reason: expect.stringMatching(/^test: NotData: not DMAP records: /)
      })
      expect(refusedFor(names.random)).toMatchObject({
        kind: "refused",
        reason: expect.stringMatching(/NotData: not DMAP records/)
      })
      expect(refusedFor(names.cut)).toMatchObject({
        kind: "refused",
        reason: expect.stringMatching(/NotData: not DMAP records: .*Truncated|truncated|ended/i)
      })
      expect(refusedFor(names.notHdf5)).toMatchObject({
        kind: "refused",
        reason: "test: NotData: not HDF5: no HDF5 signature at the start"
      })
      expect(refusedFor(names.binaryLog)).toMatchObject({
        kind: "refused",
        reason: expect.stringMatching(/not text: a NUL byte at offset \d+/)
      })
      const refusedNames = [names.text, names.random, names.cut, names.notHdf5, names.binaryLog]
      expect(first.digest.items.filter((item) => item.kind === "refused").map((item) => item.file).sort()).toEqual(
        [...refusedNames].sort()
      )
      // Never staged or filed, nothing left behind, journalled as refused.
      expect(listTree(tree.stagingRoot).map((f) => path.basename(f)).sort()).toEqual(
        [names.dmap, names.hdf5, names.log].sort()
      )
      expect(listArchive(tree.archiveRoot)).toHaveLength(3)
      expect(listTree(tree.workDir)).toEqual([])
      const rows = yield* Effect.flatMap(ArchiveJournal, (journal) => journal.files("vt")).pipe(
        provideArchive(tree, config)
      )
      for (const name of refusedNames) expect(rows.find((row) => row.name === name)?.state).toBe("refused")

      // Reported once: the next run leaves them alone and says nothing.
      const second = yield* runCollection(config.institutions[0]!).pipe(provideArchive(tree, config))
      for (const name of refusedNames) {
        expect(byName(second.files).get(name)).toMatchObject({ kind: "done-before", state: "refused" })
      }
      expect(second.digest.items).toEqual([])
    }))
})

describe("bomb-proof decompression", () => {
  it.scopedLive(
    "refuses a gzip of 1 GB of zeros and a bzip2 bomb with the reason, leaving nothing on disk",
    () =>
      Effect.gen(function*() {
        const tree = yield* scopedTree
        const config = decodeConfig(configJson(tree, { radars: { bks: ["rawacf", "rawacf.hdf5"] } }))
        const gzipBomb = dataName("bks", "rawacf", "0000", pastDay(), ".gz")
        // An HDF5 signature first, so the content check passes and only the expansion can stop it.
        const bzipBomb = `${pastDay()}.0200.00.bks.0.rawacf.hdf5.bz2`
        zerosThrough("gzip -1", "1G", path.join(tree.source, gzipBomb))
        zerosThrough("bzip2 -9", "300M", path.join(tree.source, bzipBomb), "\\211HDF\\r\\n\\032\\n")
        for (const name of [gzipBomb, bzipBomb]) {
          const file = path.join(tree.source, name)
          fs.utimesSync(file, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000))
        }

        const report = yield* runCollection(config.institutions[0]!).pipe(provideArchive(tree, config))
        const outcomes = byName(report.files)
        expect(outcomes.get(gzipBomb)).toMatchObject({
          kind: "refused",
          reason: expect.stringMatching(/^compress: TooLarge: gzip decompresses more than 200:1/)
        })
        expect(outcomes.get(bzipBomb)).toMatchObject({
          kind: "refused",
          reason: expect.stringMatching(/^test: TooLarge: decompresses more than 200:1/)
        })
        expect(listTree(tree.workDir)).toEqual([])
        expect(listArchive(tree.archiveRoot)).toEqual([])
        expect(listTree(tree.stagingRoot)).toEqual([])
      }),
    120_000
  )

  it.scopedLive("stops at maxDecompressedMegabytes whatever the ratio", () =>
    Effect.gen(function*() {
      const tree = yield* scopedTree
      const config = decodeConfig(configJson(tree, {}, { maxDecompressedMegabytes: 1, maxCompressionRatio: 1000000 }))
      const name = dataName("bks", "rawacf", "0000")
      writeSourceFile(tree.source, name, bzip2(Buffer.concat(Array.from({ length: 30 }, (_, i) => content(`big${i}`)))))
      const report = yield* runCollection(config.institutions[0]!).pipe(provideArchive(tree, config))
      expect(byName(report.files).get(name)).toMatchObject({
        kind: "refused",
        reason: "test: TooLarge: decompresses to more than 1 MB"
      })
      expect(listTree(tree.workDir)).toEqual([])
    }))
})
