/** `GET /radars`: the configured radars with their table metadata and live state. */
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as OpenApi from "@effect/platform/OpenApi"
import * as Schema from "effect/Schema"
import type { RadarListEntry } from "../domain/radar-list.js"
import { TRANSMITTER_FIELDS, type TransmitterField } from "../domain/radar-status.js"

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

const StatusBits = Schema.Array(Schema.Number).annotations({ description: "The bits set, lowest first" })

const Transmitter = Schema.Struct({
  agc: Schema.Number.annotations({ description: "stat.agc: a bit per receiver whose gain control is saturated" }),
  agcBits: StatusBits,
  lopwr: Schema.Number.annotations({ description: "stat.lopwr: a bit per transmitter reporting low power" }),
  lopwrBits: StatusBits,
  noiseSearch: Schema.Number,
  noiseMean: Schema.Number,
  tfreq: Schema.Number.annotations({ description: "kHz" }),
  nave: Schema.Number,
  intt: Schema.Number.annotations({ description: "Integration time, seconds" }),
  ercod: Schema.Number.annotations({ description: "The radar's error code (0: none)" }),
  cp: Schema.Number.annotations({ description: "Control program id" }),
  changedAt: Schema.Struct(
    Object.fromEntries(TRANSMITTER_FIELDS.map((field) => [field, EpochMs])) as {
      readonly [K in TransmitterField]: typeof EpochMs
    }
  ).annotations({ description: "When each value last changed (its first sighting counts)" })
}).annotations({ identifier: "RadarTransmitter", description: "From the radar's latest record" })

const Quality = Schema.Struct({
  stationMismatch: Schema.Number.annotations({ description: "Station id not the configured site's" }),
  clockSkew: Schema.Number.annotations({ description: "Record time more than 5 min from the hub's clock" }),
  timeBackwards: Schema.Number.annotations({ description: "Record time earlier than the previous record's" }),
  scanFlag: Schema.Number.annotations({ description: "Scan flag not -2, -1, 0 or +1" })
}).annotations({ identifier: "RadarQuality", description: "Records that failed each quality check" })

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
  ),
  transmitter: Schema.optionalWith(Transmitter, { exact: true }),
  quality: Schema.optionalWith(Quality, { exact: true })
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
