/**
 * Benchmark child: the floor for fan-out. A bare `ws` server that makes the
 * same packets the hub would (the replay records, stamped with the send time)
 * at the same rate, encodes each once into a WebSocket frame and writes that
 * frame to every client, one write per packet per client, as Engine.IO's
 * pre-encoded frames do. It speaks just enough Engine.IO/Socket.IO for the
 * benchmark's clients: the namespace handshake, then `42["<site>",{...}]`.
 * Its CPU per delivered packet is what the hub is measured against.
 */
import { Either } from "effect"
import { execFileSync } from "node:child_process"
import * as ws from "ws"
import { type WebSocket, WebSocketServer } from "ws"
import { decodeRecords } from "../../src/dmap/decode.js"
import { fitacfView } from "../../src/dmap/fitacf.js"
import { livePacket } from "../../src/streams/live-packet.js"
import { REPLAY_FITACF } from "../replay-file.js"
import { startProfile, stopProfile } from "./profile.js"
import { nowMs, type ServerCommand, type ServerMessage } from "./protocol.js"

const send = (message: ServerMessage) => process.send?.(message)

/** The replay's packets as JSON with the time to be filled in. */
const templates = decodeRecords(new Uint8Array(execFileSync("bzip2", ["-dc", REPLAY_FITACF], { maxBuffer: 1 << 26 })))
  .records.flatMap((record) => {
    const fitacf = fitacfView(record)
    if (Either.isLeft(fitacf)) return []
    const packet = livePacket({ site: "s00", record, fitacf: fitacf.right, receivedAt: 0 })
    return Either.isRight(packet) ? [packet.right] : []
  })

const isoMicros = (ms: number): string => {
  const iso = new Date(Math.floor(ms)).toISOString()
  return `${iso.slice(0, 19)}.${String(Math.floor((ms % 1000) * 1000)).padStart(6, "0")}Z`
}

// `ws` exposes the frame builder and a socket's sender only as internals (Engine.IO uses the same two).
interface FrameSender {
  sendFrame(list: ReadonlyArray<Buffer>, cb?: () => void): void
}
const frameOf = (text: string): ReadonlyArray<Buffer> =>
  // The ESM entry exports Sender by name; its types only declare it on the WebSocket class.
  (ws as unknown as { Sender: { frame(data: Buffer, options: Record<string, unknown>): ReadonlyArray<Buffer> } }).Sender
    .frame(Buffer.from(text), { readOnly: false, mask: false, rsv1: false, opcode: 1, fin: true })

const clients = new Set<WebSocket>()
const server = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false, clientTracking: false })
server.on("connection", (socket) => {
  // Engine.IO's open packet, then the namespace's connect answer when the client asks.
  socket.send(`0{"sid":"b","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`)
  socket.on("message", (data) => {
    if (data.toString() === "40") {
      socket.send(`40{"sid":"b"}`)
      clients.add(socket)
    }
  })
  socket.on("close", () => clients.delete(socket))
})

let cpuMark = process.cpuUsage()
let published = 0
let writes = 0
let peakRss = process.memoryUsage.rss()
setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 250).unref()

const broadcast = (site: string, index: number) => {
  const packet = { ...templates[index % templates.length]!, site_name: site, time_iso: isoMicros(nowMs()) }
  const frame = frameOf(`42[${JSON.stringify(site)},${JSON.stringify(packet)}]`)
  for (const client of clients) (client as unknown as { _sender: FrameSender })._sender.sendFrame(frame)
  published++
  writes += clients.size
}

process.on("message", (command: ServerCommand) => {
  if (command.type === "exit") process.exit(0)
  if (command.type === "mark") {
    published = 0
    writes = 0
    peakRss = process.memoryUsage.rss()
    void startProfile().then(() => {
      cpuMark = process.cpuUsage()
      send({ type: "marked", rssBytes: process.memoryUsage.rss() })
    })
  } else if (command.type === "go") {
    const intervalMs = 1000 / command.perSiteHz
    const count = Math.round(command.perSiteHz * command.seconds)
    let done = 0
    for (let i = 0; i < command.sites; i++) {
      const site = `s${String(i).padStart(2, "0")}`
      let sent = 0
      // Sites start spread over one interval, as the simulated radars do.
      setTimeout(() => {
        const timer = setInterval(() => {
          broadcast(site, i + sent)
          if (++sent === count) {
            clearInterval(timer)
            if (++done === command.sites) send({ type: "sent", records: count * command.sites })
          }
        }, intervalMs)
      }, (intervalMs * i) / command.sites)
    }
  } else {
    const cpu = process.cpuUsage(cpuMark)
    const rssBytes = process.memoryUsage.rss()
    void stopProfile("floor").then(() =>
      send({
        type: "stats",
        stats: {
          cpuMs: (cpu.user + cpu.system) / 1000,
          rssBytes,
          historyPackets: 0,
          historyBytes: 0,
          peakRssBytes: peakRss,
          published,
          dropped: 0,
          writes,
          feedBehind: 0,
          emitP50Ms: Number.NaN,
          emitP99Ms: Number.NaN
        }
      })
    )
  }
})

server.on("listening", () => send({ type: "ready", port: (server.address() as { port: number }).port }))
