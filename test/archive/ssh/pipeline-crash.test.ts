/**
 * A collector killed after filing a file from an SSH source, before the
 * remote delete (and once more, after the delete but before the journal
 * records it): the rerun completes the delete and downloads nothing again.
 *
 * The collection runs in a child process (test/archive/crash-child.ts,
 * transpiled without type checking into a temporary folder) that SIGKILLs
 * itself at the injected step (SDH_CRASH_AT).
 */
import { expect } from "@effect/vitest"
import { Effect } from "effect"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { crashChildSuite } from "../../support/crash-child.js"
import { describeWithSshd, Sshd } from "../../support/sshd.js"
import { configJson, listArchive, listTree, scopedTree } from "../archive-fixture.js"
import { listRemote, remoteDir } from "./remote-tree.js"
import { HASH_OF, sourceJson, stageRemote } from "./ssh-institution.js"
import type { SshKind } from "./ssh-institution.js"

const { runChild } = crashChildSuite()

const journalRows = (journal: string) =>
  JSON.parse(
    spawnSync("sqlite3", [
      "-json",
      journal,
      "SELECT name, state, tidied_at IS NOT NULL AS tidied FROM archive_files ORDER BY name"
    ])
      .stdout.toString() || "[]"
  ) as Array<{ name: string; state: string; tidied: number }>

const KINDS: ReadonlyArray<SshKind> = ["ssh-shell", "sftp-sidecar", "rsync"]

/** Besides sshd: rsync for its source, bzip2 for the pipeline that files what it fetched. */
const ALSO_NEEDS = [["rsync", "rsync"], ["bzip2", "bzip2"]] as const

describeWithSshd("SSH sources: crash between filing and the remote delete", ALSO_NEEDS, (it) => {
  for (const kind of KINDS) {
    it.scoped(
      `${kind}: killed after filing a file, the rerun files the other, deletes both remotely and re-downloads nothing`,
      () =>
        Effect.gen(function*() {
          const server = yield* Sshd
          const tree = yield* scopedTree
          const dir = remoteDir(server, `${kind}-crash-archived`)
          const files = stageRemote(kind, dir, `${kind} crash`)
          const before = listRemote(dir)
          const configPath = path.join(tree.root, "archive.config.json")
          // One file at a time, so exactly one is filed when the child dies.
          const config = configJson(
            tree,
            { source: sourceJson(kind, server, dir), hash: HASH_OF[kind], disposition: "delete" },
            { concurrency: { global: 1, perInstitution: 1 } }
          )
          fs.writeFileSync(configPath, JSON.stringify(config))

          const crashed = yield* runChild(configPath, tree.journal, "archived")
          expect(crashed.signal, crashed.stderr).toBe("SIGKILL")
          expect(listArchive(tree.archiveRoot)).toHaveLength(1)
          expect(listRemote(dir)).toEqual(before)

          const rerun = yield* runChild(configPath, tree.journal, undefined)
          expect(rerun.code, rerun.stderr).toBe(0)
          const outcomes = JSON.parse(rerun.stdout) as Array<[string, string]>
          const filedBefore = path.basename(listArchive(tree.archiveRoot)[0]!)
          expect(outcomes.find(([name]) => name === filedBefore)?.[1]).toBe("done-before")
          expect(outcomes.map(([, outcome]) => outcome).sort()).toEqual(["archived", "done-before"])

          expect(listArchive(tree.archiveRoot).map((file) => path.basename(file)).sort()).toEqual(
            [...files.keys()].sort()
          )
          expect(listRemote(dir)).toEqual([])
          expect(listTree(tree.workDir)).toEqual([])
          expect(journalRows(tree.journal)).toEqual(
            [...files.keys()].sort().map((name) => ({ name, state: "archived", tidied: 1 }))
          )
        }),
      60_000
    )

    it.scoped(
      `${kind}: killed after the remote delete but before the journal records it, the rerun finishes the tidy`,
      () =>
        Effect.gen(function*() {
          const server = yield* Sshd
          const tree = yield* scopedTree
          const dir = remoteDir(server, `${kind}-crash-tidy`)
          const files = stageRemote(kind, dir, `${kind} tidy`)
          const configPath = path.join(tree.root, "archive.config.json")
          fs.writeFileSync(
            configPath,
            JSON.stringify(
              configJson(tree, { source: sourceJson(kind, server, dir), hash: HASH_OF[kind], disposition: "delete" })
            )
          )
          const crashed = yield* runChild(configPath, tree.journal, "tidy-done")
          expect(crashed.signal, crashed.stderr).toBe("SIGKILL")
          expect(listRemote(dir)).toEqual([])
          expect(journalRows(tree.journal).every((row) => row.tidied === 0)).toBe(true)

          const rerun = yield* runChild(configPath, tree.journal, undefined)
          expect(rerun.code, rerun.stderr).toBe(0)
          expect(JSON.parse(rerun.stdout)).toEqual([])
          expect(journalRows(tree.journal)).toEqual(
            [...files.keys()].sort().map((name) => ({ name, state: "archived", tidied: 1 }))
          )
        }),
      60_000
    )
  }
})
