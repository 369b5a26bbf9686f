/**
 * `GET /`: the live status page, and `/status/*` its modules and styles, all
 * from `public/status/` (plain HTML, CSS and ES modules, no build step);
 * uPlot is served from the installed npm package under `/status/vendor/`, so
 * the page works offline and the vendored copy always matches the pinned
 * dependency.
 *
 * These are plain routes beside the HttpApi: static files are no part of the
 * API contract. The page and its own files are revalidated on each load
 * (`no-cache` with an ETag), so a deploy is seen at once, while uPlot, which
 * only changes with the package version, may be cached for a day.
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as Effect from "effect/Effect"
import { createRequire } from "node:module"
import * as path from "node:path"
import { packagePath } from "../domain/package-files.js"
import { StaticFileError, staticFolder } from "./static-files.js"

export const REVALIDATE = "no-cache"
const ONE_DAY = "public, max-age=86400"

export const PUBLIC_STATUS_DIR = packagePath("public", "status")

/**
 * The pages talk only to their own origin (HTTP and Socket.IO); uPlot sets
 * styles through the CSSOM, which `style-src 'self'` allows.
 */
export const PAGE_SECURITY_POLICY =
  "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

const uplotDist = Effect.try({
  try: () => path.dirname(createRequire(import.meta.url).resolve("uplot/dist/uPlot.iife.min.js")),
  catch: (cause) => new StaticFileError({ path: "uplot/dist", reason: String(cause) })
})

/** The page's routes, its own files read from `publicStatusDir` at start-up. */
export const statusPageRoutes = (publicStatusDir: string) =>
  HttpApiBuilder.Router.use((router) =>
    Effect.gen(function*() {
      const page = yield* staticFolder({
        dir: publicStatusDir,
        cacheControl: REVALIDATE,
        required: ["index.html"],
        htmlHeaders: { "content-security-policy": PAGE_SECURITY_POLICY }
      })
      const vendor = yield* staticFolder({ dir: yield* uplotDist, cacheControl: ONE_DAY })
      yield* router.get("/", page.serve("index.html"))
      yield* router.get("/status/vendor/*", vendor.serveBelow("/status/vendor"))
      yield* router.get("/status/*", page.serveBelow("/status"))
    })
  )

export const StatusPageRoutes = statusPageRoutes(PUBLIC_STATUS_DIR)
