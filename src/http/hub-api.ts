/**
 * The hub's HTTP contract: one `HttpApi` made of one group per feature. Each
 * group declares its endpoints and Schemas in `src/http/<feature>-api.ts` and
 * implements them in `src/http/<feature>-http.ts` with
 * `HttpApiBuilder.group(HubApi, "<group>", ...)`.
 *
 * To add a group:
 *   1. declare it in `src/http/<feature>-api.ts` (`HttpApiGroup.make("<group>").add(HttpApiEndpoint...)`);
 *   2. add one `.add(<Feature>Group)` line below;
 *   3. implement it in `src/http/<feature>-http.ts` (`export const <Feature>Http = HttpApiBuilder.group(HubApi, ...)`);
 *   4. add `<Feature>Http` to `ApiHandlers` in `src/cli/server-layers.ts`.
 * The type of `HttpApiBuilder.api(HubApi)` then refuses to build until every
 * group has its handlers, and `/openapi.json` and `/docs` describe it at once.
 *
 * Refusals are `{message}` bodies (see message-errors.ts): a request whose
 * path or query fails its Schema answers 400 `InvalidRequest`, naming the
 * parameter (see `ParameterRefusals` in hub-http.ts).
 */
import * as HttpApi from "@effect/platform/HttpApi"
import * as OpenApi from "@effect/platform/OpenApi"
import { packageVersion } from "../domain/package-files.js"
import { AlertsGroup } from "./alerts-api.js"
import { ArchiveGroup } from "./archive-api.js"
import { EchoesGroup } from "./echoes-api.js"
import { FovGroup } from "./fov-api.js"
import { HealthGroup } from "./health-api.js"
import { HistoryGroup } from "./history-api.js"
import { InvalidRequestBody } from "./message-errors.js"
import { MetricsGroup } from "./metrics-api.js"
import { RadarsGroup } from "./radars-api.js"

/**
 * A request failing its Schema never gets HttpApi's own `HttpApiDecodeError`
 * body (ParameterRefusals answers `InvalidRequest` instead), so the document
 * says so: 400 is `InvalidRequest` alone, and only where there are
 * parameters to get wrong.
 */
const refusalsAsMessages = (spec: OpenApi.OpenAPISpec): OpenApi.OpenAPISpec => {
  const schemas = spec.components.schemas
  const description = schemas["InvalidRequest"]?.description ?? "A parameter is missing or malformed"
  for (const pathItem of Object.values(spec.paths)) {
    for (const operation of Object.values(pathItem)) {
      if (operation === undefined) continue
      if (operation.parameters.length === 0) {
        delete operation.responses[400]
      } else if (operation.responses[400] !== undefined) {
        operation.responses[400] = {
          description,
          content: { "application/json": { schema: { $ref: "#/components/schemas/InvalidRequest" } } }
        }
      }
    }
  }
  for (const name of ["HttpApiDecodeError", "Issue", "PropertyKey"]) delete schemas[name]
  return spec
}

export class HubApi extends HttpApi.make("superdarn-hub")
  .add(RadarsGroup)
  .add(HistoryGroup)
  .add(FovGroup)
  .add(EchoesGroup)
  .add(HealthGroup)
  .add(MetricsGroup)
  .add(AlertsGroup)
  .add(ArchiveGroup)
  .addError(InvalidRequestBody)
  .annotate(OpenApi.Title, "superdarn-hub")
  .annotate(OpenApi.Version, packageVersion())
  .annotate(
    OpenApi.Description,
    "Realtime SuperDARN radar data: radar states, scan-averaged echo counts, health and metrics. " +
      "The live records themselves stream over Socket.IO on the same port (see docs/live-feed.md)."
  )
  .annotate(OpenApi.Transform, (spec) => refusalsAsMessages(spec as OpenApi.OpenAPISpec))
{}
