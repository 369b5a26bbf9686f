// The live status page: one Socket.IO connection for packets, echo counts and
// radar states, /echoes/ for the recent history. No build step: this file is
// served as it is, next to uPlot from the installed npm package.

const ECHO_HOURS = 6
const RATE_WINDOW_MS = 60_000
const STATES_EVERY_MS = 5_000
const RTI_SPAN_MS = 2 * 3600_000
/** Range–time samples kept per radar: enough for the selected one, small for the rest. */
const SAMPLES_SELECTED = 4000
const SAMPLES_OTHERS = 300
const SITE_EVENT = /^[a-z]{3}$/
const ECHO_EVENT = /^([a-z]{3})\/echoes$/

const QUANTITIES = {
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
const GROUND_SCATTER = [140, 140, 140]

const hexToRgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16))

/** 256 RGB entries interpolated between the stops. */
const lookupTable = (stops) => {
  const rgb = stops.map(hexToRgb)
  const table = new Uint8ClampedArray(256 * 3)
  for (let i = 0; i < 256; i++) {
    const at = (i / 255) * (rgb.length - 1)
    const lo = Math.floor(at)
    const hi = Math.min(lo + 1, rgb.length - 1)
    const f = at - lo
    for (let c = 0; c < 3; c++) table[i * 3 + c] = rgb[lo][c] + (rgb[hi][c] - rgb[lo][c]) * f
  }
  return table
}
const LUTS = { viridis: lookupTable(RAMPS.viridis), velocity: lookupTable(RAMPS.velocity) }

// ---------------------------------------------------------------- state

/** site -> everything the page knows about one radar. */
const radars = new Map()
const view = { site: undefined, beamKey: "auto", quantity: "power" }
const pageOpenedAt = Date.now()

const $ = (id) => document.getElementById(id)
const rows = $("radar-rows")

const radarFor = (site) => {
  let radar = radars.get(site)
  if (radar === undefined) {
    radar = {
      site,
      name: "",
      operator: "",
      state: "unknown",
      decodeErrors: undefined,
      reconnects: undefined,
      lastError: undefined,
      lastSeen: undefined,
      packet: undefined,
      arrivals: [],
      samples: [],
      echoes: { t: [], total: [], ionospheric: [], groundScatter: [] },
      echoChannel: undefined,
      row: undefined,
      spark: undefined
    }
    radars.set(site, radar)
    addRow(radar)
    loadEchoes(radar)
    if (view.site === undefined) selectSite(site)
    refreshSiteSelect()
  }
  return radar
}

// ---------------------------------------------------------------- formatting

