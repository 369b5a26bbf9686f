/** `GET /radars`: the configured radars with their table metadata and live state. */
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import type { RadarListEntry } from "../domain/radar-list.js"

const EpochMs = Schema.Number.annotations({ description: "Epoch milliseconds" })

const RadarCounters = Schema.Struct({
  frames: Schema.Number,
  records: Schema.Number,
  bytes: Schema.Number,
  decodeErrors: Schema.Number,
  resyncs: Schema.Number,
  reconnects: Schema.Number,
  failedAttempts: Schema.Number
})

/** Field order is the wire order of the JSON object. */
export const RadarListEntrySchema = Schema.Struct({
  site: Schema.String,
  stid: Schema.NullOr(Schema.Number),
  name: Schema.NullOr(Schema.String),
  operator: Schema.NullOr(Schema.String),
  transport: Schema.Literal("tcp", "zmq"),
  phase: Schema.Literal("connecting", "connected", "receiving", "stalled", "backoff"),
  phaseSince: EpochMs,
  connectedSince: Schema.NullOr(EpochMs),
  lastRecordAt: Schema.NullOr(EpochMs),
  nextAttemptAt: Schema.NullOr(EpochMs),
  counters: RadarCounters,
  lastError: Schema.NullOr(Schema.String),
  position: Schema.optionalWith(
    Schema.Struct({
      lat: Schema.Number,
      lon: Schema.Number,
      boresight: Schema.Number.annotations({ description: "Degrees east of north" })
    }).annotations({ description: "From the radar's hardware table; absent without one" }),
    { exact: true }
  )
}).annotations({ identifier: "RadarListEntry" })

// The wire schema and the domain type must describe the same object.
export const RadarList: Schema.Schema<ReadonlyArray<RadarListEntry>> = Schema.Array(RadarListEntrySchema)

export class RadarsGroup extends HttpApiGroup.make("radars")
  .add(
    HttpApiEndpoint.get("list", "/radars")
      .addSuccess(RadarList)
      .annotate(OpenApi.Summary, "The configured radars, sorted by site, with table metadata and live state")
  )
  .annotate(OpenApi.Description, "Radars the hub connects to")
{}
