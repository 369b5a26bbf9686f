/**
 * Where a radar's range-beam cells are: the method of RST's `RPosGeo`
 * (rpos library), written here from its description so that positions agree
 * with RST's plots and files to well under 1e-4°.
 *
 * - The beam leaves the array at `psi` off boresight: beam separation times the
 *   beam's distance from the array centre, plus the table's beam offset (half
 *   a separation less for a cell's left edge).
 * - The slant range counts the lag to the first gate and the sample separation
 *   in whole µs (the radar's own integer arithmetic), less the receiver rise
 *   time, times 0.15 km/µs (half the speed of light); half a gate less for the
 *   near edge.
 * - A virtual-height model turns slant range into the height of the scatter:
 *   RST's standard one (115 km in the E region, ramping to `fh` from 600 to
 *   800 km) or the Chisham et al. (2008) quadratic fits.
 * - The field point is found on the WGS84 ellipsoid: guess the elevation that
 *   reaches that height above a sphere with the local Earth radius, correct
 *   the azimuth for the elevation (a linear array's beam is a cone) and for the
 *   ellipsoid's tilt, step along the ray, read the Earth radius under the new
 *   point, and repeat until the height is right within 0.5 km.
 *
 * Latitude and longitude are the field point's geocentric spherical
 * coordinates, as RST returns them and as its plots draw them; longitude is in
 * -180..180.
 */
import * as Data from "effect/Data"
import type { HardwarePeriod } from "./hardware-table.js"

export type VirtualHeightModel = "standard" | "chisham"

export interface FovParameters {
  /** km to the first range gate, as in the record. */
  readonly frang: number
  /** km per range gate. */
  readonly rsep: number
  /** µs; 0 takes the hardware table's. */
  readonly rxrise: number
  /** km: the standard model's F-region height `fh`. */
  readonly height: number
  readonly model: VirtualHeightModel
}

export const DEFAULT_HEIGHT_KM = 300

/** What the geometry needs from a hardware period. */
export interface RadarGeometry {
  readonly lat: number
  readonly lon: number
  readonly boresight: number
  readonly beamOffset: number
  readonly beamSeparation: number
  readonly maxBeams: number
  /** µs; undefined when the table has none. */
  readonly rxrise: number | undefined
}

/** Parameters or a table the geometry cannot use. */
export class FovError extends Data.TaggedError("FovError")<{
  readonly field: string
  readonly reason: string
}> {
  override get message(): string {
    return `${this.field} ${this.reason}`
  }
}

export const radarGeometry = (period: HardwarePeriod, file: string): RadarGeometry | FovError =>
  period.maxBeams === undefined
    ? new FovError({ field: "maximum beams", reason: `is missing from ${file} line ${period.line}` })
    : {
      lat: period.lat,
      lon: period.lon,
      boresight: period.boresight,
      beamOffset: period.beamOffset,
      beamSeparation: period.beamSeparation,
      maxBeams: period.maxBeams,
      rxrise: period.rxrise
    }

/** The parameters' own checks (the table-dependent one is in `fovGrid`). */
export const checkParameters = (params: FovParameters): FovError | undefined => {
  if (!Number.isInteger(params.frang) || params.frang <= 0) {
    return new FovError({ field: "frang", reason: `must be a positive whole number of km, got ${params.frang}` })
  }
  if (!Number.isInteger(params.rsep) || params.rsep <= 0) {
    return new FovError({ field: "rsep", reason: `must be a positive whole number of km, got ${params.rsep}` })
  }
  if (!Number.isInteger(params.rxrise) || params.rxrise < 0) {
    return new FovError({ field: "rxrise", reason: `must be a whole number of µs, 0 or more, got ${params.rxrise}` })
  }
  // Below 90 RST reads the number as an elevation angle, a different question; we do not offer it.
  if (!Number.isFinite(params.height) || params.height < 90 || params.height > 1000) {
    return new FovError({ field: "height", reason: `must be 90-1000 km, got ${params.height}` })
  }
  return undefined
}

const RAD = Math.PI / 180
const sind = (deg: number) => Math.sin(deg * RAD)
const cosd = (deg: number) => Math.cos(deg * RAD)
const tand = (deg: number) => Math.tan(deg * RAD)
const asind = (x: number) => Math.asin(x) / RAD
const acosd = (x: number) => Math.acos(x) / RAD
const atand = (x: number) => Math.atan(x) / RAD
const atan2d = (y: number, x: number) => Math.atan2(y, x) / RAD

