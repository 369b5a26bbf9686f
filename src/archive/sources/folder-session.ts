/**
 * A source that is a folder on this machine (`local`, `inbox`): listing reads
 * the folder's top level, fetching copies, tidying deletes or moves.
 */
import * as Effect from "effect/Effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { pipeline } from "node:stream/promises"
import { byteCounter } from "../../compression/byte-counter.js"
import { isErrno } from "../../domain/unknown-error.js"
import {
  type Disposition,
  type FetchedFile,
  type RemoteFile,
  SourceError,
  type SourceOperation,
  type SourceSession
} from "../source.js"

const failure =
  (source: string, operation: SourceOperation, file: string | undefined, retryable?: boolean) => (error: unknown) =>
    SourceError.fromCause(error, { source, operation, file, ...(retryable === undefined ? {} : { retryable }) })

/** Copies with a byte counter; the pipeline fsyncs and verifies afterwards. */
const copyWithProgress = async (from: string, to: string, onProgress?: (bytes: number) => void) => {
  const counter = byteCounter({ onProgress })
  await pipeline(fs.createReadStream(from, { highWaterMark: 1 << 20 }), counter.stream, fs.createWriteStream(to))
  return counter.bytes()
}

/** Move, across file systems if need be; a file already gone was moved by an earlier run. */
const moveInto = async (from: string, backupDir: string) => {
  await fs.promises.mkdir(backupDir, { recursive: true })
  const to = path.join(backupDir, path.basename(from))
  try {
    await fs.promises.rename(from, to)
  } catch (error) {
    if (isErrno(error, "ENOENT")) return
    if (!isErrno(error, "EXDEV")) throw error
    await fs.promises.copyFile(from, to, fs.constants.COPYFILE_EXCL).catch((copyError: unknown) => {
      if (!isErrno(copyError, "EEXIST")) throw copyError
    })
    await fs.promises.unlink(from)
  }
}

export interface FolderSessionOptions {
  readonly describe: string
  readonly folder: string
  /** Names to leave out of the listing without reporting them (uploads in flight). */
  readonly hide: (name: string) => boolean
}

export const folderSession = (options: FolderSessionOptions): SourceSession => {
  const { describe, folder } = options
  const list = Effect.tryPromise({
    try: async () => {
      const entries = await fs.promises.readdir(folder, { withFileTypes: true })
      const files: Array<RemoteFile> = []
      for (const entry of entries) {
        // Symlinks could point anywhere; only plain files are offered.
        if (!entry.isFile() || options.hide(entry.name)) continue
        const stat = await fs.promises.lstat(path.join(folder, entry.name)).catch(() => undefined)
        if (stat === undefined || !stat.isFile()) continue
        files.push({ name: entry.name, size: stat.size, mtimeMs: stat.mtimeMs, sha1: undefined })
      }
      return files
    },
    catch: failure(describe, "list", undefined)
  })

  const fetch = (file: RemoteFile, destination: string, onProgress?: (bytes: number) => void) =>
    Effect.tryPromise({
      try: async (): Promise<FetchedFile> => {
        const bytes = await copyWithProgress(path.join(folder, file.name), destination, onProgress)
        return { path: destination, bytes, transferSha1: undefined }
      },
      catch: failure(describe, "fetch", file.name)
    })

  const tidy = (files: ReadonlyArray<RemoteFile>, disposition: Disposition) =>
    Effect.forEach(files, (file) =>
      Effect.tryPromise({
        try: async () => {
          const source = path.join(folder, file.name)
          if (disposition.kind === "delete") {
            await fs.promises.unlink(source).catch((error: unknown) => {
              if (!isErrno(error, "ENOENT")) throw error
            })
          } else if (disposition.kind === "move") {
            await moveInto(source, disposition.backupDir)
          }
        },
        catch: failure(describe, "tidy", file.name)
      }), { discard: true })

  return { list, fetch, tidy }
}
