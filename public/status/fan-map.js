// @ts-check
// The fan map: the hemisphere seen from above its pole, land from Natural
// Earth (world-atlas, served from node_modules), every radar's field of view
// outlined, and each radar's latest scan drawn cell by cell. A record
// replaces its beam's cells, placed with the grid the server computes for that
// record's frang and rsep (GET /radars/{site}/fov, RST's geometry). Records
// the map cannot place (beam outside the table, frang or rsep not positive,
// no hardware table, a malformed packet) are skipped and counted by reason;
// nothing here throws into the page.

import { GROUND_SCATTER, LUTS } from "./colours.js"
import { polarProjection } from "./fan-projection.js"

/** @typedef {import("./types.js").Radar} Radar */
/** @typedef {import("./types.js").LivePacket} LivePacket */
/** @typedef {import("./fan-projection.js").Hemisphere} Hemisphere */
/** @typedef {import("./fan-projection.js").Projection} Projection */

/** @typedef {"velocity" | "power" | "width"} FanQuantity */

/** @type {Record<FanQuantity, { label: string, unit: string, min: number, max: number, lut: Uint8ClampedArray }>} */
export const FAN_QUANTITIES = {
  // Red away from the radar (negative), blue toward it, as SuperDARN plots have it.
  velocity: { label: "Velocity", unit: "m/s", min: -500, max: 500, lut: LUTS.velocity },
  power: { label: "Power", unit: "dB", min: 0, max: 30, lut: LUTS.viridis },
  width: { label: "Spectral width", unit: "m/s", min: 0, max: 250, lut: LUTS.viridis }
}

/**
 * The corner grid of one (site, frang, rsep, nrang): lat[b][g] for beams 0..beams, gates 0..gates.
 * @typedef {{ beams: number, gates: number, lat: number[][], lon: number[][] }} FovGrid
 */

/**
 * One beam's latest record, as drawn.
 * @typedef {object} BeamCells
 * @property {string} gridKey
 * @property {number} gates
 * @property {Float32Array} velocity NaN where no echo
 * @property {Float32Array} power
 * @property {Float32Array} width
 * @property {Uint8Array} ground
 */

/**
 * @typedef {object} SiteState
 * @property {string} site
 * @property {string | undefined} outlineKey the grid its field of view is outlined with
 * @property {Map<number, BeamCells>} beams beam number -> cells, for the chosen channel
 * @property {number | undefined} time epoch ms of the newest record drawn
 * @property {number | undefined} channel
 * @property {HTMLElement} stamp
 */

const DEFAULT_FRANG = 180
const DEFAULT_RSEP = 45
const DEFAULT_NRANG = 75
const BACKGROUND = "#0f1720"
const LAND = "#2a3442"
const GRATICULE = "rgba(255,255,255,0.12)"
const OUTLINE = "rgba(255,255,255,0.75)"

/** @param {number} frang @param {number} rsep @param {number | undefined} nrang */
const gridQuery = (frang, rsep, nrang) => `frang=${frang}&rsep=${rsep}${nrang === undefined ? "" : `&nrang=${nrang}`}`

/**
 * @param {HTMLElement} section
 * @returns {{ update: (radar: Radar) => void, select: (site: string) => void }}
 */
