/**
 * `sftp-sidecar`: an SFTP-only account where every file has a `<file>.sha1`
 * beside it (Leicester). Listing reads the folder and then every sidecar, so
 * the pipeline knows each file's hash before deciding to download it
 * (already archived with the same hash: skipped; a different hash: a
 * conflict). A file whose sidecar has not arrived yet is not offered. At the
 * end of a run, each archived file goes together with its sidecar.
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as path from "node:path"
import type { Stats } from "ssh2"
import type { SftpSidecarSourceConfig } from "../../../layers/archive/config/sftp-sidecar-source.js"
import type { CollectorSource, Disposition, RemoteFile } from "../../source.js"
import { MAX_SIDECAR_BYTES, parseSidecar, SIDECAR_SUFFIX } from "../sidecar.js"
import { fetchOverSftp } from "./sftp-download.js"
import { tidyOverSftp } from "./sftp-tidy.js"
import { openSshLink, SFTP_NO_SUCH_FILE, sftpRequest, SshFailure } from "./ssh-connection.js"
import type { SshLink } from "./ssh-connection.js"

const SIDECARS_IN_FLIGHT = 16

interface FolderEntry {
  readonly name: string
  readonly size: number
  readonly mtimeMs: number
}

const readFolder = (link: SshLink, remoteDir: string) =>
  link.run(
    "list",
    undefined,
    (connection) =>
      sftpRequest<ReadonlyArray<{ filename: string; attrs: Stats }>>(
        connection,
        (sftp, done) => sftp.readdir(remoteDir, done)
      )
  )

const readSidecar = (link: SshLink, remoteDir: string, name: string) =>
  link.run("hash", name, (connection) =>
    Effect.gen(function*() {
      const file = path.posix.join(remoteDir, name + SIDECAR_SUFFIX)
      const stats = yield* sftpRequest<Stats>(connection, (sftp, done) => sftp.stat(file, done))
      if (stats.size > MAX_SIDECAR_BYTES) {
        return yield* new SshFailure({
          reason: `${file} is ${stats.size} bytes, not a sidecar`,
          lost: false,
          retryable: false
        })
      }
      const bytes = yield* sftpRequest<Buffer>(connection, (sftp, done) => sftp.readFile(file, done))
      return bytes.toString("utf8")
    }).pipe(
      // Gone between reading the folder and reading it: offered next run if it comes back.
      Effect.catchIf((failure) => failure.sftpStatus === SFTP_NO_SUCH_FILE, () => Effect.succeed(undefined))
    ))

const list = (source: string, link: SshLink, settings: SftpSidecarSourceConfig) =>
  Effect.gen(function*() {
    const entries = yield* readFolder(link, settings.remoteDir)
    const files = new Map<string, FolderEntry>()
    const sidecars = new Set<string>()
    for (const { filename, attrs } of entries) {
      // Hidden names are uploads in progress.
      if (!attrs.isFile() || filename.startsWith(".")) continue
      if (filename.endsWith(SIDECAR_SUFFIX)) sidecars.add(filename.slice(0, -SIDECAR_SUFFIX.length))
      else files.set(filename, { name: filename, size: attrs.size, mtimeMs: attrs.mtime * 1000 })
    }
    const waiting = [...files.keys()].filter((name) => !sidecars.has(name))
    if (waiting.length > 0) {
      yield* Effect.logDebug(`${source}: ${waiting.length} file(s) without a sidecar yet, not offered this run`)
    }
    const offered = yield* Effect.forEach(
      [...files.values()].filter((file) => sidecars.has(file.name)),
      (file) =>
        readSidecar(link, settings.remoteDir, file.name).pipe(
          Effect.flatMap((text) => {
            if (text === undefined) return Effect.succeed(Option.none<RemoteFile>())
            const sha1 = parseSidecar(text, file.name)
            return Option.isSome(sha1)
              ? Effect.succeed(Option.some<RemoteFile>({ ...file, sha1: sha1.value }))
              : Effect.logWarning(
                `${source}: ${JSON.stringify(file.name + SIDECAR_SUFFIX)} holds no SHA-1 for it; file skipped`
              )
                .pipe(Effect.as(Option.none<RemoteFile>()))
          })
        ),
      { concurrency: SIDECARS_IN_FLIGHT }
    )
    return offered.flatMap((file) => (Option.isSome(file) ? [file.value] : []))
  }).pipe(Effect.withSpan("SftpSidecar.list", { attributes: { source } }))

const tidy =
  (source: string, link: SshLink, settings: SftpSidecarSourceConfig) =>
  (files: ReadonlyArray<RemoteFile>, disposition: Disposition) =>
    tidyOverSftp(
      source,
      link,
      settings.remoteDir,
      files.flatMap((file) => [file.name, file.name + SIDECAR_SUFFIX]),
      disposition
    )

/** An `sftp-sidecar` source for one institution. */
export const sftpSidecarSource = (settings: SftpSidecarSourceConfig): CollectorSource => {
  const describe = `sftp-sidecar ${settings.user}@${settings.host}:${settings.remoteDir}`
  return {
    describe,
    open: Effect.gen(function*() {
      const link = yield* openSshLink(describe, settings)
      return {
        list: list(describe, link, settings),
        fetch: (file, destination, onProgress) =>
          fetchOverSftp(describe, link, settings.remoteDir, file, destination, onProgress),
        tidy: tidy(describe, link, settings)
      }
    })
  }
}
