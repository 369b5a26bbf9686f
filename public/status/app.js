// @ts-check
// The live status page's main module: it keeps the radars' state and wires
// the page's sections to it. One Socket.IO connection brings packets, echo
// counts and radar states; /echoes/ the recent history. No build step: these
// modules are served as they are, next to uPlot from the installed package.
//
// Sections, one module each:
//   connection.js   the Socket.IO feed and the header's connection state
//   radar-table.js  the table of radars
//   range-time.js   the selected radar's range–time plot
//   echo-charts.js  echo counts per scan: sparklines and the selected radar's chart
//   fan-map.js      the fan map (#fan-map)
//   collectors.js   the archive collectors, from /health
// radar-state.js holds what a packet, a radar list or an echo count changes.

import { mountCollectors } from "./collectors.js"
import { connectFeed } from "./connection.js"
import { applyEchoesEvent, createEchoCharts, loadEchoHistory } from "./echo-charts.js"
import { mountFanMap } from "./fan-map.js"
import { byId, utcClock } from "./format.js"
import { mountOperations } from "./operations.js"
import { applyListEntry, applyPacket, isRadarSite, newRadar } from "./radar-state.js"
import { createRadarTable } from "./radar-table.js"
import { createRangeTimePlot } from "./range-time.js"

/** @typedef {import("./types.js").Radar} Radar */
/** @typedef {import("./types.js").View} View */
/** @typedef {import("./types.js").RadarListEntry} RadarListEntry */

/** Range–time samples kept per radar: enough for the selected one, small for the rest. */
const SAMPLES_SELECTED = 4000
const SAMPLES_OTHERS = 300

/** site -> everything the page knows about one radar. */
/** @type {Map<string, Radar>} */
const radars = new Map()
/** @type {View} */
const view = { site: undefined, beamKey: "auto", quantity: "power" }

const siteSelect = byId("site-select", HTMLSelectElement)
const table = createRadarTable({
  body: byId("radar-rows", HTMLElement),
  empty: byId("no-radars", HTMLElement),
  onSelect: selectSite
})
const echoCharts = createEchoCharts({
  chart: byId("echo-chart", HTMLElement),
  heading: byId("echo-chart-heading", HTMLElement)
})
const rangeTime = createRangeTimePlot({
  canvas: byId("rti", HTMLCanvasElement),
  colourBar: byId("colour-bar", HTMLCanvasElement),
  caption: byId("rti-caption", HTMLElement),
  beamSelect: byId("beam-select", HTMLSelectElement),
  view,
  radar: () => (view.site === undefined ? undefined : radars.get(view.site))
})
const fanMap = mountFanMap(byId("fan-map", HTMLElement))
// Transmitter status, the Canada feed and the last alerts (operations.js), in a section of its own.
const operations = mountOperations(byId("fan-map", HTMLElement).parentElement ?? document.body)
// The archive collectors (collectors.js), shown only when they run in the hub's process.
mountCollectors(byId("fan-map", HTMLElement).parentElement ?? document.body)

/** @param {string} site */
const radarFor = (site) => {
  let radar = radars.get(site)
  if (radar === undefined) {
    radar = newRadar(site)
    radars.set(site, radar)
    table.render(radar)
    echoCharts.render(radar, table.sparkCell(radar))
    const loaded = radar
    void loadEchoHistory(loaded).then((changed) => changed && echoCharts.render(loaded, table.sparkCell(loaded)))
    if (view.site === undefined) selectSite(site)
    refreshSiteSelect()
  }
  return radar
}

function refreshSiteSelect() {
  const sites = [...radars.keys()].sort()
  if ([...siteSelect.options].map((o) => o.value).join() !== sites.join()) {
    siteSelect.replaceChildren(...sites.map((site) => new Option(site, site)))
  }
  if (view.site !== undefined) siteSelect.value = view.site
}

/** @param {string} site */
function selectSite(site) {
  view.site = site
  view.beamKey = "auto"
  table.select(site)
  refreshSiteSelect()
  byId("detail-heading", HTMLElement).textContent = `Range–time · ${site}`
  const radar = radars.get(site)
  if (radar !== undefined) echoCharts.select(radar, table.sparkCell(radar))
  fanMap.select(site)
  rangeTime.schedule()
}

/** @param {unknown} list the `radars` event or GET /radars */
const onRadars = (list) => {
  if (!Array.isArray(list)) return
  operations.update(/** @type {RadarListEntry[]} */ (list))
  for (const entry of /** @type {RadarListEntry[]} */ (list)) {
    if (typeof entry?.site !== "string" || !isRadarSite(entry.site)) continue
    const radar = radarFor(entry.site)
    applyListEntry(radar, entry)
    table.render(radar)
    fanMap.update(radar)
  }
  table.showEmpty(radars.size === 0)
}

connectFeed(byId("connection", HTMLElement), {
  radars: onRadars,
  packet: (site, packet, live) => {
    const radar = radarFor(site)
    if (!applyPacket(radar, packet, live, view.site === site ? SAMPLES_SELECTED : SAMPLES_OTHERS)) return
    table.render(radar)
    fanMap.update(radar)
    if (view.site === site) rangeTime.schedule()
  },
  echoes: (site, event) => {
    const radar = radarFor(site)
    if (applyEchoesEvent(radar, event)) echoCharts.render(radar, table.sparkCell(radar))
  }
})

siteSelect.addEventListener("change", () => selectSite(siteSelect.value))
const beamSelect = byId("beam-select", HTMLSelectElement)
beamSelect.addEventListener("change", () => {
  view.beamKey = beamSelect.value
  rangeTime.schedule()
})
for (const input of document.querySelectorAll("input[name=quantity]")) {
  input.addEventListener("change", () => {
    if (input instanceof HTMLInputElement && (input.value === "power" || input.value === "velocity")) {
      view.quantity = input.value
      rangeTime.schedule()
    }
  })
}
byId("controls", HTMLFormElement).addEventListener("submit", (event) => event.preventDefault())

const clock = byId("clock", HTMLTimeElement)
const tick = () => {
  const now = Date.now()
  clock.textContent = utcClock(now)
  clock.dateTime = new Date(now).toISOString()
  for (const radar of radars.values()) table.renderClock(radar, now)
}

window.addEventListener("resize", () => {
  echoCharts.resize()
  rangeTime.schedule()
})
setInterval(tick, 1000)
setInterval(rangeTime.schedule, 5000)
tick()
rangeTime.draw()
fetch("/radars").then((r) => (r.ok ? r.json() : [])).then(onRadars, () => undefined)
