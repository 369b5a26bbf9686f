/**
 * One live-feed client's delivery state: which sites it gets, the packets due
 * to it that are not written yet, its byte budget and its request allowance.
 *
 * Writing. For a WebSocket client the feed writes its shared, pre-encoded
 * frames straight to the client's TCP socket: all frames due in one step go
 * in one write (one buffer shared by every client getting all sites, or a
 * corked run of writes), which is the cost of the write itself. Whenever
 * Engine.IO holds anything for the client (a reply waiting, a transport
 * upgrade, the polling transport), frames go through Engine.IO instead, so
 * a client never sees packets out of order.
 *
 * Budget. Every byte queued for a client counts: frames waiting here, bytes
 * its TCP socket has not sent, and Engine.IO's buffer (replies included).
 * Over the budget the oldest waiting packets are dropped (counted); replies
 * that would not fit are refused with a short error; a client still dropping
 * after `maxOverBudgetMs` is disconnected.
 */
import type * as net from "node:net"
import type { Socket } from "socket.io"
import { frameSocketIoText, type LiveFrame, wsPreEncodedFrame } from "./live-frame.js"

/** Bytes handed to a socket before further frames wait here (where they can still be dropped). */
const SOCKET_HIGH_WATER = 256 * 1024

/** engine.io keeps these in fields its types mark private. */
interface EngineTransport {
  readonly name: string
  readonly socket?: { readonly _socket?: net.Socket; readonly readyState?: number }
}
interface EnginePacket {
  readonly data?: unknown
}
interface EngineConnection {
  readonly readyState: string
  readonly upgrading: boolean
  readonly transport: EngineTransport
  readonly writeBuffer: ReadonlyArray<EnginePacket>
  write(data: string, options?: { readonly wsPreEncodedFrame?: ReadonlyArray<Buffer> }): unknown
  once(event: "drain", listener: () => void): unknown
}

const WS_OPEN = 1

/** Frames due to one step of the feed, with the all-sites concatenation made once and shared. */
export class FrameBatch {
  private joined: Buffer | undefined
  constructor(readonly frames: ReadonlyArray<LiveFrame>, readonly sites: ReadonlyArray<string>) {}
  get all(): Buffer {
    if (this.joined === undefined) {
      this.joined = this.frames.length === 1 ? this.frames[0]!.bytes : Buffer.concat(this.frames.map((f) => f.bytes))
    }
    return this.joined
  }
  get bytes(): number {
    return this.all.length
  }
}

/** Writes of live frames to clients, counted across clients (one per socket write, however many frames it holds). */
export interface WriteTally {
  writes: number
}

export interface ClientLimits {
  readonly clientByteBudget: number
  readonly maxOverBudgetMs: number
  /** Requests a client may make in a burst, refilled at `requestsPerSecond`. */
  readonly requestBurst: number
  readonly requestsPerSecond: number
}

export interface DeliveryOutcome {
  /** Packets of each site dropped from this client's queue to stay within budget. */
  readonly dropped: ReadonlyArray<string> | undefined
  /** The client stayed over budget too long and should be disconnected. */
  readonly disconnect: boolean
}

const NOTHING_DROPPED: DeliveryOutcome = { dropped: undefined, disconnect: false }

export class LiveClient {
  /** Undefined: every site (a client that never subscribed, or unsubscribed from all). */
  sites: Set<string> | undefined = undefined
  private readonly waiting: Array<LiveFrame> = []
  private waitingHead = 0
  private waitingBytes = 0
  private overSince: number | undefined = undefined
  private drainArmed = false
  private tokens: number
  private refilledAt: number

  /** Engine.IO's connection: fixed for the socket's life (its transport is not). */
  private readonly conn: EngineConnection

  constructor(
    readonly socket: Socket,
    private readonly limits: ClientLimits,
    now: number,
    private readonly tally: WriteTally
  ) {
    this.tokens = limits.requestBurst
    this.refilledAt = now
    this.conn = socket.conn as unknown as EngineConnection
  }

  /** The TCP socket when frames can be written to it directly and in order, else undefined. */
  private rawSocket(): net.Socket | undefined {
    const conn = this.conn
    if (conn.writeBuffer.length > 0 || conn.upgrading || conn.readyState !== "open") return undefined
    const transport = conn.transport
    if (transport.name !== "websocket") return undefined
    const ws = transport.socket
    // A closing WebSocket must get no frame after its close frame.
    if (ws === undefined || ws.readyState !== WS_OPEN) return undefined
    const raw = ws._socket
    return raw !== undefined && raw.writable ? raw : undefined
  }

  gets(site: string): boolean {
    return this.sites === undefined || this.sites.has(site)
  }

  private engineBytes(): number {
    let bytes = 0
    for (const packet of this.conn.writeBuffer) {
      if (typeof packet.data === "string") bytes += packet.data.length
      else if (packet.data instanceof Uint8Array) bytes += packet.data.length
    }
    return bytes
  }

  /** Bytes handed on and not yet sent: the TCP socket's buffer and Engine.IO's. */
  private inFlightBytes(): number {
    const raw = this.conn.transport.socket?._socket
    return (raw?.writableLength ?? 0) + this.engineBytes()
  }

  /** Everything queued for this client, in bytes. */
  queuedBytes(): number {
    return this.inFlightBytes() + this.waitingBytes
  }