// WGS84
const A = 6378.137
const B = A * (1 - 1 / 298.257223563)
const AXIS_RATIO_SQ = (B * B) / (A * A)
const SECOND_ECCENTRICITY_SQ = (A * A) / (B * B) - 1

const geocentricLatitude = (geodetic: number) => atand(AXIS_RATIO_SQ * tand(geodetic))

/** RST's Earth radius at a geocentric latitude (the same expression serves the radar and the field point). */
const earthRadius = (geocentricLat: number) => {
  const s = sind(geocentricLat)
  return A / Math.sqrt(1 + SECOND_ECCENTRICITY_SQ * s * s)
}

/** Slant range (km) to gate `gate` (0-based); `edge` for the cell's near edge. */
export const slantRange = (frang: number, rsep: number, rxrise: number, gate: number, edge: boolean): number => {
  // In µs, as the radar counts them: whole lags, then the rise time and, for an edge, half a sample.
  const firstLag = Math.trunc((frang * 20) / 3)
  const sampleSeparation = Math.trunc((rsep * 20) / 3)
  const halfSample = edge ? (0.5 * rsep * 20) / 3 : 0
  return (firstLag - rxrise + gate * sampleSeparation - halfSample) * 0.15
}

// Chisham et al. (2008), Ann. Geophys. 26, 823: h = A + B·r + C·r² per propagation mode.
const CHISHAM = [
  { below: 787.5, a: 108.974, b: 0.0191271, c: 6.68283e-5 },
  { below: 2137.5, a: 384.416, b: -0.178640, c: 1.81405e-4 },
  { below: Infinity, a: 1098.28, b: -0.354557, c: 9.39961e-5 }
] as const
const CHISHAM_ONE_AND_HALF_HOP = 2137.5

/** Virtual height (km) of scatter at slant range `r` km. */
export const virtualHeight = (model: VirtualHeightModel, fh: number, r: number): number => {
  if (model === "chisham") {
    if (r < 115) return (r / 115) * 112
    // The middle fit includes its upper bound, as in RST.
    const fit = r < CHISHAM[0].below ? CHISHAM[0] : r <= CHISHAM[1].below ? CHISHAM[1] : CHISHAM[2]
    return fit.a + fit.b * r + fit.c * r * r
  }
  if (r < 150) return (r / 150) * 115
  if (fh <= 150) return fh
  if (r <= 600) return 115
  if (r < 800) return ((r - 600) / 200) * (fh - 115) + 115
  return fh
}

export interface CellPosition {
  readonly lat: number
  readonly lon: number
  /** km from the Earth's centre. */
  readonly rho: number
}

/** The radar site in the frames the iteration works in, computed once per grid. */
interface Site {
  readonly gdlat: number
  readonly glat: number
  readonly glon: number
  readonly radius: number
  /** Geodetic minus geocentric latitude: how far the local vertical leans from the radius. */
  readonly tilt: number
  readonly boresight: number
}

const siteOf = (radar: RadarGeometry): Site => {
  const glat = geocentricLatitude(radar.lat)
  return {
    gdlat: radar.lat,
    glat,
    glon: radar.lon > 180 ? radar.lon - 360 : radar.lon,
    radius: earthRadius(glat),
    tilt: radar.lat - glat,
    boresight: radar.boresight
  }
}

