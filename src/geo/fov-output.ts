/**
 * A field of view written out: the line format of RST's own dumps (the `fov`
 * command), the compact corner grid the API answers, and GeoJSON.
 */
import type { FovParameters, PositionGrid } from "./field-of-view.js"

/** What every line of the `fov` command repeats. */
export interface FovHeader {
  readonly stid: number
  readonly date: string
  readonly params: FovParameters
}

/** One position per line, in the fixture's field order: corners (beam-major) first, then centres. */
export function* fovLines(header: FovHeader, corners: PositionGrid, centres: PositionGrid): Generator<string> {
  const fixed = `"stid":${header.stid},"date":${JSON.stringify(header.date)},"frang":${header.params.frang},` +
    `"rsep":${header.params.rsep},"rxrise":${header.params.rxrise},"height":${header.params.height},` +
    `"chisham":${header.params.model === "chisham" ? 1 : 0}`
  for (const [grid, center] of [[corners, false], [centres, true]] as const) {
    for (let beam = 0; beam < grid.beams; beam++) {
      for (let gate = 0; gate < grid.gates; gate++) {
        const i = beam * grid.gates + gate
        yield `{${fixed},"center":${center},"beam":${beam},"gate":${gate},"lat":${grid.lat[i]},"lon":${
          grid.lon[i]
        },"rho":${grid.rho[i]}}`
      }
    }
  }
}

/** 1e-5° is about a metre: finer than any cell, and a third of the bytes of full precision. */
const round5 = (x: number) => Math.round(x * 1e5) / 1e5

/**
 * Longitudes made continuous around `reference` (may leave -180..180), so a
 * field of view across the antimeridian stays one shape for a plot or a
 * polygon instead of wrapping round the world.
 */
const unwrap = (lon: number, reference: number) => lon + 360 * Math.round((reference - lon) / 360)

export interface CompactFov {
  readonly site: string
  readonly stid: number
  readonly date: string
  readonly frang: number
  readonly rsep: number
  readonly rxrise: number
  readonly height: number
  readonly chisham: boolean
  /** Cells across (the corner rows number beams + 1). */
  readonly beams: number
  /** Cells along each beam (each corner row has gates + 1 points). */
  readonly gates: number
  /** lat[b][g]: the near-left corner of cell (b, g); b = beams and g = gates are the far edges. */
  readonly lat: ReadonlyArray<ReadonlyArray<number>>
  readonly lon: ReadonlyArray<ReadonlyArray<number>>
}

export const compactFov = (
  header: FovHeader & { readonly site: string; readonly radarLon: number },
  corners: PositionGrid
): CompactFov => {
  const lat: Array<Array<number>> = []
  const lon: Array<Array<number>> = []
  for (let beam = 0; beam < corners.beams; beam++) {
    const latRow = new Array<number>(corners.gates)
    const lonRow = new Array<number>(corners.gates)
    for (let gate = 0; gate < corners.gates; gate++) {
      const i = beam * corners.gates + gate
      latRow[gate] = round5(corners.lat[i]!)
      lonRow[gate] = round5(unwrap(corners.lon[i]!, header.radarLon))
    }
    lat.push(latRow)
    lon.push(lonRow)
  }
  return {
    site: header.site,
    stid: header.stid,
    date: header.date,
    frang: header.params.frang,
    rsep: header.params.rsep,
    rxrise: header.params.rxrise,
    height: header.params.height,
    chisham: header.params.model === "chisham",
    beams: corners.beams - 1,
    gates: corners.gates - 1,
    lat,
    lon
  }
}

export interface FovFeatureCollection {
  readonly type: "FeatureCollection"
  readonly properties: Record<string, unknown>
  readonly features: ReadonlyArray<{
    readonly type: "Feature"
    readonly properties: { readonly beam: number; readonly gate: number }
    readonly geometry: {
      readonly type: "Polygon"
      readonly coordinates: ReadonlyArray<ReadonlyArray<[number, number]>>
    }
  }>
}

/** Twice the signed area in the lon/lat plane: positive when the ring turns anticlockwise. */
const turning = (ring: ReadonlyArray<[number, number]>) => {
  let sum = 0
  for (let i = 0; i + 1 < ring.length; i++) sum += ring[i]![0] * ring[i + 1]![1] - ring[i + 1]![0] * ring[i]![1]
  return sum
}

/**
 * One Polygon per cell, anticlockwise as RFC 7946 asks (which way the beams
 * are numbered depends on the radar's beam separation sign). Longitudes are continuous around the radar (see `unwrap`)
 * rather than split at the antimeridian.
 */
export const fovGeoJson = (
  corners: PositionGrid,
  radarLon: number,
  properties: Record<string, unknown>
): FovFeatureCollection => {
  const point = (beam: number, gate: number): [number, number] => {
    const i = beam * corners.gates + gate
    return [round5(unwrap(corners.lon[i]!, radarLon)), round5(corners.lat[i]!)]
  }
  const features: Array<FovFeatureCollection["features"][number]> = []
  for (let beam = 0; beam < corners.beams - 1; beam++) {
    for (let gate = 0; gate < corners.gates - 1; gate++) {
      const start = point(beam, gate)
      const ring = [start, point(beam, gate + 1), point(beam + 1, gate + 1), point(beam + 1, gate), start]
      features.push({
        type: "Feature",
        properties: { beam, gate },
        geometry: {
          type: "Polygon",
          coordinates: [turning(ring) < 0 ? ring.reverse() : ring]
        }
      })
    }
  }
  return { type: "FeatureCollection", properties, features }
}
