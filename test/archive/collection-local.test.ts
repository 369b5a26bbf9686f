/**
 * The pipeline end to end through the `local` and `inbox` sources: real
 * files, real bzip2/gzip, a real SQLite journal, a temporary archive tree.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { runCollection } from "../../src/archive/collection.js"
import type { FileOutcome } from "../../src/archive/file-outcome.js"
import { ArchiveJournal } from "../../src/layers/archive/ArchiveJournal.js"
import { fixturePath } from "../support/fixtures.js"
import { testsNeedProgram } from "../support/required-program.js"
import {
  bzip2,
  configJson,
  content,
  dataName,
  decodeConfig,
  EMPTY_BZIP2,
  gzip,
  listArchive,
  listTree,
  pastDay,
  provideArchive,
  scopedTree,
  writeSourceFile,
  ymd
} from "./archive-fixture.js"

testsNeedProgram("bzip2", "bzip2")

const byName = (files: ReadonlyArray<FileOutcome>) => new Map(files.map((f) => [f.name, f]))
const bunzip = (file: string) => spawnSync("bzip2", ["-dc", file], { maxBuffer: 1 << 30 }).stdout
/**
 * bzip2 with 100 kB blocks: never the bytes the pipeline writes (lbzip2 or
 * bzip2 at their default 900 kB), whichever of the two is installed.
 */
const bzip2Small = (data: Uint8Array) => spawnSync("bzip2", ["-1c"], { input: data }).stdout