  /** Whether a reply of `bytes` fits in the budget now. */
  canReply(bytes: number): boolean {
    return this.queuedBytes() + bytes <= this.limits.clientByteBudget
  }

  /** Takes one request from the allowance; false when the client asks too often. */
  allowRequest(now: number): boolean {
    const elapsed = Math.max(0, now - this.refilledAt) / 1000
    this.refilledAt = now
    this.tokens = Math.min(this.limits.requestBurst, this.tokens + elapsed * this.limits.requestsPerSecond)
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }

  get waitingPackets(): number {
    return this.waiting.length - this.waitingHead
  }

  /**
   * Whether `bytes` more may go to the socket now: below the high-water mark,
   * and never past the budget (a socket's buffer cannot be dropped from).
   */
  private socketTakes(raw: net.Socket, bytes: number): boolean {
    const queued = raw.writableLength
    return queued < SOCKET_HIGH_WATER && queued + bytes <= this.limits.clientByteBudget
  }

  /** Queues the batch's frames this client gets and writes what the socket takes now. */
  deliver(batch: FrameBatch, now: number): DeliveryOutcome {
    // Fields of this object only (no frame is empty, so no bytes means nothing waiting): with
    // a thousand clients, every other object touched per client is a likely cache miss.
    if (this.sites === undefined && this.waitingBytes === 0) {
      // The common case: every site, nothing waiting. One shared buffer, one write.
      const raw = this.rawSocket()
      if (raw !== undefined && this.socketTakes(raw, batch.bytes)) {
        raw.write(batch.all)
        this.tally.writes++
        this.overSince = undefined
        return NOTHING_DROPPED
      }
    }
    for (let i = 0; i < batch.frames.length; i++) {
      if (!this.gets(batch.sites[i]!)) continue
      const frame = batch.frames[i]!
      this.waiting.push(frame)
      this.waitingBytes += frame.bytes.length
    }
    return this.settle(now)
  }

  /** Queues frames for this client alone (a `latest` reply), in order with its live packets. */
  enqueue(frames: ReadonlyArray<LiveFrame>, now: number): DeliveryOutcome {
    for (const frame of frames) {
      this.waiting.push(frame)
      this.waitingBytes += frame.bytes.length
    }
    return this.settle(now)
  }

  private settle(now: number): DeliveryOutcome {
    this.flush()
    let dropped: Array<string> | undefined
    if (this.waitingPackets > 0) {
      const inFlight = this.inFlightBytes()
      while (this.waitingPackets > 0 && inFlight + this.waitingBytes > this.limits.clientByteBudget) {
        const frame = this.waiting[this.waitingHead]!
        this.waiting[this.waitingHead++] = undefined as unknown as LiveFrame
        this.waitingBytes -= frame.bytes.length
        ;(dropped ??= []).push(frame.event)
      }
      this.compact()
    }
    if (dropped !== undefined) this.overSince ??= now
    else if (this.waitingPackets === 0) this.overSince = undefined
    const disconnect = this.overSince !== undefined && now - this.overSince > this.limits.maxOverBudgetMs
    return dropped === undefined && !disconnect ? NOTHING_DROPPED : { dropped, disconnect }
  }

  private compact(): void {
    if (this.waitingHead === this.waiting.length) {
      this.waiting.length = 0
      this.waitingHead = 0
    } else if (this.waitingHead > 1024 && this.waitingHead * 2 > this.waiting.length) {
      this.waiting.splice(0, this.waitingHead)
      this.waitingHead = 0
    }
  }

  /** Writes waiting frames while the socket (or Engine.IO) takes them; else waits for its drain. */
  flush(): void {
    if (this.waitingPackets === 0) return
    const raw = this.rawSocket()
    if (raw !== undefined) {
      if (this.socketTakes(raw, this.waiting[this.waitingHead]!.bytes.length)) {
        const count = this.waitingPackets
        if (count > 1) raw.cork()
        while (this.waitingPackets > 0 && this.socketTakes(raw, this.waiting[this.waitingHead]!.bytes.length)) {
          const frame = this.waiting[this.waitingHead]!
          this.waiting[this.waitingHead++] = undefined as unknown as LiveFrame
          this.waitingBytes -= frame.bytes.length
          raw.write(frame.bytes)
        }
        if (count > 1) raw.uncork()
        this.tally.writes++
      }
      if (this.waitingPackets > 0) this.armDrain(raw)
      this.compact()
      return
    }
    const conn = this.conn
    if (conn.readyState !== "open") return
    while (this.waitingPackets > 0 && this.engineBytes() < SOCKET_HIGH_WATER) {
      const frame = this.waiting[this.waitingHead]!
      this.waiting[this.waitingHead++] = undefined as unknown as LiveFrame
      this.waitingBytes -= frame.bytes.length
      conn.write(frameSocketIoText(frame), { wsPreEncodedFrame: wsPreEncodedFrame(frame) })
      this.tally.writes++
    }
    if (this.waitingPackets > 0 && !this.drainArmed) {
      this.drainArmed = true
      conn.once("drain", () => {
        this.drainArmed = false
        this.flush()
      })
    }
    this.compact()
  }

  private armDrain(raw: net.Socket): void {
    if (this.drainArmed) return
    this.drainArmed = true
    raw.once("drain", () => {
      this.drainArmed = false
      this.flush()
    })
  }

  /** Drops everything waiting (the client left). */
  clear(): void {
    this.waiting.length = 0
    this.waitingHead = 0
    this.waitingBytes = 0
  }
}
