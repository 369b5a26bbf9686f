import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Option, Schema } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import type { SourceError } from "../../../src/archive/source.js"
import { parseSidecar } from "../../../src/archive/sources/sidecar.js"
import { sftpSidecarSource } from "../../../src/archive/sources/ssh/sftp-sidecar.js"
import { SftpSidecarSourceConfig } from "../../../src/layers/archive/config/sftp-sidecar-source.js"
import { describeWithSshd, Sshd } from "../../support/sshd.js"
import type { SshdServer } from "../../support/sshd.js"
import { recordLogs } from "./record-logs.js"
import {
  bigFile,
  connectionFields,
  listRemote,
  radarFiles,
  remoteDir,
  sha1,
  sha1OfFile,
  workDir,
  writeRemote
} from "./remote-tree.js"

const settingsFor = (server: SshdServer, dir: string, overrides: Record<string, unknown> = {}) =>
  Schema.decodeUnknownSync(SftpSidecarSourceConfig)({
    kind: "sftp-sidecar",
    remoteDir: dir,
    ...connectionFields(server, overrides)
  })

const localDir = Effect.acquireRelease(
  Effect.sync(workDir),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)

/** Files as Leicester publishes them: each with `sha1sum` output beside it. */
const writeWithSidecars = (dir: string, files: ReadonlyArray<{ readonly name: string; readonly bytes: Buffer }>) => {
  writeRemote(dir, files)
  for (const file of files) fs.writeFileSync(path.join(dir, `${file.name}.sha1`), `${sha1(file.bytes)}  ${file.name}\n`)
}

const failureOf = <A>(exit: Exit.Exit<A, SourceError>): SourceError => {
  if (Exit.isSuccess(exit) || exit.cause._tag !== "Fail") throw new Error(`expected a SourceError, got ${String(exit)}`)
  return exit.cause.error
}

const sidecarNames = (names: ReadonlyArray<string>) => names.flatMap((name) => [name, `${name}.sha1`]).sort()

describe("parseSidecar", () => {
  const hash = "da39a3ee5e6b4b0d3255bfef95601890afd80709"
  it("reads sha1sum output, binary-mode output and a bare hash", () => {
    expect(parseSidecar(`${hash}  a.bz2\n`, "a.bz2")).toEqual(Option.some(hash))
    expect(parseSidecar(`${hash} *a.bz2`, "a.bz2")).toEqual(Option.some(hash))
    expect(parseSidecar(`${hash.toUpperCase()}\n`, "a.bz2")).toEqual(Option.some(hash))
    expect(parseSidecar(`${hash}  /data/leicester/a.bz2\n`, "a.bz2")).toEqual(Option.some(hash))
  })
  it("rejects a sidecar for another file, a short hash and junk", () => {
    expect(parseSidecar(`${hash}  b.bz2\n`, "a.bz2")).toEqual(Option.none())
    expect(parseSidecar(hash.slice(1), "a.bz2")).toEqual(Option.none())
    expect(parseSidecar("<html>404</html>", "a.bz2")).toEqual(Option.none())
    expect(parseSidecar("", "a.bz2")).toEqual(Option.none())
  })
})

