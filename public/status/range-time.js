// @ts-check
// The range–time plot of the selected radar: one beam (the most frequent
// unless the viewer picks one), power or velocity by range gate over time,
// drawn pixel by pixel into a canvas, with its colour bar.

import { GROUND_SCATTER, hexToRgb, LUTS, QUANTITIES } from "./colours.js"
import { css, utcClock, utcMinutes } from "./format.js"

/** @typedef {import("./types.js").Radar} Radar */
/** @typedef {import("./types.js").Sample} Sample */
/** @typedef {import("./types.js").View} View */
/** @typedef {import("./colours.js").Quantity} Quantity */

const RTI_SPAN_MS = 2 * 3600_000
const TIME_STEPS_MS = [10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600].map((s) => s * 1000)

/** @param {Sample} s */
const sampleKey = (s) => `${s.channel}:${s.beam}`

/**
 * The beam shown when the viewer has not chosen one: the most frequent, so a camping beam wins.
 * @param {Sample[]} samples
 */
const autoBeam = (samples) => {
  /** @type {Map<string, number>} */
  const counts = new Map()
  for (const s of samples) counts.set(sampleKey(s), (counts.get(sampleKey(s)) ?? 0) + 1)
  const last = samples.at(-1)
  /** @type {string | undefined} */
  let best
  let bestCount = 0
  for (const [key, count] of counts) {
    if (count > bestCount || (count === bestCount && last !== undefined && sampleKey(last) === key)) {
      best = key
      bestCount = count
    }
  }
  return best
}

/** @param {string} key */
const beamLabel = (key) => {
  const [channel, beam] = key.split(":")
  return channel === "0" ? `beam ${beam}` : `beam ${beam} · ch ${channel}`
}

/** @param {HTMLCanvasElement} canvas */
const fitCanvas = (canvas) => {
  const ratio = window.devicePixelRatio || 1
  const width = Math.round(canvas.clientWidth * ratio)
  const height = Math.round(canvas.clientHeight * ratio)
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width
    canvas.height = height
  }
  return ratio
}

/** @param {HTMLCanvasElement} canvas */
const context2d = (canvas) => {
  const ctx = canvas.getContext("2d")
  if (ctx === null) throw new Error("status page: no 2D canvas context")
  return ctx
}

/**
 * @param {HTMLCanvasElement} canvas
 * @param {Quantity} quantity
 */
const drawColourBar = (canvas, quantity) => {
  const ratio = fitCanvas(canvas)
  const ctx = context2d(canvas)
  const H = canvas.height
  const top = 8 * ratio
  const bottom = 24 * ratio
  const barW = 14 * ratio
  const barH = H - top - bottom
  ctx.clearRect(0, 0, canvas.width, H)
  const lut = LUTS[quantity.ramp]
  for (let y = 0; y < barH; y++) {
    const i = Math.round((1 - y / barH) * 255) * 3
    ctx.fillStyle = `rgb(${lut[i]},${lut[i + 1]},${lut[i + 2]})`
    ctx.fillRect(0, top + y, barW, 1)
  }
  ctx.fillStyle = css("--muted")
  ctx.font = `${11 * ratio}px system-ui, sans-serif`
  ctx.textAlign = "left"
  ctx.textBaseline = "middle"
  for (let k = 0; k <= 4; k++) {
    const value = quantity.min + ((quantity.max - quantity.min) * k) / 4
    ctx.fillText(String(value), barW + 4 * ratio, top + barH - (barH * k) / 4)
  }
  ctx.textBaseline = "top"
  ctx.fillText(quantity.unit, 0, top + barH + 6 * ratio)
}

/**
 * @param {{ canvas: HTMLCanvasElement, colourBar: HTMLCanvasElement, caption: HTMLElement,
 *   beamSelect: HTMLSelectElement, view: View, radar: () => Radar | undefined }} options
 */
