/** `GET /alerts`: the last radar alerts, as the status page shows them. */
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as OpenApi from "@effect/platform/OpenApi"
import * as Schema from "effect/Schema"
import type { AlertPayload } from "../layers/realtime/Alerts.js"

const Iso = Schema.String.annotations({ description: "ISO 8601 UTC" })

/** Field order is the wire order of the JSON object; the same object a webhook receives. */
export const AlertSchema = Schema.Struct({
  kind: Schema.Literal("down", "back"),
  site: Schema.String.annotations({ description: "A site code, or canada for the Canada feed itself" }),
  state: Schema.Literal("receiving", "stale", "down"),
  since: Iso.annotations({ description: "When the outage started (ISO 8601 UTC)" }),
  at: Iso.annotations({ description: "When the notice was decided (ISO 8601 UTC)" }),
  outage_s: Schema.NullOr(Schema.Number).annotations({ description: "For back: the outage's length, seconds" }),
  detail: Schema.NullOr(Schema.String),
  summary: Schema.String.annotations({ description: "One line for people" })
}).annotations({ identifier: "Alert" })

// The wire schema and the payload type must describe the same object.
export const AlertList: Schema.Schema<ReadonlyArray<AlertPayload>> = Schema.Array(AlertSchema).annotations({
  description: "Newest first; at most the last 20"
})

export class AlertsGroup extends HttpApiGroup.make("alerts")
  .add(
    HttpApiEndpoint.get("recent", "/alerts")
      .addSuccess(AlertList)
      .annotate(OpenApi.Summary, "The last radar alerts (down and back notices after the hold-down), newest first")
  )
  .annotate(OpenApi.Description, "Radar outages as notices (see docs/alerts.md)")
{}
