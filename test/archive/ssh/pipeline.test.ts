/**
 * The SSH source kinds inside the real collector pipeline and journal
 * (runCollection against a real SQLite journal and archive tree), against
 * a real sshd.
 */
import { expect } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { runCollection } from "../../../src/archive/collection.js"
import { describeWithSshd, Sshd } from "../../support/sshd.js"
import {
  bzip2,
  configJson,
  content,
  dataName,
  decodeConfig,
  listArchive,
  listTree,
  provideArchive,
  scopedTree,
  writeSourceFile
} from "../archive-fixture.js"
import type { ArchiveTree } from "../archive-fixture.js"
import { listRemote, remoteDir, sha1 } from "./remote-tree.js"
import { HASH_OF, sourceJson, stageRemote } from "./ssh-institution.js"
import type { SshKind } from "./ssh-institution.js"

const archivedNames = (tree: ArchiveTree) => listArchive(tree.archiveRoot).map((file) => path.basename(file)).sort()

const collect = (tree: ArchiveTree, institution: Record<string, unknown>) => {
  const config = decodeConfig(configJson(tree, institution))
  return runCollection(config.institutions[0]!).pipe(provideArchive(tree, config))
}

const KINDS: ReadonlyArray<SshKind> = ["ssh-shell", "sftp-sidecar", "rsync"]

describeWithSshd("SSH sources in the collector pipeline", [["rsync", "rsync"], ["bzip2", "bzip2"]], (it) => {
  for (const kind of KINDS) {
    it.scoped(`${kind}: collects new files, verifies them, files them and deletes them on the remote`, () =>
      Effect.gen(function*() {
        const server = yield* Sshd
        const tree = yield* scopedTree
        const dir = remoteDir(server, `${kind}-collect`)
        const files = stageRemote(kind, dir, kind)
        const report = yield* collect(tree, {
          source: sourceJson(kind, server, dir),
          hash: HASH_OF[kind],
          disposition: "delete"
        })
        expect(report.files.map((file) => file.kind)).toEqual(["archived", "archived"])
        expect(archivedNames(tree)).toEqual([...files.keys()].sort())
        for (const file of listArchive(tree.archiveRoot)) {
          expect(fs.readFileSync(path.join(tree.archiveRoot, file))).toEqual(files.get(path.basename(file)))
        }
        expect(report.tidied).toBe(2)
        expect(listRemote(dir)).toEqual([])
        expect(listTree(tree.workDir)).toEqual([])
      }))

    it.scoped(`${kind}: a second run skips the archived files without downloading them; leave keeps the remote as it was`, () =>
      Effect.gen(function*() {
        const server = yield* Sshd
        const tree = yield* scopedTree
        const dir = remoteDir(server, `${kind}-skip`)
        stageRemote(kind, dir, kind)
        const before = listRemote(dir)
        const institution = { source: sourceJson(kind, server, dir), hash: HASH_OF[kind], disposition: "leave" }
        const first = yield* collect(tree, institution)
        expect(first.files.map((file) => file.kind)).toEqual(["archived", "archived"])
        const second = yield* collect(tree, institution)
        expect(second.files.map((file) => file.kind)).toEqual(["done-before", "done-before"])
        expect(listRemote(dir)).toEqual(before)
      }))

    it.scoped(`${kind}: move puts the archived files in the backup folder on the remote`, () =>
      Effect.gen(function*() {
        const server = yield* Sshd
        const tree = yield* scopedTree
        const dir = remoteDir(server, `${kind}-move`)
        stageRemote(kind, dir, kind)
        const before = listRemote(dir)
        const report = yield* collect(tree, {
          source: sourceJson(kind, server, dir),
          hash: HASH_OF[kind],
          disposition: "move:sent"
        })
        expect(report.tidied).toBe(2)
        expect(listRemote(path.join(dir, "sent"))).toEqual(before)
        expect(listRemote(dir)).toEqual(["sent"])
      }))

    it.scoped(`${kind}: a name with '..' is refused and reported, and stays on the remote`, () =>
      Effect.gen(function*() {
        const server = yield* Sshd
        const tree = yield* scopedTree
        const dir = remoteDir(server, `${kind}-refuse`)
        const bad = dataName("bks", "rawacf", "0000").replace(".bks.", ".bks..")
        writeSourceFile(dir, bad, bzip2(content("bad")))
        if (kind === "sftp-sidecar") writeSourceFile(dir, `${bad}.sha1`, Buffer.from(sha1(bzip2(content("bad")))))
        const before = listRemote(dir)
        const report = yield* collect(tree, {
          source: sourceJson(kind, server, dir),
          hash: HASH_OF[kind],
          disposition: "delete"
        })
        expect(report.files.map((file) => file.kind)).toEqual(["refused"])
        expect(report.digest.items.map((item) => item.kind)).toContain("refused")
        expect(archivedNames(tree)).toEqual([])
        expect(listRemote(dir)).toEqual(before)
      }))
  }

  it.scoped("sftp-sidecar: a file that no longer matches its sidecar is rejected, never filed, and stays on the remote", () =>
    Effect.gen(function*() {
      const server = yield* Sshd
      const tree = yield* scopedTree
      const dir = remoteDir(server, "sidecar-mismatch")
      const files = stageRemote("sftp-sidecar", dir, "mismatch")
      const [changed] = [...files.keys()]
      // Rewritten after its sidecar was made, like a file changing mid-transfer.
      writeSourceFile(dir, changed!, bzip2(content("rewritten")))
      const report = yield* collect(tree, {
        source: sourceJson("sftp-sidecar", server, dir),
        hash: "sidecar",
        disposition: "delete"
      })
      const outcome = report.files.find((file) => file.name === changed)
      expect(outcome?.kind).toBe("failed")
      expect(archivedNames(tree)).toEqual([...files.keys()].filter((name) => name !== changed))
      expect(listRemote(dir)).toEqual([changed, `${changed}.sha1`])
      expect(listTree(tree.workDir)).toEqual([])
    }))
})
