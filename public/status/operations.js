// @ts-check
// The operations section: per radar the transmitter status of its latest
// record (stat.agc/stat.lopwr flags and bits, noise, frequency, nave, intt,
// ercod, program) and its quality counters; the Canada feed's own state; and
// the last alerts (GET /alerts, fetched again every ALERTS_REFRESH_MS). It
// builds its own section, so the page's HTML does not change with it.

import { dash, formatAge, formatCount } from "./format.js"
import { isRadarSite } from "./radar-state.js"

/** @typedef {import("./types.js").RadarListEntry} RadarListEntry */
/** @typedef {import("./types.js").AlertPayload} AlertPayload */
/** @typedef {NonNullable<RadarListEntry["transmitter"]>} Transmitter */

/** The registry entry of the Canada publisher itself (src/domain/radar-status.ts CANADA_FEED_ENTRY). */
const CANADA_FEED = "canada"
const ALERTS_REFRESH_MS = 30_000
/** Ages are written again this often, between radar lists. */
const AGES_REFRESH_MS = 5_000

const COLUMNS = [
  ["Radar", ""],
  ["AGC", ""],
  ["Low power", ""],
  ["Noise search", "num"],
  ["Noise mean", "num"],
  ["Freq (kHz)", "num"],
  ["nave", "num"],
  ["intt (s)", "num"],
  ["ercod", "num"],
  ["cp", "num"],
  ["Last change", "num"],
  ["Quality", "num"]
]

/**
 * @param {string} tag
 * @param {string} [text]
 * @param {string} [className]
 */
const element = (tag, text, className) => {
  const node = document.createElement(tag)
  if (text !== undefined) node.textContent = text
  if (className !== undefined && className !== "") node.className = className
  return node
}

/**
 * A status word as people read it: "ok", or the word and its set bits.
 * @param {number} word
 * @param {ReadonlyArray<number>} bits
 */
export const statusWord = (word, bits) => {
  if (word === 0) return "ok"
  // A negative word (-1 from some radars) is shown as the 32 bits it is.
  const hex = `0x${(word >>> 0).toString(16)}`
  return bits.length <= 4 ? `${hex} (bit ${bits.join(", ")})` : `${hex} (${bits.length} bits)`
}

/**
 * The field that changed last and how long ago.
 * @param {Transmitter} t
 * @param {number} now
 */
export const lastChange = (t, now) => {
  /** @type {[string, number]} */
  let latest = ["", -Infinity]
  for (const [field, at] of Object.entries(t.changedAt)) if (at > latest[1]) latest = [field, at]
  return latest[0] === "" ? dash : `${latest[0]} ${formatAge(now - latest[1])} ago`
}

/**
 * "connected", "connecting…" (first attempt), or "unreachable since …" for the Canada feed's entry.
 * @param {RadarListEntry} entry
 * @param {number} now
 */
export const canadaLine = (entry, now) => {
  const up = entry.phase === "connected" || entry.phase === "receiving"
  if (up) return "Canada feed: connected"
  if (entry.phase === "connecting" && entry.lastError === null) return "Canada feed: connecting…"
  const reason = entry.lastError === null ? "" : ` (${entry.lastError})`
  const since = new Date(entry.phaseSince).toISOString().slice(0, 19).replace("T", " ")
  return `Canada feed: unreachable since ${since} UTC, ${formatAge(now - entry.phaseSince)} ago${reason}`
}

/**
 * @param {RadarListEntry} entry
 * @param {number} now
 */
