// @ts-check
// The page's one Socket.IO connection: radar states, live packets (event
// `<site>`) and scan echo counts (event `<site>/echoes`), and its state shown
// in the header.

import { isRadarSite } from "./radar-state.js"

/** @typedef {import("./types.js").LivePacket} LivePacket */
/** @typedef {import("./types.js").RadarListEntry} RadarListEntry */
/** @typedef {import("./types.js").EchoesEvent} EchoesEvent */

const STATES_EVERY_MS = 5_000
const ECHO_EVENT = /^([a-z]{3})\/echoes$/

/**
 * @typedef {object} FeedHandlers
 * @property {(list: RadarListEntry[]) => void} radars
 * @property {(site: string, packet: LivePacket, live: boolean) => void} packet
 * @property {(site: string, event: EchoesEvent) => void} echoes
 */

/**
 * @param {HTMLElement} status the element showing the connection's state
 * @param {FeedHandlers} handlers
 */
export const connectFeed = (status, handlers) => {
  /**
   * @param {"connecting" | "live" | "offline"} state
   * @param {string} text
   */
  const show = (state, text) => {
    status.dataset["state"] = state
    status.textContent = text
  }
  if (typeof io === "undefined") {
    show("offline", "Socket.IO client missing")
    return
  }
  const socket = io({ path: "/socket.io/" })
  // `latest` answers with each site's newest packet as ordinary site events,
  // then the acknowledgement; those packets are not new arrivals.
  let replaying = false
  /** @type {string[]} the radar sites of the last `radars` list */
  let sites = []
  // `radars` is answered with a `radars` event, like the server's pushes.
  const askStates = () => socket.emit("radars")

  /**
   * Each site's recent packets (the server's history, oldest first), one
   * request at a time, so a page just opened fills its plots at once. The
   * server allows about 10 requests a second: a refusal for that is retried.
   * Sites without history get their latest packet instead.
   * @param {string[]} todo
   * @param {string[]} empty sites whose history was empty
   */
  const fillFromHistory = (todo, empty = []) => {
    const site = todo[0]
    if (site === undefined || !socket.connected) {
      if (empty.length === 0) return
      replaying = true
      socket.emit("latest", empty, () => {
        replaying = false
      })
      return
    }
    /** @param {string | undefined} since */
    const ask = (since) =>
      socket.emit("history", since === undefined ? { site } : { site, since }, (/** @type {any} */ reply) => {
        if (reply?.ok !== true) {
          if (/^too many requests/.test(String(reply?.error))) setTimeout(() => ask(since), 250)
          else fillFromHistory(todo.slice(1), [...empty, site])
          return
        }
        /** @type {LivePacket[]} */
        const packets = Array.isArray(reply.packets) ? reply.packets : []
        for (const packet of packets) handlers.packet(site, packet, false)
        const last = packets.at(-1)
        if (reply.more === true && last !== undefined) ask(last.time_iso)
        else fillFromHistory(todo.slice(1), since === undefined && last === undefined ? [...empty, site] : empty)
      })
    ask(undefined)
  }

  socket.on("connect", () => {
    show("live", `live · ${socket.io.engine.transport.name}`)
    // The `radars` event (which sets `sites`) comes before this acknowledgement.
    socket.emit("radars", () => fillFromHistory(sites))
  })
  socket.io.on(
    "open",
    () =>
      socket.io.engine.on(
        "upgrade",
        (/** @type {{ name: string }} */ transport) => show("live", `live · ${transport.name}`)
      )
  )
  socket.on("disconnect", () => show("connecting", "reconnecting…"))
  socket.on("connect_error", () => show("offline", "server unreachable, retrying…"))
  socket.on("radars", (/** @type {unknown} */ list) => {
    if (!Array.isArray(list)) return
    sites = list.map((entry) => entry?.site).filter((site) => typeof site === "string" && isRadarSite(site))
    handlers.radars(list)
  })
  socket.onAny((/** @type {string} */ event, /** @type {unknown} */ payload) => {
    if (payload === null || typeof payload !== "object") return
    if (isRadarSite(event)) {
      handlers.packet(event, /** @type {LivePacket} */ (payload), !replaying)
      return
    }
    const echo = ECHO_EVENT.exec(event)
    if (echo !== null && echo[1] !== undefined) handlers.echoes(echo[1], /** @type {EchoesEvent} */ (payload))
  })
  setInterval(() => socket.connected && askStates(), STATES_EVERY_MS)
}
