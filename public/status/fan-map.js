// @ts-check
// The fan map's place on the page: the radars' fields of view on a map, for
// the geo work to fill in. The page's main module mounts it with the
// section it owns (#fan-map, hidden until something is drawn) and calls
// `update` whenever a radar changes, `select` when the viewer picks one.

/** @typedef {import("./types.js").Radar} Radar */

/**
 * @param {HTMLElement} section
 * @returns {{ update: (radar: Radar) => void, select: (site: string) => void }}
 */
export const mountFanMap = (section) => {
  void section
  return { update: () => {}, select: () => {} }
}
