// @ts-check
// The archive collectors' table: per institution its phase, last run and next
// run, from GET /health's `collectors` section (fetched every
// COLLECTORS_REFRESH_MS). The section stays hidden while no collectors run in
// the hub's process (`serve --archive-config`).

import { dash, formatCount } from "./format.js"

/**
 * @typedef {object} CollectorLastRun
 * @property {string | null} started_at
 * @property {string} finished_at
 * @property {string} outcome
 * @property {number} collected
 * @property {number} duplicates
 * @property {number} conflicts
 * @property {number} refused
 * @property {number} failed
 */

/**
 * @typedef {object} CollectorHealth
 * @property {"idle" | "listing" | "fetching" | "tidying" | "backing off"} phase
 * @property {string} phase_since
 * @property {number} runs
 * @property {CollectorLastRun | null} last_run
 * @property {string | null} next_run_at
 * @property {number} consecutive_failures
 * @property {string | null} last_error
 */

const COLLECTORS_REFRESH_MS = 15_000

const COLUMNS = [
  "Institution",
  "Phase",
  "Last run ended",
  "Outcome",
  "Collected",
  "Duplicates",
  "Conflicts",
  "Refused",
  "Failed",
  "Next run",
  "Failures in a row",
  "Last error"
]

/** @param {string | null | undefined} iso */
const utcTime = (iso) => (iso === null || iso === undefined ? dash : `${iso.slice(0, 16).replace("T", " ")} UTC`)

/**
 * @param {string} institution
 * @param {CollectorHealth} collector
 */
const collectorRow = (institution, collector) => {
  const run = collector.last_run
  const cells = [
    institution,
    collector.phase,
    utcTime(run?.finished_at),
    run?.outcome ?? dash,
    formatCount(run?.collected),
    formatCount(run?.duplicates),
    formatCount(run?.conflicts),
    formatCount(run?.refused),
    formatCount(run?.failed),
    collector.phase === "idle" ? utcTime(collector.next_run_at) : dash,
    formatCount(collector.consecutive_failures),
    collector.last_error ?? dash
  ]
  const row = document.createElement("tr")
  for (const text of cells) {
    const cell = document.createElement("td")
    cell.textContent = text
    row.append(cell)
  }
  row.dataset["phase"] = collector.phase
  return row
}

/**
 * Builds the (hidden) section at the end of `main` and starts fetching /health.
 * @param {HTMLElement} main
 */
export const mountCollectors = (main) => {
  const section = document.createElement("section")
  section.id = "collectors"
  section.setAttribute("aria-labelledby", "collectors-heading")
  section.hidden = true
  const heading = document.createElement("h2")
  heading.id = "collectors-heading"
  heading.textContent = "Archive collectors"
  const table = document.createElement("table")
  const head = document.createElement("tr")
  for (const title of COLUMNS) {
    const th = document.createElement("th")
    th.textContent = title
    th.setAttribute("scope", "col")
    head.append(th)
  }
  const thead = document.createElement("thead")
  thead.append(head)
  const rows = document.createElement("tbody")
  table.append(thead, rows)
  const wrap = document.createElement("div")
  wrap.className = "table-wrap"
  wrap.append(table)
  section.append(heading, wrap)
  main.append(section)

  const refresh = () =>
    // 503 still carries the report (the database is down, the collectors may not be).
    fetch("/health")
      .then((response) => response.json())
      .then((body) => {
        const collectors = /** @type {{ collectors?: Record<string, CollectorHealth> }} */ (body).collectors
        section.hidden = collectors === undefined
        if (collectors === undefined) return
        rows.replaceChildren(...Object.entries(collectors).map(([id, collector]) => collectorRow(id, collector)))
      }, () => undefined)

  void refresh()
  setInterval(refresh, COLLECTORS_REFRESH_MS)
}
