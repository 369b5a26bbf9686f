/**
 * The HTTP contract of a collector running alone (`archive run --port N`):
 * `/health` with the `collectors` section and `/metrics` with their counts,
 * the same shapes the hub serves when the collectors run in its process.
 */
import * as HttpApi from "@effect/platform/HttpApi"
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as OpenApi from "@effect/platform/OpenApi"
import * as Schema from "effect/Schema"
import { packageVersion } from "../domain/package-files.js"
import { CollectorsHealthSchema } from "./health-api.js"
import { MetricsGroup } from "./metrics-api.js"

export const CollectorProcessHealthSchema = Schema.Struct({
  status: Schema.Literal("ok"),
  uptime_s: Schema.Number,
  version: Schema.String,
  collectors: CollectorsHealthSchema
}).annotations({ identifier: "CollectorProcessHealth" })

export class CollectorHealthGroup extends HttpApiGroup.make("health")
  .add(
    HttpApiEndpoint.get("report", "/health")
      .addSuccess(CollectorProcessHealthSchema)
      .annotate(OpenApi.Summary, "The process and every institution's collector")
  )
{}

export class CollectorApi extends HttpApi.make("superdarn-hub-collector")
  .add(CollectorHealthGroup)
  .add(MetricsGroup)
  .annotate(OpenApi.Title, "superdarn-hub archive collector")
  .annotate(OpenApi.Version, packageVersion())
{}