const transmitterRow = (entry, now) => {
  const row = element("tr")
  const t = entry.transmitter
  const q = entry.quality
  const cell = (/** @type {string} */ text, /** @type {string} */ className = "", warn = false) => {
    const td = element("td", text, `${className}${warn ? " errors warn" : ""}`)
    row.append(td)
  }
  const site = element("td")
  site.append(element("span", entry.site, "code"))
  row.append(site)
  if (t === undefined) {
    cell("no record yet", "empty")
    for (let i = 2; i < COLUMNS.length - 1; i++) cell(dash)
  } else {
    cell(statusWord(t.agc, t.agcBits), "", t.agc !== 0)
    cell(statusWord(t.lopwr, t.lopwrBits), "", t.lopwr !== 0)
    cell(formatCount(t.noiseSearch), "num")
    cell(formatCount(t.noiseMean), "num")
    cell(formatCount(t.tfreq), "num")
    cell(String(t.nave), "num")
    cell(String(Math.round(t.intt * 100) / 100), "num")
    cell(String(t.ercod), "num", t.ercod !== 0)
    cell(String(t.cp), "num")
    cell(lastChange(t, now), "num")
  }
  const failed = q === undefined ? 0 : q.stationMismatch + q.clockSkew + q.timeBackwards + q.scanFlag
  cell(
    q === undefined ? "0" : [q.stationMismatch, q.clockSkew, q.timeBackwards, q.scanFlag].join(" · "),
    "num",
    failed > 0
  )
  return row
}

/**
 * @param {AlertPayload} alert
 */
const alertItem = (alert) => {
  const item = element("li")
  const at = element("time", `${alert.at.slice(0, 19).replace("T", " ")} UTC`)
  at.setAttribute("datetime", alert.at)
  item.append(at, ` · ${alert.summary}`)
  if (alert.detail !== null && alert.kind === "down") item.append(element("span", ` (${alert.detail})`, "name"))
  return item
}

/**
 * Builds the section at the end of `main` and starts fetching alerts.
 * @param {HTMLElement} main
 */
export const mountOperations = (main) => {
  const section = element("section")
  section.id = "operations"
  section.setAttribute("aria-labelledby", "operations-heading")
  const heading = element("h2", "Transmitters and alerts")
  heading.id = "operations-heading"
  const canada = element("p", "", "canada-feed")
  canada.setAttribute("role", "status")
  canada.hidden = true

  const table = element("table")
  table.id = "transmitters"
  table.append(
    element(
      "caption",
      "From each radar's latest record. Flags in red are set; quality counts records that failed a check."
    )
  )
  const head = element("tr")
  for (const [title, className] of COLUMNS) {
    const th = element("th", title, className)
    th.setAttribute("scope", "col")
    if (title === "Quality") th.title = "Records failing: station id · clock skew · time backwards · scan flag"
    head.append(th)
  }
  const thead = element("thead")
  thead.append(head)
  const rows = element("tbody")
  table.append(thead, rows)
  const wrap = element("div", undefined, "table-wrap")
  wrap.append(table)

  const alertsHeading = element("h3", "Last alerts")
  const alerts = element("ol", undefined, "alerts")
  alerts.id = "alerts"
  const noAlerts = element("p", "No alerts.", "empty")
  section.append(heading, canada, wrap, alertsHeading, alerts, noAlerts)
  main.append(section)

  /** @type {RadarListEntry[]} */
  let latest = []

  const render = () => {
    const now = Date.now()
    const feed = latest.find((entry) => entry.site === CANADA_FEED)
    canada.hidden = feed === undefined
    if (feed !== undefined) canada.textContent = canadaLine(feed, now)
    rows.replaceChildren(
      ...latest.filter((entry) => isRadarSite(entry.site)).map((entry) => transmitterRow(entry, now))
    )
  }

  const refreshAlerts = () =>
    fetch("/alerts")
      .then((response) => (response.ok ? response.json() : undefined))
      .then((body) => {
        if (!Array.isArray(body)) return
        const list = /** @type {AlertPayload[]} */ (body)
        alerts.replaceChildren(...list.map(alertItem))
        noAlerts.hidden = list.length > 0
      }, () => undefined)

  void refreshAlerts()
  setInterval(refreshAlerts, ALERTS_REFRESH_MS)
  setInterval(render, AGES_REFRESH_MS)

  return {
    /** @param {RadarListEntry[]} list the `radars` event or GET /radars, the Canada feed's entry included */
    update: (list) => {
      latest = list.filter((entry) => typeof entry?.site === "string")
      render()
    }
  }
}