export const createRangeTimePlot = ({ canvas, colourBar, caption, beamSelect, view, radar: selectedRadar }) => {
  let pending = false

  /**
   * @param {Sample[]} samples
   * @param {string | undefined} shownKey
   */
  const refreshBeamSelect = (samples, shownKey) => {
    const keys = [...new Set(samples.map(sampleKey))].sort((a, b) => {
      const [ca = 0, ba = 0] = a.split(":").map(Number)
      const [cb = 0, bb = 0] = b.split(":").map(Number)
      return ca - cb || ba - bb
    })
    const wanted = ["auto", ...keys]
    const have = [...beamSelect.options].map((o) => o.value)
    if (wanted.join() !== have.join()) {
      beamSelect.replaceChildren(...wanted.map((key) => new Option(key === "auto" ? "auto" : beamLabel(key), key)))
      beamSelect.value = view.beamKey
    }
    const auto = beamSelect.options[0]
    if (auto !== undefined) auto.textContent = shownKey === undefined ? "auto" : `auto (${beamLabel(shownKey)})`
  }

  const draw = () => {
    const radar = selectedRadar()
    const quantity = QUANTITIES[view.quantity]
    const samples = radar?.samples ?? []
    const shownKey = view.beamKey === "auto" ? autoBeam(samples) : view.beamKey
    refreshBeamSelect(samples, shownKey)
    const beamSamples = samples.filter((s) => sampleKey(s) === shownKey)
    const first = beamSamples[0]
    const last = beamSamples.at(-1)

    const ratio = fitCanvas(canvas)
    const ctx = context2d(canvas)
    const W = canvas.width
    const H = canvas.height
    const pad = { left: 48 * ratio, right: 8 * ratio, top: 8 * ratio, bottom: 24 * ratio }
    const plotW = Math.max(1, Math.floor(W - pad.left - pad.right))
    const plotH = Math.max(1, Math.floor(H - pad.top - pad.bottom))
    ctx.clearRect(0, 0, W, H)

    const now = Date.now()
    const newest = last !== undefined ? Math.max(now, last.t) : now
    const oldest = first !== undefined ? Math.max(newest - RTI_SPAN_MS, first.t) : newest - 60_000
    // Until there is history the span grows with the data, so the first minutes fill the plot.
    const t0 = oldest
    const t1 = Math.max(newest, t0 + 60_000)
    const nrang = beamSamples.reduce((n, s) => Math.max(n, s.nrang), 0) || 75
    /** @param {number} t */
    const xOf = (t) => ((t - t0) / (t1 - t0)) * plotW

    // Each sample spans to the next one of the same beam, capped at the usual
    // revisit time so a data gap stays visible as a gap.
    const gaps = []
    for (let i = 1; i < beamSamples.length; i++) {
      gaps.push(/** @type {Sample} */ (beamSamples[i]).t - /** @type {Sample} */ (beamSamples[i - 1]).t)
    }
    gaps.sort((a, b) => a - b)
    const typicalGap = gaps[Math.floor(gaps.length / 2)] ?? 3_000
    const image = ctx.createImageData(plotW, plotH)
    const pixels = image.data
    const [bgR, bgG, bgB] = hexToRgb(css("--plot-bg"))
    for (let p = 0; p < pixels.length; p += 4) {
      pixels[p] = bgR
      pixels[p + 1] = bgG
      pixels[p + 2] = bgB
      pixels[p + 3] = 255
    }
    const lut = LUTS[quantity.ramp]
    const scale = 255 / (quantity.max - quantity.min)
    for (let i = 0; i < beamSamples.length; i++) {
      const s = /** @type {Sample} */ (beamSamples[i])
      const next = beamSamples[i + 1]
      const duration = Math.min(next === undefined ? typicalGap : next.t - s.t, typicalGap * 2)
      const x0 = Math.max(0, Math.floor(xOf(s.t)))
      const x1 = Math.min(plotW, Math.max(x0 + 1, Math.ceil(xOf(s.t + duration))))
      const values = s[quantity.key]
      for (let g = 0; g < s.nrang; g++) {
        const value = /** @type {number} */ (values[g])
        const hasEcho = s.echo === undefined ? value !== 0 && !Number.isNaN(value) : s.echo[g] === 1
        if (!hasEcho || Number.isNaN(value)) continue
        let r, gr, b
        if (view.quantity === "velocity" && s.ground[g] === 1) {
          ;[r, gr, b] = GROUND_SCATTER
        } else {
          const index = Math.max(0, Math.min(255, Math.round((value - quantity.min) * scale))) * 3
          r = /** @type {number} */ (lut[index])
          gr = /** @type {number} */ (lut[index + 1])
          b = /** @type {number} */ (lut[index + 2])
        }
        const y1 = plotH - Math.floor((g / nrang) * plotH)
        const y0 = plotH - Math.floor(((g + 1) / nrang) * plotH)
        for (let y = Math.max(0, y0); y < Math.min(plotH, y1); y++) {
          let p = (y * plotW + x0) * 4
          for (let x = x0; x < x1; x++, p += 4) {
            pixels[p] = r
            pixels[p + 1] = gr
            pixels[p + 2] = b
          }
        }
      }
    }
    ctx.putImageData(image, pad.left, pad.top)

    // Axes: gates on the left, UTC time below.
    ctx.strokeStyle = css("--muted")
    ctx.fillStyle = css("--muted")
    ctx.lineWidth = ratio
    ctx.strokeRect(pad.left - 0.5, pad.top - 0.5, plotW + 1, plotH + 1)
    ctx.font = `${11 * ratio}px system-ui, sans-serif`
    ctx.textAlign = "right"
    ctx.textBaseline = "middle"
    const gateStep = nrang > 60 ? 20 : 10
    for (let g = 0; g <= nrang; g += gateStep) {
      const y = pad.top + plotH - (g / nrang) * plotH
      ctx.fillText(String(g), pad.left - 6 * ratio, y)
    }
    ctx.save()
    ctx.translate(12 * ratio, pad.top + plotH / 2)
    ctx.rotate(-Math.PI / 2)
    ctx.textAlign = "center"
    ctx.fillText("range gate", 0, 0)
    ctx.restore()
    ctx.textAlign = "center"
    ctx.textBaseline = "top"
    const step = TIME_STEPS_MS.find((ms) => (t1 - t0) / ms <= 8) ?? 3600_000
    const label = step < 60_000 ? utcClock : utcMinutes
    for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) {
      const x = pad.left + xOf(t)
      const text = label(t)
      ctx.fillRect(x, pad.top + plotH, ratio, 4 * ratio)
      if (x + ctx.measureText(text).width / 2 <= W) ctx.fillText(text, x, pad.top + plotH + 6 * ratio)
    }

    drawColourBar(colourBar, quantity)
    const subject = radar === undefined ? "no radar selected" : `${radar.site}${radar.name ? ` (${radar.name})` : ""}`
    const where = shownKey === undefined ? "waiting for records" : beamLabel(shownKey)
    const text = `${subject}, ${where}: ${quantity.label.toLowerCase()} (${quantity.unit}) by range gate over time, `
      + `${beamSamples.length} record${beamSamples.length === 1 ? "" : "s"}`
      + (last !== undefined ? `, latest ${utcClock(last.t)} UTC` : "")
    caption.textContent = text
    canvas.setAttribute("aria-label", `Range–time plot: ${text}`)
  }

  /** Draws at the next frame, once however many records arrive before it. */
  const schedule = () => {
    if (pending) return
    pending = true
    requestAnimationFrame(() => {
      pending = false
      draw()
    })
  }

  return { draw, schedule }
}