describeWithSshd("sftp-sidecar source against a real sshd", [], (it) => {
  it.scoped("offers each file with the hash from its sidecar and downloads it", () =>
    Effect.gen(function*() {
      const server = yield* Sshd
      const dir = remoteDir(server, "collect")
      writeWithSidecars(dir, radarFiles)
      const work = yield* localDir
      const session = yield* sftpSidecarSource(settingsFor(server, dir)).open
      const listed = yield* session.list
      expect(listed.map((file) => file.name).sort()).toEqual(radarFiles.map((file) => file.name).sort())
      for (const entry of listed) {
        const original = radarFiles.find((file) => file.name === entry.name)!
        expect(entry.sha1).toBe(sha1(original.bytes))
        expect(entry.size).toBe(original.bytes.length)
        const destination = path.join(work, `${entry.name}.part`)
        const fetched = yield* session.fetch(entry, destination)
        expect(fetched.bytes).toBe(original.bytes.length)
        expect(sha1OfFile(destination)).toBe(entry.sha1)
      }
    }))

  it.scoped("holds back a file whose sidecar has not arrived and skips sidecars that hold no hash for it", () =>
    Effect.gen(function*() {
      const server = yield* Sshd
      const dir = remoteDir(server, "incomplete")
      const [good, noSidecar, wrongSidecar, junkSidecar] = [
        "20240301.0000.00.lyr.a.rawacf.bz2",
        "20240301.0200.00.lyr.a.rawacf.bz2",
        "20240301.0400.00.lyr.a.rawacf.bz2",
        "20240301.0600.00.lyr.a.rawacf.bz2"
      ]
      writeWithSidecars(dir, [{ name: good!, bytes: Buffer.from("good") }])
      writeRemote(dir, [
        { name: noSidecar!, bytes: Buffer.from("no sidecar yet") },
        { name: wrongSidecar!, bytes: Buffer.from("wrong") },
        { name: `${wrongSidecar}.sha1`, bytes: Buffer.from(`${sha1(Buffer.from("wrong"))}  ${good}\n`) },
        { name: junkSidecar!, bytes: Buffer.from("junk") },
        { name: `${junkSidecar}.sha1`, bytes: Buffer.from("not a hash\n") }
      ])
      const logs: Array<string> = []
      const session = yield* sftpSidecarSource(settingsFor(server, dir)).open
      const listed = yield* session.list.pipe(Effect.provide(recordLogs(logs)))
      expect(listed.map((file) => file.name)).toEqual([good])
      expect(logs.filter((line) => line.includes("holds no SHA-1"))).toHaveLength(2)
    }))

  it.scoped("a file replaced after its sidecar was read downloads with a different SHA-1 than offered", () =>
    Effect.gen(function*() {
      const server = yield* Sshd
      const dir = remoteDir(server, "changed")
      writeWithSidecars(dir, radarFiles)
      const work = yield* localDir
      const session = yield* sftpSidecarSource(settingsFor(server, dir)).open
      const [entry] = yield* session.list
      fs.writeFileSync(path.join(dir, entry!.name), "re-sent with other content")
      const destination = path.join(work, "changed.part")
      yield* session.fetch(entry!, destination)
      expect(sha1OfFile(destination)).not.toBe(entry!.sha1)
    }))

  it.scoped("a connection killed mid-file reconnects and resumes", () =>
    Effect.gen(function*() {
      const server = yield* Sshd
      const dir = remoteDir(server, "killed")
      const content = bigFile(3 * 1024 * 1024)
      writeWithSidecars(dir, [{ name: "20240301.0000.00.lyr.a.rawacf.bz2", bytes: content }])
      const work = yield* localDir
      const session = yield* sftpSidecarSource(settingsFor(server, dir, { bandwidthLimitKiBps: 1024 })).open
      const [entry] = yield* session.list
      const destination = path.join(work, "killed.part")
      const logs: Array<string> = []
      let killed = 0
      yield* session.fetch(entry!, destination, (bytes) => {
        if (killed === 0 && bytes > 512 * 1024) killed = server.killConnections()
      }).pipe(Effect.provide(recordLogs(logs)))
      expect(killed).toBeGreaterThan(0)
      expect(sha1OfFile(destination)).toBe(entry!.sha1)
      expect(logs.some((line) => /resumed .* at [1-9]\d* bytes/.test(line))).toBe(true)
    }))

  it.scoped("refuses names with '..' or a newline, in fetch and in tidy, touching nothing", () =>
    Effect.gen(function*() {
      const server = yield* Sshd
      const dir = remoteDir(server, "refuse")
      const names = ["20240301.0000.00.lyr..rawacf.bz2", "20240301.0000.00.lyr.a.rawacf.bz2\n"]
      // Bare-hash sidecars: sha1sum output cannot carry a newline in a name.
      writeRemote(
        dir,
        names.flatMap((name) => [
          { name, bytes: Buffer.from(name) },
          { name: `${name}.sha1`, bytes: Buffer.from(sha1(Buffer.from(name))) }
        ])
      )
      const work = yield* localDir
      const session = yield* sftpSidecarSource(settingsFor(server, dir)).open
      const listed = yield* session.list
      expect(listed).toHaveLength(2)
      for (const file of listed) {
        const fetchFailure = failureOf(yield* Effect.exit(session.fetch(file, path.join(work, "x.part"))))
        expect(fetchFailure.retryable).toBe(false)
        expect(fetchFailure.reason).toMatch(/refused remote name/)
        const tidyFailure = failureOf(yield* Effect.exit(session.tidy([file], { kind: "delete" })))
        expect(tidyFailure.reason).toMatch(/refused remote name/)
      }
      expect(listRemote(dir)).toEqual(sidecarNames(names))
    }))

  it.scoped("delete removes each archived file and its sidecar; a repeat is harmless", () =>
    Effect.gen(function*() {
      const server = yield* Sshd
      const dir = remoteDir(server, "delete")
      writeWithSidecars(dir, radarFiles)
      const session = yield* sftpSidecarSource(settingsFor(server, dir)).open
      const archived = (yield* session.list).filter((file) => file.name.includes("rawacf"))
      yield* session.tidy(archived, { kind: "delete" })
      expect(listRemote(dir)).toEqual(sidecarNames(["20240301.0000.00.bks.a.fitacf.bz2"]))
      yield* session.tidy(archived, { kind: "delete" })
      expect(listRemote(dir)).toEqual(sidecarNames(["20240301.0000.00.bks.a.fitacf.bz2"]))
    }))

  it.scoped("move puts each archived file and its sidecar in the backup folder, replacing an older copy", () =>
    Effect.gen(function*() {
      const server = yield* Sshd
      const dir = remoteDir(server, "move")
      writeWithSidecars(dir, radarFiles)
      const backup = path.join(dir, "archived", "2024")
      fs.mkdirSync(backup, { recursive: true })
      fs.writeFileSync(path.join(backup, radarFiles[0]!.name), "an older copy")
      const session = yield* sftpSidecarSource(settingsFor(server, dir)).open
      const archived = (yield* session.list).filter((file) => file.name.includes("rawacf"))
      yield* session.tidy(archived, { kind: "move", backupDir: "archived/2024" })
      expect(listRemote(backup)).toEqual(sidecarNames(archived.map((file) => file.name)))
      expect(sha1OfFile(path.join(backup, radarFiles[0]!.name))).toBe(sha1(radarFiles[0]!.bytes))
      expect(listRemote(dir)).toEqual([...sidecarNames(["20240301.0000.00.bks.a.fitacf.bz2"]), "archived"].sort())
      yield* session.tidy(archived, { kind: "move", backupDir: "archived/2024" })
      expect(listRemote(backup)).toEqual(sidecarNames(archived.map((file) => file.name)))
    }))

  it.scoped("leave touches nothing", () =>
    Effect.gen(function*() {
      const server = yield* Sshd
      const dir = remoteDir(server, "leave")
      writeWithSidecars(dir, radarFiles)
      const session = yield* sftpSidecarSource(settingsFor(server, dir)).open
      yield* session.tidy(yield* session.list, { kind: "leave" })
      expect(listRemote(dir)).toEqual(sidecarNames(radarFiles.map((file) => file.name)))
    }))
})
