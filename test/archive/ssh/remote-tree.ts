/**
 * Test fixtures for the SSH sources: a "remote" folder inside the test sshd's
 * scratch folder (same machine, reached only through sshd), filled with real
 * DMAP files under SuperDARN names, and settings pointing at that server.
 */
import { Schema } from "effect"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { SshConnectionSettings } from "../../../src/layers/archive/config/ssh-settings.js"
import { fixturePath } from "../../support/fixtures.js"
import type { SshdServer } from "../../support/sshd.js"

export const fixture = (name: string): Buffer => fs.readFileSync(fixturePath(name))

export const sha1 = (bytes: Buffer): string => createHash("sha1").update(bytes).digest("hex")

export const sha1OfFile = (file: string): string => sha1(fs.readFileSync(file))

let counter = 0

/** A fresh remote folder (absolute path on the server) per test. */
export const remoteDir = (server: SshdServer, label: string): string => {
  const dir = path.join(server.dir, "remote", `${label}-${++counter}`)
  fs.mkdirSync(dir, { recursive: true })
  return dir
}

/** A fresh local work folder, removed by the caller's finalizer. */
export const workDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), "sdh-"))

/** Three real files under the names a radar's staging folder holds. */
export const radarFiles: ReadonlyArray<{ readonly name: string; readonly bytes: Buffer }> = [
  { name: "20240301.0000.00.bks.a.rawacf.bz2", bytes: fixture("test.rawacf.bz2") },
  { name: "20240301.0200.00.bks.a.rawacf.bz2", bytes: fixture("test.iqdat.bz2") },
  { name: "20240301.0000.00.bks.a.fitacf.bz2", bytes: fixture("test.fitacf.bz2") }
]

export const writeRemote = (dir: string, files: ReadonlyArray<{ readonly name: string; readonly bytes: Buffer }>) => {
  for (const file of files) fs.writeFileSync(path.join(dir, file.name), file.bytes)
}

/** Deterministic pseudo-random bytes: large enough to kill a transfer midway. */
export const bigFile = (bytes: number): Buffer => {
  const buffer = Buffer.allocUnsafe(bytes)
  let state = 0x9e3779b9
  for (let i = 0; i < bytes; i++) {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    buffer[i] = state & 0xff
  }
  return buffer
}

export const listRemote = (dir: string): ReadonlyArray<string> => fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []

/** Connection settings for the test server, with short timeouts and backoff. */
export const connectionFields = (server: SshdServer, overrides: Record<string, unknown> = {}) => ({
  host: server.host,
  port: server.port,
  user: server.user,
  privateKeyPath: server.clientKeyPath,
  knownHostsPath: server.knownHostsPath,
  connectTimeoutSeconds: 10,
  operationTimeoutSeconds: 15,
  reconnectAttempts: 4,
  reconnectDelayMillis: 50,
  ...overrides
})

export const decodeConnection = Schema.decodeUnknownSync(SshConnectionSettings)
