import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Schedule, Schema } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import type { SourceError } from "../../../src/archive/source.js"
import { rsyncFailure } from "../../../src/archive/sources/ssh/rsync-exit-codes.js"
import {
  parseListOnly,
  parseTransferLine,
  remoteShellWord,
  rsyncSource
} from "../../../src/archive/sources/ssh/rsync.js"
import { RsyncSourceConfig } from "../../../src/layers/archive/config/rsync-source.js"
import { childPids, describeWithSshd, Sshd } from "../../support/sshd.js"
import type { SshdServer } from "../../support/sshd.js"
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
  Schema.decodeUnknownSync(RsyncSourceConfig)({ kind: "rsync", remoteDir: dir, ...connectionFields(server, overrides) })

const localDir = Effect.acquireRelease(
  Effect.sync(workDir),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)

const failureOf = <A>(exit: Exit.Exit<A, SourceError>): SourceError => {
  if (Exit.isSuccess(exit) || exit.cause._tag !== "Fail") throw new Error(`expected a SourceError, got ${String(exit)}`)
  return exit.cause.error
}

describe("rsync exit codes", () => {
  it("a dropped connection is retried now; a usage error never", () => {
    expect(rsyncFailure(12, "rsync: connection unexpectedly closed")).toMatchObject({
      retryable: true,
      connectionLost: true
    })
    expect(rsyncFailure(30, "rsync error: timeout in data send/receive")).toMatchObject({
      retryable: true,
      connectionLost: true
    })
    expect(rsyncFailure(1, "rsync: --bogus: unknown option")).toMatchObject({ retryable: false, connectionLost: false })
    expect(rsyncFailure(23, "rsync: send_files failed to open")).toMatchObject({
      retryable: true,
      connectionLost: false
    })
    expect(rsyncFailure(99, "")).toMatchObject({ meaning: "unknown exit status", retryable: true })
  })
  it("ssh refusals are permanent whatever the status", () => {
    expect(rsyncFailure(255, "Host key verification failed.")).toMatchObject({
      retryable: false,
      connectionLost: false
    })
    expect(rsyncFailure(255, "root@h: Permission denied (publickey).")).toMatchObject({ retryable: false })
    expect(rsyncFailure(12, "bash: line 1: rsync: command not found")).toMatchObject({ retryable: false })
    expect(rsyncFailure(255, "ssh: connect to host h port 22: Connection refused")).toMatchObject({
      retryable: true,
      connectionLost: true
    })
  })
})

describe("rsync output parsing", () => {
  it("reads --list-only lines in UTC, unescaping names and skipping folders and hidden files", () => {
    const listing = [
      "drwxr-xr-x           4096 2024/03/01 00:00:00 .",
      "-rw-r--r--          71445 2024/03/01 02:03:04 20240301.0000.00.kod.c.rawacf.bz2",
      "-rw-r--r--              5 2024/03/01 02:03:04 odd\\#012name",
      "-rw-r--r--              5 2024/03/01 02:03:04 .partial.XyZ",
      "drwxr-xr-x           4096 2024/03/01 00:00:00 backup"
    ].join("\n")
    expect(parseListOnly(listing)).toEqual([
      {
        name: "20240301.0000.00.kod.c.rawacf.bz2",
        size: 71445,
        mtimeMs: Date.UTC(2024, 2, 1, 2, 3, 4),
        sha1: undefined
      },
      { name: "odd\nname", size: 5, mtimeMs: Date.UTC(2024, 2, 1, 2, 3, 4), sha1: undefined }
    ])
  })
  it("finds the transfer line of a file among progress output", () => {
    const hash = "da39a3ee5e6b4b0d3255bfef95601890afd80709"
    const out = `\r   32768  45%   0.00kB/s\r   71445 100%\nsdh-transfer|71445|${hash}|a|b.bz2\n`
    expect(parseTransferLine(out, "a|b.bz2")).toEqual({ bytes: 71445, sha1: hash })
    expect(parseTransferLine("sdh-transfer|5||x\n", "x")).toEqual({ bytes: 5, sha1: undefined })
    expect(parseTransferLine(out, "other")).toBeUndefined()
  })
  it("quotes -e words the way rsync splits them", () => {
    expect(remoteShellWord("/keys/id_ed25519")).toBe("/keys/id_ed25519")
    expect(remoteShellWord("/my keys/it's \"here\"")).toBe("\"/my keys/it's \"\"here\"\"\"")
  })
})

