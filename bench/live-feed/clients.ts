/**
 * Benchmark child: N WebSocket clients speaking Engine.IO/Socket.IO at the
 * wire level. The server does exactly the work it does for browsers; the
 * clients skip the full JSON parse (which would make this process, not the
 * server, the bottleneck) and read only each packet's `time_iso` for latency.
 */
import * as crypto from "node:crypto"
import * as net from "node:net"
import { type ClientCommand, type ClientMessage, LATENCY_BUCKET_MS, LATENCY_BUCKETS, nowMs } from "./protocol.js"

const [host = "127.0.0.1", portText = "0", countText = "1"] = process.argv.slice(2)
const port = Number(portText)
const count = Number(countText)

const latency = new Uint32Array(LATENCY_BUCKETS)
let received = 0
let unreadable = 0
let disconnects = 0

const send = (message: ClientMessage) => process.send?.(message)

const maskedText = (text: string): Buffer => {
  const payload = Buffer.from(text)
  const mask = crypto.randomBytes(4)
  for (let i = 0; i < payload.length; i++) payload[i] = payload[i]! ^ mask[i % 4]!
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, payload])
}
const PONG = maskedText("3")
const CONNECT = maskedText("40")
const TIME_KEY = Buffer.from("\"time_iso\":\"")
const EVENT_PREFIX = 0x34 // "4" then "2": a Socket.IO EVENT inside an Engine.IO message

/** `YYYY-MM-DDTHH:MM:SS.ffffffZ` at `at` in `frame` → epoch ms with the microseconds. */
const stampAt = (frame: Buffer, at: number): number => {
  const text = frame.toString("latin1", at, at + 26)
  const us = Number(text.slice(20, 26))
  return Date.parse(`${text.slice(0, 19)}Z`) + us / 1000
}

const onMessage = (payload: Buffer, socket: net.Socket, connected: () => void) => {
  const kind = payload[0]
  if (kind === 0x32 && payload.length === 1) { // "2": ping
    socket.write(PONG)
    return
  }
  if (kind === EVENT_PREFIX && payload[1] === 0x30) return connected() // "40": namespace connected
  if (kind !== EVENT_PREFIX || payload[1] !== 0x32) return
  const arrived = nowMs()
  received++
  const key = payload.indexOf(TIME_KEY)
  if (key < 0) {
    unreadable++
    return
  }
  const sent = stampAt(payload, key + TIME_KEY.length)
  if (Number.isNaN(sent)) {
    unreadable++
    return
  }
  const bucket = Math.min(LATENCY_BUCKETS - 1, Math.max(0, Math.floor((arrived - sent) / LATENCY_BUCKET_MS)))
  latency[bucket]!++
}

/** A connection attempt that has not reached the namespace by then is abandoned (and retried). */
const CONNECT_TIMEOUT_MS = 15_000
const CONNECT_ATTEMPTS = 3

const connectOnce = () =>
  new Promise<void>((resolve, reject) => {
    const socket = net.connect(port, host)
    socket.setNoDelay(true)
    let upgraded = false
    let pending: Buffer = Buffer.alloc(0)
    let ready = false
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`not connected within ${CONNECT_TIMEOUT_MS} ms`))
    }, CONNECT_TIMEOUT_MS)
    const connected = () => {
      if (!ready) {
        ready = true
        clearTimeout(timer)
        resolve()
      }
    }
    socket.on("connect", () =>
      socket.write(
        "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n" +
          `Host: ${host}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${crypto.randomBytes(16).toString("base64")}\r\nSec-WebSocket-Version: 13\r\n\r\n`
      ))
    socket.on("error", (error) => {
      if (ready) return
      clearTimeout(timer)
      reject(error)
    })
    socket.on("close", () => {
      if (ready) disconnects++
    })
    socket.on("data", (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
      if (!upgraded) {
        const end = pending.indexOf("\r\n\r\n")
        if (end < 0) return
        upgraded = true
        pending = pending.subarray(end + 4)
        socket.write(CONNECT)
      }
      let offset = 0
      while (pending.length - offset >= 2) {
        let length = pending[offset + 1]! & 0x7f
        let header = 2
        if (length === 126) {
          if (pending.length - offset < 4) break
          length = pending.readUInt16BE(offset + 2)
          header = 4
        } else if (length === 127) {
          if (pending.length - offset < 10) break
          length = Number(pending.readBigUInt64BE(offset + 2))
          header = 10
        }
        if (pending.length - offset < header + length) break
        const opcode = pending[offset]! & 0x0f
        if (opcode === 1) onMessage(pending.subarray(offset + header, offset + header + length), socket, connected)
        offset += header + length
      }
      pending = offset === pending.length ? Buffer.alloc(0) : pending.subarray(offset)
    })
  })

let connectFailures = 0

/** Connects one client, retrying a refused or stalled attempt; false when every attempt failed. */
const connectOne = async (): Promise<boolean> => {
  for (let attempt = 1; attempt <= CONNECT_ATTEMPTS; attempt++) {
    try {
      await connectOnce()
      return true
    } catch {
      connectFailures++
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt))
    }
  }
  return false
}

// Connect in small groups: a thousand simultaneous handshakes only measure the accept queue.
let connected = 0
for (let started = 0; started < count; started += 50) {
  const group = await Promise.all(Array.from({ length: Math.min(50, count - started) }, connectOne))
  connected += group.filter(Boolean).length
}
send({ type: "ready", connected, connectFailures })

process.on("message", (command: ClientCommand) => {
  if (command.type === "reset") {
    latency.fill(0)
    received = 0
    unreadable = 0
    return
  }
  const buckets: Array<readonly [number, number]> = []
  for (let i = 0; i < latency.length; i++) if (latency[i]! > 0) buckets.push([i, latency[i]!])
  send({ type: "stats", stats: { clients: connected, received, unreadable, disconnects, latency: buckets } })
})
