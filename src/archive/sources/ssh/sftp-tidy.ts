/**
 * Applying an institution's disposition over SFTP (sftp-sidecar, rsync):
 * every removal or move of the run's archived files is sent at once, many
 * requests in flight on the one channel, after the pipeline has filed them.
 * Each step is safe to repeat, so a rerun after a crash finishes the job.
 */
import * as Effect from "effect/Effect"
import * as path from "node:path"
import type { Disposition, SourceError } from "../../source.js"
import { SFTP_NO_SUCH_FILE, sftpRequest, SshFailure } from "./ssh-connection.js"
import type { SshConnection, SshLink } from "./ssh-connection.js"
import { requireSafeName } from "./ssh-remote-name.js"

const IN_FLIGHT = 16

/** Already gone is done: a previous run removed or moved it before it could journal that. */
const ignoreMissing = (effect: Effect.Effect<void, SshFailure>) =>
  effect.pipe(Effect.catchIf((failure) => failure.sftpStatus === SFTP_NO_SUCH_FILE, () => Effect.void))

const unlink = (connection: SshConnection, file: string) =>
  ignoreMissing(sftpRequest<void>(connection, (sftp, done) => sftp.unlink(file, (error) => done(error, undefined))))

/** posix-rename replaces an older copy in the backup folder; plain SFTP rename would refuse. */
const rename = (connection: SshConnection, from: string, to: string) =>
  ignoreMissing(
    sftpRequest<void>(connection, (sftp, done) => {
      try {
        sftp.ext_openssh_rename(from, to, (error) => done(error, undefined))
      } catch {
        sftp.rename(from, to, (error) => done(error, undefined))
      }
    })
  )

/** `mkdir -p` over SFTP: create each missing level, then insist the result is a folder. */
const ensureFolder = (connection: SshConnection, folder: string) =>
  Effect.gen(function*() {
    const levels = folder.split("/").filter((part) => part.length > 0)
    for (let depth = 1; depth <= levels.length; depth++) {
      const level = `/${levels.slice(0, depth).join("/")}`
      yield* sftpRequest<void>(connection, (sftp, done) => sftp.mkdir(level, (error) => done(error, undefined))).pipe(
        Effect.catchIf((failure) => !failure.lost, () => Effect.void)
      )
    }
    const stats = yield* sftpRequest<{ isDirectory(): boolean }>(connection, (sftp, done) => sftp.stat(folder, done))
    if (!stats.isDirectory()) {
      return yield* new SshFailure({ reason: `${folder} exists and is not a folder`, lost: false, retryable: false })
    }
  })

/** Remove or move `names` (already checked by the pipeline; checked again here) in `remoteDir`. */
export const tidyOverSftp = (
  source: string,
  link: SshLink,
  remoteDir: string,
  names: ReadonlyArray<string>,
  disposition: Disposition
): Effect.Effect<void, SourceError> =>
  Effect.gen(function*() {
    if (disposition.kind === "leave" || names.length === 0) return
    const safe = yield* Effect.forEach(names, (name) => requireSafeName(source, "tidy", name))
    if (disposition.kind === "delete") {
      yield* Effect.forEach(
        safe,
        (name) => link.run("tidy", name, (connection) => unlink(connection, path.posix.join(remoteDir, name))),
        { concurrency: IN_FLIGHT, discard: true }
      )
      return
    }
    const backup = path.posix.resolve(remoteDir, disposition.backupDir)
    yield* link.run("tidy", undefined, (connection) => ensureFolder(connection, backup))
    yield* Effect.forEach(
      safe,
      (name) =>
        link.run("tidy", name, (connection) =>
          rename(connection, path.posix.join(remoteDir, name), path.posix.join(backup, name))),
      { concurrency: IN_FLIGHT, discard: true }
    )
  }).pipe(
    Effect.withSpan("SshSource.tidy", { attributes: { source, files: names.length, disposition: disposition.kind } })
  )
