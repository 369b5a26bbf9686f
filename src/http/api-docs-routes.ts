/**
 * `GET /openapi.json`, the OpenAPI 3.1 document HttpApi generates from the
 * HubApi declarations, and `GET /docs`, a page of the package's own
 * (`public/docs/`) that lays that document out; nothing comes from a CDN.
 * Plain routes: they describe the API rather than belong to it.
 */
import * as HttpApi from "@effect/platform/HttpApi"
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as OpenApi from "@effect/platform/OpenApi"
import * as Effect from "effect/Effect"
import { packagePath } from "../domain/package-files.js"
import { staticFolder } from "./static-files.js"
import { PAGE_SECURITY_POLICY, REVALIDATE } from "./status-page-routes.js"

export const PUBLIC_DOCS_DIR = packagePath("public", "docs")

export const apiDocsRoutes = (publicDocsDir: string) =>
  HttpApiBuilder.Router.use((router) =>
    Effect.gen(function*() {
      const { api } = yield* HttpApi.Api
      const document = HttpServerResponse.unsafeJson(OpenApi.fromApi(api), { headers: { "cache-control": REVALIDATE } })
      const page = yield* staticFolder({
        dir: publicDocsDir,
        cacheControl: REVALIDATE,
        required: ["index.html"],
        htmlHeaders: { "content-security-policy": PAGE_SECURITY_POLICY }
      })
      yield* router.get("/openapi.json", Effect.succeed(document))
      yield* router.get("/docs", page.serve("index.html"))
      yield* router.get("/docs/*", page.serveBelow("/docs"))
    })
  )

export const ApiDocsRoutes = apiDocsRoutes(PUBLIC_DOCS_DIR)