export const mountFanMap = (section) => {
  /** @type {Map<string, SiteState>} */
  const sites = new Map()
  /** @type {Map<string, FovGrid>} site|query -> grid */
  const grids = new Map()
  /** @type {Map<string, Float32Array>} site|query -> projected corners (x, y), for the current projection */
  const projected = new Map()
  /** @type {Set<string>} */
  const pending = new Set()
  /** @type {Map<string, number>} why records were skipped -> how many */
  const skipped = new Map()
  /** @type {Set<string>} sites with no hardware table on the server */
  const noTable = new Set()
  let hemisphere = /** @type {Hemisphere} */ ("north")
  let quantity = /** @type {FanQuantity} */ ("velocity")
  let stereo = /** @type {"A" | "B"} */ ("A")
  let selected = /** @type {string | undefined} */ (undefined)
  /** @type {{ type: string, coordinates: number[][][][] } | undefined} land as a GeoJSON MultiPolygon */
  let land
  let dirty = false
  let baseStale = true

  // ---- the section's elements (styles through the CSSOM: the page's policy refuses inline style attributes)
  const heading = document.createElement("h2")
  heading.textContent = "Fan map"
  const controls = document.createElement("form")
  controls.className = "fan-controls"
  /**
   * @param {string} label
   * @param {Array<[string, string]>} options
   * @param {(value: string) => void} onChange
   */
  const selectControl = (label, options, onChange) => {
    const wrap = document.createElement("label")
    wrap.textContent = `${label} `
    const select = document.createElement("select")
    for (const [value, text] of options) select.append(new Option(text, value))
    select.addEventListener("change", () => onChange(select.value))
    wrap.append(select)
    controls.append(wrap, " ")
    return select
  }
  selectControl("Hemisphere", [["north", "North"], ["south", "South"]], (value) => {
    hemisphere = value === "south" ? "south" : "north"
    resetProjection()
  }).name = "hemisphere"
  selectControl("Show", [["velocity", "Velocity"], ["power", "Power"], ["width", "Spectral width"]], (value) => {
    if (value === "velocity" || value === "power" || value === "width") quantity = value
    drawLegend()
    schedule()
  }).name = "fan-quantity"
  selectControl("Stereo channel", [["A", "A (or mono)"], ["B", "B"]], (value) => {
    stereo = value === "B" ? "B" : "A"
    for (const state of sites.values()) state.beams.clear()
    schedule()
  }).name = "fan-channel"
  controls.addEventListener("submit", (event) => event.preventDefault())

  const figure = document.createElement("figure")
  const canvas = document.createElement("canvas")
  canvas.id = "fan-canvas"
  canvas.setAttribute("role", "img")
  canvas.setAttribute("aria-label", "Fan map: the radars' fields of view and their latest scans")
  canvas.style.width = "100%"
  canvas.style.maxWidth = "720px"
  canvas.style.aspectRatio = "1"
  canvas.style.display = "block"
  const legend = document.createElement("canvas")
  legend.id = "fan-legend"
  legend.style.width = "320px"
  legend.style.height = "44px"
  legend.style.display = "block"
  const readout = document.createElement("p")
  readout.className = "fan-readout"
  readout.textContent = "Point at a cell for its value."
  const stamps = document.createElement("ul")
  stamps.className = "fan-stamps"
  const skips = document.createElement("p")
  skips.className = "fan-skipped"
  figure.append(canvas, legend)
  section.append(heading, controls, figure, readout, stamps, skips)

  const base = document.createElement("canvas")
  /** @type {Projection} */
  let projection = polarProjection(hemisphere, 1, 1)

  function resetProjection() {
    const width = Math.max(240, Math.round(canvas.clientWidth || 600))
    const ratio = window.devicePixelRatio || 1
    canvas.width = Math.round(width * ratio)
    canvas.height = Math.round(width * ratio)
    base.width = canvas.width
    base.height = canvas.height
    projection = polarProjection(hemisphere, width, width)
    projected.clear()
    baseStale = true
    schedule()
  }

  /** @param {string} reason */
  const skip = (reason) => {
    skipped.set(reason, (skipped.get(reason) ?? 0) + 1)
    skips.textContent = `Skipped records: ${[...skipped].map(([why, n]) => `${why} ${n}`).join(", ")}`
    section.dataset["skipped"] = JSON.stringify(Object.fromEntries(skipped))
  }

  /** The grid's corners in canvas pixels, computed once per projection. @param {string} key */
  const cornersOf = (key) => {
    const cached = projected.get(key)
    if (cached !== undefined) return cached
    const grid = grids.get(key)
    if (grid === undefined) return undefined
    const rows = grid.beams + 1
    const cols = grid.gates + 1
    const xy = new Float32Array(rows * cols * 2)
    for (let b = 0; b < rows; b++) {
      const latRow = /** @type {number[]} */ (grid.lat[b])
      const lonRow = /** @type {number[]} */ (grid.lon[b])
      for (let g = 0; g < cols; g++) {
        const [x, y] = projection.project(/** @type {number} */ (latRow[g]), /** @type {number} */ (lonRow[g]))
        xy[(b * cols + g) * 2] = x
        xy[(b * cols + g) * 2 + 1] = y
      }
    }
    projected.set(key, xy)
    return xy
  }

  /**
   * Fetches a grid once; a 404 means the server has no hardware table for the site.
   * @param {string} site
   * @param {string} query
   */
  const loadGrid = (site, query) => {
    const key = `${site}|${query}`
    if (grids.has(key) || pending.has(key) || noTable.has(site)) return
    pending.add(key)
    fetch(`/radars/${encodeURIComponent(site)}/fov?${query}`)
      .then(async (response) => {
        if (response.status === 404) {
          noTable.add(site)
          skip("no hardware table")
          return
        }
        if (!response.ok) {
          skip("field of view refused")
          return
        }
        const grid = /** @type {FovGrid} */ (await response.json())
        if (!Array.isArray(grid.lat) || !Array.isArray(grid.lon) || grid.lat.length !== grid.beams + 1) {
          skip("malformed field of view")
          return
        }
        grids.set(key, grid)
        const state = sites.get(site)
        if (state !== undefined && state.outlineKey === undefined) state.outlineKey = key
        baseStale = true
        schedule()
      })
      .catch(() => skip("field of view unavailable"))
      .finally(() => pending.delete(key))
  }

  /** @param {string} site */
  const stateOf = (site) => {
    let state = sites.get(site)
    if (state === undefined) {
      const stamp = document.createElement("li")
      stamp.dataset["site"] = site
      stamp.textContent = `${site}: no scan yet`
      stamps.append(stamp)
      state = { site, outlineKey: undefined, beams: new Map(), time: undefined, channel: undefined, stamp }
      sites.set(site, state)
      section.hidden = false
      if (canvas.width <= 300) resetProjection()
      // The outline until a record says otherwise: the common mode, 75 gates of 45 km from 180 km.
      loadGrid(site, gridQuery(DEFAULT_FRANG, DEFAULT_RSEP, DEFAULT_NRANG))
    }
    return state
  }

  /** A stereo radar's channel 2 is B; mono (0) and 1 are A. @param {number} channel */
  const channelName = (channel) => (channel === 2 ? "B" : "A")

  /**
   * @param {unknown} values
   * @param {number} gates
   */
  const gateValues = (values, gates) => {
    const out = new Float32Array(gates).fill(NaN)
    if (Array.isArray(values)) {
      for (let g = 0; g < gates && g < values.length; g++) {
        const v = values[g]
        if (typeof v === "number" && Number.isFinite(v)) out[g] = v
      }
    }
    return out
  }

  /** @param {SiteState} state @param {LivePacket} packet */
  const applyRecord = (state, packet) => {
    const { beam, frang, rsep, nrang } = packet
    if (!Number.isInteger(beam) || !Number.isInteger(nrang) || nrang <= 0) return skip("malformed record")
    if (!(frang > 0) || !(rsep > 0)) return skip("frang or rsep not positive")
    const channel = Number.isInteger(packet.channel) ? packet.channel : 0
    if (channelName(channel) !== stereo) return
    const key = `${state.site}|${gridQuery(frang, rsep, nrang)}`
    const grid = grids.get(key)
    if (grid === undefined) {
      if (noTable.has(state.site)) return skip("no hardware table")
      // Placed once the grid arrives; this record's cells wait for the next one of the beam.
      loadGrid(state.site, gridQuery(frang, rsep, nrang))
      return
    }
    if (beam < 0 || beam >= grid.beams) return skip("beam outside the hardware table")
    const gates = Math.min(nrang, grid.gates)
    const echo = new Uint8Array(gates)
    if (Array.isArray(packet.slist)) { for (const g of packet.slist) if (g >= 0 && g < gates) echo[g] = 1 }
    const cells = {
      gridKey: key,
      gates,
      velocity: gateValues(packet.velocity, gates),
      power: gateValues(packet.power, gates),
      width: gateValues(packet.width, gates),
      ground: new Uint8Array(gates)
    }
    for (let g = 0; g < gates; g++) {
      if (echo[g] === 0) {
        cells.velocity[g] = NaN
        cells.power[g] = NaN
        cells.width[g] = NaN
      }
      cells.ground[g] = packet.g_scatter?.[g] === 1 ? 1 : 0
    }
    state.beams.set(beam, cells)
    if (state.outlineKey !== key) {
      state.outlineKey = key
      baseStale = true
    }
    const t = Date.parse(packet.time_iso)
    if (Number.isFinite(t)) state.time = t
    state.channel = channel
    state.stamp.textContent = `${state.site}: ${packet.time_iso.slice(11, 19)} UTC, beam ${beam}, ch ${
      channelName(channel)
    }`
    state.stamp.dataset["frang"] = String(frang)
    state.stamp.dataset["rsep"] = String(rsep)
    state.stamp.dataset["nrang"] = String(nrang)
    schedule()
  }

  // ---- drawing

  function schedule() {
    if (dirty) return
    dirty = true
    requestAnimationFrame(draw)
  }

  /** @param {CanvasRenderingContext2D} ctx @param {number} ratio */
  const drawBase = (ctx, ratio) => {
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0)
    ctx.fillStyle = BACKGROUND
    ctx.fillRect(0, 0, projection.width, projection.height)
    if (land !== undefined) {
      ctx.beginPath()
      const north = hemisphere === "north"
      for (const polygon of land.coordinates) {
        for (const ring of polygon) {
          // Rings wholly in the other hemisphere lie outside the map.
          if (!ring.some((p) => (north ? (p[1] ?? 0) > 0 : (p[1] ?? 0) < 0))) continue
          ring.forEach((p, i) => {
            const [x, y] = projection.project(p[1] ?? 0, p[0] ?? 0)
            if (i === 0) ctx.moveTo(x, y)
            else ctx.lineTo(x, y)
          })
          ctx.closePath()
        }
      }
      ctx.fillStyle = LAND
      ctx.fill("evenodd")
    }
    ctx.strokeStyle = GRATICULE
    ctx.lineWidth = 1
    const [cx, cy] = projection.project(hemisphere === "north" ? 90 : -90, 0)
    for (let colat = 10; colat <= 90 - projection.edgeLat; colat += 10) {
      const [x] = projection.project(hemisphere === "north" ? 90 - colat : colat - 90, 90)
      ctx.beginPath()
      ctx.arc(cx, cy, Math.abs(x - cx), 0, 2 * Math.PI)
      ctx.stroke()
    }
    for (let lon = 0; lon < 360; lon += 30) {
      const [x, y] = projection.project(hemisphere === "north" ? projection.edgeLat : -projection.edgeLat, lon)
      ctx.beginPath()
      ctx.moveTo(cx, cy)
      ctx.lineTo(x, y)
      ctx.stroke()
    }
    ctx.strokeStyle = OUTLINE
    ctx.lineWidth = 1.2
    for (const state of sites.values()) {
      const key = state.outlineKey
      const grid = key === undefined ? undefined : grids.get(key)
      const xy = key === undefined ? undefined : cornersOf(key)
      if (grid === undefined || xy === undefined) continue
      const cols = grid.gates + 1
      const at = (/** @type {number} */ b, /** @type {number} */ g) => (b * cols + g) * 2
      ctx.beginPath()
      ctx.moveTo(/** @type {number} */ (xy[at(0, 0)]), /** @type {number} */ (xy[at(0, 0) + 1]))
      for (let g = 1; g <= grid.gates; g++) {
        ctx.lineTo(/** @type {number} */ (xy[at(0, g)]), /** @type {number} */ (xy[at(0, g) + 1]))
      }
      for (let b = 1; b <= grid.beams; b++) {
        ctx.lineTo(/** @type {number} */ (xy[at(b, grid.gates)]), /** @type {number} */ (xy[at(b, grid.gates) + 1]))
      }
      for (let g = grid.gates - 1; g >= 0; g--) {
        ctx.lineTo(/** @type {number} */ (xy[at(grid.beams, g)]), /** @type {number} */ (xy[at(grid.beams, g) + 1]))
      }
      for (let b = grid.beams - 1; b > 0; b--) {
        ctx.lineTo(/** @type {number} */ (xy[at(b, 0)]), /** @type {number} */ (xy[at(b, 0) + 1]))
      }
      ctx.closePath()
      ctx.stroke()
      const [sx, sy] = [/** @type {number} */ (xy[at(0, 0)]), /** @type {number} */ (xy[at(0, 0) + 1])]
      ctx.fillStyle = OUTLINE
      ctx.font = "11px system-ui, sans-serif"
      ctx.fillText(state.site, sx + 3, sy - 3)
    }
  }

  /** 256 colour bins and ground scatter: one path each, filled once. */
  const bins = Array.from({ length: 257 }, () => /** @type {Path2D | undefined} */ (undefined))

  /**
   * Draws one radar's cells; returns how many.
   * @param {CanvasRenderingContext2D} ctx
   * @param {SiteState} state
   */
  const drawSite = (ctx, state) => {
    const q = FAN_QUANTITIES[quantity]
    const span = q.max - q.min
    bins.fill(undefined)
    let cells = 0
    for (const [beam, record] of state.beams) {
      const grid = grids.get(record.gridKey)
      const xy = cornersOf(record.gridKey)
      if (grid === undefined || xy === undefined) continue
      const cols = grid.gates + 1
      const values = record[quantity]
      for (let g = 0; g < record.gates; g++) {
        let bin
        if (record.ground[g] === 1 && !Number.isNaN(record.velocity[g] ?? NaN)) bin = 256
        else {
          const v = values[g] ?? NaN
          if (Number.isNaN(v)) continue
          bin = Math.max(0, Math.min(255, Math.round(((v - q.min) / span) * 255)))
        }
        const path = (bins[bin] ??= new Path2D())
        const i00 = (beam * cols + g) * 2
        const i01 = i00 + 2
        const i11 = ((beam + 1) * cols + g + 1) * 2
        const i10 = ((beam + 1) * cols + g) * 2
        path.moveTo(/** @type {number} */ (xy[i00]), /** @type {number} */ (xy[i00 + 1]))
        path.lineTo(/** @type {number} */ (xy[i01]), /** @type {number} */ (xy[i01 + 1]))
        path.lineTo(/** @type {number} */ (xy[i11]), /** @type {number} */ (xy[i11 + 1]))
        path.lineTo(/** @type {number} */ (xy[i10]), /** @type {number} */ (xy[i10 + 1]))
        path.closePath()
        cells++
      }
    }
    for (let bin = 0; bin < 257; bin++) {
      const path = bins[bin]
      if (path === undefined) continue
      const [r, g, b] = bin === 256 ? GROUND_SCATTER : [q.lut[bin * 3], q.lut[bin * 3 + 1], q.lut[bin * 3 + 2]]
      ctx.fillStyle = `rgb(${r},${g},${b})`
      ctx.fill(path)
    }
    return cells
  }

  function draw() {
    dirty = false
    const ctx = canvas.getContext("2d")
    const baseCtx = base.getContext("2d")
    if (ctx === null || baseCtx === null) return
    const ratio = canvas.width / projection.width
    if (baseStale) {
      drawBase(baseCtx, ratio)
      baseStale = false
    }
    const started = performance.now()
    ctx.setTransform(1, 0, 0, 1, 0, 0)
    ctx.drawImage(base, 0, 0)
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0)
    let cells = 0
    /** @type {Record<string, number>} */
    const perSite = {}
    for (const state of sites.values()) {
      const t0 = performance.now()
      const n = drawSite(ctx, state)
      cells += n
      if (n > 0) perSite[state.site] = performance.now() - t0
    }
    section.dataset["drawMs"] = (performance.now() - started).toFixed(2)
    section.dataset["siteDrawMs"] = JSON.stringify(perSite)
    section.dataset["cells"] = String(cells)
  }

  function drawLegend() {
    const ctx = legend.getContext("2d")
    if (ctx === null) return
    const ratio = window.devicePixelRatio || 1
    legend.width = 320 * ratio
    legend.height = 44 * ratio
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0)
    ctx.clearRect(0, 0, 320, 44)
    const q = FAN_QUANTITIES[quantity]
    for (let x = 0; x < 200; x++) {
      const i = Math.round((x / 199) * 255) * 3
      ctx.fillStyle = `rgb(${q.lut[i]},${q.lut[i + 1]},${q.lut[i + 2]})`
      ctx.fillRect(x, 4, 1, 14)
    }
    const [r, g, b] = GROUND_SCATTER
    ctx.fillStyle = `rgb(${r},${g},${b})`
    ctx.fillRect(220, 4, 14, 14)
    ctx.fillStyle = getComputedStyle(section).color || "#ddd"
    ctx.font = "11px system-ui, sans-serif"
    ctx.fillText(`${q.min}`, 0, 32)
    ctx.textAlign = "right"
    ctx.fillText(`${q.max} ${q.unit}`, 200, 32)
    ctx.textAlign = "left"
    ctx.fillText("ground scatter", 238, 15)
    ctx.fillText(q.label + (quantity === "velocity" ? " (+ toward)" : ""), 0, 43)
    legend.setAttribute("aria-label", `${q.label} from ${q.min} to ${q.max} ${q.unit}; ground scatter grey`)
  }

  // ---- hover: the cell under the pointer, tested against each drawn quad

  /** @param {number} px @param {number} py @param {Float32Array} xy @param {number[]} idx */
  const inside = (px, py, xy, idx) => {
    let sign = 0
    for (let k = 0; k < 4; k++) {
      const a = /** @type {number} */ (idx[k])
      const b = /** @type {number} */ (idx[(k + 1) % 4])
      const cross =
        (/** @type {number} */ (xy[b]) - /** @type {number} */ (xy[a])) * (py - /** @type {number} */ (xy[a + 1])) -
        (/** @type {number} */ (xy[b + 1]) - /** @type {number} */ (xy[a + 1])) * (px - /** @type {number} */ (xy[a]))
      if (cross !== 0) {
        if (sign === 0) sign = Math.sign(cross)
        else if (Math.sign(cross) !== sign) return false
      }
    }
    return true
  }

  canvas.addEventListener("mousemove", (event) => {
    const rect = canvas.getBoundingClientRect()
    const px = ((event.clientX - rect.left) / rect.width) * projection.width
    const py = ((event.clientY - rect.top) / rect.height) * projection.height
    const q = FAN_QUANTITIES[quantity]
    for (const state of [...sites.values()].sort((a, b) => (a.site === selected ? -1 : b.site === selected ? 1 : 0))) {
      for (const [beam, record] of state.beams) {
        const grid = grids.get(record.gridKey)
        const xy = cornersOf(record.gridKey)
        if (grid === undefined || xy === undefined) continue
        const cols = grid.gates + 1
        for (let g = 0; g < record.gates; g++) {
          const idx = [
            (beam * cols + g) * 2,
            (beam * cols + g + 1) * 2,
            ((beam + 1) * cols + g + 1) * 2,
            ((beam + 1) * cols + g) * 2
          ]
          if (!inside(px, py, xy, idx)) continue
          const value = record[quantity][g] ?? NaN
          const lat = /** @type {number[]} */ (grid.lat[beam])[g] ?? NaN
          const lon = /** @type {number[]} */ (grid.lon[beam])[g] ?? NaN
          const where = `${Math.abs(lat).toFixed(1)}°${lat >= 0 ? "N" : "S"} ${
            Math.abs(((lon + 540) % 360) - 180).toFixed(1)
          }°${((lon + 540) % 360) - 180 >= 0 ? "E" : "W"}`
          const shown = Number.isNaN(value) ? "no echo" : `${q.label.toLowerCase()} ${value.toFixed(0)} ${q.unit}`
          readout.textContent = `${state.site} beam ${beam} gate ${g}: ${shown}${
            record.ground[g] === 1 ? " (ground scatter)" : ""
          }, ${where}`
          return
        }
      }
    }
    const at = projection.invert(px, py)
    readout.textContent = at === undefined ? "" : `${at[0].toFixed(1)}°, ${at[1].toFixed(1)}°`
  })

  // ---- land: topojson-client (a classic script from node_modules) turns world-atlas's TopoJSON into GeoJSON

  const loadLand = () => {
    const script = document.createElement("script")
    script.src = "/status/geo/topojson-client.min.js"
    script.addEventListener("load", () => {
      fetch("/status/geo/land-110m.json")
        .then((response) => response.json())
        .then((topology) => {
          const topojson = /** @type {any} */ (window)["topojson"]
          const feature = topojson.feature(topology, topology.objects.land)
          const geometry = feature.type === "FeatureCollection" ? feature.features[0]?.geometry : feature.geometry
          land = geometry?.type === "Polygon" ? { type: "MultiPolygon", coordinates: [geometry.coordinates] } : geometry
          baseStale = true
          section.dataset["land"] = "loaded"
          schedule()
        })
        .catch(() => (section.dataset["land"] = "unavailable"))
    })
    script.addEventListener("error", () => (section.dataset["land"] = "unavailable"))
    document.head.append(script)
  }

  window.addEventListener("resize", () => {
    if (!section.hidden) resetProjection()
  })
  // The browser test asks for a full redraw to time it.
  section.addEventListener("fan-map-redraw", () => draw())
  drawLegend()
  loadLand()

  return {
    update: (radar) => {
      try {
        const state = stateOf(radar.site)
        if (radar.packet !== undefined && radar.packet.site_name === radar.site) applyRecord(state, radar.packet)
      } catch (error) {
        // The rest of the page keeps drawing whatever one record holds.
        skip("malformed record")
        console.warn("fan map: record skipped", error)
      }
    },
    select: (site) => {
      selected = site
    }
  }
}
