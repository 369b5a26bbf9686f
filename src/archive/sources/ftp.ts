/**
 * `ftp`: a public FTP server publishing `<file>.sha1` beside each file.
 * Files stay on the server: the provider removes them itself.
 */
import { Client } from "basic-ftp"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as fs from "node:fs"
import * as path from "node:path/posix"
import { Writable } from "node:stream"
import type { FtpSourceConfig } from "../../layers/archive/config/ftp-source.js"
import { type CollectorSource, type RemoteFile, SourceError, type SourceOperation } from "../source.js"
import { MAX_SIDECAR_BYTES, parseSidecar, SIDECAR_SUFFIX } from "./sidecar.js"

const collect = (limit: number) => {
  const parts: Array<Buffer> = []
  let size = 0
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      size += chunk.length
      if (size > limit) return callback(new Error(`sidecar larger than ${limit} bytes`))
      parts.push(chunk)
      callback()
    }
  })
  return { sink, text: () => Buffer.concat(parts).toString("utf8") }
}

export const ftpSource = (settings: FtpSourceConfig): CollectorSource => {
  const describe = `ftp ${settings.user}@${settings.host}:${settings.port}${settings.path}`
  const failure = (operation: SourceOperation, file: string | undefined) => (error: unknown) =>
    SourceError.fromCause(error, {
      source: describe,
      operation,
      file,
      // 530: login refused; asking again with the same password will not help.
      retryable: (error as { code?: unknown } | null)?.code !== 530
    })

  const open = Effect.gen(function*() {
    const client = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: async () => {
          const client = new Client(settings.timeoutSeconds * 1000)
          try {
            await client.access({
              host: settings.host,
              port: settings.port,
              user: settings.user,
              password: settings.password,
              secure: settings.secure
            })
          } catch (error) {
            client.close()
            throw error
          }
          return client
        },
        catch: failure("connect", undefined)
      }),
      (client) => Effect.sync(() => client.close())
    )
    // One FTP control connection carries one command at a time.
    const lock = yield* Effect.makeSemaphore(1)
    const use = <A>(operation: SourceOperation, file: string | undefined, f: (client: Client) => Promise<A>) =>
      lock.withPermits(1)(Effect.tryPromise({ try: () => f(client), catch: failure(operation, file) }))

    const remote = (name: string) => path.join(settings.path, name)

    const readSidecar = (name: string) =>
      use("hash", name, async (client) => {
        const { sink, text } = collect(MAX_SIDECAR_BYTES)
        await client.downloadTo(sink, remote(`${name}${SIDECAR_SUFFIX}`))
        return Option.getOrUndefined(parseSidecar(text(), name))
      })

    const list = Effect.gen(function*() {
      const infos = yield* use("list", undefined, (client) => client.list(settings.path))
      const names = new Set(infos.filter((info) => info.isFile).map((info) => info.name))
      const files: Array<RemoteFile> = []
      for (const info of infos) {
        if (!info.isFile || info.name.endsWith(SIDECAR_SUFFIX)) continue
        // No sidecar: the pipeline reports the missing hash; a bad sidecar likewise.
        const sha1 = names.has(`${info.name}${SIDECAR_SUFFIX}`) ? yield* readSidecar(info.name) : undefined
        files.push({ name: info.name, size: info.size, mtimeMs: info.modifiedAt?.getTime(), sha1 })
      }
      return files as ReadonlyArray<RemoteFile>
    })

    const fetch = (file: RemoteFile, destination: string, onProgress?: (bytes: number) => void) =>
      use("fetch", file.name, async (client) => {
        if (onProgress !== undefined) client.trackProgress((info) => onProgress(info.bytes))
        try {
          await client.downloadTo(destination, remote(file.name))
        } finally {
          client.trackProgress()
        }
        const { size } = await fs.promises.stat(destination)
        if (file.size !== undefined && size !== file.size) {
          throw new Error(`transfer incomplete: ${size} of ${file.size} bytes`)
        }
        return { path: destination, bytes: size, transferSha1: undefined }
      })

    return {
      list,
      fetch,
      // Config validation allows only "leave": the provider removes its files.
      tidy: () => Effect.void
    }
  })

  return { describe, open }
}
