/**
 * `GET /radars/{site}/history?since=`: a site's recent live packets (the last
 * HISTORY_MINUTES), oldest first, exactly as Socket.IO clients receive them.
 */
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as OpenApi from "@effect/platform/OpenApi"
import * as Schema from "effect/Schema"
import { InvalidRequestBody, UnknownSiteBody } from "./message-errors.js"

/** A float that was NaN or ±Infinity travels as null. */
const WireFloat = Schema.NullOr(Schema.Number)
const PerGate = Schema.Array(WireFloat).annotations({
  description: "One value per range gate (nrang), 0 without an echo"
})
const PerEcho = Schema.Array(WireFloat).annotations({ description: "One value per echo, in slist order" })

/** The live packet (src/streams/live-packet.ts), field order as on the wire. */
export const LivePacketSchema = Schema.Struct({
  site_name: Schema.String,
  beam: Schema.Number,
  cp: Schema.String.annotations({ description: "Control program name, or its number" }),
  frang: Schema.Number.annotations({ description: "Distance to the first range gate, km" }),
  nave: Schema.Number,
  freq: Schema.Number.annotations({ description: "Transmitted frequency, kHz" }),
  noise: WireFloat,
  nrang: Schema.Number,
  rsep: Schema.Number.annotations({ description: "Range separation, km" }),
  stid: Schema.Number,
  scan: Schema.Number,
  gflg: PerEcho,
  v: PerEcho,
  time: Schema.String.annotations({ description: "UTC, YYYY-MM-DD HH:MM:SS.ffffff" }),
  elevation: PerGate,
  power: PerGate,
  velocity: PerGate,
  width: PerGate,
  g_scatter: PerGate,
  slist: Schema.Array(Schema.Number),
  channel: Schema.Number,
  time_iso: Schema.String.annotations({ description: "ISO 8601 UTC with microseconds" })
}).annotations({ identifier: "LivePacket", description: "One fitacf record as the live feed sends it" })

export const HistoryPath = Schema.Struct({
  site: HttpApiSchema.param("site", Schema.String.annotations({ description: "Site code, e.g. sas" }))
})

export const HistoryParams = Schema.Struct({
  since: Schema.optional(
    Schema.String.annotations({
      description: "ISO 8601 date-time: only packets after it (for example the time_iso of the last packet you have)"
    })
  )
})

export class HistoryGroup extends HttpApiGroup.make("history")
  .add(
    HttpApiEndpoint.get("recent")`/radars/${HistoryPath.fields.site}/history`
      .setUrlParams(HistoryParams)
      .addSuccess(Schema.Array(LivePacketSchema))
      .addError(InvalidRequestBody)
      .addError(UnknownSiteBody)
      .annotate(OpenApi.Summary, "A site's live packets of the last HISTORY_MINUTES (default 10), oldest first")
      .annotate(
        OpenApi.Description,
        "The same packets, in the same shape, as the Socket.IO event `<site>`; Socket.IO clients ask with " +
          "`socket.emit(\"history\", { site, since? }, ack)`. When the answer would exceed 16 MiB it stops there and " +
          "the response carries `x-history-more: true`: ask again with since = the last packet's time_iso."
      )
  )
  .annotate(OpenApi.Description, "Recent live packets kept in memory")
{}
