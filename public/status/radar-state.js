// @ts-check
// What the page knows about each radar, and how packets, radar lists and echo
// counts change it. No DOM here: the table, charts and plot read this state.

/** @typedef {import("./types.js").Radar} Radar */
/** @typedef {import("./types.js").LivePacket} LivePacket */
/** @typedef {import("./types.js").RadarListEntry} RadarListEntry */
/** @typedef {import("./types.js").EchoScan} EchoScan */

/**
 * A radar's site code. The radar list also carries feed entries that are not
 * radars (the SuperDARN Canada publisher, `canada`): the table shows radars.
 * @param {string} site
 */
export const isRadarSite = (site) => /^[a-z]{3}$/.test(site)

/** Echo counts charted: the last hours, as /echoes/ serves them. */
export const ECHO_HOURS = 6

/** @param {string} site @returns {Radar} */
export const newRadar = (site) => ({
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
  echoChannel: undefined
})

/**
 * A radar's entry of the `radars` event or GET /radars.
 * @param {Radar} radar
 * @param {RadarListEntry} entry
 */
export const applyListEntry = (radar, entry) => {
  radar.name = entry.name ?? ""
  radar.operator = entry.operator ?? ""
  radar.state = entry.phase
  radar.decodeErrors = entry.counters?.decodeErrors
  radar.reconnects = entry.counters?.reconnects
  radar.lastError = entry.lastError ?? undefined
  if (radar.lastSeen === undefined && typeof entry.lastRecordAt === "number") radar.lastSeen = entry.lastRecordAt
}

/**
 * The packet's time in epoch ms; `time_iso` is an addition older servers lack.
 * @param {LivePacket} packet
 */
export const packetTime = (packet) => {
  const iso = packet.time_iso ?? (typeof packet.time === "string" ? `${packet.time.replace(" ", "T")}Z` : undefined)
  const t = iso === undefined ? NaN : Date.parse(iso)
  return Number.isFinite(t) ? t : Date.now()
}

/**
 * Takes a packet unless it repeats the newest one (as `latest` does after a
 * reconnect). Returns whether the radar changed.
 * @param {Radar} radar
 * @param {LivePacket} packet
 * @param {boolean} live a new arrival, not a replay
 * @param {number} keep samples kept for this radar
 */
export const applyPacket = (radar, packet, live, keep) => {
  const now = Date.now()
  if (live) radar.arrivals.push(now)
  const t = packetTime(packet)
  if (radar.packet !== undefined && packetTime(radar.packet) === t && radar.packet.channel === packet.channel) {
    return false
  }
  radar.packet = packet
  radar.lastSeen = live ? now : Math.min(now, t)
  if (radar.state === "unknown" || radar.state === "connecting") radar.state = "receiving"
  addSample(radar, packet, t, keep)
  return true
}

/**
 * @param {Radar} radar
 * @param {LivePacket} packet
 * @param {number} t
 * @param {number} keep
 */
const addSample = (radar, packet, t, keep) => {
  const nrang = packet.nrang | 0
  /** @param {"power" | "velocity"} name */
  const gates = (name) => {
    const out = new Float32Array(nrang).fill(NaN)
    const values = packet[name]
    if (Array.isArray(values)) {
      for (let g = 0; g < nrang && g < values.length; g++) {
        const value = values[g]
        if (typeof value === "number") out[g] = value
      }
    }
    return out
  }
  // Gate arrays hold 0 where there is no echo; slist tells the echoes apart from real zeros.
  const echo = new Uint8Array(nrang)
  const slist = Array.isArray(packet.slist) ? packet.slist : undefined
  if (slist !== undefined) { for (const g of slist) if (g >= 0 && g < nrang) echo[g] = 1 }
  const ground = new Uint8Array(nrang)
  if (Array.isArray(packet.g_scatter)) { for (let g = 0; g < nrang; g++) ground[g] = packet.g_scatter[g] === 1 ? 1 : 0 }
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
  const previous = samples[samples.length - 2]
  if (previous !== undefined && previous.t > t) samples.sort((a, b) => a.t - b.t)
  if (samples.length > keep) samples.splice(0, samples.length - keep)
}

/**
 * Keeps the series ordered by time, without duplicates, within the window.
 * @param {Radar} radar
 * @param {EchoScan} scan
 */
export const addEchoes = (radar, scan) => {
  if (!Number.isFinite(scan.t)) return
  const e = radar.echoes
  const seconds = scan.t / 1000
  let i = e.t.length
  while (i > 0 && /** @type {number} */ (e.t[i - 1]) > seconds) i--
  if (i > 0 && e.t[i - 1] === seconds) return
  e.t.splice(i, 0, seconds)
  e.total.splice(i, 0, scan.total)
  e.ionospheric.splice(i, 0, scan.ionospheric)
  e.groundScatter.splice(i, 0, scan.groundScatter)
  const oldest = Date.now() / 1000 - ECHO_HOURS * 3600
  while (e.t.length > 0 && /** @type {number} */ (e.t[0]) < oldest) {
    e.t.shift()
    e.total.shift()
    e.ionospheric.shift()
    e.groundScatter.shift()
  }
}
