// @ts-check
// The radar table: one row per radar, sorted by site, updated as records and
// radar lists arrive; its site buttons select the radar the detail shows.

import { dash, formatAge, formatCount } from "./format.js"

/** @typedef {import("./types.js").Radar} Radar */

const RATE_WINDOW_MS = 60_000

/**
 * @typedef {object} RowCells
 * @property {HTMLTableRowElement} row
 * @property {HTMLButtonElement} button
 * @property {HTMLSpanElement} name
 * @property {HTMLTableCellElement} state
 * @property {HTMLSpanElement} badge
 * @property {HTMLTableCellElement} age
 * @property {HTMLTableCellElement} rate
 * @property {HTMLTableCellElement} decodeErrors
 * @property {HTMLTableCellElement} reconnects
 * @property {HTMLTableCellElement} freq
 * @property {HTMLTableCellElement} cp
 * @property {HTMLTableCellElement} beam
 * @property {HTMLTableCellElement} spark
 */

/** @param {string} className */
const cell = (className) => {
  const td = document.createElement("td")
  td.className = className
  return td
}

/**
 * @param {{ body: HTMLElement, empty: HTMLElement, onSelect: (site: string) => void }} options
 */
export const createRadarTable = ({ body, empty, onSelect }) => {
  /** @type {Map<string, RowCells>} */
  const rows = new Map()
  const openedAt = Date.now()

  /** @param {Radar} radar @returns {RowCells} */
  const add = (radar) => {
    const row = document.createElement("tr")
    row.dataset["site"] = radar.site
    const siteCell = document.createElement("th")
    siteCell.scope = "row"
    const button = document.createElement("button")
    button.type = "button"
    button.className = "site"
    button.setAttribute("aria-pressed", "false")
    button.addEventListener("click", () => onSelect(radar.site))
    const code = document.createElement("span")
    code.className = "code"
    code.textContent = radar.site
    const name = document.createElement("span")
    name.className = "name"
    button.append(code, name)
    siteCell.append(button)
    const badge = document.createElement("span")
    badge.className = "badge"
    /** @type {RowCells} */
    const cells = {
      row,
      button,
      name,
      state: cell("state"),
      badge,
      age: cell("num age"),
      rate: cell("num rate"),
      decodeErrors: cell("num errors"),
      reconnects: cell("num reconnects"),
      freq: cell("num freq"),
      cp: cell("cp"),
      beam: cell("num beam"),
      spark: cell("spark")
    }
    cells.state.append(badge)
    row.append(
      siteCell,
      cells.state,
      cells.age,
      cells.rate,
      cells.decodeErrors,
      cells.reconnects,
      cells.freq,
      cells.cp,
      cells.beam,
      cells.spark
    )
    const after = [...rows.values()].map((other) => other.row).find((other) =>
      (other.dataset["site"] ?? "") > radar.site
    )
    body.insertBefore(row, after ?? null)
    rows.set(radar.site, cells)
    empty.hidden = true
    return cells
  }

  /** @param {Radar} radar */
  const cellsOf = (radar) => rows.get(radar.site) ?? add(radar)

  /**
   * The columns that change with the clock alone.
   * @param {Radar} radar
   * @param {number} now
   */
  const renderClock = (radar, now) => {
    const cells = cellsOf(radar)
    cells.age.textContent = formatAge(radar.lastSeen === undefined ? undefined : now - radar.lastSeen)
    while (radar.arrivals.length > 0 && /** @type {number} */ (radar.arrivals[0]) < now - RATE_WINDOW_MS) {
      radar.arrivals.shift()
    }
    const span = Math.min(RATE_WINDOW_MS, now - openedAt)
    cells.rate.textContent = span < 5_000 ? dash : (radar.arrivals.length * 60_000 / span).toFixed(1)
  }

  /** @param {Radar} radar */
  const render = (radar) => {
    const cells = cellsOf(radar)
    cells.name.textContent = radar.name
    cells.button.title = [radar.name, radar.operator].filter(Boolean).join(" · ")
    cells.badge.textContent = radar.state
    cells.badge.dataset["state"] = radar.state
    cells.state.title = radar.lastError ? `last error: ${radar.lastError}` : ""
    cells.decodeErrors.textContent = formatCount(radar.decodeErrors)
    cells.decodeErrors.classList.toggle("warn", (radar.decodeErrors ?? 0) > 0)
    cells.reconnects.textContent = formatCount(radar.reconnects)
    const packet = radar.packet
    cells.freq.textContent = packet ? formatCount(packet.freq) : dash
    cells.cp.textContent = packet ? packet.cp : dash
    cells.beam.textContent = packet
      ? (packet.channel ? `${packet.beam} · ch ${packet.channel}` : String(packet.beam))
      : dash
    renderClock(radar, Date.now())
  }

  /** @param {string} site */
  const select = (site) => {
    for (const [other, cells] of rows) {
      cells.button.setAttribute("aria-pressed", String(other === site))
      cells.row.classList.toggle("selected", other === site)
    }
  }

  /** @param {Radar} radar */
  const sparkCell = (radar) => cellsOf(radar).spark

  /** @param {boolean} none */
  const showEmpty = (none) => {
    empty.hidden = !none
  }

  return { add, render, renderClock, select, sparkCell, showEmpty }
}
