// @ts-check
// Echo counts per scan: the recent history from GET /echoes/, live scans from
// the `<site>/echoes` events, drawn as a sparkline per table row and as the
// selected radar's chart (uPlot, served from the installed npm package).

import { css, dash, utcMinutes } from "./format.js"
import { addEchoes, ECHO_HOURS } from "./radar-state.js"

/** @typedef {import("./types.js").Radar} Radar */
/** @typedef {import("./types.js").EchoesEvent} EchoesEvent */

/** At least the last 15 minutes, growing with the data up to ECHO_HOURS, always ending now. */
const ECHO_MIN_SPAN_S = 15 * 60

/** @type {uPlot.Range.Function} */
const echoTimeRange = (_u, min) => {
  const now = Date.now() / 1000
  const start = min === null || !Number.isFinite(min) ? now - ECHO_MIN_SPAN_S : Math.min(min, now - ECHO_MIN_SPAN_S)
  return [start, now]
}

/**
 * The last ECHO_HOURS of a radar's stored scans; a failure leaves the chart to the live events.
 * @param {Radar} radar
 */
export const loadEchoHistory = async (radar) => {
  const end = new Date()
  const start = new Date(end.getTime() - ECHO_HOURS * 3600_000)
  const query = new URLSearchParams({ site_name: radar.site, start: start.toISOString(), end: end.toISOString() })
  try {
    const response = await fetch(`/echoes/?${query}`)
    if (!response.ok) return false
    /** @type {Partial<import("../../src/http/echoes-body.js").EchoColumns>} */
    const body = await response.json()
    const timestamps = body.timestamp ?? []
    for (let i = 0; i < timestamps.length; i++) {
      addEchoes(radar, {
        t: Date.parse(/** @type {string} */ (timestamps[i])),
        total: body.total_echoes?.[i] ?? null,
        ionospheric: body.ionospheric_echoes?.[i] ?? null,
        groundScatter: body.ground_scatter_echoes?.[i] ?? null
      })
    }
    return true
  } catch {
    // The history is a nicety; live echo events still fill the chart.
    return false
  }
}

/**
 * A `<site>/echoes` event. Like /echoes/, the chart follows the lowest
 * channel: a stereo radar's main channel. Returns whether the series changed.
 * @param {Radar} radar
 * @param {EchoesEvent} event
 */
export const applyEchoesEvent = (radar, event) => {
  const channel = event.channel ?? 0
  if (radar.echoChannel === undefined || channel < radar.echoChannel) radar.echoChannel = channel
  if (channel !== radar.echoChannel) return false
  addEchoes(radar, {
    t: Date.parse(event.timestamp),
    total: event.total_echoes,
    ionospheric: event.ionospheric_echoes,
    groundScatter: event.ground_scatter_echoes
  })
  return true
}

/** @param {HTMLElement} target */
const makeSparkline = (target) =>
  new uPlot(
    {
      width: 130,
      height: 34,
      pxAlign: false,
      cursor: { show: false },
      select: { show: false, left: 0, top: 0, width: 0, height: 0 },
      legend: { show: false },
      scales: { x: { time: true, range: echoTimeRange }, y: { range: (_u, _min, max) => [0, Math.max(1, max ?? 1)] } },
      axes: [{ show: false }, { show: false }],
      // uPlot shows points by itself while scans are sparse, so a single scan is visible.
      series: [{}, { stroke: css("--accent"), fill: css("--accent-fill"), width: 1.5, points: { size: 4 } }]
    },
    [[], []],
    target
  )

/** @param {HTMLElement} target */
const makeEchoChart = (target) => {
  const axis = { stroke: css("--muted"), grid: { stroke: css("--grid"), width: 1 }, ticks: { stroke: css("--grid") } }
  return new uPlot(
    {
      width: Math.max(300, target.clientWidth),
      height: 200,
      scales: { x: { time: true, range: echoTimeRange }, y: { range: (_u, _min, max) => [0, Math.max(5, max ?? 5)] } },
      axes: [
        { ...axis, values: (_u, splits) => splits.map((t) => utcMinutes(t * 1000)) },
        { ...axis, label: "mean echoes per record", labelSize: 18 }
      ],
      series: [
        { value: (_u, v) => (v === null ? dash : `${utcMinutes(v * 1000)} UTC`) },
        { label: "total", stroke: css("--accent"), width: 2 },
        { label: "ionospheric", stroke: css("--iono"), width: 1.5 },
        { label: "ground scatter", stroke: css("--ground"), width: 1.5 }
      ],
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC")
    },
    [[], [], [], []],
    target
  )
}

/**
 * @param {{ chart: HTMLElement, heading: HTMLElement }} options
 */
export const createEchoCharts = ({ chart, heading }) => {
  // Without uPlot (its script failed to load) the table and the plot still work.
  const plotting = typeof uPlot !== "undefined"
  const selected = plotting ? makeEchoChart(chart) : undefined
  /** @type {Map<string, uPlot>} */
  const sparklines = new Map()
  /** @type {string | undefined} */
  let shown

  /**
   * @param {Radar} radar
   * @param {HTMLElement} cell the table cell of its sparkline
   */
  const render = (radar, cell) => {
    const e = radar.echoes
    if (plotting && !sparklines.has(radar.site)) sparklines.set(radar.site, makeSparkline(cell))
    sparklines.get(radar.site)?.setData([e.t, e.total])
    cell.dataset["scans"] = String(e.t.length)
    const latest = e.t.at(-1)
    cell.title = latest === undefined
      ? "no scans stored yet"
      : `${e.t.length} scans; latest ${e.total.at(-1)} echoes per record at ${utcMinutes(latest * 1000)} UTC`
    if (shown === radar.site) selected?.setData([e.t, e.total, e.ionospheric, e.groundScatter])
  }

  /**
   * @param {Radar} radar
   * @param {HTMLElement} cell
   */
  const select = (radar, cell) => {
    shown = radar.site
    heading.textContent = `Echoes per scan · ${radar.site} · last ${ECHO_HOURS} h (UTC)`
    render(radar, cell)
  }

  const resize = () => selected?.setSize({ width: Math.max(300, chart.clientWidth), height: 200 })

  return { render, select, resize }
}
