/**
 * Crash at every step: a child process runs a collection and SIGKILLs itself
 * right after one step (SDH_CRASH_AT), then a clean rerun must finish the
 * job. Afterwards the archive, the staging area, the work dir, the source and
 * the journal must be exactly what an uninterrupted run leaves: nothing lost,
 * nothing duplicated, nothing half-written under a final name.
 *
 * The child runs the TypeScript sources transpiled (no type check) into a
 * temporary folder, so the test needs no prior `npm run build`.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { CRASH_POINTS } from "../../src/archive/crash-point.js"
import { crashChildSuite } from "../support/crash-child.js"
import { testsNeedProgram } from "../support/required-program.js"
import {
  bzip2,
  configJson,
  content,
  dataName,
  gzip,
  listArchive,
  listTree,
  makeTree,
  pastDay,
  writeSourceFile
} from "./archive-fixture.js"

testsNeedProgram("bzip2", "bzip2")

const { runChild } = crashChildSuite()

const bunzip = (file: string) => spawnSync("bzip2", ["-dc", file], { maxBuffer: 1 << 30 }).stdout

const journalRows = (journal: string) =>
  JSON.parse(
    spawnSync("sqlite3", [
      "-json",
      journal,
      "SELECT name, state, tidied_at IS NOT NULL AS tidied FROM archive_files ORDER BY name"
    ])
      .stdout.toString() || "[]"
  ) as Array<{ name: string; state: string; tidied: number }>

describe("crash at every step", () => {
  for (const point of CRASH_POINTS) {
    it.scopedLive(
      `killed after "${point}", a rerun finishes with nothing lost or duplicated`,
      () =>
        Effect.gen(function*() {
          const tree = makeTree()
          yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(tree.root, { recursive: true, force: true })))
          const day = pastDay()
          const year = day.slice(0, 4)
          const files = {
            [dataName("bks", "rawacf", "0000")]: { data: bzip2(content("one")), expected: content("one") },
            [dataName("bks", "rawacf", "0200", day, ".gz")]: { data: gzip(content("two")), expected: content("two") },
            [dataName("bks", "iqdat", "0400", day, "")]: { data: content("three"), expected: content("three") }
          }
          for (const [name, { data }] of Object.entries(files)) writeSourceFile(tree.source, name, data)
          const archived = Object.keys(files).map((name) => name.replace(/\.(gz|bz2)$/, "") + ".bz2")
          const expectedArchive = archived.map((name) =>
            `${year}/${name.includes("iqdat") ? "iqdat" : "rawacf"}/bks/${name}`
          ).sort()
          const expectedStaging = archived.map((name) => `bks/${name}`).sort()
          const contentOf = (archivedName: string) =>
            Object.entries(files).find(([name]) => name.replace(/\.(gz|bz2)$/, "") + ".bz2" === archivedName)![1]
              .expected

          const configPath = path.join(tree.root, "archive.config.json")
          fs.writeFileSync(
            configPath,
            JSON.stringify(configJson(tree, {}, { concurrency: { global: 2, perInstitution: 2 } }))
          )

          const crashed = yield* runChild(configPath, tree.journal, point)
          expect(crashed.signal, `${crashed.stdout}\n${crashed.stderr}`).toBe("SIGKILL")

          // Right after the crash: whatever carries a final name is complete and correct.
          for (const file of listArchive(tree.archiveRoot)) {
            expect(bunzip(path.join(tree.archiveRoot, file))).toEqual(contentOf(path.basename(file)))
          }
          for (const file of listTree(tree.stagingRoot).filter((f) => !path.basename(f).startsWith("."))) {
            expect(bunzip(path.join(tree.stagingRoot, file))).toEqual(contentOf(path.basename(file)))
          }
          // The source still holds every file until the archive copy is durable.
          if (listTree(tree.source).length < 3) expect(listArchive(tree.archiveRoot)).toEqual(expectedArchive)

          const rerun = yield* runChild(configPath, tree.journal, undefined)
          expect(rerun.code, rerun.stderr).toBe(0)

          expect(listArchive(tree.archiveRoot)).toEqual(expectedArchive)
          for (const file of expectedArchive) {
            expect(bunzip(path.join(tree.archiveRoot, file))).toEqual(contentOf(path.basename(file)))
          }
          expect(listTree(tree.stagingRoot)).toEqual(expectedStaging)
          expect(listTree(tree.workDir)).toEqual([])
          expect(listTree(tree.source)).toEqual([])
          expect(listTree(tree.quarantineDir)).toEqual([])
          expect(journalRows(tree.journal)).toEqual(
            Object.keys(files).sort().map((name) => ({ name, state: "archived", tidied: 1 }))
          )
        }),
      90_000
    )
  }
})
