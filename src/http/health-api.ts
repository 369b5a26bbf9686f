/** `GET /health`: the process, its database and every radar at a glance. */
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as OpenApi from "@effect/platform/OpenApi"
import * as Schema from "effect/Schema"
import { TRANSMITTER_FIELDS } from "../domain/radar-status.js"
import { COLLECTOR_PHASES } from "../layers/archive/CollectorRegistry.js"
import { type HealthReport, RADAR_HEALTH_STATES } from "./health-report.js"
import { UnknownSiteBody, untaggedBody } from "./message-errors.js"

export const HealthParams = Schema.Struct({
  site: Schema.optional(
    Schema.String.pipe(
      Schema.pattern(/^[a-z][a-z0-9]{1,7}$/),
      Schema.annotations({
        message: () => "must be a site code such as sas",
        description: "Narrow the radars to this site"
      })
    )
  )
})

const IsoOrNull = Schema.NullOr(Schema.String.annotations({ description: "ISO 8601 UTC" }))

/** Field order is the wire order of the JSON object. */
const RadarHealthSchema = Schema.Struct({
  state: Schema.Literal(...RADAR_HEALTH_STATES),
  connected_since: IsoOrNull,
  last_record_at: IsoOrNull,
  last_record_age_s: Schema.NullOr(Schema.Number),
  records: Schema.Number,
  decode_errors: Schema.Number,
  resyncs: Schema.Number,
  reconnects: Schema.Number,
  failed_attempts: Schema.Number,
  last_error: Schema.NullOr(Schema.String),
  transmitter: Schema.optionalWith(
    Schema.Struct({
      agc: Schema.Number.annotations({ description: "stat.agc: a bit per saturated receiver" }),
      agc_bits: Schema.Array(Schema.Number),
      lopwr: Schema.Number.annotations({ description: "stat.lopwr: a bit per low-power transmitter" }),
      lopwr_bits: Schema.Array(Schema.Number),
      noise_search: Schema.NullOr(Schema.Number),
      noise_mean: Schema.NullOr(Schema.Number),
      tfreq_khz: Schema.NullOr(Schema.Number),
      nave: Schema.NullOr(Schema.Number),
      intt_s: Schema.NullOr(Schema.Number),
      ercod: Schema.NullOr(Schema.Number),
      cp: Schema.NullOr(Schema.Number),
      changed_s_ago: Schema.Struct(
        Object.fromEntries(TRANSMITTER_FIELDS.map((field) => [field, Schema.Number])) as {
          readonly [K in (typeof TRANSMITTER_FIELDS)[number]]: typeof Schema.Number
        }
      )
    }).annotations({ identifier: "TransmitterHealth", description: "From the radar's latest record" }),
    { exact: true }
  ),
  quality: Schema.optionalWith(
    Schema.Struct({
      station_id: Schema.Number,
      clock_skew: Schema.Number,
      time_backwards: Schema.Number,
      scan_flag: Schema.Number
    }).annotations({ identifier: "QualityHealth", description: "Records that failed each quality check" }),
    { exact: true }
  )
}).annotations({ identifier: "RadarHealth" })

const CollectorHealthSchema = Schema.Struct({
  phase: Schema.Literal(...COLLECTOR_PHASES).annotations({
    description:
      "idle (until next_run_at), listing, fetching or tidying (a run's steps), backing off (retrying a failed run)"
  }),
  phase_since: Schema.String.annotations({ description: "ISO 8601 UTC" }),
  runs: Schema.Number,
  last_run: Schema.NullOr(Schema.Struct({
    started_at: IsoOrNull,
    finished_at: Schema.String.annotations({ description: "ISO 8601 UTC" }),
    outcome: Schema.String,
    collected: Schema.Number,
    duplicates: Schema.Number,
    conflicts: Schema.Number,
    refused: Schema.Number,
    failed: Schema.Number
  })),
  next_run_at: IsoOrNull.annotations({ description: "ISO 8601 UTC; null while a run is under way" }),
  consecutive_failures: Schema.Number,
  last_error: Schema.NullOr(Schema.String)
}).annotations({ identifier: "CollectorHealth" })

/** Per institution id. */
export const CollectorsHealthSchema = Schema.Record({ key: Schema.String, value: CollectorHealthSchema })

const healthFields = {
  status: Schema.Literal("ok", "unavailable"),
  uptime_s: Schema.Number,
  version: Schema.String,
  database: Schema.Struct({
    ok: Schema.Boolean,
    state: Schema.Literal("ok", "degraded", "unavailable").annotations({
      description:
        "unavailable: not answering; degraded: answering, but storing fails (full disk, I/O, failed integrity check)"
    }),
    last_error: Schema.NullOr(Schema.String),
    degraded_since: Schema.NullOr(Schema.String)
  }),
  radars: Schema.Record({ key: Schema.String, value: RadarHealthSchema }),
  clients: Schema.Number.annotations({ description: "Socket.IO clients connected now" }),
  deployment: Schema.optionalWith(
    Schema.Struct({
      role: Schema.Literal("ingest", "edge"),
      leader: Schema.NullOr(Schema.String),
      leading: Schema.Boolean,
      redis: Schema.Literal("ok", "unreachable")
    }).annotations({ description: "Only in a scaled-out deployment (ROLE ingest or edge): who leads the ingest" }),
    { exact: true }
  ),
  collectors: Schema.optionalWith(
    CollectorsHealthSchema.annotations({
      description: "Only where archive collectors run in the process (serve --archive-config, archive run --port)"
    }),
    { exact: true }
  )
}

export const HealthReportSchema: Schema.Schema<HealthReport> = Schema.Struct(healthFields).annotations({
  identifier: "HealthReport"
})

/** The same report, answered with 503 while the database does not answer. */
export class HealthUnavailable extends Schema.TaggedError<HealthUnavailable>()("HealthUnavailable", healthFields) {}

const HealthUnavailableBody = untaggedBody(HealthUnavailable, healthFields, {
  identifier: "HealthUnavailable",
  status: 503,
  description: "The database is not answering; the report says what else is up"
})

export class HealthGroup extends HttpApiGroup.make("health")
  .add(
    HttpApiEndpoint.get("report", "/health")
      .setUrlParams(HealthParams)
      .addSuccess(HealthReportSchema)
      .addError(HealthUnavailableBody)
      .addError(UnknownSiteBody)
      .annotate(OpenApi.Summary, "Process, database and radar health; 503 while the database does not answer")
  )
  .annotate(OpenApi.Description, "For load balancers and operators")
{}