/** The field point at slant range `r` along the beam `psi` degrees off boresight, scatter height `h`. */
const fieldPoint = (site: Site, psi: number, r0: number, h: number, model: VirtualHeightModel): CellPosition => {
  // A zero range would make the elevation 0/0.
  const r = r0 === 0 ? 0.1 : r0
  const rrad = site.radius
  const colat = 90 - site.glat
  const sinColat = sind(colat)
  const cosColat = cosd(colat)
  const sinLon = sind(site.glon)
  const cosLon = cosd(site.glon)
  const ox = rrad * sinColat * cosLon
  const oy = rrad * sinColat * sinLon
  const oz = rrad * cosColat
  const sinPsi = sind(psi)
  const cosPsi = cosd(psi)
  let pointRadius = rrad
  for (;;) {
    const rho = pointRadius + h
    const elevation = asind((rho * rho - rrad * rrad - r * r) / (2 * rrad * r))
    let coneElevation = elevation
    if (model === "chisham" && r > CHISHAM_ONE_AND_HALF_HOP) {
      // 1.5-hop: the ray leaves at the elevation of a third of the path, which is what sets the cone.
      const gamma = acosd((rrad * rrad + rho * rho - r * r) / (2 * rrad * rho))
      const beta = asind((rrad * sind(gamma / 3)) / (r / 3))
      coneElevation = 90 - beta - gamma / 3
    }
    const sinEl = sind(coneElevation)
    const across = cosPsi * cosPsi - sinEl * sinEl
    const tanOffAxis = across < 0 ? 1e32 : Math.sqrt((sinPsi * sinPsi) / across)
    const azimuth = (psi > 0 ? 1 : -1) * atand(tanOffAxis) + site.boresight
    // Azimuth about the geocentric radius rather than the geodetic vertical.
    const kx = cosd(coneElevation) * sind(azimuth)
    const ky = cosd(coneElevation) * cosd(azimuth)
    const kz = sind(coneElevation)
    const radialAzimuth = atan2d(kx, ky * cosd(site.tilt) + kz * sind(site.tilt))
    // Step r along (radialAzimuth, elevation) in the local south-east-up frame, then into Earth-centred axes.
    const south = -r * cosd(elevation) * cosd(radialAzimuth)
    const east = r * cosd(elevation) * sind(radialAzimuth)
    const up = r * sind(elevation)
    const mx = cosColat * south + sinColat * up
    const mz = -sinColat * south + cosColat * up
    const px = ox + cosLon * mx - sinLon * east
    const py = oy + sinLon * mx + cosLon * east
    const pz = oz + mz
    const pointRho = Math.sqrt(px * px + py * py + pz * pz)
    const lat = 90 - acosd(pz / pointRho)
    const lon = px === 0 && py === 0 ? 0 : atan2d(py, px)
    pointRadius = earthRadius(lat)
    if (Math.abs(pointRho - pointRadius - h) <= 0.5) return { lat, lon, rho: pointRho }
  }
}

/**
 * One cell's centre (`center`) or near-left corner. `beam` and `gate` are
 * 0-based; a corner index may be one past the last beam or gate (the far
 * edges). Parameters are assumed checked (`checkParameters`).
 */
export const cellPosition = (
  radar: RadarGeometry,
  params: FovParameters,
  center: boolean,
  beam: number,
  gate: number
): CellPosition => positionAt(siteOf(radar), radar, params, rxriseOf(radar, params), center, beam, gate)

const rxriseOf = (radar: RadarGeometry, params: FovParameters): number =>
  params.rxrise === 0 ? radar.rxrise ?? Number.NaN : params.rxrise

const positionAt = (
  site: Site,
  radar: RadarGeometry,
  params: FovParameters,
  rxrise: number,
  center: boolean,
  beam: number,
  gate: number
): CellPosition => {
  const fromCentre = beam - (radar.maxBeams / 2 - 0.5)
  const psi = radar.beamSeparation * fromCentre - (center ? 0 : radar.beamSeparation / 2) + radar.beamOffset
  const r = slantRange(params.frang, params.rsep, rxrise, gate, !center)
  return fieldPoint(site, psi, r, virtualHeight(params.model, params.height, r), params.model)
}

/** Positions for `beams` × `gates` points, beam-major: index = beam * gates + gate. */
export interface PositionGrid {
  readonly beams: number
  readonly gates: number
  readonly lat: Float64Array
  readonly lon: Float64Array
  readonly rho: Float64Array
}

/**
 * The corner grid (`center` false: beams 0..maxBeams × gates 0..nrang) or the
 * centres (maxBeams × nrang) of a radar's cells.
 */
export const fovGrid = (
  radar: RadarGeometry,
  params: FovParameters,
  nrang: number,
  center: boolean
): PositionGrid | FovError => {
  const invalid = checkParameters(params)
  if (invalid !== undefined) return invalid
  if (!Number.isInteger(nrang) || nrang <= 0 || nrang > 1000) {
    return new FovError({ field: "nrang", reason: `must be a whole number 1-1000, got ${nrang}` })
  }
  const rxrise = rxriseOf(radar, params)
  if (Number.isNaN(rxrise)) {
    return new FovError({ field: "rxrise", reason: "is 0 (take the table's) but the hardware table has none" })
  }
  const beams = center ? radar.maxBeams : radar.maxBeams + 1
  const gates = center ? nrang : nrang + 1
  const lat = new Float64Array(beams * gates)
  const lon = new Float64Array(beams * gates)
  const rho = new Float64Array(beams * gates)
  const site = siteOf(radar)
  for (let beam = 0; beam < beams; beam++) {
    for (let gate = 0; gate < gates; gate++) {
      const p = positionAt(site, radar, params, rxrise, center, beam, gate)
      const i = beam * gates + gate
      lat[i] = p.lat
      lon[i] = p.lon
      rho[i] = p.rho
    }
  }
  return { beams, gates, lat, lon, rho }
}
