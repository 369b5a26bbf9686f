/**
 * `GET /radars/{site}/fov`: a radar's field of view, the corner grid of its
 * range-beam cells as RST's `RPosGeo` places them, compact JSON or GeoJSON.
 */
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as OpenApi from "@effect/platform/OpenApi"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type { CompactFov } from "../geo/fov-output.js"
import { ServiceUnavailableBody, UnknownSiteBody } from "./message-errors.js"
import { IsoInstantParam, QueryText, shown } from "./query-params.js"

const wholeNumber = (low: number, high: number, what: string) => {
  const message = (issue: ParseResult.ParseIssue) => `must be ${what} ${low}-${high}, got ${shown(issue.actual)}`
  return QueryText.pipe(
    Schema.pattern(/^-?\d{1,7}$/, { message }),
    Schema.compose(Schema.NumberFromString),
    Schema.int(),
    Schema.between(low, high, { message }),
    Schema.annotations({ jsonSchema: { type: "string", pattern: "^[0-9]+$", description: `${what} ${low}-${high}` } })
  )
}

const flag = (description: string) =>
  QueryText.pipe(
    Schema.filter((text) => ["true", "false", "1", "0"].includes(text), {
      message: (issue) => `must be true or false, got ${shown(issue.actual)}`
    }),
    Schema.annotations({ jsonSchema: { type: "string", enum: ["true", "false", "1", "0"], description } })
  )

const HeightParam = QueryText.pipe(
  Schema.pattern(/^\d{1,4}(\.\d+)?$/, {
    message: (issue) => `must be a height 90-1000 km, got ${shown(issue.actual)}`
  }),
  Schema.compose(Schema.NumberFromString),
  Schema.between(90, 1000, { message: (issue) => `must be a height 90-1000 km, got ${shown(issue.actual)}` }),
  Schema.annotations({
    jsonSchema: { type: "string", description: "Virtual height fh of the standard model, km; default 300" }
  })
)

const FormatParam = QueryText.pipe(
  Schema.filter((text) => text === "json" || text === "geojson", {
    message: (issue) => `must be json or geojson, got ${shown(issue.actual)}`
  }),
  Schema.annotations({ jsonSchema: { type: "string", enum: ["json", "geojson"], description: "Default json" } })
)

const required = <S extends Schema.Schema.Any>(schema: S) =>
  Schema.propertySignature(schema).annotations({ missingMessage: () => "is required" })

export const FovParams = Schema.Struct({
  frang: required(
    wholeNumber(1, 10000, "km to the first range gate,").annotations({
      description: "km to the first range gate (the record's frang)"
    })
  ),
  rsep: required(
    wholeNumber(1, 1000, "km per range gate,").annotations({ description: "km per range gate (the record's rsep)" })
  ),
  rxrise: Schema.optional(wholeNumber(0, 10000, "µs of receiver rise time,")),
  nrang: Schema.optional(wholeNumber(1, 1000, "range gates,")),
  date: Schema.optional(
    IsoInstantParam.annotations({ description: "When, ISO 8601 (picks the hardware period); default now" })
  ),
  height: Schema.optional(HeightParam),
  chisham: Schema.optional(flag("true: the Chisham (2008) virtual-height model")),
  format: Schema.optional(FormatParam)
})

const Row = Schema.Array(Schema.Number)

export const CompactFovSchema: Schema.Schema<CompactFov> = Schema.Struct({
  site: Schema.String,
  stid: Schema.Number,
  date: Schema.String.annotations({ description: "The instant asked about, ISO 8601" }),
  frang: Schema.Number,
  rsep: Schema.Number,
  rxrise: Schema.Number.annotations({ description: "As asked; 0 means the hardware table's" }),
  height: Schema.Number,
  chisham: Schema.Boolean,
  beams: Schema.Number.annotations({ description: "Cells across: the grid has beams + 1 rows" }),
  gates: Schema.Number.annotations({ description: "Cells along a beam: each row has gates + 1 corners" }),
  lat: Schema.Array(Row).annotations({
    description:
      "lat[b][g]: near-left corner of cell (b, g), degrees (geocentric, as RST); b = beams, g = gates are the far edges"
  }),
  lon: Schema.Array(Row).annotations({
    description: "Longitudes of the same corners, continuous around the radar (may leave -180..180)"
  })
}).annotations({ identifier: "FieldOfView" })

/** The GeoJSON answer is written by the handler (not Schema-encoded): the document gets it here, beside the JSON. */
const describeGeoJson = (operation: OpenApi.OpenAPISpecOperation): OpenApi.OpenAPISpecOperation => {
  const ok = operation.responses[200]
  if (ok !== undefined) {
    const geojson: OpenApi.OpenApiSpecMediaType = {
      schema: {
        type: "object",
        description: "With format=geojson: a FeatureCollection of Polygons (RFC 7946)",
        properties: {},
        required: [],
        additionalProperties: true
      }
    }
    // The platform's type lists the content types HttpApi itself produces; application/geo+json is ours.
    ok.content = { ...ok.content, ...({ "application/geo+json": geojson } as OpenApi.OpenApiSpecContent) }
  }
  return operation
}

export class FovGroup extends HttpApiGroup.make("fov")
  .add(
    HttpApiEndpoint.get("fov", "/radars/:site/fov")
      .setPath(Schema.Struct({
        site: Schema.String.pipe(
          Schema.pattern(/^[a-z]{3}$/, {
            message: (issue) => `must be 3 lowercase letters, got ${shown(issue.actual)}`
          })
        )
      }))
      .setUrlParams(FovParams)
      .addSuccess(CompactFovSchema)
      .addError(UnknownSiteBody)
      .addError(ServiceUnavailableBody)
      .annotate(OpenApi.Summary, "A radar's field of view: the corner grid of its range-beam cells")
      .annotate(
        OpenApi.Description,
        "Positions as RST's RPosGeo computes them from the radar's hardware table valid on `date`. " +
          "With format=geojson: a GeoJSON FeatureCollection, one Polygon per cell with beam and gate properties. " +
          "404 when the hub has no hardware table for the site."
      )
      .annotate(OpenApi.Transform, (operation) => describeGeoJson(operation as OpenApi.OpenAPISpecOperation))
  )
  .annotate(OpenApi.Description, "Where the radars look")
{}
