// @ts-check
// The fan map's projection: polar azimuthal equidistant, the view SuperDARN
// plots use. Distance from the centre is colatitude from the chosen pole;
// looking down on the north pole longitude 0 points down the screen, on the
// south pole it points up, so east runs the way it does seen from above.
// Pure functions, shared by the map and its browser test.

/** @typedef {"north" | "south"} Hemisphere */

/**
 * @typedef {object} Projection
 * @property {Hemisphere} hemisphere
 * @property {number} width css pixels
 * @property {number} height css pixels
 * @property {number} edgeLat the latitude at the rim (equatorward edge) of the map
 * @property {(lat: number, lon: number) => [number, number]} project
 * @property {(x: number, y: number) => [number, number] | undefined} invert lat/lon, or undefined outside the map
 */

const RAD = Math.PI / 180

/**
 * @param {Hemisphere} hemisphere
 * @param {number} width
 * @param {number} height
 * @param {number} [edgeLat] absolute latitude at the map's rim
 * @returns {Projection}
 */
export const polarProjection = (hemisphere, width, height, edgeLat = 35) => {
  const cx = width / 2
  const cy = height / 2
  const scale = Math.min(width, height) / 2 / (90 - edgeLat)
  const north = hemisphere === "north"
  return {
    hemisphere,
    width,
    height,
    edgeLat,
    project: (lat, lon) => {
      const r = (north ? 90 - lat : 90 + lat) * scale
      const a = lon * RAD
      return [cx + r * Math.sin(a), north ? cy + r * Math.cos(a) : cy - r * Math.cos(a)]
    },
    invert: (x, y) => {
      const dx = x - cx
      const dy = north ? y - cy : cy - y
      const colat = Math.hypot(dx, dy) / scale
      if (colat > 90 - edgeLat) return undefined
      return [north ? 90 - colat : colat - 90, Math.atan2(dx, dy) / RAD]
    }
  }
}
