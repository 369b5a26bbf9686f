/**
 * A folder of static files served under one URL prefix: the status page, its
 * vendored uPlot, the API page. Every file in the folder is read once at
 * start-up, so a request can only ever get one of those files: a path is
 * looked up, never joined onto the folder, and anything that is not exactly
 * a file's relative name (`..`, `.`, empty segments, backslashes, NUL,
 * absolute paths, malformed percent-encoding) is refused before the lookup.
 *
 * Every answer carries a strong ETag; `If-None-Match` gets 304.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { createHash } from "node:crypto"
import * as path from "node:path"

export class StaticFileError extends Data.TaggedError("StaticFileError")<{
  readonly path: string
  readonly reason: string
}> {
  override get message(): string {
    return `static file ${this.path} cannot be read: ${this.reason}`
  }
}

/** By file extension; anything else is served as bytes. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8"
}

export const contentTypeOf = (file: string): string =>
  CONTENT_TYPES[path.extname(file).toLowerCase()] ?? "application/octet-stream"

export const strongEtag = (body: Uint8Array): string =>
  `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`

/** RFC 9110 If-None-Match: `*` or a list of tags, weak or strong, compared weakly. */
export const etagMatches = (ifNoneMatch: string | undefined, etag: string): boolean => {
  if (ifNoneMatch === undefined) return false
  const opaque = etag.replace(/^W\//, "")
  return ifNoneMatch.split(",").some((candidate) => {
    const tag = candidate.trim()
    return tag === "*" || tag.replace(/^W\//, "") === opaque
  })
}

/**
 * The file name a request path asks for below `prefix` (e.g. `/status`), or
 * None when it is not a plain relative name inside the folder.
 */
export const requestedFile = (pathname: string, prefix: string): Option.Option<string> => {
  if (!pathname.startsWith(`${prefix}/`)) return Option.none()
  let name: string
  try {
    name = decodeURIComponent(pathname.slice(prefix.length + 1))
  } catch {
    return Option.none()
  }
  if (name.length === 0 || name.includes("\0") || name.includes("\\") || name.startsWith("/")) return Option.none()
  if (name.split("/").some((segment) => segment === "" || segment === "." || segment === "..")) return Option.none()
  return Option.some(name)
}

export interface StaticFolderOptions {
  readonly dir: string
  readonly cacheControl: string
  /** Files the folder must hold: start-up fails naming the first one missing. */
  readonly required?: ReadonlyArray<string>
  /** Added to HTML answers (the pages' Content-Security-Policy). */
  readonly htmlHeaders?: Readonly<Record<string, string>>
}

interface LoadedFile {
  readonly body: Uint8Array
  readonly contentType: string
  readonly headers: Readonly<Record<string, string>>
}

export interface StaticFolder {
  /** Relative names (with `/`) of every file served. */
  readonly files: ReadonlyArray<string>
  /** The answer for one relative name: the file, 304, or 404. */
  readonly serve: (
    name: string
  ) => Effect.Effect<HttpServerResponse.HttpServerResponse, never, HttpServerRequest.HttpServerRequest>
  /** The answer for the request's own path below `prefix`. */
  readonly serveBelow: (
    prefix: string
  ) => Effect.Effect<HttpServerResponse.HttpServerResponse, never, HttpServerRequest.HttpServerRequest>
}

const NOT_FOUND = HttpServerResponse.empty({ status: 404 })

const readError = (file: string) => (cause: { readonly message: string }) =>
  new StaticFileError({ path: file, reason: cause.message })

/**
 * Every file below `root` (a real path), as relative names. A symbolic link
 * is followed only when it stays inside the folder, and a folder only once
 * on any path (`entered`: the real folders above), so a link to an enclosing
 * folder cannot loop.
 */
const listFiles = (
  fs: FileSystem.FileSystem,
  root: string,
  below = "",
  entered: ReadonlySet<string> = new Set([root])
): Effect.Effect<Array<string>, StaticFileError> =>
  Effect.gen(function*() {
    const names = yield* fs.readDirectory(path.join(root, below)).pipe(
      Effect.mapError(readError(path.join(root, below)))
    )
    const files: Array<string> = []
    for (const name of names.sort()) {
      const relative = below === "" ? name : `${below}/${name}`
      const real = yield* fs.realPath(path.join(root, relative)).pipe(Effect.option)
      if (Option.isNone(real) || !real.value.startsWith(root + path.sep)) continue
      const info = yield* fs.stat(real.value).pipe(Effect.option)
      if (Option.isNone(info)) continue
      if (info.value.type === "Directory") {
        if (!entered.has(real.value)) {
          files.push(...(yield* listFiles(fs, root, relative, new Set([...entered, real.value]))))
        }
      } else if (info.value.type === "File") {
        files.push(relative)
      }
    }
    return files
  })

/** Reads every file of `options.dir` (failing when a required one is missing) and answers requests from memory. */
export const staticFolder = (options: StaticFolderOptions) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    for (const name of options.required ?? []) {
      const file = path.join(options.dir, name)
      const exists = yield* fs.exists(file).pipe(Effect.orElseSucceed(() => false))
      if (!exists) return yield* new StaticFileError({ path: file, reason: "no such file" })
    }
    const root = yield* fs.realPath(options.dir).pipe(Effect.mapError(readError(options.dir)))
    const names = yield* listFiles(fs, root)
    const loaded = new Map<string, LoadedFile>()
    for (const name of names) {
      const file = path.join(root, name)
      const body = yield* fs.readFile(file).pipe(Effect.mapError(readError(file)))
      const contentType = contentTypeOf(name)
      loaded.set(name, {
        body,
        contentType,
        headers: {
          "cache-control": options.cacheControl,
          etag: strongEtag(body),
          "x-content-type-options": "nosniff",
          ...(contentType.startsWith("text/html") ? options.htmlHeaders : undefined)
        }
      })
    }

    const serve = (name: string) =>
      Effect.map(HttpServerRequest.HttpServerRequest, (request) => {
        const file = loaded.get(name)
        if (file === undefined) return NOT_FOUND
        return etagMatches(request.headers["if-none-match"], file.headers["etag"]!)
          ? HttpServerResponse.empty({ status: 304, headers: file.headers })
          : HttpServerResponse.uint8Array(file.body, { contentType: file.contentType, headers: file.headers })
      })

    const serveBelow = (prefix: string) =>
      Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
        Option.match(requestedFile(request.url.split("?")[0]!, prefix), {
          onNone: () =>
            Effect.succeed(NOT_FOUND),
          onSome: serve
        }))

    return { files: names, serve, serveBelow } satisfies StaticFolder
  })
