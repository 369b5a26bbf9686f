/**
 * `http-index`: files listed on a public web page. Such servers publish no
 * hashes, so the pipeline relies on the full decompression test; the
 * transfer is checked against Content-Length when the server sends one.
 */
import { Effect } from "effect"
import * as fs from "node:fs"
import { Readable, Transform } from "node:stream"
import { pipeline } from "node:stream/promises"
import type { ReadableStream as WebReadableStream } from "node:stream/web"
import type { HttpIndexSourceConfig } from "../../layers/archive/config/http-index-source.js"
import { type CollectorSource, type RemoteFile, SourceError, type SourceOperation } from "../source.js"
import { parseAutoindex } from "./autoindex.js"

const failure = (source: string, operation: SourceOperation, file: string | undefined) => (error: unknown) =>
  error instanceof SourceError ? error : new SourceError({
    source,
    operation,
    file,
    reason: error instanceof Error ? (error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message) : String(error),
    retryable: true
  })

export const httpIndexSource = (settings: HttpIndexSourceConfig): CollectorSource => {
  const describe = `http-index ${settings.url}`
  const base = new URL(settings.url.endsWith("/") ? settings.url : `${settings.url}/`)
  const timeoutMs = settings.timeoutSeconds * 1000

  const httpError = (operation: SourceOperation, file: string | undefined, response: Response) =>
    new SourceError({
      source: describe,
      operation,
      file,
      reason: `HTTP ${response.status} ${response.statusText}`,
      // 4xx other than 408/429 will not change by asking again.
      retryable: response.status >= 500 || response.status === 408 || response.status === 429
    })

  const list = Effect.tryPromise({
    try: async (signal): Promise<ReadonlyArray<RemoteFile>> => {
      const response = await fetch(base, { signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) })
      if (!response.ok) throw httpError("list", undefined, response)
      const html = await response.text()
      return parseAutoindex(html).map((entry) => ({ ...entry, sha1: undefined }))
    },
    catch: failure(describe, "list", undefined)
  })

  const fetchFile = (file: RemoteFile, destination: string, onProgress?: (bytes: number) => void) =>
    Effect.tryPromise({
      try: async (signal) => {
        const url = new URL(encodeURIComponent(file.name), base)
        const response = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) })
        if (!response.ok || response.body === null) throw httpError("fetch", file.name, response)
        let bytes = 0
        const counter = new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            bytes += chunk.length
            onProgress?.(bytes)
            callback(null, chunk)
          }
        })
        await pipeline(
          Readable.fromWeb(response.body as WebReadableStream<Uint8Array>),
          counter,
          fs.createWriteStream(destination)
        )
        const declared = response.headers.get("content-length")
        if (declared !== null && response.headers.get("content-encoding") === null && Number(declared) !== bytes) {
          throw new Error(`transfer incomplete: ${bytes} of ${declared} bytes`)
        }
        return { path: destination, bytes, transferSha1: undefined }
      },
      catch: failure(describe, "fetch", file.name)
    })

  return {
    describe,
    open: Effect.succeed({
      list,
      fetch: fetchFile,
      // Config validation allows only "leave" for a web index: nothing to do.
      tidy: () => Effect.void
    })
  }
}
