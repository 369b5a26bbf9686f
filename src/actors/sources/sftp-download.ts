/**
 * SFTP download with many reads in flight, like `sftp`/`fastGet`, so a long
 * round trip (South Africa, Japan) does not cap throughput at one chunk per
 * round trip, plus what fastGet lacks: an institution's bandwidth cap, a
 * stall timeout per request, interruption, and resuming from a partial copy
 * left by a dropped connection.
 */
import { Effect, RateLimiter } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import type { FetchedFile, RemoteFile, SourceError } from "../../archive/source.js"
import type { Stats } from "ssh2"
import { sftpRequest, SshFailure } from "./ssh-connection.js"
import type { SshConnection, SshLink } from "./ssh-connection.js"
import { requireSafeName } from "./ssh-remote-name.js"

const CHUNK_BYTES = 32 * 1024
const IN_FLIGHT = 32

export interface SftpDownloadOptions {
  readonly limiter: RateLimiter.RateLimiter | undefined
  /** Bytes the limiter lets through per window; chunks never exceed it, so one chunk can always pass. */
  readonly limiterWindowBytes: number | undefined
  readonly onProgress: ((bytes: number) => void) | undefined
}

export interface SftpDownload {
  readonly bytes: number
  /** Where this attempt started; above 0 when it continued a partial copy. */
  readonly resumedAt: number
}

const localFailure = (what: string, cause: unknown) =>
  new SshFailure({ reason: `${what}: ${cause instanceof Error ? cause.message : String(cause)}`, lost: false, retryable: true })

/** Bytes already in `destination` worth keeping: a strict prefix of the remote size. */
const resumableBytes = (destination: string, remoteSize: number): number => {
  try {
    const size = fs.statSync(destination).size
    return size > 0 && size < remoteSize ? size : 0
  } catch {
    return 0
  }
}

/**
 * Copy `remotePath` to `destination`. A partial `destination` (shorter than
 * the remote file) is continued rather than restarted; the pipeline's SHA-1
 * check catches a remote file that changed in between.
 */
export const downloadOverSftp = (
  connection: SshConnection,
  remotePath: string,
  destination: string,
  options: SftpDownloadOptions
): Effect.Effect<SftpDownload, SshFailure> =>
  Effect.scoped(
    Effect.gen(function*() {
      const handle = yield* Effect.acquireRelease(
        sftpRequest<Buffer>(connection, (sftp, done) => sftp.open(remotePath, "r", done)),
        (remote) =>
          connection.isDropped()
            ? Effect.void
            : sftpRequest<void>(connection, (sftp, done) => sftp.close(remote, (error) => done(error, undefined))).pipe(
              Effect.ignore
            )
      )
      const stats = yield* sftpRequest<Stats>(connection, (sftp, done) => sftp.fstat(handle, done))
      const size = stats.size
      const resumedAt = resumableBytes(destination, size)
      const fd = yield* Effect.acquireRelease(
        Effect.try({
          try: () => fs.openSync(destination, resumedAt > 0 ? "r+" : "w"),
          catch: (cause) => localFailure(`cannot open ${destination}`, cause)
        }),
        (fd) => Effect.sync(() => fs.closeSync(fd))
      )
      const chunkBytes = Math.min(CHUNK_BYTES, options.limiterWindowBytes ?? CHUNK_BYTES)
      const chunkCount = Math.ceil((size - resumedAt) / chunkBytes)
      // One buffer per request slot, reused: no allocation per chunk.
      const buffers: Array<Buffer> = Array.from({ length: Math.min(IN_FLIGHT, chunkCount) }, () =>
        Buffer.allocUnsafe(chunkBytes))
      let written = resumedAt
      // Chunks land out of order; only the unbroken prefix is worth resuming from.
      const landed = new Uint8Array(chunkCount)
      let prefixChunks = 0

      const readChunk = (index: number) => {
        const position = resumedAt + index * chunkBytes
        const length = Math.min(chunkBytes, size - position)
        const read = Effect.acquireUseRelease(
          Effect.sync(() => buffers.pop()!),
          (buffer) =>
            Effect.gen(function*() {
              let filled = 0
              // A server may answer with fewer bytes than asked; ask again for the rest.
              while (filled < length) {
                const got = yield* sftpRequest<number>(connection, (sftp, done) =>
                  sftp.read(handle, buffer, filled, length - filled, position + filled, (error, bytes) =>
                    done(error, bytes)))
                if (got === 0) {
                  return yield* new SshFailure({
                    reason: `${remotePath} ended at ${position + filled} bytes, expected ${size}: it changed during the download`,
                    lost: false,
                    retryable: true
                  })
                }
                filled += got
              }
              yield* Effect.try({
                try: () => fs.writeSync(fd, buffer, 0, length, position),
                catch: (cause) => localFailure(`cannot write ${destination}`, cause)
              })
              written += length
              landed[index] = 1
              while (prefixChunks < chunkCount && landed[prefixChunks] === 1) prefixChunks++
              options.onProgress?.(written)
            }),
          (buffer) => Effect.sync(() => buffers.push(buffer))
        )
        return options.limiter === undefined ? read : options.limiter(read).pipe(RateLimiter.withCost(length))
      }

      yield* Effect.forEach(chunkIndices(chunkCount), readChunk, { concurrency: IN_FLIGHT, discard: true }).pipe(
        // Cut a failed attempt back to its unbroken prefix, so the partial
        // copy a retry continues from has no holes.
        Effect.onError(() =>
          Effect.sync(() => fs.ftruncateSync(fd, Math.min(size, resumedAt + prefixChunks * chunkBytes))).pipe(Effect.ignore)
        )
      )
      yield* Effect.try({
        try: () => fs.ftruncateSync(fd, size),
        catch: (cause) => localFailure(`cannot truncate ${destination}`, cause)
      })
      return { bytes: size, resumedAt }
    })
  )

const chunkIndices = (count: number): ReadonlyArray<number> => Array.from({ length: count }, (_, index) => index)

/** The SSH sources' `fetch`: a safe name, downloaded over the link's SFTP, resumed after a reconnect. */
export const fetchOverSftp = (
  source: string,
  link: SshLink,
  remoteDir: string,
  file: RemoteFile,
  destination: string,
  onProgress: ((bytes: number) => void) | undefined
): Effect.Effect<FetchedFile, SourceError> =>
  Effect.gen(function*() {
    const name = yield* requireSafeName(source, "fetch", file.name)
    const download = yield* link.run("fetch", name, (connection) =>
      downloadOverSftp(connection, path.posix.join(remoteDir, name), destination, {
        limiter: link.limiter,
        limiterWindowBytes: link.limiterWindowBytes,
        onProgress
      }))
    if (download.resumedAt > 0) yield* Effect.logInfo(`${source}: resumed ${name} at ${download.resumedAt} bytes`)
    return { path: destination, bytes: download.bytes, transferSha1: undefined }
  }).pipe(Effect.withSpan("SshSource.fetch", { attributes: { source, file: file.name } }))
