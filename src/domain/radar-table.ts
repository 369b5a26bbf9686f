/**
 * The known SuperDARN radars (station id, code, name, operator, status), as
 * published in RST's tables/superdarn/radar.dat, bundled in
 * data/radar-table.json. Used to name the site of a record that only carries
 * its stid, to warn about unknown codes in the radar list, and served to
 * clients by later features.
 */
import * as Schema from "effect/Schema"
import * as fs from "node:fs"
import { packagePath } from "./package-files.js"

export const RadarInfo = Schema.Struct({
  stid: Schema.Int,
  code: Schema.String.pipe(Schema.pattern(/^[a-z]{3}$/)),
  name: Schema.String,
  operator: Schema.String,
  status: Schema.Literal("operational", "offline", "decommissioned"),
  /** First day with data, YYYY-MM-DD. */
  firstDay: Schema.String,
  /** Last day with data; null while the radar operates. */
  lastDay: Schema.NullOr(Schema.String)
})
export type RadarInfo = typeof RadarInfo.Type

const RadarTableFile = Schema.Struct({
  source: Schema.String,
  radars: Schema.Array(RadarInfo)
})

export interface RadarTable {
  readonly source: string
  readonly radars: ReadonlyArray<RadarInfo>
  readonly byStid: ReadonlyMap<number, RadarInfo>
  readonly byCode: ReadonlyMap<string, RadarInfo>
}

const TABLE_FILE = (): string => packagePath("data", "radar-table.json")

let table: RadarTable | undefined

/**
 * The bundled table, read once. The file ships with the package, so a
 * missing or malformed one is a broken installation and throws.
 */
export const radarTable = (): RadarTable => {
  if (table === undefined) {
    const file = Schema.decodeUnknownSync(RadarTableFile)(JSON.parse(fs.readFileSync(TABLE_FILE(), "utf8")))
    table = {
      source: file.source,
      radars: file.radars,
      byStid: new Map(file.radars.map((radar) => [radar.stid, radar])),
      byCode: new Map(file.radars.map((radar) => [radar.code, radar]))
    }
  }
  return table
}

/** The site code of a station id, if the table knows it. */
export const siteOfStid = (stid: number): string | undefined => radarTable().byStid.get(stid)?.code
