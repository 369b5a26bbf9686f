/** `GET /metrics`: Prometheus text exposition format 0.0.4. */
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as OpenApi from "@effect/platform/OpenApi"
import * as Schema from "effect/Schema"
import { PROMETHEUS_CONTENT_TYPE } from "./metrics/prometheus-text.js"

const PrometheusText = Schema.String.pipe(
  HttpApiSchema.withEncoding({ kind: "Text", contentType: PROMETHEUS_CONTENT_TYPE }),
  Schema.annotations({ description: "Prometheus text exposition format 0.0.4" })
)

export class MetricsGroup extends HttpApiGroup.make("metrics")
  .add(
    HttpApiEndpoint.get("scrape", "/metrics")
      .addSuccess(PrometheusText)
      .annotate(
        OpenApi.Summary,
        "Every Effect metric, each radar's counters and state, and the hub consumers' backlog, for Prometheus"
      )
  )
{}
