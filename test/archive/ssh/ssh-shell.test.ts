import { expect } from "@effect/vitest"
import { Effect, Exit, Schema } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import type { SourceError } from "../../../src/archive/source.js"
import { sshShellSource } from "../../../src/archive/sources/ssh/ssh-shell.js"
import { SshShellSourceConfig } from "../../../src/layers/archive/config/ssh-shell-source.js"
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
  Schema.decodeUnknownSync(SshShellSourceConfig)({
    kind: "ssh-shell",
    remoteDir: dir,
    ...connectionFields(server, overrides)
  })

const localDir = Effect.acquireRelease(
  Effect.sync(workDir),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)

const failureOf = <A>(exit: Exit.Exit<A, SourceError>): SourceError => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  const failure = exit.cause._tag === "Fail" ? exit.cause.error : undefined
  if (failure === undefined) throw new Error(`expected a SourceError, got ${String(exit.cause)}`)
  return failure
}

describeWithSshd("ssh-shell source against a real sshd", [], (it) => {
  it.scoped("lists every file with size, mtime and SHA-1 in one command and downloads them over SFTP", () =>
    Effect.gen(function*() {
      const server = yield* Sshd
      const dir = remoteDir(server, "collect")
      writeRemote(dir, radarFiles)
      // In-progress uploads are hidden files; folders are not files.
      fs.writeFileSync(path.join(dir, ".20240301.0400.00.bks.a.rawacf.bz2.XyZ123"), "partial")
      fs.mkdirSync(path.join(dir, "backup"))
      const work = yield* localDir
      const session = yield* sshShellSource(settingsFor(server, dir)).open

      const listed = yield* session.list
      expect(listed.map((file) => file.name).sort()).toEqual(radarFiles.map((file) => file.name).sort())
      for (const file of radarFiles) {
        const entry = listed.find((candidate) => candidate.name === file.name)!
        expect(entry.sha1).toBe(sha1(file.bytes))
        expect(entry.size).toBe(file.bytes.length)
        expect(entry.mtimeMs).toBeCloseTo(fs.statSync(path.join(dir, file.name)).mtimeMs, -1)
      }

      for (const entry of listed) {
        const destination = path.join(work, `${entry.name}.part`)
        const progress: Array<number> = []
        const fetched = yield* session.fetch(entry, destination, (bytes) => progress.push(bytes))
        expect(fetched).toEqual({ path: destination, bytes: entry.size, transferSha1: undefined })
        expect(sha1OfFile(destination)).toBe(entry.sha1)
        expect(progress.at(-1)).toBe(entry.size)
      }
      // Leave is the default for a run that archives nothing: the source is untouched.
      expect(listRemote(dir)).toContain(radarFiles[0]!.name)
    }))

  it.scoped("lists names with quotes, spaces, backslashes and newlines without breaking the listing", () =>
    Effect.gen(function*() {
      const server = yield* Sshd
      const dir = remoteDir(server, "odd names")
      const names = ["it's here.bz2", "back\\slash", "new\nline", "$(touch pwned)", "-rf", "a..b"]
      writeRemote(dir, names.map((name, index) => ({ name, bytes: Buffer.from(`content ${index}`) })))
      const session = yield* sshShellSource(settingsFor(server, dir)).open
      const listed = yield* session.list
      expect(listed.map((file) => file.name).sort()).toEqual([...names].sort())
      for (const file of listed) expect(file.sha1).toBe(sha1(Buffer.from(`content ${names.indexOf(file.name)}`)))
      expect(fs.existsSync(path.join(dir, "pwned"))).toBe(false)
    }))

  it.scoped("refuses names with '..', a newline or a slash before building any command", () =>
    Effect.gen(function*() {
      const server = yield* Sshd
      const dir = remoteDir(server, "refuse")
      const names = ["20240301.0000.00.bks..rawacf.bz2", "20240301.0000.00.bks.a.rawacf.bz2\nrm -rf x"]
      writeRemote(dir, names.map((name) => ({ name, bytes: Buffer.from("x") })))
      const work = yield* localDir
      const session = yield* sshShellSource(settingsFor(server, dir)).open
      const listed = yield* session.list
      expect(listed).toHaveLength(2)
      for (const file of listed) {
        const destination = path.join(work, "refused.part")
        const fetchFailure = failureOf(yield* Effect.exit(session.fetch(file, destination)))
        expect(fetchFailure.operation).toBe("fetch")
        expect(fetchFailure.retryable).toBe(false)
        expect(fetchFailure.reason).toMatch(/refused remote name/)
        expect(fs.existsSync(destination)).toBe(false)
        const tidyFailure = failureOf(yield* Effect.exit(session.tidy([file], { kind: "delete" })))
        expect(tidyFailure.operation).toBe("tidy")
        expect(tidyFailure.retryable).toBe(false)
      }
      const traversal = { name: "../../etc/passwd", size: 1, mtimeMs: 0, sha1: undefined }
      const escape = failureOf(yield* Effect.exit(session.fetch(traversal, path.join(work, "x.part"))))
      expect(escape.reason).toMatch(/refused remote name/)
      expect(listRemote(dir)).toEqual([...names].sort())
    }))

  it.scoped("delete removes exactly the archived files on the remote; a repeat is harmless", () =>
    Effect.gen(function*() {
      const server = yield* Sshd
      const dir = remoteDir(server, "delete")
      writeRemote(dir, radarFiles)
      const session = yield* sshShellSource(settingsFor(server, dir)).open
      const listed = yield* session.list
      const archived = listed.filter((file) => file.name.includes("rawacf"))
      yield* session.tidy(archived, { kind: "delete" })
      expect(listRemote(dir)).toEqual(["20240301.0000.00.bks.a.fitacf.bz2"])
      yield* session.tidy(archived, { kind: "delete" })
      expect(listRemote(dir)).toEqual(["20240301.0000.00.bks.a.fitacf.bz2"])
    }))

  it.scoped("move puts the archived files in the backup folder, relative to the remote folder; a repeat is harmless", () =>
    Effect.gen(function*() {
      const server = yield* Sshd
      const dir = remoteDir(server, "move")
      writeRemote(dir, radarFiles)
      const session = yield* sshShellSource(settingsFor(server, dir)).open
      const listed = yield* session.list
      const archived = listed.filter((file) => file.name.includes("rawacf"))
      yield* session.tidy(archived, { kind: "move", backupDir: "backup/it's archived" })
      const backup = path.join(dir, "backup", "it's archived")
      expect(listRemote(backup)).toEqual(archived.map((file) => file.name).sort())
      expect(listRemote(dir)).toEqual(["20240301.0000.00.bks.a.fitacf.bz2", "backup"])
      yield* session.tidy(archived, { kind: "move", backupDir: "backup/it's archived" })
      expect(listRemote(backup)).toEqual(archived.map((file) => file.name).sort())
      for (const file of archived) expect(sha1OfFile(path.join(backup, file.name))).toBe(file.sha1)
    }))

  it.scoped("leave touches nothing", () =>
    Effect.gen(function*() {
      const server = yield* Sshd
      const dir = remoteDir(server, "leave")
      writeRemote(dir, radarFiles)
      const session = yield* sshShellSource(settingsFor(server, dir)).open
      yield* session.tidy(yield* session.list, { kind: "leave" })
      expect(listRemote(dir)).toEqual(radarFiles.map((file) => file.name).sort())
    }))

  it.scoped("a file that changes between listing and download arrives with a SHA-1 that differs from the listed one", () =>
    Effect.gen(function*() {
      const server = yield* Sshd
      const dir = remoteDir(server, "changed")
      writeRemote(dir, radarFiles)
      const work = yield* localDir
      const session = yield* sshShellSource(settingsFor(server, dir)).open
      const [entry] = yield* session.list
      fs.writeFileSync(path.join(dir, entry!.name), Buffer.from("rewritten by the radar"))
      const destination = path.join(work, "changed.part")
      yield* session.fetch(entry!, destination)
      // The pipeline compares this with `entry.sha1` and refuses the copy.
      expect(sha1OfFile(destination)).not.toBe(entry!.sha1)
      expect(sha1OfFile(destination)).toBe(sha1(Buffer.from("rewritten by the radar")))
    }))

  it.scoped("a connection killed mid-file reconnects and resumes the download from the partial copy", () =>
    Effect.gen(function*() {
      const server = yield* Sshd
      const dir = remoteDir(server, "killed")
      const content = bigFile(3 * 1024 * 1024)
      writeRemote(dir, [{ name: "20240301.0000.00.bks.a.rawacf.bz2", bytes: content }])
      const work = yield* localDir
      // 1 MiB/s: the 3 MiB file takes about 3 s, long enough to kill it midway.
      const session = yield* sshShellSource(settingsFor(server, dir, { bandwidthLimitKiBps: 1024 })).open
      const [entry] = yield* session.list
      const destination = path.join(work, "killed.part")
      const logs: Array<string> = []
      let killed = 0
      yield* session.fetch(entry!, destination, (bytes) => {
        if (killed === 0 && bytes > 512 * 1024) killed = server.killConnections()
      }).pipe(Effect.provide(recordLogs(logs)))
      expect(killed).toBeGreaterThan(0)
      expect(sha1OfFile(destination)).toBe(sha1(content))
      expect(logs.some((line) => line.includes("connection lost"))).toBe(true)
      // The second attempt continued from the partial copy instead of starting over.
      const resumed = logs.map((line) => /resumed .* at (\d+) bytes/.exec(line)).find((match) => match !== null)
      expect(Number(resumed?.[1])).toBeGreaterThan(0)
      // The session still works on the new connection.
      expect((yield* session.list).map((file) => file.name)).toEqual([entry!.name])
    }))

  it.scoped("an institution whose hash mode is not remote-sha1sum is listed without the hashing pass", () =>
    Effect.gen(function*() {
      const server = yield* Sshd
      const dir = remoteDir(server, "no hashes")
      writeRemote(dir, radarFiles)
      const session = yield* sshShellSource(settingsFor(server, dir), { hash: "none" }).open
      const listed = yield* session.list
      expect(listed.map((file) => file.name).sort()).toEqual(radarFiles.map((file) => file.name).sort())
      expect(listed.every((file) => file.sha1 === undefined && file.size !== undefined)).toBe(true)
    }))

  it.scoped("a missing remote folder is a list failure naming the folder", () =>
    Effect.gen(function*() {
      const server = yield* Sshd
      const dir = path.join(server.dir, "remote", "does-not-exist")
      const session = yield* sshShellSource(settingsFor(server, dir)).open
      const failure = failureOf(yield* Effect.exit(session.list))
      expect(failure.operation).toBe("list")
      expect(failure.reason).toContain(dir)
    }))
})