describeWithSshd("rsync source against a real sshd", [["rsync", "rsync"]], (it) => {
  it.scoped("lists, then transfers each file with rsync's SHA-1 of it", () =>
    Effect.gen(function*() {
      const server = yield* Sshd
      const dir = remoteDir(server, "collect")
      writeRemote(dir, radarFiles)
      const work = yield* localDir
      const session = yield* rsyncSource(settingsFor(server, dir)).open
      const listed = yield* session.list
      expect(listed.map((file) => file.name).sort()).toEqual(radarFiles.map((file) => file.name).sort())
      for (const entry of listed) {
        const original = radarFiles.find((file) => file.name === entry.name)!
        expect(entry.size).toBe(original.bytes.length)
        expect(entry.mtimeMs).toBe(Math.floor(fs.statSync(path.join(dir, entry.name)).mtimeMs / 1000) * 1000)
        const destination = path.join(work, `${entry.name}.part`)
        const progress: Array<number> = []
        const fetched = yield* session.fetch(entry, destination, (bytes) => progress.push(bytes))
        expect(fetched).toEqual({ path: destination, bytes: original.bytes.length, transferSha1: sha1(original.bytes) })
        expect(sha1OfFile(destination)).toBe(sha1(original.bytes))
        expect(progress.at(-1)).toBe(original.bytes.length)
      }
      // Transfers never remove anything on the remote.
      expect(listRemote(dir)).toEqual(radarFiles.map((file) => file.name).sort())
    }))

  it.scoped("a file changed after listing arrives with the SHA-1 of what was sent, not what was listed", () =>
    Effect.gen(function*() {
      const server = yield* Sshd
      const dir = remoteDir(server, "changed")
      writeRemote(dir, radarFiles)
      const work = yield* localDir
      const session = yield* rsyncSource(settingsFor(server, dir)).open
      const [entry] = yield* session.list
      const replaced = Buffer.from("replaced after listing")
      fs.writeFileSync(path.join(dir, entry!.name), replaced)
      const fetched = yield* session.fetch(entry!, path.join(work, "changed.part"))
      expect(fetched.bytes).not.toBe(entry!.size)
      expect(fetched.transferSha1).toBe(sha1(replaced))
    }))

  it.scoped("a connection killed mid-file is retried and the file completes", () =>
    Effect.gen(function*() {
      const server = yield* Sshd
      const dir = remoteDir(server, "killed")
      const content = bigFile(3 * 1024 * 1024)
      writeRemote(dir, [{ name: "20240301.0000.00.kod.c.rawacf.bz2", bytes: content }])
      const work = yield* localDir
      const session = yield* rsyncSource(settingsFor(server, dir, { bandwidthLimitKiBps: 1024 })).open
      const [entry] = yield* session.list
      let killed = 0
      const fetched = yield* session.fetch(entry!, path.join(work, "killed.part"), (bytes) => {
        if (killed === 0 && bytes > 512 * 1024) killed = server.killConnections()
      })
      expect(killed).toBeGreaterThan(0)
      expect(fetched.transferSha1).toBe(sha1(content))
      expect(sha1OfFile(fetched.path)).toBe(sha1(content))
    }))

  it.scoped("refuses names with '..' or a newline before running rsync", () =>
    Effect.gen(function*() {
      const server = yield* Sshd
      const dir = remoteDir(server, "refuse")
      const names = ["20240301.0000.00.kod..rawacf.bz2", "20240301.0000.00.kod.c.rawacf.bz2\n"]
      writeRemote(dir, names.map((name) => ({ name, bytes: Buffer.from(name) })))
      const work = yield* localDir
      const session = yield* rsyncSource(settingsFor(server, dir)).open
      const listed = yield* session.list
      expect(listed.map((file) => file.name).sort()).toEqual([...names].sort())
      for (const file of listed) {
        const failure = failureOf(yield* Effect.exit(session.fetch(file, path.join(work, "x.part"))))
        expect(failure).toMatchObject({ operation: "fetch", retryable: false })
        expect(failureOf(yield* Effect.exit(session.tidy([file], { kind: "delete" }))).retryable).toBe(false)
      }
      expect(listRemote(dir)).toEqual([...names].sort())
    }))

  it.scoped("delete and move run after the transfer, only on the archived names; leave touches nothing", () =>
    Effect.gen(function*() {
      const server = yield* Sshd
      const dirs = {
        delete: remoteDir(server, "delete"),
        move: remoteDir(server, "move"),
        leave: remoteDir(server, "leave")
      }
      for (const dir of Object.values(dirs)) writeRemote(dir, radarFiles)
      const rawacf = radarFiles.filter((file) => file.name.includes("rawacf")).map((file) => file.name).sort()
      const rest = ["20240301.0000.00.bks.a.fitacf.bz2"]

      const deleting = yield* rsyncSource(settingsFor(server, dirs.delete)).open
      const toDelete = (yield* deleting.list).filter((file) => rawacf.includes(file.name))
      yield* deleting.tidy(toDelete, { kind: "delete" })
      expect(listRemote(dirs.delete)).toEqual(rest)
      yield* deleting.tidy(toDelete, { kind: "delete" })

      const moving = yield* rsyncSource(settingsFor(server, dirs.move)).open
      const toMove = (yield* moving.list).filter((file) => rawacf.includes(file.name))
      // An absolute backup folder, outside the collected one.
      const backup = path.join(path.dirname(dirs.move), "uaf-backup")
      yield* moving.tidy(toMove, { kind: "move", backupDir: backup })
      expect(listRemote(backup)).toEqual(rawacf)
      expect(listRemote(dirs.move)).toEqual(rest)

      const leaving = yield* rsyncSource(settingsFor(server, dirs.leave)).open
      yield* leaving.tidy(yield* leaving.list, { kind: "leave" })
      expect(listRemote(dirs.leave)).toEqual(radarFiles.map((file) => file.name).sort())
    }))

  it.scoped("a host key that does not match known_hosts fails to connect and is not retryable", () =>
    Effect.gen(function*() {
      const server = yield* Sshd
      const dir = remoteDir(server, "hostkey")
      const knownHosts = path.join(server.dir, "known_hosts.rsync-wrong")
      fs.writeFileSync(
        knownHosts,
        `[127.0.0.1]:${server.port} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n`
      )
      const failure = failureOf(
        yield* Effect.exit(rsyncSource(settingsFor(server, dir, { knownHostsPath: knownHosts })).open)
      )
      expect(failure).toMatchObject({ operation: "connect", retryable: false })
      expect(failure.reason).toMatch(/host key|Host key verification failed/i)
    }))

  it.scoped("closing the session ends its ssh master connection", () =>
    Effect.gen(function*() {
      const server = yield* Sshd
      const dir = remoteDir(server, "close")
      // The earlier tests' connections are reaped first (sshd ends each child a moment after its
      // client), so what is counted below is this test's connection alone.
      const before = yield* Effect.sync(() => childPids(server.pid).length).pipe(
        Effect.filterOrFail((count) => count === 0, (count) => new Error(`${count} earlier connections still open`)),
        Effect.retry(Schedule.spaced("100 millis").pipe(Schedule.intersect(Schedule.recurs(50))))
      )
      yield* Effect.scoped(
        Effect.gen(function*() {
          const session = yield* rsyncSource(settingsFor(server, dir)).open
          yield* session.list
          expect(childPids(server.pid).length).toBeGreaterThan(before)
        })
      )
      // sshd reaps its per-connection child once the client has gone.
      yield* Effect.sync(() => childPids(server.pid).length).pipe(
        Effect.filterOrFail((count) => count === before, (count) => new Error(`${count} connections left`)),
        Effect.retry(Schedule.spaced("100 millis").pipe(Schedule.intersect(Schedule.recurs(50))))
      )
    }))
})
