import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Schema } from "effect"
import * as fc from "fast-check"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import type { SourceError } from "../../../src/archive/source.js"
import { execCommand, openSshLink } from "../../../src/archive/sources/ssh/ssh-connection.js"
import { shellQuote, unsafeRemoteName } from "../../../src/archive/sources/ssh/ssh-remote-name.js"
import { sshShellSource } from "../../../src/archive/sources/ssh/ssh-shell.js"
import { SshShellSourceConfig } from "../../../src/layers/archive/config/ssh-shell-source.js"
import { describeWithSshd, Sshd } from "../../support/sshd.js"
import type { SshdServer } from "../../support/sshd.js"
import { connectionFields, decodeConnection, remoteDir } from "./remote-tree.js"

const failureOf = <A>(exit: Exit.Exit<A, SourceError>): SourceError => {
  if (Exit.isSuccess(exit) || exit.cause._tag !== "Fail") throw new Error(`expected a SourceError, got ${String(exit)}`)
  return exit.cause.error
}

const knownHostsFile = (server: SshdServer, label: string, text: string) => {
  const file = path.join(server.dir, `known_hosts.${label}`)
  fs.writeFileSync(file, text)
  return file
}

describe("remote names and quoting", () => {
  it("refuses what could escape the folder or split a command", () => {
    expect(unsafeRemoteName("20240301.0000.00.bks.a.rawacf.bz2")).toBeUndefined()
    expect(unsafeRemoteName("it's fine")).toBeUndefined()
    expect(unsafeRemoteName("")).toMatch(/empty/)
    expect(unsafeRemoteName("a..b")).toMatch(/\.\./)
    expect(unsafeRemoteName("..")).toMatch(/\.\./)
    expect(unsafeRemoteName("a/b")).toMatch(/\//)
    expect(unsafeRemoteName("a\nb")).toMatch(/control/)
    expect(unsafeRemoteName("a\rb")).toMatch(/control/)
    expect(unsafeRemoteName("a\0b")).toMatch(/NUL/)
  })

  it("single-quoting survives a real sh for any text", () => {
    const texts = fc.sample(fc.string({ unit: "binary", maxLength: 40 }).filter((text) => !text.includes("\0")), 300)
    texts.push("'", "''", "a'b'c", "$(id)", "`id`", "\\'", "\n")
    // One sh for every sample: each argument printed back NUL-terminated.
    const script = `printf '%s\\0' ${texts.map(shellQuote).join(" ")}`
    const echoed = execFileSync("sh", ["-c", script]).toString("utf8").split("\0").slice(0, -1)
    expect(echoed).toEqual(texts)
  })
})

describeWithSshd("SSH connection against a real sshd", [], (it) => {
  it.scoped("connects with the key and known_hosts, and runs a remote command", () =>
    Effect.gen(function*() {
      const server = yield* Sshd
      const link = yield* openSshLink("test", decodeConnection(connectionFields(server)))
      const result = yield* link.run("list", undefined, (connection) =>
        execCommand(connection, "printf 'a\\0b'; echo err >&2; exit 3"))
      expect(result).toEqual({ exitCode: 3, stdout: Buffer.from("a\0b"), stderr: "err\n" })
    }))

  it.scoped("accepts a hashed known_hosts entry (ssh-keygen -H)", () =>
    Effect.gen(function*() {
      const server = yield* Sshd
      const file = knownHostsFile(server, "hashed", `[127.0.0.1]:${server.port} ${server.hostPublicKey}\n`)
      execFileSync("ssh-keygen", ["-q", "-H", "-f", file])
      expect(fs.readFileSync(file, "utf8")).toMatch(/^\|1\|/)
      const link = yield* openSshLink("test", decodeConnection(connectionFields(server, { knownHostsPath: file })))
      const result = yield* link.run("list", undefined, (connection) => execCommand(connection, "true"))
      expect(result.exitCode).toBe(0)
    }))

  it.scoped("refuses a server whose key differs from known_hosts, without retrying", () =>
    Effect.gen(function*() {
      const server = yield* Sshd
      const file = knownHostsFile(
        server,
        "wrong",
        `[127.0.0.1]:${server.port} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n`
      )
      const failure = failureOf(
        yield* Effect.exit(openSshLink("vt", decodeConnection(connectionFields(server, { knownHostsPath: file }))))
      )
      expect(failure).toMatchObject({ source: "vt", operation: "connect", retryable: false })
      expect(failure.reason).toMatch(/does not match/)
    }))

  it.scoped("refuses a server missing from known_hosts, and connects only with the explicit opt-out", () =>
    Effect.gen(function*() {
      const server = yield* Sshd
      const file = knownHostsFile(server, "other-host", `other.example ${server.hostPublicKey}\n`)
      const failure = failureOf(
        yield* Effect.exit(openSshLink("vt", decodeConnection(connectionFields(server, { knownHostsPath: file }))))
      )
      expect(failure).toMatchObject({ operation: "connect", retryable: false })
      expect(failure.reason).toMatch(/no host key/)
      const insecure = decodeConnection(
        connectionFields(server, { knownHostsPath: file, insecureSkipHostKeyCheck: true })
      )
      const link = yield* openSshLink("vt", insecure)
      expect((yield* link.run("list", undefined, (connection) => execCommand(connection, "true"))).exitCode).toBe(0)
    }))

  it.scoped("a key the server does not accept is a permanent connect failure", () =>
    Effect.gen(function*() {
      const server = yield* Sshd
      const stranger = path.join(server.dir, "stranger_ed25519")
      if (!fs.existsSync(stranger)) execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", stranger])
      const failure = failureOf(
        yield* Effect.exit(openSshLink("vt", decodeConnection(connectionFields(server, { privateKeyPath: stranger }))))
      )
      expect(failure).toMatchObject({ operation: "connect", retryable: false })
      expect(failure.reason).toMatch(/refused the key/)
    }))

  it.scoped("a missing key file or known_hosts file is named in a permanent failure", () =>
    Effect.gen(function*() {
      const server = yield* Sshd
      const noKey = failureOf(
        yield* Effect.exit(
          openSshLink("vt", decodeConnection(connectionFields(server, { privateKeyPath: "/nonexistent/id" })))
        )
      )
      expect(noKey).toMatchObject({ operation: "connect", retryable: false })
      expect(noKey.reason).toContain("/nonexistent/id")
      const noHosts = failureOf(
        yield* Effect.exit(
          openSshLink("vt", decodeConnection(connectionFields(server, { knownHostsPath: "/nonexistent/kh" })))
        )
      )
      expect(noHosts.reason).toContain("/nonexistent/kh")
    }))

  it.scoped("nothing listening is a retryable connect failure", () =>
    Effect.gen(function*() {
      const server = yield* Sshd
      // Port 1 on loopback: nothing listens there and connecting is refused at once.
      const failure = failureOf(
        yield* Effect.exit(openSshLink("vt", decodeConnection(connectionFields(server, { port: 1 }))))
      )
      expect(failure).toMatchObject({ operation: "connect", retryable: true })
    }))

  it.scoped("a remote command that outlives the operation timeout fails as retryable", () =>
    Effect.gen(function*() {
      const server = yield* Sshd
      const link = yield* openSshLink("vt", decodeConnection(connectionFields(server, { operationTimeoutSeconds: 1 })))
      const failure = failureOf(
        yield* Effect.exit(link.run("list", undefined, (connection) => execCommand(connection, "sleep 20")))
      )
      expect(failure).toMatchObject({ operation: "list", retryable: true })
      expect(failure.reason).toMatch(/did not finish within/)
    }))

  it.scoped("settings reject a relative remote folder and an out-of-range port", () =>
    Effect.gen(function*() {
      const server = yield* Sshd
      const decode = Schema.decodeUnknownEither(SshShellSourceConfig)
      expect(decode({ kind: "ssh-shell", remoteDir: "data/staging", ...connectionFields(server) })._tag).toBe("Left")
      expect(decode({ kind: "ssh-shell", remoteDir: "/data", ...connectionFields(server, { port: 70000 }) })._tag).toBe(
        "Left"
      )
      const defaults = Schema.decodeUnknownSync(SshShellSourceConfig)({
        kind: "ssh-shell",
        host: "sd.example",
        user: "archive",
        privateKeyPath: "/etc/superdarn-hub/id_ed25519",
        remoteDir: remoteDir(server, "defaults")
      })
      expect(defaults).toMatchObject({ port: 22, insecureSkipHostKeyCheck: false, connectTimeoutSeconds: 20 })
      expect(sshShellSource(defaults).describe).toBe(`ssh-shell archive@sd.example:${defaults.remoteDir}`)
    }))
})