const dash = "—"
const formatCount = (n) => (n === undefined || n === null ? dash : Number(n).toLocaleString("en"))
const formatAge = (ms) => {
  if (ms === undefined) return dash
  const s = Math.max(0, Math.round(ms / 1000))
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`
}
const utcClock = (ms) => new Date(ms).toISOString().slice(11, 19)
const utcMinutes = (ms) => new Date(ms).toISOString().slice(11, 16)

// ---------------------------------------------------------------- radar table

const cell = (className) => {
  const td = document.createElement("td")
  if (className) td.className = className
  return td
}

function addRow(radar) {
  const tr = document.createElement("tr")
  tr.dataset.site = radar.site
  const siteCell = document.createElement("th")
  siteCell.scope = "row"
  const button = document.createElement("button")
  button.type = "button"
  button.className = "site"
  button.setAttribute("aria-pressed", "false")
  button.addEventListener("click", () => selectSite(radar.site))
  const code = document.createElement("span")
  code.className = "code"
  code.textContent = radar.site
  const name = document.createElement("span")
  name.className = "name"
  button.append(code, name)
  siteCell.append(button)
  const cells = {
    button,
    name,
    state: cell("state"),
    age: cell("num age"),
    rate: cell("num rate"),
    decodeErrors: cell("num errors"),
    reconnects: cell("num reconnects"),
    freq: cell("num freq"),
    cp: cell("cp"),
    beam: cell("num beam"),
    spark: cell("spark")
  }
  const badge = document.createElement("span")
  badge.className = "badge"
  cells.state.append(badge)
  cells.badge = badge
  tr.append(siteCell, cells.state, cells.age, cells.rate, cells.decodeErrors, cells.reconnects, cells.freq, cells.cp,
    cells.beam, cells.spark)
  radar.row = cells
  const sorted = [...rows.children].find((other) => other.dataset.site > radar.site)
  rows.insertBefore(tr, sorted ?? null)
  $("no-radars").hidden = true
  radar.spark = makeSparkline(cells.spark)
  renderRow(radar)
}

function renderRow(radar) {
  const cells = radar.row
  cells.name.textContent = radar.name
  cells.button.title = [radar.name, radar.operator].filter(Boolean).join(" · ")
  cells.badge.textContent = radar.state
  cells.badge.dataset.state = radar.state
  cells.state.title = radar.lastError ? `last error: ${radar.lastError}` : ""
  cells.decodeErrors.textContent = formatCount(radar.decodeErrors)
  cells.decodeErrors.classList.toggle("warn", (radar.decodeErrors ?? 0) > 0)
  cells.reconnects.textContent = formatCount(radar.reconnects)
  const packet = radar.packet
  cells.freq.textContent = packet ? formatCount(packet.freq) : dash
  cells.cp.textContent = packet ? packet.cp : dash
  cells.beam.textContent = packet ? (packet.channel ? `${packet.beam} · ch ${packet.channel}` : String(packet.beam)) : dash
  renderClock(radar, Date.now())
}

/** The columns that change with the clock alone. */
function renderClock(radar, now) {
  const cells = radar.row
  const age = radar.lastSeen === undefined ? undefined : now - radar.lastSeen
  cells.age.textContent = formatAge(age)
  while (radar.arrivals.length > 0 && radar.arrivals[0] < now - RATE_WINDOW_MS) radar.arrivals.shift()
  const span = Math.min(RATE_WINDOW_MS, now - pageOpenedAt)
  cells.rate.textContent = span < 5_000 ? dash : (radar.arrivals.length * 60_000 / span).toFixed(1)
}

// ---------------------------------------------------------------- radar states

/** The `radars` event and GET /radars: each configured radar with its live state. */
function onRadars(list) {
  if (!Array.isArray(list)) return
  for (const entry of list) {
    if (typeof entry?.site !== "string") continue
    const radar = radarFor(entry.site)
    radar.name = entry.name ?? ""
    radar.operator = entry.operator ?? ""
    radar.state = entry.phase
    radar.decodeErrors = entry.counters?.decodeErrors
    radar.reconnects = entry.counters?.reconnects
    radar.lastError = entry.lastError ?? undefined
    if (radar.lastSeen === undefined && typeof entry.lastRecordAt === "number") radar.lastSeen = entry.lastRecordAt
    renderRow(radar)
  }
  $("no-radars").hidden = radars.size > 0
}

// ---------------------------------------------------------------- packets

const packetTime = (packet) => {
  const iso = packet.time_iso ?? (typeof packet.time === "string" ? `${packet.time.replace(" ", "T")}Z` : undefined)
  const t = iso === undefined ? NaN : Date.parse(iso)
  return Number.isFinite(t) ? t : Date.now()
}

function onPacket(site, packet, live) {
  if (packet === null || typeof packet !== "object") return
  const radar = radarFor(site)
  const now = Date.now()
  if (live) radar.arrivals.push(now)
  const t = packetTime(packet)
  if (radar.packet !== undefined && packetTime(radar.packet) === t && radar.packet.channel === packet.channel) return
  radar.packet = packet
  radar.lastSeen = live ? now : Math.min(now, t)
  if (radar.state === "unknown" || radar.state === "connecting") radar.state = "receiving"
  addSample(radar, packet, t)
  renderRow(radar)
  if (view.site === site) scheduleRti()
}

function addSample(radar, packet, t) {
  const nrang = packet.nrang | 0
  const gates = (name) => {
    const out = new Float32Array(nrang).fill(NaN)
    const values = packet[name]
    if (Array.isArray(values)) {
      for (let g = 0; g < nrang && g < values.length; g++) if (typeof values[g] === "number") out[g] = values[g]
    }
    return out
  }
  // Gate arrays hold 0 where there is no echo; slist tells the echoes apart from real zeros.
  const echo = new Uint8Array(nrang)
  const slist = Array.isArray(packet.slist) ? packet.slist : undefined
  if (slist !== undefined) for (const g of slist) if (g >= 0 && g < nrang) echo[g] = 1
  const ground = new Uint8Array(nrang)
  if (Array.isArray(packet.g_scatter)) for (let g = 0; g < nrang; g++) ground[g] = packet.g_scatter[g] === 1 ? 1 : 0
  const samples = radar.samples
  samples.push({
    t,
    beam: packet.beam,
    channel: packet.channel ?? 0,
    nrang,
    echo: slist === undefined ? undefined : echo,
    ground,
    power: gates("power"),
    velocity: gates("velocity")
  })
  if (samples.length > 1 && samples[samples.length - 2].t > t) samples.sort((a, b) => a.t - b.t)
  const keep = view.site === radar.site ? SAMPLES_SELECTED : SAMPLES_OTHERS
  if (samples.length > keep) samples.splice(0, samples.length - keep)
}

// ---------------------------------------------------------------- echo counts

async function loadEchoes(radar) {
  const end = new Date()
  const start = new Date(end.getTime() - ECHO_HOURS * 3600_000)
  const query = new URLSearchParams({ site_name: radar.site, start: start.toISOString(), end: end.toISOString() })
  try {
    const response = await fetch(`/echoes/?${query}`)
    if (!response.ok) return
    const body = await response.json()
    const history = (body.timestamp ?? []).map((ts, i) => ({
      t: Date.parse(ts),
      total: body.total_echoes?.[i] ?? null,
      ionospheric: body.ionospheric_echoes?.[i] ?? null,
      groundScatter: body.ground_scatter_echoes?.[i] ?? null
    }))
    for (const scan of history) addEchoes(radar, scan)
    renderEchoes(radar)
  } catch {
    // The history is a nicety; live echo events still fill the chart.
  }
}

function onEchoes(site, payload) {
  if (payload === null || typeof payload !== "object") return
  const radar = radarFor(site)
  // Like /echoes/, chart the lowest channel: a stereo radar's main channel.
  const channel = payload.channel ?? 0
  if (radar.echoChannel === undefined || channel < radar.echoChannel) radar.echoChannel = channel
  if (channel !== radar.echoChannel) return
  addEchoes(radar, {
    t: Date.parse(payload.timestamp),
    total: payload.total_echoes,
    ionospheric: payload.ionospheric_echoes,
    groundScatter: payload.ground_scatter_echoes
  })
  renderEchoes(radar)
}

/** Keeps the series ordered by time, without duplicates, within the window. */
function addEchoes(radar, scan) {
  if (!Number.isFinite(scan.t)) return
  const e = radar.echoes
  let i = e.t.length
  while (i > 0 && e.t[i - 1] > scan.t / 1000) i--
  if (i > 0 && e.t[i - 1] === scan.t / 1000) return
  e.t.splice(i, 0, scan.t / 1000)
  e.total.splice(i, 0, scan.total)
  e.ionospheric.splice(i, 0, scan.ionospheric)
  e.groundScatter.splice(i, 0, scan.groundScatter)
  const oldest = Date.now() / 1000 - ECHO_HOURS * 3600
  while (e.t.length > 0 && e.t[0] < oldest) {
    e.t.shift()
    e.total.shift()
    e.ionospheric.shift()
    e.groundScatter.shift()
  }
}

function renderEchoes(radar) {
  const e = radar.echoes
  radar.spark?.setData([e.t, e.total])
  const cell = radar.row.spark
  cell.dataset.scans = String(e.t.length)
  cell.title = e.t.length === 0
    ? "no scans stored yet"
    : `${e.t.length} scans; latest ${e.total.at(-1)} echoes per record at ${utcMinutes(e.t.at(-1) * 1000)} UTC`
  if (view.site === radar.site) echoChart?.setData([e.t, e.total, e.ionospheric, e.groundScatter])
}

const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim()

/** At least the last 15 minutes, growing with the data up to ECHO_HOURS, always ending now. */
const ECHO_MIN_SPAN_S = 15 * 60
const echoTimeRange = (_u, min) => {
  const now = Date.now() / 1000
  const start = min === null || !Number.isFinite(min) ? now - ECHO_MIN_SPAN_S : Math.min(min, now - ECHO_MIN_SPAN_S)
  return [start, now]
}

function makeSparkline(target) {
  if (typeof uPlot === "undefined") return undefined
  return new uPlot({
    width: 130,
    height: 34,
    pxAlign: false,
    cursor: { show: false },
    select: { show: false },
    legend: { show: false },
    scales: { x: { time: true, range: echoTimeRange }, y: { range: (_u, _min, max) => [0, Math.max(1, max ?? 1)] } },
    axes: [{ show: false }, { show: false }],
    // uPlot shows points by itself while scans are sparse, so a single scan is visible.
    series: [{}, { stroke: css("--accent"), fill: css("--accent-fill"), width: 1.5, points: { size: 4 } }]
  }, [[], []], target)
}

let echoChart
function makeEchoChart() {
  const target = $("echo-chart")
  const axis = { stroke: css("--muted"), grid: { stroke: css("--grid"), width: 1 }, ticks: { stroke: css("--grid") } }
  echoChart = new uPlot({
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
  }, [[], [], [], []], target)
}

// ---------------------------------------------------------------- range–time

const rtiCanvas = $("rti")
const barCanvas = $("colour-bar")
let rtiPending = false

function scheduleRti() {
  if (rtiPending) return
  rtiPending = true
  requestAnimationFrame(() => {
    rtiPending = false
    drawRti()
  })
}

const sampleKey = (s) => `${s.channel}:${s.beam}`
const TIME_STEPS_MS = [10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600].map((s) => s * 1000)

/** The beam shown when the viewer has not chosen one: the most frequent, so a camping beam wins. */
function autoBeam(samples) {
  const counts = new Map()
  for (const s of samples) counts.set(sampleKey(s), (counts.get(sampleKey(s)) ?? 0) + 1)
  let best
  let bestCount = 0
  for (const [key, count] of counts) {
    if (count > bestCount || (count === bestCount && samples.at(-1) && sampleKey(samples.at(-1)) === key)) {
      best = key
      bestCount = count
    }
  }
  return best
}

const beamLabel = (key) => {
  const [channel, beam] = key.split(":")
  return channel === "0" ? `beam ${beam}` : `beam ${beam} · ch ${channel}`
}

function refreshBeamSelect(samples, shownKey) {
  const select = $("beam-select")
  const keys = [...new Set(samples.map(sampleKey))].sort((a, b) => {
    const [ca, ba] = a.split(":").map(Number)
    const [cb, bb] = b.split(":").map(Number)
    return ca - cb || ba - bb
  })
  const wanted = ["auto", ...keys]
  const have = [...select.options].map((o) => o.value)
  if (wanted.join() !== have.join()) {
    select.replaceChildren(...wanted.map((key) => new Option(key === "auto" ? "auto" : beamLabel(key), key)))
    select.value = view.beamKey
  }
  select.options[0].textContent = shownKey === undefined ? "auto" : `auto (${beamLabel(shownKey)})`
}

function fitCanvas(canvas) {
  const ratio = window.devicePixelRatio || 1
  const width = Math.round(canvas.clientWidth * ratio)
  const height = Math.round(canvas.clientHeight * ratio)
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width
    canvas.height = height
  }
  return ratio
}

function drawRti() {
  const radar = view.site === undefined ? undefined : radars.get(view.site)
  const quantity = QUANTITIES[view.quantity]
  const samples = radar?.samples ?? []
  const shownKey = view.beamKey === "auto" ? autoBeam(samples) : view.beamKey
  refreshBeamSelect(samples, shownKey)
  const beamSamples = samples.filter((s) => sampleKey(s) === shownKey)

  const ratio = fitCanvas(rtiCanvas)
  const ctx = rtiCanvas.getContext("2d")
  const W = rtiCanvas.width
  const H = rtiCanvas.height
  const pad = { left: 48 * ratio, right: 8 * ratio, top: 8 * ratio, bottom: 24 * ratio }
  const plotW = Math.max(1, Math.floor(W - pad.left - pad.right))
  const plotH = Math.max(1, Math.floor(H - pad.top - pad.bottom))
  ctx.clearRect(0, 0, W, H)

  const now = Date.now()
  const newest = beamSamples.length > 0 ? Math.max(now, beamSamples.at(-1).t) : now
  const oldest = beamSamples.length > 0 ? Math.max(newest - RTI_SPAN_MS, beamSamples[0].t) : newest - 60_000
  // Until there is history the span grows with the data, so the first minutes fill the plot.
  const t0 = oldest
  const t1 = Math.max(newest, t0 + 60_000)
  const nrang = beamSamples.reduce((n, s) => Math.max(n, s.nrang), 0) || 75
  const xOf = (t) => ((t - t0) / (t1 - t0)) * plotW

  // Each sample spans to the next one of the same beam, capped at the usual
  // revisit time so a data gap stays visible as a gap.
  const gaps = []
  for (let i = 1; i < beamSamples.length; i++) gaps.push(beamSamples[i].t - beamSamples[i - 1].t)
  gaps.sort((a, b) => a - b)
  const typicalGap = gaps.length > 0 ? gaps[Math.floor(gaps.length / 2)] : 3_000
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
    const s = beamSamples[i]
    const next = beamSamples[i + 1]
    const duration = Math.min(next === undefined ? typicalGap : next.t - s.t, typicalGap * 2)
    const x0 = Math.max(0, Math.floor(xOf(s.t)))
    const x1 = Math.min(plotW, Math.max(x0 + 1, Math.ceil(xOf(s.t + duration))))
    const values = s[quantity.key]
    for (let g = 0; g < s.nrang; g++) {
      const hasEcho = s.echo === undefined ? values[g] !== 0 && !Number.isNaN(values[g]) : s.echo[g] === 1
      if (!hasEcho || Number.isNaN(values[g])) continue
      let r, gr, b
      if (view.quantity === "velocity" && s.ground[g] === 1) {
        ;[r, gr, b] = GROUND_SCATTER
      } else {
        const index = Math.max(0, Math.min(255, Math.round((values[g] - quantity.min) * scale))) * 3
        r = lut[index]
        gr = lut[index + 1]
        b = lut[index + 2]
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
  const step = TIME_STEPS_MS.find((ms) => (t1 - t0) / ms <= 8) ?? TIME_STEPS_MS.at(-1)
  const label = step < 60_000 ? utcClock : utcMinutes
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) {
    const x = pad.left + xOf(t)
    const text = label(t)
    ctx.fillRect(x, pad.top + plotH, ratio, 4 * ratio)
    if (x + ctx.measureText(text).width / 2 <= W) ctx.fillText(text, x, pad.top + plotH + 6 * ratio)
  }

  drawColourBar(quantity)
  const subject = radar === undefined ? "no radar selected" : `${radar.site}${radar.name ? ` (${radar.name})` : ""}`
  const where = shownKey === undefined ? "waiting for records" : beamLabel(shownKey)
  const caption = `${subject}, ${where}: ${quantity.label.toLowerCase()} (${quantity.unit}) by range gate over time, `
    + `${beamSamples.length} record${beamSamples.length === 1 ? "" : "s"}`
    + (beamSamples.length > 0 ? `, latest ${utcClock(beamSamples.at(-1).t)} UTC` : "")
  $("rti-caption").textContent = caption
  rtiCanvas.setAttribute("aria-label", `Range–time plot: ${caption}`)
}

function drawColourBar(quantity) {
  const ratio = fitCanvas(barCanvas)
  const ctx = barCanvas.getContext("2d")
  const W = barCanvas.width
  const H = barCanvas.height
  const top = 8 * ratio
  const bottom = 24 * ratio
  const barW = 14 * ratio
  const barH = H - top - bottom
  ctx.clearRect(0, 0, W, H)
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

// ---------------------------------------------------------------- selection

function refreshSiteSelect() {
  const select = $("site-select")
  const sites = [...radars.keys()].sort()
  if ([...select.options].map((o) => o.value).join() !== sites.join()) {
    select.replaceChildren(...sites.map((site) => new Option(site, site)))
  }
  if (view.site !== undefined) select.value = view.site
}

function selectSite(site) {
  view.site = site
  view.beamKey = "auto"
  for (const radar of radars.values()) {
    radar.row?.button.setAttribute("aria-pressed", String(radar.site === site))
    radar.row?.button.closest("tr").classList.toggle("selected", radar.site === site)
  }
  refreshSiteSelect()
  const radar = radars.get(site)
  $("detail-heading").textContent = `Range–time · ${site}`
  $("echo-chart-heading").textContent = `Echoes per scan · ${site} · last ${ECHO_HOURS} h (UTC)`
  if (radar !== undefined && echoChart !== undefined) renderEchoes(radar)
  scheduleRti()
}

$("site-select").addEventListener("change", (event) => selectSite(event.target.value))
$("beam-select").addEventListener("change", (event) => {
  view.beamKey = event.target.value
  scheduleRti()
})
for (const input of document.querySelectorAll("input[name=quantity]")) {
  input.addEventListener("change", (event) => {
    view.quantity = event.target.value
    scheduleRti()
  })
}
$("controls").addEventListener("submit", (event) => event.preventDefault())

// ---------------------------------------------------------------- connection

function setConnection(state, text) {
  const el = $("connection")
  el.dataset.state = state
  el.textContent = text
}

function connect() {
  if (typeof io === "undefined") {
    setConnection("offline", "Socket.IO client missing")
    return
  }
  const socket = io({ path: "/socket.io/" })
  // `latest` answers with each site's newest packet as ordinary site events,
  // then the acknowledgement; those packets are not new arrivals.
  let replaying = false
  // `radars` is answered with a `radars` event, like the server's pushes.
  const askStates = () => socket.emit("radars")
  socket.on("connect", () => {
    setConnection("live", `live · ${socket.io.engine.transport.name}`)
    askStates()
    replaying = true
    socket.emit("latest", () => {
      replaying = false
    })
  })
  socket.io.on("open", () => socket.io.engine.on("upgrade", (transport) => setConnection("live", `live · ${transport.name}`)))
  socket.on("disconnect", () => setConnection("connecting", "reconnecting…"))
  socket.on("connect_error", () => setConnection("offline", "server unreachable, retrying…"))
  socket.on("radars", onRadars)
  socket.onAny((event, payload) => {
    if (SITE_EVENT.test(event)) {
      onPacket(event, payload, !replaying)
      return
    }
    const echo = ECHO_EVENT.exec(event)
    if (echo !== null) onEchoes(echo[1], payload)
  })
  setInterval(() => socket.connected && askStates(), STATES_EVERY_MS)
}

// ---------------------------------------------------------------- start

function tick() {
  const now = Date.now()
  $("clock").textContent = utcClock(now)
  $("clock").dateTime = new Date(now).toISOString()
  for (const radar of radars.values()) renderClock(radar, now)
}

if (typeof uPlot !== "undefined") makeEchoChart()
window.addEventListener("resize", () => {
  echoChart?.setSize({ width: Math.max(300, $("echo-chart").clientWidth), height: 200 })
  scheduleRti()
})
setInterval(tick, 1000)
setInterval(scheduleRti, 5000)
tick()
drawRti()
connect()
fetch("/radars").then((r) => (r.ok ? r.json() : [])).then(onRadars, () => undefined)
