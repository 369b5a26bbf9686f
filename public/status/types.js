// @ts-check
// The types the page's modules share. The packet, the radar list and the echo
// event come from the server's own declarations, so `npm run typecheck`
// fails when the server changes a field the page reads.

/** @typedef {import("../../src/streams/live-packet.js").LivePacket} LivePacket */
/** @typedef {import("../../src/domain/radar-list.js").RadarListEntry} RadarListEntry */
/** @typedef {import("../../src/layers/realtime/Alerts.js").AlertPayload} AlertPayload */
/** @typedef {ReturnType<typeof import("../../src/layers/realtime/EchoAggregator.js").echoesEvent>} EchoesEvent */

/**
 * One record of a radar as the range–time plot draws it.
 * @typedef {object} Sample
 * @property {number} t epoch ms
 * @property {number} beam
 * @property {number} channel
 * @property {number} nrang
 * @property {Uint8Array | undefined} echo 1 where slist has an echo; undefined when the packet had no slist
 * @property {Uint8Array} ground 1 where the echo is ground scatter
 * @property {Float32Array} power NaN where unknown
 * @property {Float32Array} velocity NaN where unknown
 */

/**
 * A radar's echo counts per scan, as columns uPlot draws (times in seconds).
 * @typedef {object} EchoSeries
 * @property {number[]} t
 * @property {Array<number | null>} total
 * @property {Array<number | null>} ionospheric
 * @property {Array<number | null>} groundScatter
 */

/** @typedef {{ t: number, total: number | null, ionospheric: number | null, groundScatter: number | null }} EchoScan */

/**
 * Everything the page knows about one radar.
 * @typedef {object} Radar
 * @property {string} site
 * @property {string} name
 * @property {string} operator
 * @property {string} state a RadarListEntry phase, or "unknown" before the first list
 * @property {number | undefined} decodeErrors
 * @property {number | undefined} reconnects
 * @property {string | undefined} lastError
 * @property {number | undefined} lastSeen epoch ms
 * @property {LivePacket | undefined} packet the newest
 * @property {number[]} arrivals epoch ms of live packets within the rate window
 * @property {Sample[]} samples
 * @property {EchoSeries} echoes
 * @property {number | undefined} echoChannel the channel the echo chart follows
 */

/** @typedef {"power" | "velocity"} QuantityName */

/**
 * What the viewer has chosen.
 * @typedef {object} View
 * @property {string | undefined} site
 * @property {string} beamKey "auto" or `${channel}:${beam}`
 * @property {QuantityName} quantity
 */

export {}
