/**
 * `GET /echoes/` (and `/echoes`): one site's scan-averaged echo counts over a
 * time range, as JSON columns or, with `save=true`, as a CSV download.
 */
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { CSV_HEADER, type EchoColumns } from "./echoes-body.js"
import { EchoesParams } from "./echoes-query.js"
import { ServiceUnavailableBody } from "./message-errors.js"

const Counts = Schema.mutable(Schema.Array(Schema.Number))

export const EchoColumnsSchema: Schema.Schema<EchoColumns> = Schema.Struct({
  timestamp: Schema.mutable(Schema.Array(Schema.String)).annotations({ description: "Scan start times, ISO 8601 UTC to the second" }),
  total_echoes: Counts,
  ionospheric_echoes: Counts,
  total_ionospheric_echoes: Counts.annotations({ description: "Same values as ionospheric_echoes" }),
  ground_scatter_echoes: Counts
}).annotations({ identifier: "EchoColumns", description: "One column per field, one row per scan, means rounded" })

/**
 * The CSV body is streamed page by page straight from the database, which a
 * Schema-encoded success cannot do: the handler answers it as a raw response
 * and the document gets it here, beside the JSON.
 */
const describeCsv = (operation: Record<string, any>): Record<string, any> => {
  const ok = operation["responses"]?.["200"]
  if (ok !== undefined) {
    ok.content = {
      ...ok.content,
      "text/csv": {
        schema: {
          type: "string",
          description: `With save=true: a download named <site>_echoes_<start>_<end>.csv whose first line is ${
            JSON.stringify(CSV_HEADER.trimEnd())
          }`
        }
      }
    }
  }
  return operation
}

export class EchoesGroup extends HttpApiGroup.make("echoes")
  .add(
    HttpApiEndpoint.get("series", "/echoes/")
      .setUrlParams(EchoesParams)
      .addSuccess(EchoColumnsSchema)
      .addError(ServiceUnavailableBody)
      .annotate(OpenApi.Summary, "Scan-averaged echo counts of one site and channel over a time range")
      .annotate(
        OpenApi.Description,
        "Also served without the trailing slash. The range may span at most the retention period (MAX_DAYS_STORE_ECHOES)."
      )
      .annotate(OpenApi.Transform, describeCsv)
  )
  .annotate(OpenApi.Description, "Echo counts stored per scan")
{}