describe("runCollection with a local source", () => {
  it.scopedLive("archives bzip2, gzip and plain files, stages them, journals and tidies", () =>
    Effect.gen(function*() {
      const tree = yield* scopedTree
      const config = decodeConfig(configJson(tree))
      const day = pastDay()
      const year = day.slice(0, 4)
      const names = {
        bz2: dataName("bks", "rawacf", "0000"),
        gz: dataName("bks", "iqdat", "0200", day, ".gz"),
        plain: dataName("fhe", "rawacf", "0400", day, ""),
        multi: dataName("fhe", "rawacf", "0600")
      }
      writeSourceFile(tree.source, names.bz2, bzip2(content("a")))
      writeSourceFile(tree.source, names.gz, gzip(content("b")))
      writeSourceFile(tree.source, names.plain, content("c"))
      // Two bzip2 streams back to back, as pbzip2/lbzip2 write them.
      writeSourceFile(tree.source, names.multi, Buffer.concat([bzip2(content("d1")), bzip2(content("d2"))]))

      const report = yield* runCollection(config.institutions[0]!).pipe(provideArchive(tree, config))
      const outcomes = byName(report.files)
      for (const name of Object.values(names)) expect(outcomes.get(name)?.kind, name).toBe("archived")
      expect(report.outcome).toBe("ok")
      expect(report.tidied).toBe(4)
      expect(report.digest.items).toEqual([])

      const gzArchived = `${year}/iqdat/bks/${names.gz.replace(/\.gz$/, ".bz2")}`
      expect(listArchive(tree.archiveRoot)).toEqual([
        `${year}/iqdat/bks/${names.gz.replace(/\.gz$/, ".bz2")}`,
        `${year}/rawacf/bks/${names.bz2}`,
        `${year}/rawacf/fhe/${names.plain}.bz2`,
        `${year}/rawacf/fhe/${names.multi}`
      ].sort())
      expect(bunzip(path.join(tree.archiveRoot, gzArchived))).toEqual(content("b"))
      expect(bunzip(path.join(tree.archiveRoot, `${year}/rawacf/fhe/${names.plain}.bz2`))).toEqual(content("c"))
      expect(bunzip(path.join(tree.archiveRoot, `${year}/rawacf/fhe/${names.multi}`))).toEqual(
        Buffer.concat([content("d1"), content("d2")])
      )
      // The .bz2 is filed byte for byte as received.
      expect(fs.readFileSync(path.join(tree.archiveRoot, `${year}/rawacf/bks/${names.bz2}`))).toEqual(
        bzip2(content("a"))
      )
      expect(listTree(tree.stagingRoot)).toEqual([
        `bks/${names.bz2}`,
        `bks/${names.gz.replace(/\.gz$/, ".bz2")}`,
        `fhe/${names.multi}`,
        `fhe/${names.plain}.bz2`
      ].sort())
      expect(listTree(tree.source)).toEqual([])
      expect(listTree(tree.workDir)).toEqual([])

      const rows = yield* Effect.flatMap(ArchiveJournal, (j) => j.files("vt")).pipe(provideArchive(tree, config))
      expect(rows.map((r) => r.state)).toEqual(["archived", "archived", "archived", "archived"])
      expect(rows.every((r) => r.tidiedAt !== null && r.archivedSha1 !== null && r.attempts === 0)).toBe(true)
      expect(rows.find((r) => r.name === names.gz)?.note).toBe("converted from gzip")
    }))

  it.scopedLive("rejects corrupt, truncated, empty-stream, trailing-garbage and zero-byte files and keeps retrying them", () =>
    Effect.gen(function*() {
      const tree = yield* scopedTree
      const config = decodeConfig(configJson(tree, {}, { failureNotifyAfter: 2 }))
      const good = bzip2(content("x"))
      const corrupt = Buffer.from(good)
      corrupt[Math.floor(corrupt.length / 2)]! ^= 0xff
      const names = {
        corrupt: dataName("bks", "rawacf", "0000"),
        truncated: dataName("bks", "rawacf", "0200"),
        empty: dataName("bks", "rawacf", "0400"),
        garbage: dataName("bks", "rawacf", "0600"),
        zero: dataName("bks", "rawacf", "0800")
      }
      writeSourceFile(tree.source, names.corrupt, corrupt)
      writeSourceFile(tree.source, names.truncated, good.subarray(0, good.length - 20))
      writeSourceFile(tree.source, names.empty, EMPTY_BZIP2)
      writeSourceFile(tree.source, names.garbage, Buffer.concat([good, Buffer.from("garbage after the end")]))
      writeSourceFile(tree.source, names.zero, new Uint8Array(0))

      const first = yield* runCollection(config.institutions[0]!).pipe(provideArchive(tree, config))
      const outcomes = byName(first.files)
      expect(outcomes.get(names.corrupt)).toMatchObject({
        kind: "failed",
        step: "test",
        reason: expect.stringMatching(/^Corrupt/)
      })
      expect(outcomes.get(names.truncated)).toMatchObject({
        kind: "failed",
        step: "test",
        reason: expect.stringMatching(/^Truncated/)
      })
      expect(outcomes.get(names.empty)).toMatchObject({
        kind: "failed",
        step: "test",
        reason: expect.stringMatching(/^Empty/)
      })
      expect(outcomes.get(names.garbage)).toMatchObject({
        kind: "failed",
        step: "test",
        reason: expect.stringMatching(/^TrailingGarbage/)
      })
      expect(outcomes.get(names.zero)).toMatchObject({
        kind: "failed",
        step: "download",
        reason: "downloaded file is empty"
      })
      expect(first.digest.items).toEqual([])
      expect(listArchive(tree.archiveRoot)).toEqual([])
      expect(listTree(tree.stagingRoot)).toEqual([])
      expect(listTree(tree.workDir)).toEqual([])
      // Never tidied: the source keeps every rejected file.
      expect(listTree(tree.source)).toHaveLength(5)

      const second = yield* runCollection(config.institutions[0]!).pipe(provideArchive(tree, config))
      expect(second.files.every((f) => f.kind === "failed" && f.attempts === 2)).toBe(true)
      expect(second.digest.items.map((i) => i.kind)).toEqual(Array(5).fill("repeated-failure"))
    }))

  it.scopedLive("de-duplicates: same bytes or same content is success, different content is quarantined", () =>
    Effect.gen(function*() {
      const tree = yield* scopedTree
      const config = decodeConfig(configJson(tree))
      const day = pastDay()
      const year = day.slice(0, 4)
      const same = dataName("bks", "rawacf", "0000")
      const recompressed = dataName("bks", "rawacf", "0200")
      const conflicting = dataName("bks", "rawacf", "0400")
      const folder = path.join(tree.archiveRoot, year, "rawacf", "bks")
      fs.mkdirSync(folder, { recursive: true })
      fs.writeFileSync(path.join(folder, same), bzip2(content("same")))
      // Same content, other bytes: the gzip copy recompressed by the pipeline must not match it byte for byte.
      fs.writeFileSync(path.join(folder, recompressed), bzip2Small(content("re")))
      fs.writeFileSync(path.join(folder, conflicting), bzip2(content("archived")))
      writeSourceFile(tree.source, same, bzip2(content("same")))
      writeSourceFile(tree.source, recompressed.replace(/\.bz2$/, ".gz"), gzip(content("re")))
      writeSourceFile(tree.source, conflicting, bzip2(content("different")))

      const report = yield* runCollection(config.institutions[0]!).pipe(provideArchive(tree, config))
      const outcomes = byName(report.files)
      expect(outcomes.get(same)).toMatchObject({
        kind: "duplicate",
        reason: expect.stringContaining("identical bytes")
      })
      expect(outcomes.get(recompressed.replace(/\.bz2$/, ".gz"))).toMatchObject({
        kind: "duplicate",
        reason: expect.stringContaining("compressed differently")
      })
      expect(outcomes.get(conflicting)).toMatchObject({ kind: "conflict" })
      expect(report.digest.items).toEqual([expect.objectContaining({ kind: "conflict", file: conflicting })])
      // The archive is untouched; the conflicting copy waits in quarantine; nothing was staged.
      expect(bunzip(path.join(folder, conflicting))).toEqual(content("archived"))
      expect(listTree(tree.quarantineDir)).toEqual([
        expect.stringMatching(new RegExp(`^vt/${conflicting.replaceAll(".", "\\.")}\\.[0-9a-f]{12}$`))
      ])
      expect(bunzip(path.join(tree.quarantineDir, listTree(tree.quarantineDir)[0]!))).toEqual(content("different"))
      expect(listTree(tree.stagingRoot)).toEqual([])
      // Duplicates are tidied at the source; the conflict stays for a person.
      expect(listTree(tree.source)).toEqual([conflicting])

      // Reported once: the next run leaves it alone.
      const again = yield* runCollection(config.institutions[0]!).pipe(provideArchive(tree, config))
      expect(again.files).toEqual([{ kind: "done-before", name: conflicting, state: "conflict" }])
      expect(again.digest.items).toEqual([])
    }))

  it.scopedLive("refuses dangerous names once, holds growing files and today's logs, reports odd dates", () =>
    Effect.gen(function*() {
      const tree = yield* scopedTree
      const config = decodeConfig(configJson(tree))
      const now = Date.now()
      const thisYear = new Date(now).getUTCFullYear()
      const dotdot = `${pastDay()}.0000.00..bks.rawacf.bz2`
      const growing = dataName("bks", "rawacf", "0000")
      const todayLog = `${ymd(now)}.bks.scdlog`
      const future = dataName("bks", "rawacf", "0000", ymd(now + 10 * 86_400_000))
      const lastYear = dataName("bks", "rawacf", "0000", `${thisYear - 1}0615`)
      const unwanted = dataName("zho", "rawacf", "0000")
      writeSourceFile(tree.source, dotdot, bzip2(content("dd")))
      writeSourceFile(tree.source, growing, bzip2(content("g")), new Date())
      writeSourceFile(tree.source, todayLog, Buffer.from("log line\n"))
      writeSourceFile(tree.source, future, bzip2(content("f")))
      writeSourceFile(tree.source, lastYear, bzip2(content("l")))
      writeSourceFile(tree.source, unwanted, bzip2(content("u")))

      const report = yield* runCollection(config.institutions[0]!).pipe(provideArchive(tree, config))
      const outcomes = byName(report.files)
      expect(outcomes.get(dotdot)).toMatchObject({ kind: "refused", reason: "contains '..'", firstTime: true })
      expect(outcomes.get(growing)).toMatchObject({
        kind: "waiting",
        reason: expect.stringContaining("modified less than")
      })
      expect(outcomes.get(todayLog)).toMatchObject({ kind: "waiting", reason: "today's log may still be written" })
      expect(outcomes.get(future)).toMatchObject({ kind: "archived", warning: "future" })
      expect(outcomes.get(lastYear)).toMatchObject({ kind: "archived", warning: "earlier-year" })
      expect(outcomes.get(unwanted)).toEqual({ kind: "unwanted", name: unwanted })
      expect(report.digest.items.map((i) => `${i.kind} ${i.file}`).sort()).toEqual(
        [`earlier-year ${lastYear}`, `future ${future}`, `refused ${dotdot}`].sort()
      )
      expect(listArchive(tree.archiveRoot)).toEqual([
        `${thisYear - 1}/rawacf/bks/${lastYear}`,
        `${future.slice(0, 4)}/rawacf/bks/${future}`
      ].sort())
      expect(listTree(tree.source)).toEqual([dotdot, growing, todayLog, unwanted].sort())

      const again = yield* runCollection(config.institutions[0]!).pipe(provideArchive(tree, config))
      expect(byName(again.files).get(dotdot)).toMatchObject({ kind: "refused", firstTime: false })
      expect(again.digest.items).toEqual([])
    }))

  it.scopedLive("files fitacf into the holding folder, unstaged; moves the source copy per disposition", () =>
    Effect.gen(function*() {
      const tree = yield* scopedTree
      const backup = path.join(tree.root, "backup")
      const config = decodeConfig(configJson(tree, { disposition: `move:${backup}` }))
      const fitacf = dataName("bks", "fitacf", "0000")
      writeSourceFile(tree.source, fitacf, fs.readFileSync(fixturePath("test.fitacf.bz2")))
      const report = yield* runCollection(config.institutions[0]!).pipe(provideArchive(tree, config))
      expect(report.files).toEqual([expect.objectContaining({ kind: "archived", staged: false })])
      expect(listTree(tree.holdingDir)).toEqual([`bks/${fitacf}`])
      expect(listArchive(tree.archiveRoot)).toEqual([])
      expect(listTree(tree.stagingRoot)).toEqual([])
      expect(listTree(backup)).toEqual([fitacf])
      expect(listTree(tree.source)).toEqual([])
    }))

  it.scopedLive("dedupe by name trusts a full archive's names; dry run writes nothing", () =>
    Effect.gen(function*() {
      const tree = yield* scopedTree
      const config = decodeConfig(configJson(tree, { dedupe: "name", disposition: "leave" }))
      const year = pastDay().slice(0, 4)
      const present = dataName("bks", "rawacf", "0000")
      const fresh = dataName("bks", "rawacf", "0200")
      fs.mkdirSync(path.join(tree.archiveRoot, year, "rawacf", "bks"), { recursive: true })
      fs.writeFileSync(path.join(tree.archiveRoot, year, "rawacf", "bks", present), "not even bzip2")
      writeSourceFile(tree.source, present, bzip2(content("p")))
      writeSourceFile(tree.source, fresh, bzip2(content("n")))

      const dry = yield* runCollection(config.institutions[0]!, { dryRun: true }).pipe(provideArchive(tree, config))
      expect(dry.files.map((f) => f.kind)).toEqual(["would-collect", "would-collect"])
      expect(listArchive(tree.archiveRoot)).toEqual([`${year}/rawacf/bks/${present}`])
      expect(listTree(tree.workDir)).toEqual([])
      const journalled = yield* Effect.flatMap(ArchiveJournal, (j) => j.files("vt")).pipe(provideArchive(tree, config))
      expect(journalled).toEqual([])

      const report = yield* runCollection(config.institutions[0]!).pipe(provideArchive(tree, config))
      expect(byName(report.files).get(present)).toMatchObject({
        kind: "duplicate",
        reason: expect.stringContaining("by name")
      })
      expect(byName(report.files).get(fresh)).toMatchObject({ kind: "archived" })
      expect(fs.readFileSync(path.join(tree.archiveRoot, year, "rawacf", "bks", present), "utf8")).toBe(
        "not even bzip2"
      )
      // disposition "leave": the source is untouched, and the next run has nothing to do.
      expect(listTree(tree.source)).toEqual([present, fresh])
      const next = yield* runCollection(config.institutions[0]!).pipe(provideArchive(tree, config))
      expect(next.files.map((f) => f.kind)).toEqual(["done-before", "done-before"])
    }))

  it.scopedLive("the low-disk guard stops collecting and says so", () =>
    Effect.gen(function*() {
      const tree = yield* scopedTree
      const config = decodeConfig(configJson(tree, {}, { minFreeMegabytes: 1_000_000_000 }))
      writeSourceFile(tree.source, dataName("bks", "rawacf", "0000"), bzip2(content("a")))
      writeSourceFile(tree.source, dataName("bks", "rawacf", "0200"), bzip2(content("b")))
      const report = yield* runCollection(config.institutions[0]!).pipe(provideArchive(tree, config))
      expect(report.outcome).toBe("low-disk")
      expect(report.files.map((f) => f.kind)).toEqual(["stopped", "stopped"])
      expect(report.digest.items).toEqual([expect.objectContaining({ kind: "low-disk" })])
      expect(listArchive(tree.archiveRoot)).toEqual([])
      expect(listTree(tree.source)).toHaveLength(2)
    }))

  it.scopedLive("an inbox ignores uploads still in flight", () =>
    Effect.gen(function*() {
      const tree = yield* scopedTree
      const config = decodeConfig(configJson(tree, { source: { kind: "inbox", path: tree.source } }))
      const done = dataName("bks", "rawacf", "0000")
      writeSourceFile(tree.source, done, bzip2(content("a")))
      writeSourceFile(tree.source, `${dataName("bks", "rawacf", "0200")}.part`, bzip2(content("b")))
      writeSourceFile(tree.source, `.${dataName("bks", "rawacf", "0400")}`, bzip2(content("c")))
      const report = yield* runCollection(config.institutions[0]!).pipe(provideArchive(tree, config))
      expect(report.files).toEqual([expect.objectContaining({ kind: "archived", name: done })])
      expect(report.digest.items).toEqual([])
      expect(listTree(tree.source)).toHaveLength(2)
    }))

  it.scopedLive("a missing source folder fails the run with a clear error and journals it", () =>
    Effect.gen(function*() {
      const tree = yield* scopedTree
      const config = decodeConfig(configJson(tree, { source: { kind: "local", path: path.join(tree.root, "gone") } }))
      const error = yield* Effect.flip(runCollection(config.institutions[0]!).pipe(provideArchive(tree, config)))
      expect(error).toMatchObject({ _tag: "CollectionError", institution: "vt", retryable: true })
      expect(error.message).toMatch(/list failed: ENOENT/)
      const summary = yield* Effect.flatMap(ArchiveJournal, (j) => j.summary(["vt"])).pipe(provideArchive(tree, config))
      expect(summary[0]?.lastRun).toMatchObject({ outcome: "failed", error: expect.stringContaining("ENOENT") })
    }))
})
