/**
 * `http-index`: files listed on a public web page. Such servers publish no
 * hashes, so the pipeline relies on the full decompression test; the
 * transfer is checked against Content-Length when the server sends one.
 *
 * Requests go through node:http rather than fetch: fetch decodes any
 * `Content-Encoding` it is sent (Apache labels `.gz` files `x-gzip`, which
 * would file a decompressed body under a `.gz` name) and its timeouts ride on
 * an AbortSignal that can be collected before it fires. Here every request
 * asks for `identity`, refuses any other encoding, holds an idle and a total
 * timer of its own, counts every byte against a cap, and follows redirects
 * only within the configured origin.
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as fs from "node:fs"
import * as http from "node:http"
import * as https from "node:https"
import { pipeline } from "node:stream/promises"
import { byteCounter } from "../../compression/byte-counter.js"
import type { HttpIndexSourceConfig } from "../../layers/archive/config/http-index-source.js"
import { type CollectorSource, type RemoteFile, SourceError, type SourceOperation } from "../source.js"
import { parseAutoindex } from "./autoindex.js"

const MAX_REDIRECTS = 5
/** An index page bigger than this is not an index page. */
const MAX_INDEX_BYTES = 64 * 1024 * 1024

export class DownloadTooLarge extends Data.TaggedError("DownloadTooLarge")<{
  readonly maxBytes: number
}> {
  override get message(): string {
    return `larger than the ${Math.round(this.maxBytes / (1024 * 1024))} MB download cap`
  }

  /** The same file will be as large next time. */
  get retryable(): boolean {
    return false
  }
}

const capAt = (maxBytes: number) => (bytes: number) => bytes > maxBytes ? new DownloadTooLarge({ maxBytes }) : undefined

/** A reply that says why the request failed; `retryable` when asking again may help. */
class HttpRefusal extends Error {
  constructor(message: string, readonly retryable: boolean) {
    super(message)
  }
}

interface Limits {
  readonly origin: string
  readonly totalMs: number
  readonly idleMs: number
}

/**
 * GET `url`, following redirects within `limits.origin`, and hand the open
 * response to `consume`. Both timers run until `consume` settles; aborting
 * `signal` (the effect's interruption) destroys the request.
 */
const get = <A>(
  url: URL,
  limits: Limits,
  signal: AbortSignal,
  consume: (response: http.IncomingMessage) => Promise<A>
): Promise<A> =>
  new Promise<A>((resolve, reject) => {
    let current: http.ClientRequest | undefined
    let settled = false
    const fail = (error: Error) => {
      if (settled) return
      settled = true
      clearTimeout(total)
      current?.destroy(error)
      reject(error)
    }
    const total = setTimeout(
      () => fail(new HttpRefusal(`no complete answer within ${limits.totalMs / 1000} s`, true)),
      limits.totalMs
    )
    const onAbort = () => fail(new Error("interrupted"))
    signal.addEventListener("abort", onAbort, { once: true })

    const attempt = (target: URL, redirects: number) => {
      const client = target.protocol === "https:" ? https : http
      const request = client.get(target, { headers: { "accept-encoding": "identity" } }, (response) => {
        const status = response.statusCode ?? 0
        if (status >= 300 && status < 400 && response.headers.location !== undefined) {
          response.resume()
          const next = new URL(response.headers.location, target)
          if (next.origin !== limits.origin) {
            return fail(
              new HttpRefusal(`redirect to ${next.origin} refused: only ${limits.origin} is configured`, false)
            )
          }
          if (redirects >= MAX_REDIRECTS) return fail(new HttpRefusal(`more than ${MAX_REDIRECTS} redirects`, false))
          return attempt(next, redirects + 1)
        }
        if (status < 200 || status >= 300) {
          response.resume()
          // 4xx other than 408/429 will not change by asking again.
          return fail(
            new HttpRefusal(
              `HTTP ${status} ${response.statusMessage ?? ""}`.trimEnd(),
              status >= 500 || status === 408 || status === 429
            )
          )
        }
        const encoding = response.headers["content-encoding"]
        if (encoding !== undefined && encoding.toLowerCase() !== "identity") {
          response.resume()
          return fail(
            new HttpRefusal(`server sent Content-Encoding ${encoding} although identity was asked for`, false)
          )
        }
        consume(response).then(
          (value) => {
            if (settled) return
            settled = true
            clearTimeout(total)
            signal.removeEventListener("abort", onAbort)
            resolve(value)
          },
          (error: unknown) => fail(error instanceof Error ? error : new Error(String(error)))
        )
      })
      current = request
      // Socket inactivity in either direction, including while the body streams.
      request.setTimeout(limits.idleMs, () => fail(new HttpRefusal(`no byte for ${limits.idleMs / 1000} s`, true)))
      request.once("error", fail)
    }
    attempt(url, 0)
  })

export const httpIndexSource = (settings: HttpIndexSourceConfig): CollectorSource => {
  const describe = `http-index ${settings.url}`
  const base = new URL(settings.url.endsWith("/") ? settings.url : `${settings.url}/`)
  const limits: Limits = {
    origin: base.origin,
    totalMs: settings.timeoutSeconds * 1000,
    idleMs: settings.idleTimeoutSeconds * 1000
  }
  const maxBytes = settings.maxDownloadMegabytes * 1024 * 1024

  const failure = (operation: SourceOperation, file: string | undefined) => (error: unknown) =>
    SourceError.fromCause(error, { source: describe, operation, file })

  const list = Effect.tryPromise({
    try: (signal) =>
      get(base, limits, signal, async (response) => {
        const counter = byteCounter({ refuse: capAt(MAX_INDEX_BYTES) })
        const parts: Array<Buffer> = []
        await pipeline(response, counter.stream, async function*(chunks: AsyncIterable<Buffer>) {
          for await (const chunk of chunks) parts.push(chunk)
        })
        const html = Buffer.concat(parts).toString("utf8")
        return parseAutoindex(html).map((entry): RemoteFile => ({ ...entry, sha1: undefined }))
      }),
    catch: failure("list", undefined)
  })

  const fetchFile = (file: RemoteFile, destination: string, onProgress?: (bytes: number) => void) =>
    Effect.tryPromise({
      try: (signal) =>
        get(new URL(encodeURIComponent(file.name), base), limits, signal, async (response) => {
          const declared = response.headers["content-length"]
          if (declared !== undefined && Number(declared) > maxBytes) {
            throw new HttpRefusal(
              `Content-Length ${declared} is over the ${settings.maxDownloadMegabytes} MB cap`,
              false
            )
          }
          const counter = byteCounter({ onProgress, refuse: capAt(maxBytes) })
          await pipeline(response, counter.stream, fs.createWriteStream(destination))
          const bytes = counter.bytes()
          if (declared !== undefined && Number(declared) !== bytes) {
            throw new HttpRefusal(`transfer incomplete: ${bytes} of ${declared} bytes`, true)
          }
          return { path: destination, bytes, transferSha1: undefined }
        }),
      catch: failure("fetch", file.name)
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
