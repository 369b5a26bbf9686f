/**
 * `GET /echoes/` (and `/echoes`): one site's scan-averaged echo counts over a
 * time range, as JSON columns or, with `save=true`, as a CSV download.
 */
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as OpenApi from "@effect/platform/OpenApi"
import * as Schema from "effect/Schema"
import { CSV_HEADER, type EchoColumns } from "./echoes-body.js"
import { EchoesParams } from "./echoes-query.js"
import { ServiceUnavailableBody, UnknownSiteBody } from "./message-errors.js"

const Counts = Schema.mutable(Schema.Array(Schema.Number))

export const EchoColumnsSchema: Schema.Schema<EchoColumns> = Schema.Struct({
  timestamp: Schema.mutable(Schema.Array(Schema.String)).annotations({
    description: "Scan start times, ISO 8601 UTC to the second"
  }),
  total_echoes: Counts,
  ionospheric_echoes: Counts,
  total_ionospheric_echoes: Counts.annotations({ description: "Same values as ionospheric_echoes" }),
  ground_scatter_echoes: Counts,
  complete: Schema.mutable(Schema.Array(Schema.Boolean)).annotations({
    description: "Whether each scan was complete: false for one cut short by a restart, a rewind or silence"
  })
}).annotations({ identifier: "EchoColumns", description: "One column per field, one row per scan, means rounded" })

/**
 * The CSV body is streamed page by page straight from the database, which a
 * Schema-encoded success cannot do: the handler answers it as a raw response
 * and the document gets it here, beside the JSON.
 */
const describeCsv = (operation: OpenApi.OpenAPISpecOperation): OpenApi.OpenAPISpecOperation => {
  const ok = operation.responses[200]
  if (ok !== undefined) {
    const csv: OpenApi.OpenApiSpecMediaType = {
      schema: {
        type: "string",
        description: `With save=true: a download named <site>_echoes_<start>_<end>.csv whose first line is ${
          JSON.stringify(CSV_HEADER.trimEnd())
        }`
      }
    }
    // The platform's type lists the content types HttpApi itself produces; text/csv is ours.
    ok.content = { ...ok.content, ...({ "text/csv": csv } as OpenApi.OpenApiSpecContent) }
  }
  return operation
}

export class EchoesGroup extends HttpApiGroup.make("echoes")
  .add(
    HttpApiEndpoint.get("series", "/echoes/")
      .setUrlParams(EchoesParams)
      .addSuccess(EchoColumnsSchema)
      .addError(ServiceUnavailableBody)
      .addError(UnknownSiteBody)
      .annotate(OpenApi.Summary, "Scan-averaged echo counts of one site and channel over a time range")
      .annotate(
        OpenApi.Description,
        "Also served without the trailing slash. The range may span at most the retention period (MAX_DAYS_STORE_ECHOES). " +
          "404 for a site neither configured, in the SuperDARN radar table, nor stored; 503 with Retry-After when too many " +
          "queries are running and waiting (ECHOES_QUERY_WORKERS, ECHOES_QUERY_QUEUE)."
      )
      .annotate(OpenApi.Transform, (operation) => describeCsv(operation as OpenApi.OpenAPISpecOperation))
  )
  .annotate(OpenApi.Description, "Echo counts stored per scan")
{}
