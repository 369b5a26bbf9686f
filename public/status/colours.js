// @ts-check
// Colour ramps and the quantities the range–time plot can show.

/** @typedef {import("./types.js").QuantityName} QuantityName */
/** @typedef {{ label: string, unit: string, min: number, max: number, key: QuantityName, ramp: "viridis" | "velocity" }} Quantity */

/** @type {Record<QuantityName, Quantity>} */
export const QUANTITIES = {
  power: { label: "Power", unit: "dB", min: 0, max: 30, key: "power", ramp: "viridis" },
  velocity: { label: "Velocity", unit: "m/s", min: -500, max: 500, key: "velocity", ramp: "velocity" }
}

// Colour ramps as evenly spaced stops: viridis (perceptually uniform) for
// power; for velocity, red away from and blue toward the radar, as SuperDARN
// plots have it.
const RAMPS = {
  viridis: ["#440154", "#482878", "#3e4989", "#31688e", "#26828e", "#1f9e89", "#35b779", "#6ece58", "#fde725"],
  velocity: ["#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#f7f7f7", "#d1e5f0", "#92c5de", "#4393c3", "#2166ac"]
}

/** @type {readonly [number, number, number]} */
export const GROUND_SCATTER = [140, 140, 140]

/**
 * @param {string} hex `#rrggbb`
 * @returns {[number, number, number]}
 */
export const hexToRgb = (
  hex
) => [parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16)]

/**
 * 256 RGB entries interpolated between the stops.
 * @param {string[]} stops
 */
const lookupTable = (stops) => {
  const rgb = stops.map(hexToRgb)
  const table = new Uint8ClampedArray(256 * 3)
  for (let i = 0; i < 256; i++) {
    const at = (i / 255) * (rgb.length - 1)
    const lo = Math.floor(at)
    const hi = Math.min(lo + 1, rgb.length - 1)
    const f = at - lo
    const from = /** @type {[number, number, number]} */ (rgb[lo])
    const to = /** @type {[number, number, number]} */ (rgb[hi])
    for (let c = 0; c < 3; c++) {
      const a = /** @type {number} */ (from[c])
      table[i * 3 + c] = a + (/** @type {number} */ (to[c]) - a) * f
    }
  }
  return table
}

/** @type {Record<Quantity["ramp"], Uint8ClampedArray>} */
export const LUTS = { viridis: lookupTable(RAMPS.viridis), velocity: lookupTable(RAMPS.velocity) }
