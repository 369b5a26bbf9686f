/**
 * `GET /`: the live status page and its static assets. The page is plain
 * HTML, CSS and JavaScript from `public/status/` (no build step); uPlot is
 * served straight from the installed npm package, so the page works offline
 * and the vendored copy always matches the pinned dependency.
 *
 * Files are read once at start-up: a missing asset stops the server with a
 * clear error instead of a page that breaks later. Every response carries a
 * strong ETag; the page and its own assets are revalidated on each load
 * (`no-cache`), so a deploy is seen at once, while uPlot, which only changes
 * with the package version, may be cached for a day.
 */
import { FileSystem, HttpApiBuilder, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Data, Effect } from "effect"
import { createHash } from "node:crypto"
import { createRequire } from "node:module"
import * as path from "node:path"
import { packagePath } from "../domain/package-files.js"

export class StatusPageAssetError extends Data.TaggedError("StatusPageAssetError")<{
  readonly path: string
  readonly reason: string
}> {
  override get message(): string {
    return `status page asset ${this.path} cannot be read: ${this.reason}`
  }
}

interface StaticAsset {
  readonly route: `/${string}`
  readonly file: string
  readonly contentType: string
  readonly cacheControl: string
}

const REVALIDATE = "no-cache"
const ONE_DAY = "public, max-age=86400"

/** Same depth from src/http and dist/http, so one relative URL serves both. */
export const PUBLIC_STATUS_DIR = packagePath("public", "status")
const uplotFile = (name: string) => createRequire(import.meta.url).resolve(`uplot/dist/${name}`)

/** Throws when uPlot is not installed; StatusPageRoutes turns that into an error. */
const statusPageAssets = (publicStatusDir: string): ReadonlyArray<StaticAsset> => [
  {
    route: "/",
    file: path.join(publicStatusDir, "index.html"),
    contentType: "text/html; charset=utf-8",
    cacheControl: REVALIDATE
  },
  {
    route: "/status/app.js",
    file: path.join(publicStatusDir, "app.js"),
    contentType: "text/javascript; charset=utf-8",
    cacheControl: REVALIDATE
  },
  {
    route: "/status/style.css",
    file: path.join(publicStatusDir, "style.css"),
    contentType: "text/css; charset=utf-8",
    cacheControl: REVALIDATE
  },
  {
    route: "/status/vendor/uPlot.iife.min.js",
    file: uplotFile("uPlot.iife.min.js"),
    contentType: "text/javascript; charset=utf-8",
    cacheControl: ONE_DAY
  },
  {
    route: "/status/vendor/uPlot.min.css",
    file: uplotFile("uPlot.min.css"),
    contentType: "text/css; charset=utf-8",
    cacheControl: ONE_DAY
  }
]

/**
 * The page talks only to its own origin (HTTP and Socket.IO); uPlot sets
 * styles through the CSSOM, which `style-src 'self'` allows.
 */
const PAGE_SECURITY_POLICY =
  "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

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

const loadAsset = (fs: FileSystem.FileSystem, asset: StaticAsset) =>
  fs.readFile(asset.file).pipe(
    Effect.map((body) => ({ asset, body, etag: strongEtag(body) })),
    Effect.mapError((cause) => new StatusPageAssetError({ path: asset.file, reason: cause.message }))
  )

/** The page's routes, its own files read from `publicStatusDir`. */
export const statusPageRoutes = (publicStatusDir: string) =>
  HttpApiBuilder.Router.use((router) =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const assets = yield* Effect.try({
        try: () => statusPageAssets(publicStatusDir),
        catch: (cause) => new StatusPageAssetError({ path: "uplot/dist", reason: String(cause) })
      })
      const loaded = yield* Effect.forEach(assets, (asset) => loadAsset(fs, asset))
      for (const { asset, body, etag } of loaded) {
        const headers: Record<string, string> = {
          "cache-control": asset.cacheControl,
          etag,
          "x-content-type-options": "nosniff"
        }
        if (asset.route === "/") headers["content-security-policy"] = PAGE_SECURITY_POLICY
        yield* router.get(
          asset.route,
          Effect.map(HttpServerRequest.HttpServerRequest, (request) =>
            etagMatches(request.headers["if-none-match"], etag)
              ? HttpServerResponse.empty({ status: 304, headers })
              : HttpServerResponse.uint8Array(body, { contentType: asset.contentType, headers }))
        )
      }
    })
  )

export const StatusPageRoutes = statusPageRoutes(PUBLIC_STATUS_DIR)
